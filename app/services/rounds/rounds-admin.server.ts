/**
 * Staff use cases for rounds, phases, envelopes and proposals. Each runs in one transaction and
 * appends to the municipality's action log. Rule changes are refused from the first day of voting.
 */
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, inArray, ne } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, phases, proposals, roundSecrets, rounds } from "../../../db/schema";
import type { LocalizedText } from "../../../db/schema";
import {
  type DatedPhase,
  type PhaseKind,
  currentPhase,
  dayIn,
  phaseOrder,
  rulesFrozen,
  sortPhases,
} from "../../domain/rounds/phases";
import {
  type EnvelopeRules,
  advancePhases,
  checkEnvelope,
  checkPhases,
  startPhaseNow,
} from "../../domain/rounds/rules";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { FrozenError, RefusedError, ViolationsError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";
import { lockRoundRules } from "./round-rules.server";
import { checkThemeOf } from "./themes.server";
import { notifyProposalEvent } from "../following/followers.server";
import { phaseChangeKey, queueWebhookEvent } from "../webhooks/webhooks.server";

/** Why a staff change to a round, its envelopes or proposals (or a resident's proposal) is refused. */
export type RoundRefusal =
  | "round_not_found"
  | "slug_taken"
  | "published"
  | "voting_closed"
  | "voting_end_later"
  | "voting_end_past"
  | "no_next_phase"
  | "phase_started_today"
  | "phase_passed"
  | "publish_first"
  | "not_voting"
  | "frozen"
  | "envelope_not_found"
  | "envelope_has_proposals"
  | "envelope_unknown"
  | "not_reviewable"
  | "proposal_not_found"
  | "no_proposals_in_consultation"
  | "not_proposals_phase"
  | "may_not_propose"
  | "not_author"
  | "not_editable"
  | "not_withdrawable"
  | "theme_not_found"
  | "theme_unknown";

/** A round of the scope's municipality by its slug, or null. */
export async function findRound(db: Db | Tx, scope: Scope, input: { slug: string }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, input.slug)));
  return round ?? null;
}

async function roundOrThrow(db: Db | Tx, scope: Scope, slug: string) {
  const round = await findRound(db, scope, { slug });
  if (!round) throw new RefusedError<RoundRefusal>("round_not_found", null, {}, 404);
  return round;
}

async function phasesOf(db: Db | Tx, roundId: string) {
  return sortPhases(await db.select().from(phases).where(eq(phases.roundId, roundId)));
}

/** Everything the staff page of a round shows. */
export async function roundForStaff(db: Db, scope: Scope, input: { slug: string; now?: Date }) {
  const round = await findRound(db, scope, input);
  if (!round) return null;
  const [phaseRows, envelopeRows, proposalRows] = await Promise.all([
    phasesOf(db, round.id),
    db
      .select()
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
    db
      .select()
      .from(proposals)
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(proposals.createdAt)),
  ]);
  const today = dayIn(scope.municipality.timeZone, input.now ?? new Date());
  return {
    round,
    phases: phaseRows,
    frozen: rulesFrozen(phaseRows, today),
    today,
    envelopes: envelopeRows,
    proposals: proposalRows.map((r) => r.proposals),
  };
}

export interface RoundInput {
  slug: string;
  kind: "budgeting" | "consultation";
  title: LocalizedText;
  description: LocalizedText;
  phases: DatedPhase[];
}

export async function createRound(db: Db, scope: Scope, input: RoundInput) {
  const violations = checkPhases(input.phases);
  if (violations.length) throw new ViolationsError(violations);
  return db.transaction(async (tx) => {
    if (await findRound(tx, scope, input)) throw new RefusedError<RoundRefusal>("slug_taken", "slug");
    const id = randomUUID();
    await tx.insert(rounds).values({
      id,
      municipalityId: scope.municipality.id,
      slug: input.slug,
      kind: input.kind,
      title: input.title,
      description: input.description,
    });
    await tx.insert(phases).values(
      input.phases.map((p) => ({
        id: randomUUID(),
        roundId: id,
        kind: p.kind,
        startsOn: p.startsOn,
        endsOn: p.endsOn,
      })),
    );
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.create",
      target: `round:${input.slug}`,
      roundId: id,
      after: { kind: input.kind, title: input.title, phases: input.phases },
    });
    return { id };
  });
}

