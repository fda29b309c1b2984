/**
 * Comments on proposals: threaded replies, a stance on top-level comments, editing for 15 minutes,
 * soft deletion by the author, flags (once per person) and moderation by staff (hide with a reason,
 * restore). Text is stored as typed and always rendered escaped.
 */
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import {
  type MembershipRole,
  commentFlags,
  comments,
  envelopes,
  memberships,
  proposals,
  rounds,
  users,
  roundThemes,
} from "../../../db/schema";
import { PUBLIC_PROPOSAL_STATUSES } from "../../domain/rounds/statuses";
import { readableBeyondPublic } from "./supports.server";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";
import { mayParticipate } from "../verification/eligibility.server";
import { enqueueMessage } from "../mail/outbox.server";

/** Why a comment (or its moderation) is refused. */
export type CommentRefusal =
  | "comment_empty"
  | "comment_too_long"
  | "comment_verified_only"
  | "comment_parent_unknown"
  | "comment_unknown"
  | "comment_not_yours"
  | "comment_edit_window"
  | "comment_hidden"
  | "comment_flag_own"
  | "comment_flagged_already"
  | "moderation_reason";

/** The ids of the proposals of the scope's municipality (a subquery). */
function proposalsOf(db: Db, scope: Scope) {
  return db
    .select({ id: proposals.id })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(eq(rounds.municipalityId, scope.municipality.id));
}

/** The logged-in reader's id, or null for an observer. */
function readerOf(scope: Scope): string | null {
  return scope.actor.kind === "user" ? scope.actor.userId : null;
}

export const EDIT_WINDOW_MS = 15 * 60_000;
const MAX_COMMENT_LENGTH = 4000;
/** Top-level comments per page (each with all its replies). */
const COMMENTS_PER_PAGE = 20;
/** Replies deeper than this are shown at this depth. */
const MAX_DEPTH = 3;

export type Stance = "for" | "neutral" | "against";

/**
 * A proposal as a reader may see it, with its round and envelope: public ones for everyone; one
 * still awaiting review (or not accepted) only for its author, who is sent there after submitting.
 * `public` tells which.
 */
export async function readableProposal(db: Db, scope: Scope, input: { roundSlug: string; proposalId: string }) {
  const { roundSlug, proposalId } = input;
  const userId = readerOf(scope);
  const [row] = await db
    .select({ proposal: proposals, round: rounds, envelope: envelopes, theme: { name: roundThemes.name } })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .leftJoin(roundThemes, eq(roundThemes.id, proposals.themeId))
    .where(
      and(eq(proposals.id, proposalId), eq(rounds.slug, roundSlug), eq(rounds.municipalityId, scope.municipality.id)),
    );
  if (!row) return null;
  const isPublic = (PUBLIC_PROPOSAL_STATUSES as readonly string[]).includes(row.proposal.status);
  if (
    !isPublic &&
    (userId === null || row.proposal.authorId !== userId) &&
    !(await readableBeyondPublic(db, scope, { proposalId: row.proposal.id }))
  )
    return null;
  return { ...row, public: isPublic };
}

/** A public proposal of a municipality with its round and envelope, or null (what comments attach to). */
export async function publicProposal(db: Db, scope: Scope, input: { roundSlug: string; proposalId: string }) {
  const found = await readableProposal(db, { ...scope, actor: { kind: "observer" } }, input);
  return found?.public ? found : null;
}

function checkBody(body: string): string {
  const text = body.replace(/\r\n/g, "\n").trim();
  if (text.length === 0) throw new RefusedError<CommentRefusal>("comment_empty", "body");
  if (text.length > MAX_COMMENT_LENGTH)
    throw new RefusedError<CommentRefusal>("comment_too_long", "body", { max: MAX_COMMENT_LENGTH });
  return text;
}

