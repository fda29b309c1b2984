/**
 * Who may take part in a round: its voter classes with weights, its eligibility rules, and per resident
 * one verdict (`standingIn`) that the eligibility pages, the ballot page and every cast share
 * (docs/decisions/0005-verification-and-census.md). Classes and rules freeze when voting opens
 * (docs/decisions/0018-frozen-rules-and-bundle-format-2.md).
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, phases, roundEligibility, roundVoterClasses, rounds, verifications } from "../../../db/schema";
import type { LocalizedText, VerificationMethod } from "../../../db/schema";
import { dayIn, rulesFrozen } from "../../domain/rounds/phases";
import {
  type EligibilityRules,
  type Standing,
  checkVoterClass,
  envelopeOpenTo,
  roundVerdict,
} from "../../domain/verification/eligibility";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { lockRoundRules } from "../rounds/round-rules.server";
import { type Scope, actorUserId } from "../scope";
import { districtsOf } from "../tenancy/municipality.server";
import { censusClasses } from "./census.server";
import { VerificationRefused, activeVerification } from "./verifications.server";

async function roundOf(db: Db | Tx, scope: Scope, slug: string) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, slug)));
  if (!round) throw new VerificationRefused("round_unknown", null, {}, 404);
  return round;
}

/** The round's voter classes, eligibility rules and whether they are frozen (voting has opened). */
export async function roundRules(db: Db | Tx, scope: Scope, input: { round: { id: string }; now?: Date }) {
  const round = input.round;
  const [classes, [eligibility], phaseRows] = await Promise.all([
    db
      .select()
      .from(roundVoterClasses)
      .where(eq(roundVoterClasses.roundId, round.id))
      .orderBy(asc(roundVoterClasses.position), asc(roundVoterClasses.code)),
    db.select().from(roundEligibility).where(eq(roundEligibility.roundId, round.id)),
    db.select().from(phases).where(eq(phases.roundId, round.id)),
  ]);
  return rulesOf(classes, eligibility, phaseRows, scope.municipality.timeZone, input.now ?? new Date());
}

/** A round of the scope's municipality with its rules (the staff eligibility page); null for an unknown round. */
export async function roundWithRules(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, input.roundSlug)));
  if (!round) return null;
  return { round, rules: await roundRules(db, scope, { round, now: input.now }) };
}

type EligibilityRow = Pick<
  typeof roundEligibility.$inferSelect,
  "districtIds" | "minAge" | "verifiedToPropose" | "verifiedToComment"
>;

function rulesOf(
  classes: (typeof roundVoterClasses.$inferSelect)[],
  eligibility: EligibilityRow | undefined | null,
  phaseRows: (typeof phases.$inferSelect)[],
  timeZone: string,
  now: Date,
) {
  const today = dayIn(timeZone, now);
  const voting = phaseRows.find((p) => p.kind === "voting");
  return {
    classes,
    phases: phaseRows,
    districtIds: eligibility?.districtIds ?? null,
    minAge: eligibility?.minAge ?? null,
    verifiedToPropose: eligibility?.verifiedToPropose ?? false,
    verifiedToComment: eligibility?.verifiedToComment ?? false,
    frozen: rulesFrozen(phaseRows, today),
    votingStartsOn: voting?.startsOn ?? null,
    ageDay: voting?.startsOn ?? today,
  };
}

/** What the eligibility verdict needs of a round's rules. */
function eligibilityRulesOf(rules: ReturnType<typeof rulesOf>): EligibilityRules {
  return {
    districtIds: rules.districtIds,
    minAge: rules.minAge,
    classes: rules.classes.map((c) => ({ code: c.code, weight: c.weight })),
    ageDay: rules.ageDay,
  };
}

/** Classes and eligibility are frozen once voting opens: checked under the round's rules lock (ADR 0018). */
async function assertNotFrozen(tx: Tx, scope: Scope, roundId: string, now: Date) {
  await lockRoundRules(tx, roundId);
  const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, roundId));
  if (rulesFrozen(phaseRows, dayIn(scope.municipality.timeZone, now)))
    throw new VerificationRefused("frozen", null, {}, 409);
}

interface VoterClassInput {
  code: string;
  name: LocalizedText;
  weight: number;
  position?: number;
}