/**
 * Updates texts and phase dates. Once voting has opened, the voting phase may not start later or
 * earlier, no phase may be added or removed, and its end may only move earlier, not before today
 * (closing voting early); once voting has closed, its dates never change, so voting never reopens
 * (ADR 0018). Once the results are published, nothing changes any more.
 */
export async function updateRound(db: Db, scope: Scope, input: Omit<RoundInput, "kind"> & { now?: Date }) {
  const { slug, now = new Date() } = input;
  const pre = checkPhases(input.phases).filter((v) => v.code !== "phase_overlap");
  if (pre.length) throw new ViolationsError(pre);
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, slug);
    await lockRoundRules(tx, round.id);
    // A phase closed early stays closed while its last day stays what it was (ADR 0028).
    const stored = await phasesOf(tx, round.id);
    const closedAtOf = (p: DatedPhase) =>
      stored.find((x) => x.kind === p.kind && x.closedAt && x.endsOn === p.endsOn)?.closedAt ?? null;
    const violations = checkPhases(input.phases.map((p) => ({ ...p, closedAt: closedAtOf(p) })));
    if (violations.length) throw new ViolationsError(violations);
    // Published results are final: the signed bundle carries the round's texts and dates (round.json),
    // and observers must be able to download the same bytes tomorrow.
    const [secret] = await tx
      .select({ destroyedAt: roundSecrets.destroyedAt })
      .from(roundSecrets)
      .where(eq(roundSecrets.roundId, round.id));
    if (secret?.destroyedAt) throw new RefusedError<RoundRefusal>("published", null, {}, 409);
    const before = await phasesOf(tx, round.id);
    const today = dayIn(scope.municipality.timeZone, now);
    const frozen = rulesFrozen(before, today);
    const votingBefore = before.find((p) => p.kind === "voting");
    const votingAfter = input.phases.find((p) => p.kind === "voting");
    if (frozen && votingBefore && votingAfter && votingAfter.endsOn !== votingBefore.endsOn) {
      if (today > votingBefore.endsOn) throw new RefusedError<RoundRefusal>("voting_closed", null, {}, 409);
      if (votingAfter.endsOn > votingBefore.endsOn)
        throw new RefusedError<RoundRefusal>("voting_end_later", null, { endsOn: votingBefore.endsOn }, 409);
      if (votingAfter.endsOn < today) throw new RefusedError<RoundRefusal>("voting_end_past", null, { today }, 409);
    }
    // The voting window as opened stays what checkpoints sign when voting is closed early.
    const plannedEndsOn =
      frozen && votingBefore && votingAfter && votingAfter.endsOn !== votingBefore.endsOn
        ? (votingBefore.plannedEndsOn ?? votingBefore.endsOn)
        : frozen
          ? (votingBefore?.plannedEndsOn ?? null)
          : null;
    if (frozen) {
      const kinds = (list: readonly DatedPhase[]) =>
        list
          .map((p) => p.kind)
          .sort()
          .join(",");
      if (kinds(before) !== kinds(input.phases) || votingBefore?.startsOn !== votingAfter?.startsOn) {
        throw new FrozenError("phases");
      }
    }
    await tx
      .update(rounds)
      .set({ title: input.title, description: input.description, updatedAt: now })
      .where(eq(rounds.id, round.id));
    await tx.delete(phases).where(eq(phases.roundId, round.id));
    await tx.insert(phases).values(
      input.phases.map((p) => ({
        id: randomUUID(),
        roundId: round.id,
        kind: p.kind,
        startsOn: p.startsOn,
        endsOn: p.endsOn,
        plannedEndsOn: p.kind === "voting" ? plannedEndsOn : null,
        closedAt: closedAtOf(p),
      })),
    );
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.update",
      target: `round:${slug}`,
      roundId: round.id,
      before: {
        title: round.title,
        description: round.description,
        phases: before.map(({ kind, startsOn, endsOn }) => ({ kind, startsOn, endsOn })),
      },
      after: { title: input.title, description: input.description, phases: input.phases },
    });
  });
}

