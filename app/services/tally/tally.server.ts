/**
 * Running a round's tally: for each envelope, its rule on the current (non-superseded) weighted
 * ballots, online and paper together. Staff see outcome and trace; they cannot edit them.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, asc, count, desc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { ballots, envelopes, ledgerLeaves, phases, proposals, roundSecrets, rounds, tallies } from "../../../db/schema";
import type { PbElection } from "../../domain/pbfile";
import { envelopeElectionOf } from "../../domain/pbfile/envelope";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { type RuleName, tally } from "../../domain/tally";
import { recordAction, actionBy } from "../action-log/action-log.server";
import { maybeCheckpoint } from "../ballots/checkpoints.server";
import { RefusedError } from "../errors.server";
import { findRound } from "../rounds/rounds-admin.server";
import type { Scope } from "../scope";

/**
 * Why a tally (or its publication, app/services/tally/publish.server.ts) is refused; the messages are
 * in app/web/refusal-messages/tally.ts.
 */
export type TallyRefusal =
  | "round_not_found"
  | "not_tallying"
  | "already_published"
  | "no_tally"
  | "tally_stale"
  | "witness_quorum_missing";

export const RULE_VERSION = "shora-tally/1 (pabutools 1.2.3 outcomes)";

type EnvelopeRow = typeof envelopes.$inferSelect;

function ruleOf(envelope: Pick<EnvelopeRow, "tallyRule" | "tallyCompletion">): RuleName {
  if (envelope.tallyRule === "greedy") return "greedy";
  return envelope.tallyCompletion ? "mes+greedy" : "mes";
}

/** The envelope's current ballots as a Pabulib election (voter ids are ballot ids, never people). */
export async function envelopeElection(
  db: Db,
  scope: Scope,
  input: { envelope: EnvelopeRow; roundSlug: string },
): Promise<PbElection> {
  const { envelope, roundSlug } = input;
  await roundOf(db, scope, { roundId: envelope.roundId });
  const [projectRows, ballotRows] = await Promise.all([
    db
      .select({ id: proposals.id, cost: proposals.cost, title: proposals.title })
      .from(proposals)
      .where(and(eq(proposals.envelopeId, envelope.id), eq(proposals.status, "accepted")))
      .orderBy(asc(proposals.createdAt), asc(proposals.id)),
    db
      .select({ id: ballots.id, weight: ballots.weight, body: ballots.body })
      .from(ballots)
      .where(and(eq(ballots.envelopeId, envelope.id), eq(ballots.current, true)))
      .orderBy(asc(ballots.leafIndex)),
  ]);
  return envelopeElectionOf({ roundSlug, envelope, projects: projectRows, ballots: ballotRows });
}

/** The scope's round, by slug or id: refused when the municipality has no such round. */
async function roundOf(db: Db, scope: Scope, by: { roundSlug: string } | { roundId: string }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(
      and(
        eq(rounds.municipalityId, scope.municipality.id),
        "roundSlug" in by ? eq(rounds.slug, by.roundSlug) : eq(rounds.id, by.roundId),
      ),
    );
  if (!round) throw new RefusedError<TallyRefusal>("round_not_found", null, {}, 404);
  return round;
}

