/**
 * Supports during the proposals phase, a round's support rules, merging duplicates, similar proposals
 * and the round's searchable, sortable, paged list of proposals (ADR 0036).
 */
import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, phases, proposalSupports, proposals, rounds } from "../../../db/schema";
import { matchesSearch, mostSimilar } from "../../domain/proposals/similar";
import {
  PROPOSALS_PER_PAGE,
  PROPOSAL_SORTS,
  type ProposalSort,
  clampPage,
  reachedThreshold,
  supportsOpenFor,
} from "../../domain/proposals/supports";
import { type PhaseKind, currentPhase, dayIn, rulesFrozen } from "../../domain/rounds/phases";
import { PUBLIC_PROPOSAL_STATUSES } from "../../domain/rounds/statuses";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { queueWebhookEvent } from "../webhooks/webhooks.server";
import { moveFollowers } from "../following/followers.server";
import { RefusedError } from "../errors.server";
import { lockRoundRules } from "../rounds/round-rules.server";
import { type Scope, actorUserId } from "../scope";
import { voterStanding } from "../verification/eligibility.server";

export type SupportRefusal =
  | "support_round_not_found"
  | "support_proposal_not_found"
  | "supports_closed"
  | "support_not_eligible"
  | "support_threshold_invalid"
  | "merge_same"
  | "merge_not_mergeable"
  | "merge_frozen";

type Round = typeof rounds.$inferSelect;
type Proposal = typeof proposals.$inferSelect;

async function roundBySlug(db: Db | Tx, scope: Scope, slug: string): Promise<Round> {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, slug)));
  if (!round) throw new RefusedError<SupportRefusal>("support_round_not_found", null, {}, 404);
  return round;
}

async function phaseOf(db: Db | Tx, scope: Scope, roundId: string, now: Date) {
  const rows = await db.select().from(phases).where(eq(phases.roundId, roundId));
  const today = dayIn(scope.municipality.timeZone, now);
  return { phase: (currentPhase(rows, today)?.kind ?? null) as PhaseKind | null, frozen: rulesFrozen(rows, today) };
}

async function proposalOf(db: Db | Tx, roundId: string, proposalId: string) {
  const [row] = await db
    .select({ proposal: proposals, envelope: envelopes })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .where(and(eq(envelopes.roundId, roundId), eq(proposals.id, proposalId)));
  if (!row) throw new RefusedError<SupportRefusal>("support_proposal_not_found", null, {}, 404);
  return row;
}

/** Whether the public sees a proposal in a round's list and page: reviewed ones, and those open for supports. */
export function visibleToPublic(round: Pick<Round, "supportsOpen">, phase: PhaseKind | null, p: Proposal): boolean {
  if (p.mergedIntoId !== null) return false;
  if ((PUBLIC_PROPOSAL_STATUSES as readonly string[]).includes(p.status)) return true;
  return supportsOpenFor({ supportsOpen: round.supportsOpen, phase, status: p.status, mergedIntoId: p.mergedIntoId });
}

/**
 * Whether anyone may read a proposal that is not public: a merged duplicate (its page points to the
 * proposal it was merged into) or one open for supports. The proposal page asks this.
 */
export async function readableBeyondPublic(db: Db, scope: Scope, input: { proposalId: string; now?: Date }) {
  const [row] = await db
    .select({ proposal: proposals, round: rounds })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(proposals.id, input.proposalId), eq(rounds.municipalityId, scope.municipality.id)));
  if (!row) return false;
  if (row.proposal.mergedIntoId !== null) return true;
  const { phase } = await phaseOf(db, scope, row.round.id, input.now ?? new Date());
  return visibleToPublic(row.round, phase, row.proposal);
}

/** Refuses unless the scope's resident may support in this round now (and in this envelope's district). */
async function checkMaySupport(db: Db | Tx, scope: Scope, round: Round, envelopeDistrictId: string | null, now: Date) {
  const { standing } = await voterStanding(db, scope, { roundId: round.id, envelopeDistrictId, now });
  if (!standing) throw new RefusedError<SupportRefusal>("support_not_eligible", null, {}, 403);
}

/**
 * The scope's resident supports a proposal: verified and eligible in the round, during its proposals
 * phase, when the round opened supports. Supporting twice keeps one support.
 */