export async function advancePhase(db: Db, scope: Scope, input: { slug: string; now?: Date }) {
  const { slug, now = new Date() } = input;
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, slug);
    await lockRoundRules(tx, round.id);
    // Published results are final: the signed bundle carries the round's texts and dates (round.json),
    // and observers must be able to download the same bytes tomorrow.
    const [secret] = await tx
      .select({ destroyedAt: roundSecrets.destroyedAt })
      .from(roundSecrets)
      .where(eq(roundSecrets.roundId, round.id));
    if (secret?.destroyedAt) throw new RefusedError<RoundRefusal>("published", null, {}, 409);
    const before = await phasesOf(tx, round.id);
    const today = dayIn(scope.municipality.timeZone, now);
    const frozen = rulesFrozen(before, today);
    const dated = advancePhases(before, today);
    // A phase that began today ends now instead (ADR 0028).
    const outcome =
      !dated.ok && dated.code === "phase_started_today" ? nextPhaseNow(before, today) : { closed: [], ...dated };
    if (!outcome.ok) {
      const code =
        outcome.code === "no_such_phase" || outcome.code === "already_current" ? "no_next_phase" : outcome.code;
      throw new RefusedError<RoundRefusal>(code, null, {}, 409);
    }
    // The published phase starts with publication, never without results (ADR 0028).
    if (outcome.to === "published") throw new RefusedError<RoundRefusal>("publish_first", null, {}, 409);
    if (outcome.to === "voting") await assertBallotReady(tx, round.id);
    for (const p of outcome.phases) {
      const old = before.find((x) => x.kind === p.kind);
      // Voting may only close early here; the window as opened stays what checkpoints sign (ADR 0018).
      if (frozen && p.kind === "voting" && old && (p.startsOn !== old.startsOn || p.endsOn > old.endsOn))
        throw new RefusedError<RoundRefusal>("voting_closed", null, {}, 409);
      const closing = frozen && p.kind === "voting" && old && p.endsOn !== old.endsOn;
      await tx
        .update(phases)
        .set({
          startsOn: p.startsOn,
          endsOn: p.endsOn,
          ...(closing ? { plannedEndsOn: old.plannedEndsOn ?? old.endsOn } : {}),
          ...(outcome.closed.includes(p.kind) ? { closedAt: now } : {}),
        })
        .where(and(eq(phases.roundId, round.id), eq(phases.kind, p.kind)));
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.advance_phase",
      target: `round:${slug}`,
      roundId: round.id,
      before: { phase: outcome.from },
      after: { phase: outcome.to, on: today },
    });
    await queuePhaseChange(tx, scope, { round: slug, from: outcome.from, to: outcome.to, now });
    return outcome;
  });
}

function nextPhaseNow(before: readonly DatedPhase[], today: string) {
  const current = currentPhase(before, today);
  const next = sortPhases(before).find((p) => current && phaseOrderIndex(p.kind) > phaseOrderIndex(current.kind));
  if (!next) return { ok: false as const, code: "no_next_phase" as const };
  return startPhaseNow(before, next.kind, today);
}

const phaseOrderIndex = (kind: PhaseKind) => phaseOrder.indexOf(kind);

/**
 * The phase changes staff make in one sitting (ADR 0028): "open voting now" starts voting today (the
 * phases before it end now), "close voting now" ends voting now and starts tallying. Dated phases stay
 * the default; these only move dates to today and record the instant a phase closed. Voting never
 * reopens; closing keeps the window as opened (plannedEndsOn) for the checkpoints (ADR 0018).
 */
