/** Implementation tracking of funded proposals: public board and timeline, staff updates, subscriptions, outbox. */
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  envelopes,
  implementationUpdates,
  implementations,
  memberships,
  outbox,
  proposals,
  rounds,
  subscriptions,
  updateComments,
  users,
} from "../../../db/schema";
import {
  type ImplementationStatus,
  type ImplementationUpdateInput,
  checkImplementationUpdate,
  toCsv,
} from "../../domain/implementation/implementation";
import { dayIn } from "../../domain/rounds/phases";
import { recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import type { StaffAccess } from "../../web/guards.server";
import type { Municipality } from "../tenancy/municipality.server";

export class ImplementationRefused extends RefusedError {}

/** Funded proposals of a round with their implementation state (planned / 0 % when nothing was posted yet). */
export async function fundedBoard(db: Db, municipalityId: string, roundSlug: string) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipalityId), eq(rounds.slug, roundSlug)));
  if (!round) return null;
  const rows = await db
    .select({ proposal: proposals, envelope: envelopes, implementation: implementations })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .leftJoin(implementations, eq(implementations.proposalId, proposals.id))
    .where(and(eq(envelopes.roundId, round.id), eq(proposals.status, "funded")))
    .orderBy(asc(envelopes.position), asc(proposals.createdAt));
  return {
    round,
    items: rows.map((r) => ({
      id: r.proposal.id,
      title: r.proposal.title,
      envelope: r.envelope.name,
      allocated: r.proposal.cost,
      status: (r.implementation?.status ?? "planned") as ImplementationStatus,
      progress: r.implementation?.progress ?? 0,
      spent: r.implementation?.spent ?? 0,
      expectedCompletion: r.implementation?.expectedCompletion ?? null,
      cancelReason: r.implementation?.cancelReason ?? null,
    })),
  };
}

export async function fundedProposal(db: Db, municipalityId: string, roundSlug: string, proposalId: string) {
  const board = await fundedBoard(db, municipalityId, roundSlug);
  const item = board?.items.find((i) => i.id === proposalId);
  if (!board || !item) return null;
  const updates = await db
    .select()
    .from(implementationUpdates)
    .where(eq(implementationUpdates.proposalId, proposalId))
    .orderBy(desc(implementationUpdates.createdAt));
  return { round: board.round, item, updates };
}

export interface PostUpdateInput extends ImplementationUpdateInput {
  expectedCompletion: string | null;
  photoUrl: string | null;
}

/**
 * Staff post an update: state and timeline change together, the action is logged, and every
 * subscriber gets a message in the outbox — all in one transaction.
 */
export async function postImplementationUpdate(
  db: Db,
  access: Pick<StaffAccess, "user" | "municipality">,
  roundSlug: string,
  proposalId: string,
  input: PostUpdateInput,
  now = new Date(),
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ proposal: proposals, round: rounds, implementation: implementations })
      .from(proposals)
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .leftJoin(implementations, eq(implementations.proposalId, proposals.id))
      .where(
        and(
          eq(proposals.id, proposalId),
          eq(rounds.slug, roundSlug),
          eq(rounds.municipalityId, access.municipality.id),
        ),
      );
    if (!row) throw new ImplementationRefused("proposal_not_found", null, {}, 404);
    if (row.proposal.status !== "funded") throw new ImplementationRefused("not_funded", null, {}, 409);
    const current = row.implementation ?? { status: "planned" as const, progress: 0, spent: 0 };
    const problems = checkImplementationUpdate(current, input);
    if (problems.length) {
      const first = problems[0];
      throw new ImplementationRefused(first.code, first.field, "previous" in first ? { previous: first.previous } : {});
    }
    const state = {
      status: input.status,
      progress: input.progress,
      spent: input.spent,
      expectedCompletion: input.expectedCompletion,
      cancelReason: input.status === "cancelled" ? input.cancelReason : null,
      updatedAt: now,
    };
    await tx
      .insert(implementations)
      .values({ proposalId, ...state })
      .onConflictDoUpdate({ target: implementations.proposalId, set: state });
    const updateId = randomUUID();
    await tx.insert(implementationUpdates).values({
      id: updateId,
      proposalId,
      status: input.status,
      progress: input.progress,
      spent: input.spent,
      expectedCompletion: input.expectedCompletion,
      note: input.note,
      photoUrl: input.photoUrl,
      postedOn: dayIn(access.municipality.timeZone, now),
      authorId: access.user.id,
      createdAt: now,
    });
    await recordAction(tx, {
      municipalityId: access.municipality.id,
      municipalitySlug: access.municipality.slug,
      actor: { id: access.user.id, displayName: access.user.displayName },
      action: "implementation.update",
      target: `proposal:${proposalId}`,
      roundId: row.round.id,
      before: current,
      after: { status: input.status, progress: input.progress, spent: input.spent, cancelReason: state.cancelReason },
      at: now,
    });
    const subscribers = await tx
      .select({ userId: subscriptions.userId })
      .from(subscriptions)
      .where(eq(subscriptions.proposalId, proposalId));
    if (subscribers.length) {
      await tx.insert(outbox).values(
        subscribers.map((s) => ({
          id: randomUUID(),
          municipalityId: access.municipality.id,
          userId: s.userId,
          kind: "implementation.update",
          payload: {
            proposalId,
            round: roundSlug,
            title: row.proposal.title,
            status: input.status,
            progress: input.progress,
            note: input.note,
          },
          createdAt: now,
        })),
      );
    }
    return { updateId, notified: subscribers.length };
  });
}

