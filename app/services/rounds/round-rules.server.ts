/**
 * The rules that decide a round's outcome, read from the database in the form checkpoints sign and
 * round.json publishes (ADR 0018): voting window as opened, envelopes, accepted proposals and costs,
 * voter classes and weights, eligibility, counting rules.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import {
  districts,
  envelopes,
  municipalities,
  phases,
  proposals,
  roundEligibility,
  roundVoterClasses,
  rounds,
} from "../../../db/schema";
import { type RoundRules, envelopeRules } from "../../domain/bundle/format";

/** Proposal statuses that were on the ballot (selected and funded ones were accepted when voting). */
export const ON_BALLOT = ["accepted", "selected", "funded"] as const;

/** Serialises every change of a round's rules and phases with every other (one lock per round). */
export async function lockRoundRules(tx: Tx, roundId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`round-rules:${roundId}`}))`);
}

/** The proposals that were on the ballot of these envelopes, in the order the ballot shows them. */
export async function proposalsOnBallot(db: Db | Tx, envelopeRows: readonly { id: string }[]) {
  if (!envelopeRows.length) return [];
  return db
    .select({
      id: proposals.id,
      envelopeId: proposals.envelopeId,
      title: proposals.title,
      cost: proposals.cost,
      themeId: proposals.themeId,
    })
    .from(proposals)
    .where(
      and(
        inArray(
          proposals.envelopeId,
          envelopeRows.map((e) => e.id),
        ),
        inArray(proposals.status, [...ON_BALLOT]),
      ),
    )
    .orderBy(asc(proposals.createdAt), asc(proposals.id));
}

export async function roundRulesOf(db: Db | Tx, roundId: string): Promise<RoundRules> {
  const [round] = await db
    .select({
      slug: rounds.slug,
      kind: rounds.kind,
      timeZone: municipalities.timeZone,
      municipalityId: rounds.municipalityId,
    })
    .from(rounds)
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(eq(rounds.id, roundId));
  const [envelopeRows, districtRows, voting, classRows, eligibility] = await Promise.all([
    db.select().from(envelopes).where(eq(envelopes.roundId, roundId)).orderBy(asc(envelopes.slug)),
    db
      .select({ id: districts.id, code: districts.code })
      .from(districts)
      .where(eq(districts.municipalityId, round.municipalityId)),
    db
      .select()
      .from(phases)
      .where(and(eq(phases.roundId, roundId), eq(phases.kind, "voting"))),
    db.select().from(roundVoterClasses).where(eq(roundVoterClasses.roundId, roundId)),
    db.select().from(roundEligibility).where(eq(roundEligibility.roundId, roundId)),
  ]);
  const code = new Map(districtRows.map((d) => [d.id, d.code]));
  const slugOf = new Map(envelopeRows.map((e) => [e.id, e.slug]));
  const proposalRows = await proposalsOnBallot(db, envelopeRows);
  const districtIds = eligibility[0]?.districtIds ?? null;
  return {
    round: { slug: round.slug, kind: round.kind },
    timeZone: round.timeZone,
    votingWindow: voting[0]
      ? { startsOn: voting[0].startsOn, endsOn: voting[0].plannedEndsOn ?? voting[0].endsOn }
      : null,
    envelopes: envelopeRows.map((e) => ({
      slug: e.slug,
      district: e.districtId ? (code.get(e.districtId) ?? null) : null,
      amount: e.amount,
      ...envelopeRules(e),
    })),
    proposals: proposalRows.map((p) => ({ id: p.id, envelope: slugOf.get(p.envelopeId) ?? "", cost: p.cost })),
    voterClasses: classRows.map((c) => ({ code: c.code, weight: c.weight })),
    eligibility: {
      districts: districtIds ? districtIds.map((id) => code.get(id) ?? id) : null,
      minAge: eligibility[0]?.minAge ?? null,
    },
  };
}