export async function changePhaseNow(
  db: Db,
  scope: Scope,
  input: { slug: string; change: "open_voting" | "close_voting"; now?: Date },
) {
  const { slug, change, now = new Date() } = input;
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, slug);
    await lockRoundRules(tx, round.id);
    const [secret] = await tx
      .select({ destroyedAt: roundSecrets.destroyedAt })
      .from(roundSecrets)
      .where(eq(roundSecrets.roundId, round.id));
    if (secret?.destroyedAt) throw new RefusedError<RoundRefusal>("published", null, {}, 409);
    const before = await phasesOf(tx, round.id);
    const today = dayIn(scope.municipality.timeZone, now);
    const current = currentPhase(before, today);
    if (change === "close_voting" && current?.kind !== "voting")
      throw new RefusedError<RoundRefusal>("not_voting", null, {}, 409);
    const outcome = startPhaseNow(before, change === "open_voting" ? "voting" : "tallying", today);
    if (!outcome.ok) {
      const code = outcome.code === "no_such_phase" ? "no_next_phase" : "phase_passed";
      throw new RefusedError<RoundRefusal>(code, null, {}, 409);
    }
    if (outcome.to === "voting") await assertBallotReady(tx, round.id);
    for (const p of outcome.phases) {
      const old = before.find((x) => x.kind === p.kind);
      if (!old) continue;
      const closing = outcome.closed.includes(p.kind);
      await tx
        .update(phases)
        .set({
          startsOn: p.startsOn,
          endsOn: p.endsOn,
          ...(closing ? { closedAt: now } : {}),
          ...(p.kind === "voting" && closing ? { plannedEndsOn: old.plannedEndsOn ?? old.endsOn } : {}),
        })
        .where(and(eq(phases.roundId, round.id), eq(phases.kind, p.kind)));
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: change === "open_voting" ? "round.open_voting" : "round.close_voting",
      target: `round:${slug}`,
      roundId: round.id,
      before: { phase: outcome.from, phases: before.map(({ kind, startsOn, endsOn }) => ({ kind, startsOn, endsOn })) },
      after: {
        phase: outcome.to,
        at: now.toISOString(),
        phases: outcome.phases.map(({ kind, startsOn, endsOn }) => ({ kind, startsOn, endsOn })),
      },
      at: now,
    });
    await queuePhaseChange(tx, scope, { round: slug, from: outcome.from, to: outcome.to, now });
    return outcome;
  });
}

/** Tells the municipality's webhooks (ADR 0040) that a round's phase changed, in the change's transaction. */
async function queuePhaseChange(
  tx: Tx,
  scope: Scope,
  input: { round: string; from: string | null; to: string; now: Date },
) {
  await queueWebhookEvent(tx, {
    municipality: scope.municipality,
    event: "round.phase_changed",
    key: phaseChangeKey(input.round, input.to, dayIn(scope.municipality.timeZone, input.now)),
    data: { round: input.round, from: input.from, to: input.to, at: input.now.toISOString() },
    now: input.now,
  });
}

/** Voting cannot open on an envelope whose rules are impossible for its ballot. */
async function assertBallotReady(tx: Tx, roundId: string) {
  const rows = await tx.select().from(envelopes).where(eq(envelopes.roundId, roundId));
  for (const envelope of rows) {
    const [{ n }] = await tx
      .select({ n: count() })
      .from(proposals)
      .where(and(eq(proposals.envelopeId, envelope.id), eq(proposals.status, "accepted")));
    const violations = checkEnvelope(envelope, n);
    if (violations.length) throw new ViolationsError(violations);
  }
}

/** Refuses a rule change once voting has opened; under the round's rules lock, inside the writing transaction. */
async function assertNotFrozen(tx: Tx, scope: Scope, roundId: string, what: string, now: Date) {
  await lockRoundRules(tx, roundId);
  const current = await phasesOf(tx, roundId);
  if (rulesFrozen(current, dayIn(scope.municipality.timeZone, now))) throw new FrozenError(what);
}

export interface SaveEnvelope {
  roundSlug: string;
  envelope: EnvelopeInput;
  /** The envelope to change; null creates one. */
  existingSlug: string | null;
  now?: Date;
}

export interface EnvelopeInput extends EnvelopeRules {
  slug: string;
  name: LocalizedText;
  districtId: string | null;
  tallyRule: "greedy" | "mes";
  tallyCompletion: boolean;
}