export async function supportProposal(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; proposalId: string; now?: Date },
) {
  const now = input.now ?? new Date();
  const userId = actorUserId(scope);
  const round = await roundBySlug(db, scope, input.roundSlug);
  const { proposal, envelope } = await proposalOf(db, round.id, input.proposalId);
  const { phase } = await phaseOf(db, scope, round.id, now);
  if (
    !supportsOpenFor({
      supportsOpen: round.supportsOpen,
      phase,
      status: proposal.status,
      mergedIntoId: proposal.mergedIntoId,
    })
  )
    throw new RefusedError<SupportRefusal>("supports_closed", null, {}, 409);
  await checkMaySupport(db, scope, round, envelope.districtId, now);
  await db.transaction(async (tx) => {
    // Under the proposal's lock: a merge moving supports at the same time sees this one or refuses it.
    const [locked] = await tx.select().from(proposals).where(eq(proposals.id, proposal.id)).for("update");
    if (!locked || locked.mergedIntoId !== null || !["submitted", "accepted"].includes(locked.status))
      throw new RefusedError<SupportRefusal>("supports_closed", null, {}, 409);
    await tx.insert(proposalSupports).values({ proposalId: proposal.id, userId, createdAt: now }).onConflictDoNothing();
  });
}

/** The scope's resident takes back their support while supports are open (until review). */
export async function withdrawSupport(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; proposalId: string; now?: Date },
) {
  const now = input.now ?? new Date();
  const userId = actorUserId(scope);
  const round = await roundBySlug(db, scope, input.roundSlug);
  const { proposal } = await proposalOf(db, round.id, input.proposalId);
  const { phase } = await phaseOf(db, scope, round.id, now);
  if (
    !supportsOpenFor({
      supportsOpen: round.supportsOpen,
      phase,
      status: proposal.status,
      mergedIntoId: proposal.mergedIntoId,
    })
  )
    throw new RefusedError<SupportRefusal>("supports_closed", null, {}, 409);
  await db
    .delete(proposalSupports)
    .where(and(eq(proposalSupports.proposalId, proposal.id), eq(proposalSupports.userId, userId)));
}