/** Runs every envelope's rule; allowed once voting is over (tallying phase). One transaction. */
export async function runRoundTally(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const now = input.now ?? new Date();
  const { municipality } = scope;
  const log = await actionBy(db, scope);
  const round = await roundOf(db, scope, { roundSlug: input.roundSlug });
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  const phase = currentPhase(phaseRows, dayIn(municipality.timeZone, now))?.kind ?? null;
  if (phase !== "tallying") throw new RefusedError<TallyRefusal>("not_tallying", null, {}, 409);
  // Published results are final: a round published on the first day of its tallying phase (or without
  // a published phase) is still "tallying", and a new tally would replace the published one.
  const [secret] = await db
    .select({ destroyedAt: roundSecrets.destroyedAt })
    .from(roundSecrets)
    .where(eq(roundSecrets.roundId, round.id));
  if (secret?.destroyedAt) throw new RefusedError<TallyRefusal>("already_published", null, {}, 409);
  const envelopeRows = await db
    .select()
    .from(envelopes)
    .where(eq(envelopes.roundId, round.id))
    .orderBy(asc(envelopes.position), asc(envelopes.slug));
  const [previous] = await db
    .select({ seed: tallies.seed })
    .from(tallies)
    .where(eq(tallies.roundId, round.id))
    .limit(1);
  // The tie-break seed is drawn once per round and published with the results.
  const seed = previous?.seed ?? randomBytes(16).toString("hex");
  // Voting is closed: the final ledger head is signed before counting.
  await maybeCheckpoint(db, { roundId: round.id, municipalityId: municipality.id, now, force: true });
  const [{ n: ledgerSize }] = await db
    .select({ n: count() })
    .from(ledgerLeaves)
    .where(eq(ledgerLeaves.roundId, round.id));
  const outcomes: { envelope: EnvelopeRow; election: PbElection; rule: RuleName; result: ReturnType<typeof tally> }[] =
    [];
  for (const envelope of envelopeRows) {
    const election = await envelopeElection(db, scope, { envelope, roundSlug: round.slug });
    const rule = ruleOf(envelope);
    const result = tally(election, { rule, tieBreak: "cost-votes-seed", seed });
    outcomes.push({ envelope, election, rule, result });
  }
  await db.transaction(async (tx) => {
    for (const { envelope, election, rule, result } of outcomes) {
      await tx.insert(tallies).values({
        id: randomUUID(),
        roundId: round.id,
        envelopeId: envelope.id,
        rule,
        ruleVersion: RULE_VERSION,
        tieBreak: "cost-votes-seed",
        seed,
        ballots: election.ballots.length,
        voters: election.ballots.reduce((s, b) => s + b.weight, 0),
        ledgerSize,
        selected: result.selected,
        result: { totalCost: result.totalCost, budget: result.budget, trace: result.trace },
        createdAt: now,
        createdBy: log.actor.id,
      });
    }
    await recordAction(tx, {
      ...log,
      action: "tally.run",
      target: `round:${round.slug}`,
      roundId: round.id,
      after: {
        seed,
        ledgerSize,
        envelopes: outcomes.map((o) => ({ envelope: o.envelope.slug, rule: o.rule, selected: o.result.selected })),
      },
      at: now,
    });
  });
  return {
    seed,
    ledgerSize,
    outcomes: outcomes.map((o) => ({ envelope: o.envelope.slug, rule: o.rule, selected: o.result.selected })),
  };
}

/** The tally page of a round: the round and the newest tally of each envelope (null: no such round). */
export async function tallyPageOf(db: Db, scope: Scope, input: { roundSlug: string }) {
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) return null;
  return { round, envelopes: await latestTallies(db, round.id) };
}

/**
 * The newest tally of each envelope of a round, with the proposals' names and costs. A helper for
 * services that have already found the round in its municipality (publishing, the bundle).
 */
export async function latestTallies(db: Db, roundId: string) {
  const envelopeRows = await db
    .select()
    .from(envelopes)
    .where(eq(envelopes.roundId, roundId))
    .orderBy(asc(envelopes.position), asc(envelopes.slug));
  const [{ n: ledgerSize }] = await db
    .select({ n: count() })
    .from(ledgerLeaves)
    .where(eq(ledgerLeaves.roundId, roundId));
  const out = [];
  for (const envelope of envelopeRows) {
    const [latest] = await db
      .select()
      .from(tallies)
      .where(eq(tallies.envelopeId, envelope.id))
      .orderBy(desc(tallies.createdAt))
      .limit(1);
    const projectRows = await db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id));
    out.push({
      envelope,
      tally: latest ?? null,
      proposals: projectRows,
      stale: latest ? latest.ledgerSize !== ledgerSize : false,
    });
  }
  return out;
}
