/** Residents' side of proposals: submit during the proposals phase, edit until review, withdraw. */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases, proposals } from "../../../db/schema";
import { currentPhase, dayIn, rulesFrozen } from "../../domain/rounds/phases";
import { RefusedError } from "../errors.server";
import type { Municipality } from "../tenancy/municipality.server";
import { type ProposalInput, findRound, proposalInRound } from "../rounds/rounds-admin.server";
import { lockRoundRules } from "../rounds/round-rules.server";
import type { SessionUser } from "../../web/session.server";

/** May this person submit proposals in this round? Verified residents only, where the round asks for it. */
export async function mayPropose(
  db: Db,
  user: SessionUser,
  municipality: Municipality,
  roundId: string,
): Promise<boolean> {
  const { mayParticipate } = await import("../verification/eligibility.server");
  return mayParticipate(db, { municipality, actor: { kind: "user", userId: user.id } }, { roundId, action: "propose" });
}

async function roundState(db: Db, municipality: Municipality, roundSlug: string, now: Date) {
  const round = await findRound(db, municipality.id, roundSlug);
  if (!round) throw new RefusedError("round_not_found", null, {}, 404);
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  const today = dayIn(municipality.timeZone, now);
  return { round, phase: currentPhase(phaseRows, today)?.kind ?? null, frozen: rulesFrozen(phaseRows, today) };
}

export async function submitProposal(
  db: Db,
  params: {
    user: SessionUser;
    municipality: Municipality;
    roundSlug: string;
    input: Omit<ProposalInput, "location"> & { location: string | null };
    now?: Date;
  },
) {
  const now = params.now ?? new Date();
  const { round, phase } = await roundState(db, params.municipality, params.roundSlug, now);
  if (round.kind !== "budgeting") throw new RefusedError("no_proposals_in_consultation", null, {}, 409);
  if (phase !== "proposals") throw new RefusedError("not_proposals_phase", null, {}, 409);
  if (!(await mayPropose(db, params.user, params.municipality, round.id)))
    throw new RefusedError("may_not_propose", null, {}, 403);
  return db.transaction(async (tx) => {
    const [envelope] = await tx
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, params.input.envelopeSlug)));
    if (!envelope) throw new RefusedError("envelope_unknown", "envelopeSlug");
    const id = randomUUID();
    await tx.insert(proposals).values({
      id,
      envelopeId: envelope.id,
      title: params.input.title,
      body: params.input.body,
      cost: params.input.cost,
      districtId: params.input.districtId ?? envelope.districtId,
      location: params.input.location,
      authorId: params.user.id,
      status: "submitted",
    });
    return { id };
  });
}

async function ownProposal(db: Db, user: SessionUser, roundId: string, proposalId: string) {
  const proposal = await proposalInRound(db, roundId, proposalId);
  if (proposal.authorId !== user.id) throw new RefusedError("not_author", null, {}, 403);
  return proposal;
}

/** The author may edit while the proposal awaits review and the proposals phase lasts. */
export async function editOwnProposal(
  db: Db,
  params: {
    user: SessionUser;
    municipality: Municipality;
    roundSlug: string;
    proposalId: string;
    input: ProposalInput;
    now?: Date;
  },
) {
  const now = params.now ?? new Date();
  const { round, phase } = await roundState(db, params.municipality, params.roundSlug, now);
  const proposal = await ownProposal(db, params.user, round.id, params.proposalId);
  if (proposal.status !== "submitted" || phase !== "proposals") throw new RefusedError("not_editable", null, {}, 409);
  await db.transaction(async (tx) => {
    const [envelope] = await tx
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, params.input.envelopeSlug)));
    if (!envelope) throw new RefusedError("envelope_unknown", "envelopeSlug");
    await tx
      .update(proposals)
      .set({
        envelopeId: envelope.id,
        title: params.input.title,
        body: params.input.body,
        cost: params.input.cost,
        districtId: params.input.districtId,
        location: params.input.location,
        updatedAt: now,
      })
      .where(eq(proposals.id, proposal.id));
  });
}

/** The author withdraws a proposal that is not yet on an open ballot. */
export async function withdrawProposal(
  db: Db,
  params: { user: SessionUser; municipality: Municipality; roundSlug: string; proposalId: string; now?: Date },
) {
  const now = params.now ?? new Date();
  const { round, frozen } = await roundState(db, params.municipality, params.roundSlug, now);
  const proposal = await ownProposal(db, params.user, round.id, params.proposalId);
  if (!["submitted", "accepted"].includes(proposal.status) || frozen)
    throw new RefusedError("not_withdrawable", null, {}, 409);
  // Checked again under the round's rules lock: a proposal on an open ballot stays there (ADR 0018).
  await db.transaction(async (tx) => {
    await lockRoundRules(tx, round.id);
    const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, round.id));
    if (rulesFrozen(phaseRows, dayIn(params.municipality.timeZone, now)))
      throw new RefusedError("not_withdrawable", null, {}, 409);
    await tx.update(proposals).set({ status: "withdrawn", updatedAt: now }).where(eq(proposals.id, proposal.id));
  });
}