export async function setSubscription(db: Db, userId: string, proposalId: string, subscribed: boolean) {
  if (subscribed) {
    await db.insert(subscriptions).values({ proposalId, userId }).onConflictDoNothing();
  } else {
    await db
      .delete(subscriptions)
      .where(and(eq(subscriptions.proposalId, proposalId), eq(subscriptions.userId, userId)));
  }
}

export async function isSubscribed(db: Db, userId: string, proposalId: string) {
  const rows = await db
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.proposalId, proposalId), eq(subscriptions.userId, userId)));
  return rows.length > 0;
}

/** Messages not sent yet (a mail integration will drain them). */
export async function pendingOutbox(db: Db, municipalityId: string) {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      payload: outbox.payload,
      createdAt: outbox.createdAt,
      email: users.email,
    })
    .from(outbox)
    .innerJoin(users, eq(users.id, outbox.userId))
    .where(and(eq(outbox.municipalityId, municipalityId), isNull(outbox.sentAt)))
    .orderBy(desc(outbox.createdAt))
    .limit(200);
}

/** Open data: implementation status of every funded proposal of the municipality. */
export async function implementationOpenData(db: Db, municipality: Municipality) {
  const roundRows = await db.select().from(rounds).where(eq(rounds.municipalityId, municipality.id));
  if (roundRows.length === 0) return [];
  const rows = await db
    .select({ proposal: proposals, envelope: envelopes, implementation: implementations, round: rounds })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .leftJoin(implementations, eq(implementations.proposalId, proposals.id))
    .where(
      and(
        inArray(
          rounds.id,
          roundRows.map((r) => r.id),
        ),
        eq(proposals.status, "funded"),
      ),
    )
    .orderBy(asc(rounds.slug), asc(envelopes.slug), asc(proposals.createdAt));
  return rows.map((r) => ({
    round: r.round.slug,
    envelope: r.envelope.slug,
    proposal: r.proposal.id,
    title_en: r.proposal.title.en ?? null,
    title_fa: r.proposal.title.fa ?? null,
    allocated: r.proposal.cost,
    currency: municipality.currency,
    status: r.implementation?.status ?? "planned",
    progress: r.implementation?.progress ?? 0,
    spent: r.implementation?.spent ?? 0,
    expected_completion: r.implementation?.expectedCompletion ?? null,
    cancel_reason: r.implementation?.cancelReason ?? null,
    updated_at: r.implementation?.updatedAt.toISOString() ?? null,
  }));
}

export function implementationCsv(rows: Awaited<ReturnType<typeof implementationOpenData>>): string {
  const header = Object.keys(
    rows[0] ?? {
      round: 0,
      envelope: 0,
      proposal: 0,
      title_en: 0,
      title_fa: 0,
      allocated: 0,
      currency: 0,
      status: 0,
      progress: 0,
      spent: 0,
      expected_completion: 0,
      cancel_reason: 0,
      updated_at: 0,
    },
  );
  return toCsv(
    header,
    rows.map((r) => header.map((h) => (r as Record<string, string | number | null>)[h])),
  );
}

export const UPDATE_COMMENT_MAX = 2000;

/** Comments on the updates of a funded proposal, oldest first; hidden ones carry the reason instead of the text. */
export async function updateCommentsOf(db: Db, updateIds: string[]) {
  if (updateIds.length === 0) return [];
  const rows = await db
    .select({ comment: updateComments, author: users.displayName })
    .from(updateComments)
    .innerJoin(users, eq(users.id, updateComments.userId))
    .where(inArray(updateComments.updateId, updateIds))
    .orderBy(asc(updateComments.createdAt));
  return rows.map(({ comment, author }) => ({
    id: comment.id,
    updateId: comment.updateId,
    author,
    official: comment.authorRole,
    createdAt: comment.createdAt,
    body: comment.hiddenReason === null ? comment.body : null,
    hiddenReason: comment.hiddenReason,
  }));
}

export async function commentOnUpdate(
  db: Db,
  params: { userId: string; municipalityId: string; proposalId: string; updateId: string; body: string; now?: Date },
) {
  const [update] = await db
    .select()
    .from(implementationUpdates)
    .where(and(eq(implementationUpdates.id, params.updateId), eq(implementationUpdates.proposalId, params.proposalId)));
  if (!update) throw new ImplementationRefused("update_not_found", "updateId", {}, 404);
  // The staff badge comes from the membership when writing, never from the form (ADR 0015).
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, params.userId), eq(memberships.municipalityId, params.municipalityId)));
  const id = randomUUID();
  await db.insert(updateComments).values({
    id,
    updateId: update.id,
    userId: params.userId,
    body: params.body,
    authorRole: membership?.role ?? null,
    createdAt: params.now ?? new Date(),
  });
  return { id };
}

/** Staff hide a comment on an update; the reason is shown in its place and the action is logged. */
export async function hideUpdateComment(
  db: Db,
  access: Pick<StaffAccess, "user" | "municipality">,
  params: { proposalId: string; commentId: string; reason: string; roundId: string },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ comment: updateComments })
      .from(updateComments)
      .innerJoin(implementationUpdates, eq(implementationUpdates.id, updateComments.updateId))
      .where(and(eq(updateComments.id, params.commentId), eq(implementationUpdates.proposalId, params.proposalId)));
    if (!row) throw new ImplementationRefused("comment_not_found", null, {}, 404);
    await tx
      .update(updateComments)
      .set({ hiddenReason: params.reason, hiddenBy: access.user.id })
      .where(eq(updateComments.id, params.commentId));
    await recordAction(tx, {
      municipalityId: access.municipality.id,
      municipalitySlug: access.municipality.slug,
      actor: { id: access.user.id, displayName: access.user.displayName },
      action: "update_comment.hide",
      target: `update-comment:${params.commentId}`,
      roundId: params.roundId,
      after: { reason: params.reason },
    });
  });
}