/** Supports per proposal id (only those with at least one). */
export async function supportCounts(db: Db | Tx, scope: Scope, input: { proposalIds: string[] }) {
  if (input.proposalIds.length === 0) return new Map<string, number>();
  const rows = await db
    .select({ proposalId: proposalSupports.proposalId, n: count() })
    .from(proposalSupports)
    .innerJoin(proposals, eq(proposals.id, proposalSupports.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(inArray(proposalSupports.proposalId, input.proposalIds), eq(rounds.municipalityId, scope.municipality.id)),
    )
    .groupBy(proposalSupports.proposalId);
  return new Map(rows.map((r) => [r.proposalId, Number(r.n)]));
}

/**
 * What a proposal page shows about supports: the count, whether supports are open, whether the
 * visitor supports it and may (never who else does).
 */
export async function supportState(db: Db, scope: Scope, input: { roundSlug: string; proposalId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const round = await roundBySlug(db, scope, input.roundSlug);
  const { proposal, envelope } = await proposalOf(db, round.id, input.proposalId);
  const { phase } = await phaseOf(db, scope, round.id, now);
  const open = supportsOpenFor({
    supportsOpen: round.supportsOpen,
    phase,
    status: proposal.status,
    mergedIntoId: proposal.mergedIntoId,
  });
  const supports = (await supportCounts(db, scope, { proposalIds: [proposal.id] })).get(proposal.id) ?? 0;
  let mine = false;
  let eligible = false;
  if (scope.actor.kind === "user") {
    const [row] = await db
      .select({ userId: proposalSupports.userId })
      .from(proposalSupports)
      .where(and(eq(proposalSupports.proposalId, proposal.id), eq(proposalSupports.userId, scope.actor.userId)));
    mine = row !== undefined;
    if (open) {
      const { standing } = await voterStanding(db, scope, {
        roundId: round.id,
        envelopeDistrictId: envelope.districtId,
        now,
      });
      eligible = standing !== null;
    }
  }
  let mergedInto: { id: string; title: Proposal["title"] } | null = null;
  if (proposal.mergedIntoId) {
    const [target] = await db
      .select({ id: proposals.id, title: proposals.title })
      .from(proposals)
      .where(eq(proposals.id, proposal.mergedIntoId));
    mergedInto = target ?? null;
  }
  return {
    shown: round.supportsOpen || supports > 0,
    open,
    supports,
    threshold: round.supportThreshold,
    reached: round.supportThreshold !== null && reachedThreshold(supports, round.supportThreshold),
    mine,
    eligible,
    mergedInto,
  };
}

/** Staff open or close supports in a round and set the threshold to reach review (null: none). */
export async function setSupportRules(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; open: boolean; threshold: number | null },
) {
  if (
    input.threshold !== null &&
    (!Number.isInteger(input.threshold) || input.threshold < 1 || input.threshold > 1_000_000)
  )
    throw new RefusedError<SupportRefusal>("support_threshold_invalid", "threshold");
  await db.transaction(async (tx) => {
    const round = await roundBySlug(tx, scope, input.roundSlug);
    await tx
      .update(rounds)
      .set({ supportsOpen: input.open, supportThreshold: input.threshold })
      .where(eq(rounds.id, round.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.supports",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: { open: round.supportsOpen, threshold: round.supportThreshold },
      after: { open: input.open, threshold: input.threshold },
    });
  });
}

/** Supports per proposal of a round and its rules, for the staff's review queue. */
export async function supportsForReview(db: Db, scope: Scope, input: { roundSlug: string }) {
  const round = await roundBySlug(db, scope, input.roundSlug);
  const rows = await db
    .select({ id: proposals.id })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .where(eq(envelopes.roundId, round.id));
  const counts = await supportCounts(db, scope, { proposalIds: rows.map((r) => r.id) });
  return {
    open: round.supportsOpen,
    threshold: round.supportThreshold,
    counts: Object.fromEntries(rows.map((r) => [r.id, counts.get(r.id) ?? 0])),
  };
}

/**
 * Staff merge a duplicate into the proposal they keep, in one transaction: each supporter of the
 * duplicate supports the kept one (once), the duplicate is withdrawn and points to the kept one, and
 * the action log records it. Refused once voting opened (the ballot is fixed then).
 */
export async function mergeProposals(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; fromProposalId: string; intoProposalId: string; now?: Date },
) {
  const now = input.now ?? new Date();
  if (input.fromProposalId === input.intoProposalId)
    throw new RefusedError<SupportRefusal>("merge_same", "intoProposalId");
  const round = await roundBySlug(db, scope, input.roundSlug);
  await db.transaction(async (tx) => {
    await lockRoundRules(tx, round.id);
    if ((await phaseOf(tx, scope, round.id, now)).frozen)
      throw new RefusedError<SupportRefusal>("merge_frozen", null, {}, 409);
    await proposalOf(tx, round.id, input.fromProposalId);
    await proposalOf(tx, round.id, input.intoProposalId);
    // Both rows locked (in id order): a support given meanwhile is either moved or refused.
    const locked = await tx
      .select()
      .from(proposals)
      .where(inArray(proposals.id, [input.fromProposalId, input.intoProposalId]))
      .orderBy(proposals.id)
      .for("update");
    const from = locked.find((p) => p.id === input.fromProposalId) as Proposal;
    const into = locked.find((p) => p.id === input.intoProposalId) as Proposal;
    const mergeable = (p: Proposal) =>
      p.mergedIntoId === null && ["submitted", "accepted", "rejected"].includes(p.status);
    if (!mergeable(from)) throw new RefusedError<SupportRefusal>("merge_not_mergeable", "fromProposalId", {}, 409);
    if (!mergeable(into)) throw new RefusedError<SupportRefusal>("merge_not_mergeable", "intoProposalId", {}, 409);
    await tx.execute(sql`
      insert into proposal_supports (proposal_id, user_id, created_at)
      select ${into.id}, user_id, created_at from proposal_supports where proposal_id = ${from.id}
      on conflict do nothing`);
    const [{ n: supportsBefore }] = await tx
      .select({ n: count() })
      .from(proposalSupports)
      .where(eq(proposalSupports.proposalId, from.id));
    await tx.delete(proposalSupports).where(eq(proposalSupports.proposalId, from.id));
    // Followers of the duplicate move to the kept proposal too (ADR 0033), one row per person.
    await moveFollowers(tx, { fromProposalId: from.id, toProposalId: into.id });
    await tx
      .update(proposals)
      .set({ status: "withdrawn", mergedIntoId: into.id, updatedAt: now })
      .where(eq(proposals.id, from.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "proposal.merge",
      target: `proposal:${from.id}`,
      roundId: round.id,
      before: { status: from.status, supports: Number(supportsBefore) },
      after: { status: "withdrawn", mergedInto: `proposal:${into.id}` },
      at: now,
    });
    await queueWebhookEvent(tx, {
      municipality: scope.municipality,
      event: "proposal.status_changed",
      key: `${from.id}:merged:${into.id}`,
      data: { round: input.roundSlug, proposal: from.id, from: from.status, to: "withdrawn", mergedInto: into.id },
      now,
    });
  });
}

