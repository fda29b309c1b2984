/**
 * Followers of proposals (ADR 0033), the part other use cases call inside their transactions: add a
 * follower, move followers on a merge, and queue the message of a proposal's event to its author and
 * followers. Imports only the schema and the outbox, so any service may use it.
 */
import { eq, inArray, ne, and } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, municipalities, proposalFollowers, proposals, rounds, subscriptions } from "../../../db/schema";
import { enqueueMessage } from "../mail/outbox.server";

/** Adds a follower in the caller's transaction (an author on submission, a person pressing Follow). */
export async function follow(db: Db | Tx, input: { proposalId: string; userId: string; now?: Date }) {
  await db
    .insert(proposalFollowers)
    .values({ proposalId: input.proposalId, userId: input.userId, createdAt: input.now ?? new Date() })
    .onConflictDoNothing();
}

/**
 * Followers move to the kept proposal when a duplicate is merged into it (in the merge's
 * transaction); who already follows both stays once. Returns how many followers the kept one gained.
 */
export async function moveFollowers(tx: Db | Tx, input: { fromProposalId: string; toProposalId: string }) {
  if (input.fromProposalId === input.toProposalId) return 0;
  const from = await tx.select().from(proposalFollowers).where(eq(proposalFollowers.proposalId, input.fromProposalId));
  let gained = 0;
  for (const f of from) {
    const added = await tx
      .insert(proposalFollowers)
      .values({ proposalId: input.toProposalId, userId: f.userId, createdAt: f.createdAt })
      .onConflictDoNothing()
      .returning({ userId: proposalFollowers.userId });
    gained += added.length;
  }
  await tx.delete(proposalFollowers).where(eq(proposalFollowers.proposalId, input.fromProposalId));
  return gained;
}

/** Followers of a proposal (and, for funded ones, the older subscribers), less `except`. */
export async function followersOf(db: Db | Tx, input: { proposalId: string; except?: string | null }) {
  const followers = await db
    .select({ userId: proposalFollowers.userId })
    .from(proposalFollowers)
    .where(
      input.except
        ? and(eq(proposalFollowers.proposalId, input.proposalId), ne(proposalFollowers.userId, input.except))
        : eq(proposalFollowers.proposalId, input.proposalId),
    );
  const subscribers = await db
    .select({ userId: subscriptions.userId })
    .from(subscriptions)
    .where(eq(subscriptions.proposalId, input.proposalId));
  const ids = new Set([...followers, ...subscribers].map((r) => r.userId));
  if (input.except) ids.delete(input.except);
  return [...ids].sort();
}

export type ProposalEvent = "proposal.accepted" | "proposal.rejected" | "proposal.funded" | "proposal.response";

/**
 * Queues, in the caller's transaction, the message of a proposal's event to its author and followers
 * (each once: the idempotency key names the event and the person). Authors get "your proposal";
 * followers get the update of a proposal they follow.
 */
export async function notifyProposalEvent(
  tx: Db | Tx,
  input: {
    proposalIds: string[];
    event: ProposalEvent;
    /** Names this occurrence of the event (a review's time, a response's time). */
    occurrence: string;
    now: Date;
  },
): Promise<number> {
  if (!input.proposalIds.length) return 0;
  const rows = await tx
    .select({
      id: proposals.id,
      title: proposals.title,
      authorId: proposals.authorId,
      rejectionReason: proposals.rejectionReason,
      officialResponse: proposals.officialResponse,
      roundSlug: rounds.slug,
      roundTitle: rounds.title,
      municipalityId: municipalities.id,
      municipalitySlug: municipalities.slug,
    })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(inArray(proposals.id, input.proposalIds));
  let queued = 0;
  for (const p of rows) {
    const path = `/m/${p.municipalitySlug}/rounds/${p.roundSlug}/proposals/${p.id}`;
    const reason =
      input.event === "proposal.rejected"
        ? p.rejectionReason
        : input.event === "proposal.response"
          ? p.officialResponse
          : null;
    const payload = { proposalId: p.id, title: p.title, round: p.roundTitle, reason: reason ?? null, path };
    if (p.authorId) {
      const id = await enqueueMessage(tx, {
        kind: input.event,
        userId: p.authorId,
        municipalityId: p.municipalityId,
        payload,
        idempotencyKey: `${input.event}:${p.id}:${input.occurrence}:${p.authorId}`,
        now: input.now,
      });
      if (id) queued += 1;
    }
    for (const userId of await followersOf(tx, { proposalId: p.id, except: p.authorId })) {
      const id = await enqueueMessage(tx, {
        kind: "follow.update",
        userId,
        municipalityId: p.municipalityId,
        payload: { ...payload, event: input.event },
        idempotencyKey: `${input.event}:${p.id}:${input.occurrence}:${userId}`,
        now: input.now,
      });
      if (id) queued += 1;
    }
  }
  return queued;
}
