/**
 * Following a proposal (ADR 0033): anyone logged in follows a public proposal (and its author their
 * own, from submission on) to be told of its review, official responses, funding and implementation.
 * Messages to followers are queued by the use cases that cause them (followers.server.ts).
 */
import { and, desc, eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, municipalities, proposalFollowers, proposals, rounds, subscriptions } from "../../../db/schema";
import { readableProposal } from "../proposals/comments.server";
import { follow } from "./followers.server";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";

export type FollowRefusal = "proposal_unknown";

/** The acting person starts (or stops) following a proposal they may read; idempotent. */
export async function setFollowing(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; proposalId: string; follow: boolean; now?: Date },
): Promise<{ following: boolean }> {
  const userId = actorUserId(scope);
  const found = await readableProposal(db, scope, { roundSlug: input.roundSlug, proposalId: input.proposalId });
  if (!found) throw new RefusedError<FollowRefusal>("proposal_unknown", null, {}, 404);
  await db.transaction(async (tx) => {
    if (input.follow) await follow(tx, { proposalId: found.proposal.id, userId, now: input.now });
    else {
      await tx
        .delete(proposalFollowers)
        .where(and(eq(proposalFollowers.proposalId, found.proposal.id), eq(proposalFollowers.userId, userId)));
      // The older subscription to a funded proposal's updates ends with it.
      await tx
        .delete(subscriptions)
        .where(and(eq(subscriptions.proposalId, found.proposal.id), eq(subscriptions.userId, userId)));
    }
  });
  return { following: input.follow };
}

export async function isFollowing(db: Db | Tx, input: { proposalId: string; userId: string }): Promise<boolean> {
  const rows = await db
    .select({ userId: proposalFollowers.userId })
    .from(proposalFollowers)
    .where(and(eq(proposalFollowers.proposalId, input.proposalId), eq(proposalFollowers.userId, input.userId)));
  return rows.length > 0;
}

/** How many follow a proposal. */
export async function followerCount(db: Db | Tx, input: { proposalId: string }): Promise<number> {
  const rows = await db
    .select({ userId: proposalFollowers.userId })
    .from(proposalFollowers)
    .where(eq(proposalFollowers.proposalId, input.proposalId));
  return rows.length;
}

/** What one person follows, newest first, in every municipality (their account page). */
export async function followedBy(db: Db, input: { userId: string }) {
  return db
    .select({
      proposalId: proposals.id,
      title: proposals.title,
      status: proposals.status,
      roundSlug: rounds.slug,
      roundTitle: rounds.title,
      municipalitySlug: municipalities.slug,
      municipalityName: municipalities.name,
      since: proposalFollowers.createdAt,
    })
    .from(proposalFollowers)
    .innerJoin(proposals, eq(proposals.id, proposalFollowers.proposalId))
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(eq(proposalFollowers.userId, input.userId))
    .orderBy(desc(proposalFollowers.createdAt), proposals.id);
}

/** Stops following by proposal id (the account page's Unfollow, which may be of any municipality). */
export async function unfollow(db: Db, input: { userId: string; proposalId: string }): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .delete(proposalFollowers)
      .where(and(eq(proposalFollowers.proposalId, input.proposalId), eq(proposalFollowers.userId, input.userId)))
      .returning({ userId: proposalFollowers.userId });
    await tx
      .delete(subscriptions)
      .where(and(eq(subscriptions.proposalId, input.proposalId), eq(subscriptions.userId, input.userId)));
    return rows.length > 0;
  });
}

export { moveFollowers } from "./followers.server";
