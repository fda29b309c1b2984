/** Proposals, comments and flags through the services that staff and residents use. */
import type { Db } from "../../../db/client";
import { scopeOf, userActor } from "../../../app/services/scope";
import type { LocalizedText } from "../../../app/domain/i18n";
import { type Stance, addComment, flagComment } from "../../../app/services/proposals/comments.server";
import { submitProposal } from "../../../app/services/proposals/proposals.server";
import { createStaffProposal, reviewProposal } from "../../../app/services/rounds/rounds-admin.server";
import type { SessionUser } from "../../../app/web/session.server";
import type { Member } from "./accounts";
import { type Envelope, type Round, beforeVoting } from "./rounds";

/**
 * A proposal in the envelope. Without `author`: staff put it on the ballot (accepted, the staff member
 * its author). With `author`: the resident submits it in the proposals phase, and for `accepted` staff
 * then accept it at its cost. `at` (default: now; before voting for staff's own) is when, in the
 * proposals phase for a resident's.
 */
export async function makeProposal(
  db: Db,
  input: {
    by: Member;
    round: Round;
    envelope: Envelope;
    title: LocalizedText;
    body?: LocalizedText;
    cost?: number;
    districtId?: string | null;
    /** One of the round's themes (ADR 0032). */
    themeId?: string | null;
    status?: "accepted" | "submitted";
    author?: SessionUser;
    at?: Date;
  },
): Promise<string> {
  const fields = {
    envelopeSlug: input.envelope.slug,
    title: input.title,
    body: input.body ?? input.title,
    cost: input.cost ?? 1_000,
    districtId: input.districtId ?? input.envelope.districtId,
    themeId: input.themeId ?? null,
    location: null,
  };
  const status = input.status ?? "accepted";
  if (!input.author) {
    if (status !== "accepted") throw new Error("a proposal staff write is accepted: give an author to submit one");
    return (
      await createStaffProposal(db, input.by, {
        roundSlug: input.round.slug,
        proposal: fields,
        now: input.at ?? (await beforeVoting(db, input.round)),
      })
    ).id;
  }
  const { id } = await submitProposal(db, scopeOf(input.by.municipality, userActor(input.author)), {
    roundSlug: input.round.slug,
    input: fields,
    now: input.at,
  });
  if (status === "accepted")
    await reviewProposal(db, input.by, {
      roundSlug: input.round.slug,
      proposalId: id,
      review: { decision: "accept", cost: fields.cost, feasibilityNote: null },
      now: input.at,
    });
  return id;
}

/** A resident's comment (or reply, with `parentId`) on a proposal. */
export async function makeComment(
  db: Db,
  input: {
    municipality: Member["municipality"];
    round: Round;
    proposalId: string;
    user: SessionUser;
    body: string;
    stance?: Stance | null;
    parentId?: string | null;
  },
): Promise<string> {
  return addComment(db, scopeOf(input.municipality, userActor(input.user)), {
    roundId: input.round.id,
    proposalId: input.proposalId,
    body: input.body,
    stance: input.stance ?? null,
    parentId: input.parentId ?? null,
  });
}

/** A resident flags someone else's comment for moderation. */
export async function flag(
  db: Db,
  input: {
    municipality: Member["municipality"];
    commentId: string;
    proposalId: string;
    user: SessionUser;
    reason: string;
  },
): Promise<void> {
  await flagComment(db, scopeOf(input.municipality, userActor(input.user)), {
    commentId: input.commentId,
    proposalId: input.proposalId,
    reason: input.reason,
  });
}