/** Creates an envelope, or changes the one named `existingSlug`; refused once voting has opened. */
export async function saveEnvelope(
  db: Db,
  scope: Scope,
  { roundSlug, envelope: input, existingSlug, now = new Date() }: SaveEnvelope,
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, roundSlug);
    await assertNotFrozen(tx, scope, round.id, "envelopes", now);
    const [existing] = existingSlug
      ? await tx
          .select()
          .from(envelopes)
          .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, existingSlug)))
      : [];
    if (existingSlug && !existing) throw new RefusedError<RoundRefusal>("envelope_not_found", null, {}, 404);
    const [clash] = await tx
      .select({ id: envelopes.id })
      .from(envelopes)
      .where(
        and(
          eq(envelopes.roundId, round.id),
          eq(envelopes.slug, input.slug),
          existing ? ne(envelopes.id, existing.id) : undefined,
        ),
      );
    if (clash) throw new RefusedError<RoundRefusal>("slug_taken", "slug");
    const proposalCount = existing
      ? (
          await tx
            .select({ n: count() })
            .from(proposals)
            .where(
              and(eq(proposals.envelopeId, existing.id), inArray(proposals.status, ["accepted", "selected", "funded"])),
            )
        )[0].n
      : null;
    const violations = checkEnvelope(input, proposalCount);
    if (violations.length) throw new ViolationsError(violations);
    const values = { ...input, roundId: round.id };
    if (existing) {
      await tx.update(envelopes).set(values).where(eq(envelopes.id, existing.id));
    } else {
      await tx.insert(envelopes).values({ id: randomUUID(), ...values });
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: existing ? "envelope.update" : "envelope.create",
      target: `envelope:${roundSlug}/${input.slug}`,
      roundId: round.id,
      before: existing ?? undefined,
      after: input,
    });
  });
}

export async function deleteEnvelope(
  db: Db,
  scope: Scope,
  { roundSlug, envelopeSlug, now = new Date() }: { roundSlug: string; envelopeSlug: string; now?: Date },
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, roundSlug);
    await assertNotFrozen(tx, scope, round.id, "envelopes", now);
    const [existing] = await tx
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, envelopeSlug)));
    if (!existing) throw new RefusedError<RoundRefusal>("envelope_not_found", null, {}, 404);
    const [{ n }] = await tx.select({ n: count() }).from(proposals).where(eq(proposals.envelopeId, existing.id));
    if (n > 0) throw new RefusedError<RoundRefusal>("envelope_has_proposals", null, { count: n }, 409);
    await tx.delete(envelopes).where(eq(envelopes.id, existing.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "envelope.delete",
      target: `envelope:${roundSlug}/${envelopeSlug}`,
      roundId: round.id,
      before: existing,
    });
  });
}

export interface ProposalInput {
  envelopeSlug: string;
  title: LocalizedText;
  body: LocalizedText;
  cost: number;
  districtId: string | null;
  /** One of the round's themes (ADR 0032); checked by the service. */
  themeId?: string | null;
  location: string | null;
}

async function envelopeOf(tx: Tx, roundId: string, slug: string) {
  const [envelope] = await tx
    .select()
    .from(envelopes)
    .where(and(eq(envelopes.roundId, roundId), eq(envelopes.slug, slug)));
  if (!envelope) throw new RefusedError<RoundRefusal>("envelope_unknown", "envelopeSlug");
  return envelope;
}

/** Staff put a proposal straight on the ballot (status `accepted`). */
export async function createStaffProposal(
  db: Db,
  scope: Scope,
  { roundSlug, proposal: input, now = new Date() }: { roundSlug: string; proposal: ProposalInput; now?: Date },
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, roundSlug);
    await assertNotFrozen(tx, scope, round.id, "proposals", now);
    const envelope = await envelopeOf(tx, round.id, input.envelopeSlug);
    const themeId = await checkThemeOf(tx, { roundId: round.id, themeId: input.themeId ?? null });
    const id = randomUUID();
    await tx.insert(proposals).values({
      id,
      envelopeId: envelope.id,
      title: input.title,
      body: input.body,
      cost: input.cost,
      districtId: input.districtId,
      themeId,
      location: input.location,
      authorId: actorUserId(scope),
      status: "accepted",
      reviewedAt: now,
      reviewedBy: actorUserId(scope),
    });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "proposal.create",
      target: `proposal:${id}`,
      roundId: round.id,
      after: { envelope: envelope.slug, title: input.title, cost: input.cost },
    });
    // Accepted, with a warning: a proposal costing more than its envelope can never be funded.
    return { id, overEnvelope: input.cost > envelope.amount ? envelope.amount : null };
  });
}