export async function addComment(
  db: Db,
  scope: Scope,
  input: {
    roundId: string;
    proposalId: string;
    body: string;
    stance: Stance | null;
    parentId: string | null;
    now?: Date;
  },
) {
  const body = checkBody(input.body);
  const userId = actorUserId(scope);
  if (
    !(await mayParticipate(db, scope, {
      roundId: input.roundId,
      action: "comment",
    }))
  ) {
    throw new RefusedError<CommentRefusal>("comment_verified_only", "body", {}, 403);
  }
  let parentAuthor: string | null = null;
  if (input.parentId) {
    const [parent] = await db
      .select()
      .from(comments)
      .where(and(eq(comments.id, input.parentId), eq(comments.proposalId, input.proposalId)));
    if (!parent) throw new RefusedError<CommentRefusal>("comment_parent_unknown", "body", {}, 404);
    parentAuthor = parent.deletedAt ? null : parent.authorId;
  }
  // The badge comes from the author's membership now, stored with the comment (ADR 0015); nothing
  // the client sends can set it.
  const [membership] = await db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.userId, userId), eq(memberships.municipalityId, scope.municipality.id)));
  const id = randomUUID();
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    await tx.insert(comments).values({
      id,
      proposalId: input.proposalId,
      parentId: input.parentId,
      authorId: userId,
      authorRole: membership?.role ?? null,
      body,
      stance: input.parentId ? null : input.stance,
      createdAt: now,
    });
    // The author of the comment replied to is told (not of their own replies), never the reply's text.
    if (parentAuthor && parentAuthor !== userId)
      await queueReplyMessage(tx, scope, { commentId: id, proposalId: input.proposalId, to: parentAuthor, now });
  });
  return id;
}

/**
 * A comment by id, on the proposal whose page the request came from and in the scope's municipality:
 * a comment of another proposal (or another municipality) is unknown there.
 */