/** Adds or changes a voter class of a round (refused once voting has opened). */
export async function saveVoterClass(db: Db, scope: Scope, input: VoterClassInput & { roundSlug: string; now?: Date }) {
  const now = input.now ?? new Date();
  const problems = checkVoterClass({ code: input.code, weight: input.weight });
  if (problems.length)
    throw new VerificationRefused(problems[0] === "code" ? "class_code" : "class_weight", problems[0]);
  const round = await roundOf(db, scope, input.roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, scope, round.id, now);
    const [before] = await tx
      .select()
      .from(roundVoterClasses)
      .where(and(eq(roundVoterClasses.roundId, round.id), eq(roundVoterClasses.code, input.code)));
    const values = { name: input.name, weight: input.weight, position: input.position ?? before?.position ?? 0 };
    await tx
      .insert(roundVoterClasses)
      .values({ roundId: round.id, code: input.code, ...values })
      .onConflictDoUpdate({ target: [roundVoterClasses.roundId, roundVoterClasses.code], set: values });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.voter_class",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: before ? { code: before.code, weight: before.weight, name: before.name } : null,
      after: { code: input.code, weight: input.weight, name: input.name },
      at: now,
    });
  });
}

export async function deleteVoterClass(db: Db, scope: Scope, input: { roundSlug: string; code: string; now?: Date }) {
  const { code } = input;
  const now = input.now ?? new Date();
  const round = await roundOf(db, scope, input.roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, scope, round.id, now);
    const removed = await tx
      .delete(roundVoterClasses)
      .where(and(eq(roundVoterClasses.roundId, round.id), eq(roundVoterClasses.code, code)))
      .returning();
    if (!removed.length) throw new VerificationRefused("class_unknown", null, {}, 404);
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.voter_class_delete",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: { code, weight: removed[0].weight },
      at: now,
    });
  });
}

interface EligibilityInput {
  districtIds: string[] | null;
  minAge: number | null;
  verifiedToPropose: boolean;
  verifiedToComment: boolean;
}

/** Sets who may take part in a round (refused once voting has opened). */
export async function saveEligibility(
  db: Db,
  scope: Scope,
  input: EligibilityInput & { roundSlug: string; now?: Date },
) {
  const now = input.now ?? new Date();
  if (input.minAge !== null && (!Number.isInteger(input.minAge) || input.minAge < 0 || input.minAge > 120)) {
    throw new VerificationRefused("min_age", "minAge");
  }
  const own = await districtsOf(db, scope);
  if (input.districtIds) {
    if (input.districtIds.length === 0) throw new VerificationRefused("districts_none", "districtIds");
    if (input.districtIds.some((id) => !own.some((d) => d.id === id)))
      throw new VerificationRefused("district_unknown", "districtIds");
  }
  const round = await roundOf(db, scope, input.roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, scope, round.id, now);
    const [before] = await tx.select().from(roundEligibility).where(eq(roundEligibility.roundId, round.id));
    const values = {
      districtIds: input.districtIds ? [...new Set(input.districtIds)].sort() : null,
      minAge: input.minAge,
      verifiedToPropose: input.verifiedToPropose,
      verifiedToComment: input.verifiedToComment,
      updatedAt: now,
    };
    await tx
      .insert(roundEligibility)
      .values({ roundId: round.id, ...values })
      .onConflictDoUpdate({ target: roundEligibility.roundId, set: values });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.eligibility",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: before
        ? {
            districtIds: before.districtIds,
            minAge: before.minAge,
            propose: before.verifiedToPropose,
            comment: before.verifiedToComment,
          }
        : null,
      after: {
        districtIds: values.districtIds,
        minAge: values.minAge,
        propose: values.verifiedToPropose,
        comment: values.verifiedToComment,
      },
      at: now,
    });
  });
}

function standingOf(v: { districtId: string; voterClass: string; birthDate: string } | null): Standing | null {
  return v ? { districtId: v.districtId, voterClass: v.voterClass, birthDate: v.birthDate } : null;
}

/** The verification fields a verdict and a cast need (no birth date leaves this module). */
interface VoterRecord {
  identityHash: string;
  districtId: string;
  voterClass: string;
  birthDate: string;
  method: VerificationMethod;
}

