/** Implementation tracking of funded proposals: public board and timeline, staff updates, subscriptions, outbox. */
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  envelopes,
  implementationUpdates,
  implementations,
  memberships,
  proposals,
  rounds,
  subscriptions,
  updateComments,
  users,
} from "../../../db/schema";
import {
  type ImplementationOpenRow,
  type ImplementationProblem,
  type ImplementationStatus,
  type ImplementationUpdateInput,
  checkImplementationUpdate,
} from "../../domain/implementation/implementation";
import { dayIn } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { queueWebhookEvent } from "../webhooks/webhooks.server";
import { enqueueMessage } from "../mail/outbox.server";
import { followersOf } from "../following/followers.server";
import { proposalFollowers } from "../../../db/schema";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";
import { type PreparedMedia, attachMedia } from "../media/media.server";

/** Why an implementation update (or a comment on one) is refused. */
export type ImplementationRefusal =
  | ImplementationProblem["code"]
  | "proposal_not_found"
  | "not_funded"
  | "update_not_found"
  | "comment_not_found";

/** Funded proposals of a round with their implementation state (planned / 0 % when nothing was posted yet). */
export async function fundedBoard(db: Db, scope: Scope, input: { roundSlug: string }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, input.roundSlug)));
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

/** One funded proposal of the board with its timeline, newest first, or null. */
export async function fundedProposal(db: Db, scope: Scope, input: { roundSlug: string; proposalId: string }) {
  const { proposalId } = input;
  const board = await fundedBoard(db, scope, input);
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
  scope: Scope,
  {
    roundSlug,
    proposalId,
    update: input,
    media: photos = [],
    now = new Date(),
  }: {
    roundSlug: string;
    proposalId: string;
    update: PostUpdateInput;
    /** Photos and documents of the update, prepared before the transaction (ADR 0034). */
    media?: PreparedMedia[];
    now?: Date;
  },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ proposal: proposals, round: rounds, implementation: implementations })
      .from(proposals)
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .leftJoin(implementations, eq(implementations.proposalId, proposals.id))
      .where(
        and(eq(proposals.id, proposalId), eq(rounds.slug, roundSlug), eq(rounds.municipalityId, scope.municipality.id)),
      );
    if (!row) throw new RefusedError<ImplementationRefusal>("proposal_not_found", null, {}, 404);
    if (row.proposal.status !== "funded") throw new RefusedError<ImplementationRefusal>("not_funded", null, {}, 409);
    const current = row.implementation ?? { status: "planned" as const, progress: 0, spent: 0 };
    const problems = checkImplementationUpdate(current, input);
    if (problems.length) {
      const first = problems[0];
      throw new RefusedError<ImplementationRefusal>(
        first.code,
        first.field,
        "previous" in first ? { previous: first.previous } : {},
      );
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
      postedOn: dayIn(scope.municipality.timeZone, now),
      authorId: actorUserId(scope),
      createdAt: now,
    });
    if (photos.length)
      await attachMedia(tx, scope, { owner: { kind: "implementation_update", id: updateId }, add: photos });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "implementation.update",
      target: `proposal:${proposalId}`,
      roundId: row.round.id,
      before: current,
      after: { status: input.status, progress: input.progress, spent: input.spent, cancelReason: state.cancelReason },
      at: now,
    });
    await queueWebhookEvent(tx, {
      municipality: scope.municipality,
      event: "implementation.updated",
      key: updateId,
      data: {
        round: roundSlug,
        proposal: proposalId,
        update: updateId,
        status: input.status,
        progress: input.progress,
        spent: input.spent,
        expectedCompletion: input.expectedCompletion,
        postedOn: dayIn(scope.municipality.timeZone, now),
      },
      now,
    });
    // Followers of the proposal (and subscribers to its updates) are told (ADR 0033).
    const subscribers = await followersOf(tx, { proposalId });
    for (const userId of subscribers) {
      await enqueueMessage(tx, {
        kind: "implementation.update",
        userId,
        municipalityId: scope.municipality.id,
        payload: {
          proposalId,
          round: roundSlug,
          title: row.proposal.title,
          status: input.status,
          progress: input.progress,
          note: input.note,
          path: `/m/${scope.municipality.slug}/rounds/${roundSlug}/implementation/${proposalId}`,
        },
        idempotencyKey: `implementation.update:${updateId}:${userId}`,
        now,
      });
    }
    return { updateId, notified: subscribers.length };
  });
}