export type Review =
  | { decision: "accept"; cost: number; feasibilityNote: string | null; themeId?: string | null }
  | { decision: "reject"; reason: string };

/** Accept (with the final cost estimate) or reject (with a reason the author and public see). */
export async function reviewProposal(
  db: Db,
  scope: Scope,
  {
    roundSlug,
    proposalId,
    review,
    now = new Date(),
  }: { roundSlug: string; proposalId: string; review: Review; now?: Date },
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, roundSlug);
    const proposal = await proposalInRound(tx, scope, { roundId: round.id, proposalId });
    if (!["submitted", "accepted", "rejected"].includes(proposal.status)) {
      throw new RefusedError<RoundRefusal>("not_reviewable", null, { status: proposal.status }, 409);
    }
    await assertNotFrozen(tx, scope, round.id, "proposals", now);
    // The theme is chosen on review too (ADR 0032); absent from the form: unchanged.
    const theme =
      review.decision === "accept" && review.themeId !== undefined
        ? { themeId: await checkThemeOf(tx, { roundId: round.id, themeId: review.themeId }) }
        : {};
    const changes =
      review.decision === "accept"
        ? {
            status: "accepted" as const,
            cost: review.cost,
            feasibilityNote: review.feasibilityNote,
            rejectionReason: null,
            ...theme,
          }
        : { status: "rejected" as const, rejectionReason: review.reason };
    await tx
      .update(proposals)
      .set({ ...changes, reviewedAt: now, reviewedBy: actorUserId(scope), updatedAt: now })
      .where(eq(proposals.id, proposal.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "proposal.review",
      target: `proposal:${proposal.id}`,
      roundId: round.id,
      before: { status: proposal.status, cost: proposal.cost },
      after: changes,
    });
    // The author and followers are told in the same transaction (ADR 0033).
    await notifyProposalEvent(tx, {
      proposalIds: [proposal.id],
      event: review.decision === "accept" ? "proposal.accepted" : "proposal.rejected",
      occurrence: String(now.getTime()),
      now,
    });
    if (proposal.status !== changes.status)
      await queueWebhookEvent(tx, {
        municipality: scope.municipality,
        event: "proposal.status_changed",
        key: `${proposal.id}:${changes.status}:${now.getTime()}`,
        data: { round: roundSlug, proposal: proposal.id, from: proposal.status, to: changes.status },
        now,
      });
  });
}

export async function postOfficialResponse(
  db: Db,
  scope: Scope,
  {
    roundSlug,
    proposalId,
    text,
    now = new Date(),
  }: { roundSlug: string; proposalId: string; text: string; now?: Date },
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, roundSlug);
    const proposal = await proposalInRound(tx, scope, { roundId: round.id, proposalId });
    await tx
      .update(proposals)
      .set({ officialResponse: text, officialResponseAt: now, updatedAt: now })
      .where(eq(proposals.id, proposal.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "proposal.official_response",
      target: `proposal:${proposal.id}`,
      roundId: round.id,
      before: { officialResponse: proposal.officialResponse },
      after: { officialResponse: text },
    });
    await notifyProposalEvent(tx, {
      proposalIds: [proposal.id],
      event: "proposal.response",
      occurrence: String(now.getTime()),
      now,
    });
  });
}

/** A proposal (any status) of a round of the scope's municipality, or a 404 refusal. */
export async function proposalInRound(db: Db | Tx, scope: Scope, input: { roundId: string; proposalId: string }) {
  const [row] = await db
    .select({ proposal: proposals })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(
        eq(envelopes.roundId, input.roundId),
        eq(rounds.municipalityId, scope.municipality.id),
        eq(proposals.id, input.proposalId),
      ),
    );
  if (!row) throw new RefusedError<RoundRefusal>("proposal_not_found", null, {}, 404);
  return row.proposal;
}