/**
 * The one eligibility path: a round's rules and the resident's active verification in one statement
 * (the ballot page and every cast need both; four round trips cost the server more than the rows), and
 * the verdict on them. Rows come back as JSON with the same fields as `roundRules` reads. A round of
 * another municipality is refused as unknown.
 */
async function standingIn(db: Db | Tx, scope: Scope, input: { roundId: string; now: Date }) {
  const roundId = input.roundId;
  // An observer has no verification: no account id is empty.
  const userId = scope.actor.kind === "user" ? scope.actor.userId : null;
  const result = await db.execute(sql`select
    exists (select 1 from ${rounds} r where r.id = ${roundId} and r.municipality_id = ${scope.municipality.id})
      as known,
    (select coalesce(json_agg(json_build_object('roundId', c.round_id, 'code', c.code, 'name', c.name,
        'weight', c.weight, 'position', c.position) order by c.position, c.code), '[]'::json)
       from ${roundVoterClasses} c where c.round_id = ${roundId}) as classes,
    (select json_build_object('districtIds', e.district_ids, 'minAge', e.min_age,
        'verifiedToPropose', e.verified_to_propose, 'verifiedToComment', e.verified_to_comment)
       from ${roundEligibility} e where e.round_id = ${roundId}) as eligibility,
    (select coalesce(json_agg(json_build_object('id', p.id, 'roundId', p.round_id, 'kind', p.kind,
        'startsOn', p.starts_on, 'endsOn', p.ends_on, 'plannedEndsOn', p.planned_ends_on,
        'closedAt', p.closed_at)), '[]'::json)
       from ${phases} p where p.round_id = ${roundId}) as phases,
    (select json_build_object('identityHash', v.identity_hash, 'districtId', v.district_id,
        'voterClass', v.voter_class, 'birthDate', v.birth_date, 'method', v.method)
       from ${verifications} v
       where v.municipality_id = ${scope.municipality.id} and v.user_id = ${userId ?? ""} and v.revoked_at is null
       limit 1) as verification`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  const json = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;
  if (row.known !== true) throw new VerificationRefused("round_unknown", null, {}, 404);
  const rules = rulesOf(
    json(row.classes),
    json<EligibilityRow | null>(row.eligibility),
    json(row.phases),
    scope.municipality.timeZone,
    input.now,
  );
  const verification = json<VoterRecord | null>(row.verification);
  const standing = standingOf(verification);
  return { rules, verification, standing, verdict: roundVerdict(standing, eligibilityRulesOf(rules)) };
}

/**
 * Why the scope's resident (or an observer) may or may not take part in a round, and in which envelopes
 * (district-bound envelopes are only for residents verified in that district); null for an unknown
 * round. No birth date leaves this function: only the age rule and whether it is met.
 */
export async function eligibilityFor(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, input.roundSlug)));
  if (!round) return null;
  const [{ rules, verification, standing, verdict }, envelopeRows] = await Promise.all([
    standingIn(db, scope, { roundId: round.id, now: input.now ?? new Date() }),
    db
      .select({ slug: envelopes.slug, name: envelopes.name, districtId: envelopes.districtId })
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
  ]);
  return {
    round,
    rules,
    verification: verification
      ? { districtId: verification.districtId, voterClass: verification.voterClass, method: verification.method }
      : null,
    verdict: {
      eligible: verdict.eligible,
      weight: verdict.weight,
      // The age reason keeps the rule, not the person's age (which would reveal the birth year).
      reasons: verdict.reasons.map((r) =>
        r.code === "age" ? { code: "age" as const, minAge: r.minAge, on: r.on } : r,
      ),
    },
    envelopes: envelopeRows.map((e) => ({ ...e, open: verdict.eligible && envelopeOpenTo(standing, e.districtId) })),
  };
}

/** Voter class codes staff may choose: those in the active census and those of the municipality's rounds. */
export async function knownVoterClasses(db: Db, scope: Scope): Promise<string[]> {
  const [fromCensus, fromRounds] = await Promise.all([
    censusClasses(db, scope),
    db
      .selectDistinct({ code: roundVoterClasses.code })
      .from(roundVoterClasses)
      .innerJoin(rounds, eq(rounds.id, roundVoterClasses.roundId))
      .where(eq(rounds.municipalityId, scope.municipality.id)),
  ]);
  return [...new Set([...fromCensus, ...fromRounds.map((r) => r.code)])].sort();
}