async function commentOn(db: Db, scope: Scope, commentId: string, proposalId: string) {
  const [found] = await db
    .select({ comment: comments })
    .from(comments)
    .innerJoin(proposals, eq(proposals.id, comments.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(
        eq(comments.id, commentId),
        eq(comments.proposalId, proposalId),
        eq(rounds.municipalityId, scope.municipality.id),
      ),
    );
  const row = found?.comment;
  if (!row || row.deletedAt) throw new RefusedError<CommentRefusal>("comment_unknown", "form", {}, 404);
  return row;
}

async function ownComment(db: Db, scope: Scope, commentId: string, proposalId: string) {
  const row = await commentOn(db, scope, commentId, proposalId);
  if (row.authorId !== actorUserId(scope)) throw new RefusedError<CommentRefusal>("comment_not_yours", "form", {}, 403);
  return row;
}

export async function editComment(
  db: Db,
  scope: Scope,
  input: { commentId: string; proposalId: string; body: string; now?: Date },
) {
  const now = input.now ?? new Date();
  const body = checkBody(input.body);
  const row = await ownComment(db, scope, input.commentId, input.proposalId);
  if (now.getTime() - row.createdAt.getTime() > EDIT_WINDOW_MS)
    throw new RefusedError<CommentRefusal>("comment_edit_window", "body", { minutes: EDIT_WINDOW_MS / 60_000 }, 409);
  if (row.hiddenAt) throw new RefusedError<CommentRefusal>("comment_hidden", "body", {}, 409);
  await db.update(comments).set({ body, editedAt: now }).where(eq(comments.id, row.id));
}

/** Soft deletion: the text goes, the place in the thread (and its replies) stays. */
export async function deleteComment(
  db: Db,
  scope: Scope,
  input: { commentId: string; proposalId: string; now?: Date },
) {
  const row = await ownComment(db, scope, input.commentId, input.proposalId);
  await db
    .update(comments)
    .set({ deletedAt: input.now ?? new Date(), body: "" })
    .where(eq(comments.id, row.id));
}

export async function flagComment(
  db: Db,
  scope: Scope,
  input: { commentId: string; proposalId: string; reason: string; now?: Date },
) {
  const userId = actorUserId(scope);
  const row = await commentOn(db, scope, input.commentId, input.proposalId);
  if (row.authorId === userId) throw new RefusedError<CommentRefusal>("comment_flag_own", "form", {}, 409);
  const reason = input.reason.trim().slice(0, 500) || null;
  const inserted = await db
    .insert(commentFlags)
    .values({ commentId: row.id, userId, reason, createdAt: input.now ?? new Date() })
    .onConflictDoNothing()
    .returning({ commentId: commentFlags.commentId });
  if (inserted.length === 0) throw new RefusedError<CommentRefusal>("comment_flagged_already", "form", {}, 409);
}

export interface ThreadComment {
  id: string;
  parentId: string | null;
  depth: number;
  author: string | null;
  /** The author's council role when writing ("staff", "admin"), shown as a badge; null for residents. */
  official: MembershipRole | null;
  mine: boolean;
  body: string | null;
  stance: Stance | null;
  createdAt: string;
  edited: boolean;
  deleted: boolean;
  hiddenReason: string | null;
  editable: boolean;
  flaggedByMe: boolean;
}

/**
 * One page of a proposal's comments: top-level comments newest first, each followed by its replies in
 * order (depth shown at most MAX_DEPTH). Hidden comments carry the moderator's reason instead of text.
 */
export async function commentThread(db: Db, scope: Scope, input: { proposalId: string; page: number; now?: Date }) {
  const now = input.now ?? new Date();
  const userId = readerOf(scope);
  // Only a proposal of the scope's municipality has a thread here.
  const onProposal = and(
    eq(comments.proposalId, input.proposalId),
    inArray(comments.proposalId, proposalsOf(db, scope)),
  );
  const [{ n: topLevel }] = await db
    .select({ n: count() })
    .from(comments)
    .where(and(onProposal, isNull(comments.parentId)));
  const pages = Math.max(1, Math.ceil(topLevel / COMMENTS_PER_PAGE));
  const page = Math.min(Math.max(1, input.page), pages);
  const roots = await db
    .select({ id: comments.id })
    .from(comments)
    .where(and(onProposal, isNull(comments.parentId)))
    .orderBy(sql`${comments.createdAt} desc`, asc(comments.id))
    .limit(COMMENTS_PER_PAGE)
    .offset((page - 1) * COMMENTS_PER_PAGE);
  const all = await db
    .select({ comment: comments, author: users.displayName })
    .from(comments)
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(onProposal)
    .orderBy(asc(comments.createdAt), asc(comments.id));
  const flagged = userId
    ? new Set(
        (
          await db
            .select({ id: commentFlags.commentId })
            .from(commentFlags)
            .where(
              and(
                eq(commentFlags.userId, userId),
                all.length
                  ? inArray(
                      commentFlags.commentId,
                      all.map((c) => c.comment.id),
                    )
                  : sql`false`,
              ),
            )
        ).map((r) => r.id),
      )
    : new Set<string>();
  const children = new Map<string, typeof all>();
  for (const row of all) {
    if (!row.comment.parentId) continue;
    const list = children.get(row.comment.parentId) ?? [];
    list.push(row);
    children.set(row.comment.parentId, list);
  }
  const byId = new Map(all.map((r) => [r.comment.id, r]));
  const out: ThreadComment[] = [];
  const visit = (row: (typeof all)[number], depth: number) => {
    const c = row.comment;
    out.push({
      id: c.id,
      parentId: c.parentId,
      depth: Math.min(depth, MAX_DEPTH),
      author: c.deletedAt ? null : row.author,
      official: c.deletedAt ? null : ((c.authorRole as MembershipRole | null) ?? null),
      mine: userId !== null && c.authorId === userId,
      body: c.deletedAt || c.hiddenAt ? null : c.body,
      stance: c.stance,
      createdAt: c.createdAt.toISOString(),
      edited: c.editedAt !== null,
      deleted: c.deletedAt !== null,
      hiddenReason: c.hiddenAt ? (c.hiddenReason ?? "") : null,
      editable:
        userId !== null &&
        c.authorId === userId &&
        !c.deletedAt &&
        !c.hiddenAt &&
        now.getTime() - c.createdAt.getTime() <= EDIT_WINDOW_MS,
      flaggedByMe: flagged.has(c.id),
    });
    for (const child of children.get(c.id) ?? []) visit(child, depth + 1);
  };
  for (const r of roots) {
    const row = byId.get(r.id);
    if (row) visit(row, 1);
  }
  const stances = { for: 0, neutral: 0, against: 0 };
  for (const r of all)
    if (!r.comment.parentId && r.comment.stance && !r.comment.deletedAt && !r.comment.hiddenAt)
      stances[r.comment.stance] += 1;
  return { comments: out, page, pages, total: all.length, stances };
}

/** Visible comments per proposal (for the round page). */
export async function commentCounts(
  db: Db,
  scope: Scope,
  { proposalIds }: { proposalIds: string[] },
): Promise<Map<string, number>> {
  if (!proposalIds.length) return new Map();
  const rows = await db
    .select({ proposalId: comments.proposalId, n: count() })
    .from(comments)
    .innerJoin(proposals, eq(proposals.id, comments.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(
        inArray(comments.proposalId, proposalIds),
        eq(rounds.municipalityId, scope.municipality.id),
        isNull(comments.deletedAt),
        isNull(comments.hiddenAt),
      ),
    )
    .groupBy(comments.proposalId);
  return new Map(rows.map((r) => [r.proposalId, r.n]));
}

/** The moderation queue: comments with open flags, most flagged first. */
export async function moderationQueue(db: Db, scope: Scope) {
  const municipalityId = scope.municipality.id;
  const rows = await db
    .select({
      comment: comments,
      author: users.displayName,
      proposalTitle: proposals.title,
      roundSlug: rounds.slug,
      flags: count(commentFlags.userId),
      reasons: sql<string[]>`array_remove(array_agg(${commentFlags.reason}), null)`,
    })
    .from(commentFlags)
    .innerJoin(comments, eq(comments.id, commentFlags.commentId))
    .innerJoin(proposals, eq(proposals.id, comments.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(rounds.municipalityId, municipalityId), isNull(commentFlags.resolvedAt)))
    .groupBy(comments.id, users.displayName, proposals.title, rounds.slug)
    .orderBy(sql`count(${commentFlags.userId}) desc`, asc(comments.createdAt));
  const hidden = await db
    .select({ comment: comments, author: users.displayName, proposalTitle: proposals.title, roundSlug: rounds.slug })
    .from(comments)
    .innerJoin(proposals, eq(proposals.id, comments.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .leftJoin(users, eq(users.id, comments.authorId))
    .where(and(eq(rounds.municipalityId, municipalityId), sql`${comments.hiddenAt} is not null`))
    .orderBy(sql`${comments.hiddenAt} desc`)
    .limit(50);
  return { flagged: rows, hidden };
}

async function commentOfMunicipality(db: Db | Tx, municipalityId: string, commentId: string) {
  const [row] = await db
    .select({ comment: comments, roundId: rounds.id })
    .from(comments)
    .innerJoin(proposals, eq(proposals.id, comments.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(comments.id, commentId), eq(rounds.municipalityId, municipalityId)));
  if (!row) throw new RefusedError<CommentRefusal>("comment_unknown", "form", {}, 404);
  return row;
}

/** Staff hide a comment (a reason is required); its open flags are resolved. One transaction. */
export async function hideComment(db: Db, scope: Scope, input: { commentId: string; reason: string; now?: Date }) {
  const now = input.now ?? new Date();
  const reason = input.reason.trim();
  if (reason.length < 3 || reason.length > 500) throw new RefusedError<CommentRefusal>("moderation_reason", "reason");
  const { comment, roundId } = await commentOfMunicipality(db, scope.municipality.id, input.commentId);
  await db.transaction(async (tx) => {
    await tx
      .update(comments)
      .set({ hiddenAt: now, hiddenBy: actorUserId(scope), hiddenReason: reason })
      .where(eq(comments.id, comment.id));
    await tx
      .update(commentFlags)
      .set({ resolvedAt: now })
      .where(and(eq(commentFlags.commentId, comment.id), isNull(commentFlags.resolvedAt)));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "comment.hide",
      target: `comment:${comment.id}`,
      roundId,
      before: { hidden: comment.hiddenAt !== null },
      after: { hidden: true, reason },
      at: now,
    });
  });
}

/** Staff restore a hidden comment, or dismiss the flags of a visible one. One transaction. */
export async function restoreComment(db: Db, scope: Scope, input: { commentId: string; now?: Date }) {
  const now = input.now ?? new Date();
  const { comment, roundId } = await commentOfMunicipality(db, scope.municipality.id, input.commentId);
  await db.transaction(async (tx) => {
    await tx
      .update(comments)
      .set({ hiddenAt: null, hiddenBy: null, hiddenReason: null })
      .where(eq(comments.id, comment.id));
    await tx
      .update(commentFlags)
      .set({ resolvedAt: now })
      .where(and(eq(commentFlags.commentId, comment.id), isNull(commentFlags.resolvedAt)));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "comment.restore",
      target: `comment:${comment.id}`,
      roundId,
      before: { hidden: comment.hiddenAt !== null, reason: comment.hiddenReason },
      after: { hidden: false },
      at: now,
    });
  });
}

async function queueReplyMessage(
  tx: Tx,
  scope: Scope,
  input: { commentId: string; proposalId: string; to: string; now: Date },
) {
  const [row] = await tx
    .select({ title: proposals.title, roundSlug: rounds.slug, roundTitle: rounds.title })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(eq(proposals.id, input.proposalId));
  if (!row) return;
  await enqueueMessage(tx, {
    kind: "comment.reply",
    userId: input.to,
    municipalityId: scope.municipality.id,
    payload: {
      proposalId: input.proposalId,
      title: row.title,
      round: row.roundTitle,
      path: `/m/${scope.municipality.slug}/rounds/${row.roundSlug}/proposals/${input.proposalId}#comment-${input.commentId}`,
    },
    idempotencyKey: `comment.reply:${input.commentId}:${input.to}`,
    now: input.now,
  });
}