/** Proposals of the round like a draft (title and text), among those the public sees. */
export async function similarProposals(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; title: string; body?: string; now?: Date },
) {
  const round = await roundBySlug(db, scope, input.roundSlug);
  const { phase } = await phaseOf(db, scope, round.id, input.now ?? new Date());
  const rows = await db
    .select({ proposal: proposals })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .where(eq(envelopes.roundId, round.id));
  const shown = rows.map((r) => r.proposal).filter((p) => visibleToPublic(round, phase, p));
  const found = mostSimilar(
    { title: input.title.slice(0, 300), body: (input.body ?? "").slice(0, 2000) },
    shown.map((p) => ({
      item: p,
      texts: [p.title.en ?? "", p.title.fa ?? "", p.body.en ?? "", p.body.fa ?? ""].filter(Boolean),
    })),
    { limit: 5 },
  ).map(({ item }) => item);
  const supportable = (p: Proposal) =>
    supportsOpenFor({ supportsOpen: round.supportsOpen, phase, status: p.status, mergedIntoId: p.mergedIntoId });
  return found.map((p) => ({ id: p.id, title: p.title, status: p.status, supportable: supportable(p) }));
}

export interface ListQuery {
  q?: string | null;
  sort?: string | null;
  page?: number | null;
  envelope?: string | null;
  district?: string | null;
  status?: string | null;
}

/** A sort the list knows, or the default (newest). */
export function sortOf(value: string | null | undefined): ProposalSort {
  return (PROPOSAL_SORTS as readonly string[]).includes(value ?? "") ? (value as ProposalSort) : "newest";
}

/**
 * The round's proposals the public sees, searched (Persian-normalised, every word), filtered, sorted
 * (newest, most supported, cost) and cut into pages; the state is the page's URL.
 */
export async function roundProposalList(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; query: ListQuery; now?: Date },
) {
  const round = await roundBySlug(db, scope, input.roundSlug);
  const { phase } = await phaseOf(db, scope, round.id, input.now ?? new Date());
  const q = input.query;
  const rows = await db
    .select({ proposal: proposals, envelope: envelopes })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .where(eq(envelopes.roundId, round.id));
  const search = (q.q ?? "").slice(0, 200);
  const matching = rows.filter(
    ({ proposal: p, envelope: e }) =>
      visibleToPublic(round, phase, p) &&
      (!q.envelope || e.slug === q.envelope) &&
      (!q.district || p.districtId === q.district) &&
      (!q.status || p.status === q.status) &&
      matchesSearch(search, [p.title.en ?? "", p.title.fa ?? "", p.body.en ?? "", p.body.fa ?? "", p.location ?? ""]),
  );
  const counts = await supportCounts(db, scope, { proposalIds: matching.map((r) => r.proposal.id) });
  const supportsOf = (id: string) => counts.get(id) ?? 0;
  const sort = sortOf(q.sort);
  const newest = (a: Proposal, b: Proposal) =>
    b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const order: Record<ProposalSort, (a: Proposal, b: Proposal) => number> = {
    newest,
    supports: (a, b) => supportsOf(b.id) - supportsOf(a.id) || newest(a, b),
    "cost-asc": (a, b) => a.cost - b.cost || newest(a, b),
    "cost-desc": (a, b) => b.cost - a.cost || newest(a, b),
  };
  const sorted = matching.sort((a, b) => order[sort](a.proposal, b.proposal));
  const { page, pages } = clampPage(q.page ?? 1, sorted.length);
  const shown = sorted.slice((page - 1) * PROPOSALS_PER_PAGE, page * PROPOSALS_PER_PAGE);
  return {
    total: sorted.length,
    page,
    pages,
    sort,
    supportsShown: round.supportsOpen || counts.size > 0,
    threshold: round.supportThreshold,
    items: shown.map(({ proposal: p, envelope: e }) => ({
      id: p.id,
      title: p.title,
      cost: p.cost,
      status: p.status,
      districtId: p.districtId,
      envelope: { slug: e.slug, name: e.name },
      supports: supportsOf(p.id),
      createdAt: p.createdAt.toISOString(),
    })),
  };
}