/**
 * The names staff gave each voter class code in the municipality's rounds (the newest round's name
 * wins), so pages show "Resident" rather than the code "resident".
 */
export async function voterClassNames(db: Db, scope: Scope): Promise<Record<string, LocalizedText>> {
  const rows = await db
    .select({ code: roundVoterClasses.code, name: roundVoterClasses.name })
    .from(roundVoterClasses)
    .innerJoin(rounds, eq(rounds.id, roundVoterClasses.roundId))
    .where(eq(rounds.municipalityId, scope.municipality.id))
    .orderBy(asc(rounds.createdAt));
  const names: Record<string, LocalizedText> = {};
  for (const row of rows) names[row.code] = row.name;
  return names;
}

/** The scope's resident's weight in each round of the municipality (oldest round first), for their verification page. */
export async function roundStandings(db: Db, scope: Scope, input: { now?: Date } = {}) {
  const roundRows = await db
    .select({ id: rounds.id, slug: rounds.slug, title: rounds.title })
    .from(rounds)
    .where(eq(rounds.municipalityId, scope.municipality.id))
    .orderBy(asc(rounds.createdAt));
  const now = input.now ?? new Date();
  const standings = [];
  for (const r of roundRows) {
    const { verdict } = await standingIn(db, scope, { roundId: r.id, now });
    standings.push({ slug: r.slug, title: r.title, weight: verdict.weight });
  }
  return standings;
}

/**
 * What the ballots area needs to cast for the scope's resident in a round (optionally in an envelope
 * bound to a district): `standing` is identity (the verification's identity hash), weight, district and
 * class — or null when they may not vote there. `rules` come along: their phases tell the ballot page
 * whether voting is open, so it need not read them again. The same verdict as `eligibilityFor`.
 */
export async function voterStanding(
  db: Db | Tx,
  scope: Scope,
  input: { roundId: string; envelopeDistrictId?: string | null; now?: Date },
) {
  const { rules, verification, standing, verdict } = await standingIn(db, scope, {
    roundId: input.roundId,
    now: input.now ?? new Date(),
  });
  return {
    rules,
    standing:
      verification &&
      verdict.eligible &&
      verdict.weight !== null &&
      (input.envelopeDistrictId === undefined || envelopeOpenTo(standing, input.envelopeDistrictId))
        ? {
            identity: verification.identityHash,
            weight: verdict.weight,
            district: verification.districtId,
            voterClass: verification.voterClass,
          }
        : null,
  };
}

/** Whether a resident may propose or comment in a round (only restricted when the round requires verification). */
export async function mayParticipate(
  db: Db | Tx,
  scope: Scope,
  input: { roundId: string; action: "propose" | "comment" },
): Promise<boolean> {
  const [rule] = await db.select().from(roundEligibility).where(eq(roundEligibility.roundId, input.roundId));
  const required = input.action === "propose" ? rule?.verifiedToPropose : rule?.verifiedToComment;
  if (!required) return true;
  return (await activeVerification(db, { municipalityId: scope.municipality.id, userId: actorUserId(scope) })) !== null;
}

/**
 * Every resident with an active verification in the scope's municipality who may vote in the round
 * (the same verdict as `standingIn`, taken for all at once): account and identity hash, for the
 * reminders that go to eligible residents who have not voted (ADR 0041). No birth date leaves here.
 */
export async function eligibleResidents(
  db: Db | Tx,
  scope: Scope,
  input: { roundId: string; now?: Date },
): Promise<{ userId: string; identityHash: string }[]> {
  const rules = await roundRules(db, scope, { round: { id: input.roundId }, now: input.now });
  const verdictRules = eligibilityRulesOf(rules);
  const rows = await db
    .select({
      userId: verifications.userId,
      identityHash: verifications.identityHash,
      districtId: verifications.districtId,
      voterClass: verifications.voterClass,
      birthDate: verifications.birthDate,
    })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, scope.municipality.id), sql`${verifications.revokedAt} is null`));
  return rows
    .filter((v) => {
      const verdict = roundVerdict(standingOf(v), verdictRules);
      return verdict.eligible && verdict.weight !== null;
    })
    .map((v) => ({ userId: v.userId, identityHash: v.identityHash }));
}