/** The acting person subscribes to (or leaves) the updates of a funded proposal of the scope's municipality. */
export async function setSubscription(db: Db, scope: Scope, input: { proposalId: string; subscribed: boolean }) {
  const userId = actorUserId(scope);
  const [funded] = await db
    .select({ id: proposals.id })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(proposals.id, input.proposalId), eq(rounds.municipalityId, scope.municipality.id)));
  if (!funded) throw new RefusedError<ImplementationRefusal>("proposal_not_found", null, {}, 404);
  const { proposalId } = input;
  // Subscribing to a funded proposal's updates is following it (ADR 0033).
  await db.transaction(async (tx) => {
    if (input.subscribed) {
      await tx.insert(subscriptions).values({ proposalId, userId }).onConflictDoNothing();
      await tx.insert(proposalFollowers).values({ proposalId, userId }).onConflictDoNothing();
    } else {
      await tx
        .delete(subscriptions)
        .where(and(eq(subscriptions.proposalId, proposalId), eq(subscriptions.userId, userId)));
      await tx
        .delete(proposalFollowers)
        .where(and(eq(proposalFollowers.proposalId, proposalId), eq(proposalFollowers.userId, userId)));
    }
  });
}

export async function isSubscribed(db: Db, scope: Scope, input: { proposalId: string }) {
  const rows = await db
    .select({ userId: proposalFollowers.userId })
    .from(proposalFollowers)
    .where(and(eq(proposalFollowers.proposalId, input.proposalId), eq(proposalFollowers.userId, actorUserId(scope))));
  return rows.length > 0;
}

/** Open data: implementation status of every funded proposal of the municipality. */
export async function implementationOpenData(db: Db, scope: Scope): Promise<ImplementationOpenRow[]> {
  const { municipality } = scope;
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

export const UPDATE_COMMENT_MAX = 2000;

/** Comments on the updates of a funded proposal, oldest first; hidden ones carry the reason instead of the text. */
export async function updateCommentsOf(db: Db, scope: Scope, { updateIds }: { updateIds: string[] }) {
  if (updateIds.length === 0) return [];
  const rows = await db
    // A deleted account's name is empty: the page shows "former account" (ADR 0026).
    .select({ comment: updateComments, author: sql<string | null>`nullif(${users.displayName}, '')` })
    .from(updateComments)
    .innerJoin(users, eq(users.id, updateComments.userId))
    .innerJoin(implementationUpdates, eq(implementationUpdates.id, updateComments.updateId))
    .innerJoin(proposals, eq(proposals.id, implementationUpdates.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(inArray(updateComments.updateId, updateIds), eq(rounds.municipalityId, scope.municipality.id)))
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
  scope: Scope,
  params: { proposalId: string; updateId: string; body: string; now?: Date },
) {
  const userId = actorUserId(scope);
  const [found] = await db
    .select({ update: implementationUpdates })
    .from(implementationUpdates)
    .innerJoin(proposals, eq(proposals.id, implementationUpdates.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(
        eq(implementationUpdates.id, params.updateId),
        eq(implementationUpdates.proposalId, params.proposalId),
        eq(rounds.municipalityId, scope.municipality.id),
      ),
    );
  const update = found?.update;
  if (!update) throw new RefusedError<ImplementationRefusal>("update_not_found", "updateId", {}, 404);
  // The staff badge comes from the membership when writing, never from the form (ADR 0015).
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.municipalityId, scope.municipality.id)));
  const id = randomUUID();
  await db.insert(updateComments).values({
    id,
    updateId: update.id,
    userId,
    body: params.body,
    authorRole: membership?.role ?? null,
    createdAt: params.now ?? new Date(),
  });
  return { id };
}

/** Staff hide a comment on an update; the reason is shown in its place and the action is logged. */
export async function hideUpdateComment(
  db: Db,
  scope: Scope,
  params: { proposalId: string; commentId: string; reason: string; roundId: string },
) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ comment: updateComments })
      .from(updateComments)
      .innerJoin(implementationUpdates, eq(implementationUpdates.id, updateComments.updateId))
      .innerJoin(proposals, eq(proposals.id, implementationUpdates.proposalId))
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .where(
        and(
          eq(updateComments.id, params.commentId),
          eq(implementationUpdates.proposalId, params.proposalId),
          eq(rounds.municipalityId, scope.municipality.id),
        ),
      );
    if (!row) throw new RefusedError<ImplementationRefusal>("comment_not_found", null, {}, 404);
    await tx
      .update(updateComments)
      .set({ hiddenReason: params.reason, hiddenBy: actorUserId(scope) })
      .where(eq(updateComments.id, params.commentId));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "update_comment.hide",
      target: `update-comment:${params.commentId}`,
      roundId: params.roundId,
      after: { reason: params.reason },
    });
  });
}
