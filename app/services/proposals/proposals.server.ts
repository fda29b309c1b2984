/** Residents' side of proposals: submit during the proposals phase, edit until review, withdraw. */
import { type MapRefusal, type PointInput, placePoint } from "../geo/maps.server";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases, proposals } from "../../../db/schema";
import { currentPhase, dayIn, rulesFrozen } from "../../domain/rounds/phases";
import { RefusedError } from "../errors.server";
import { type ProposalInput, type RoundRefusal, findRound, proposalInRound } from "../rounds/rounds-admin.server";
import { lockRoundRules } from "../rounds/round-rules.server";
import { checkThemeOf } from "../rounds/themes.server";
import { mayParticipate } from "../verification/eligibility.server";
import { type Scope, actorUserId } from "../scope";
import { type PreparedMedia, attachMedia } from "../media/media.server";

/** Photos and documents sent with a proposal form: checked and converted before the transaction (ADR 0034). */
export interface ProposalMediaChange {
  add: PreparedMedia[];
  remove?: string[];
}
import { follow } from "../following/followers.server";

/** May this person submit proposals in this round? Verified residents only, where the round asks for it. */
async function mayPropose(db: Db, scope: Scope, roundId: string): Promise<boolean> {
  return mayParticipate(db, scope, { roundId, action: "propose" });
}

async function roundState(db: Db, scope: Scope, roundSlug: string, now: Date) {
  const round = await findRound(db, scope, { slug: roundSlug });
  if (!round) throw new RefusedError<RoundRefusal>("round_not_found", null, {}, 404);
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  const today = dayIn(scope.municipality.timeZone, now);
  return { round, phase: currentPhase(phaseRows, today)?.kind ?? null, frozen: rulesFrozen(phaseRows, today) };
}

export async function submitProposal(
  db: Db,
  scope: Scope,
  params: {
    roundSlug: string;
    input: ProposalInput;
    media?: ProposalMediaChange;
    /** Where it is (optional): a typed point or a known address, in the proposal's district (ADR 0035). */
    point?: PointInput;
    now?: Date;
  },
) {
  const now = params.now ?? new Date();
  const { round, phase } = await roundState(db, scope, params.roundSlug, now);
  if (round.kind !== "budgeting") throw new RefusedError<RoundRefusal>("no_proposals_in_consultation", null, {}, 409);
  if (phase !== "proposals") throw new RefusedError<RoundRefusal>("not_proposals_phase", null, {}, 409);
  if (!(await mayPropose(db, scope, round.id))) throw new RefusedError<RoundRefusal>("may_not_propose", null, {}, 403);
  const placed = params.point
    ? await placePoint(db, scope, { point: params.point, districtId: params.input.districtId ?? null })
    : null;
  return db.transaction(async (tx) => {
    const [envelope] = await tx
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, params.input.envelopeSlug)));
    if (!envelope) throw new RefusedError<RoundRefusal>("envelope_unknown", "envelopeSlug");
    // An envelope of one district takes points in that district only.
    if (placed && !params.input.districtId && envelope.districtId && envelope.districtId !== placed.districtId)
      throw new RefusedError<MapRefusal>("point_other_district", params.point?.kind === "address" ? "address" : "lat", {
        district: envelope.districtId,
      });
    const themeId = await checkThemeOf(tx, { roundId: round.id, themeId: params.input.themeId ?? null });
    const id = randomUUID();
    await tx.insert(proposals).values({
      id,
      envelopeId: envelope.id,
      title: params.input.title,
      body: params.input.body,
      cost: params.input.cost,
      districtId: placed?.districtId ?? params.input.districtId ?? envelope.districtId,
      pointLat: placed?.lat ?? null,
      pointLon: placed?.lon ?? null,
      themeId,
      location: params.input.location,
      authorId: actorUserId(scope),
      status: "submitted",
    });
    if (params.media?.add.length)
      await attachMedia(tx, scope, { owner: { kind: "proposal", id }, add: params.media.add });
    // Authors follow their own proposals (ADR 0033).
    await follow(tx, { proposalId: id, userId: actorUserId(scope), now });
    return { id };
  });
}

async function ownProposal(db: Db, scope: Scope, roundId: string, proposalId: string) {
  const proposal = await proposalInRound(db, scope, { roundId, proposalId });
  if (proposal.authorId !== actorUserId(scope)) throw new RefusedError<RoundRefusal>("not_author", null, {}, 403);
  return proposal;
}

/** The author may edit while the proposal awaits review and the proposals phase lasts. */
export async function editOwnProposal(
  db: Db,
  scope: Scope,
  params: { roundSlug: string; proposalId: string; input: ProposalInput; media?: ProposalMediaChange; now?: Date },
) {
  const now = params.now ?? new Date();
  const { round, phase } = await roundState(db, scope, params.roundSlug, now);
  const proposal = await ownProposal(db, scope, round.id, params.proposalId);
  if (proposal.status !== "submitted" || phase !== "proposals")
    throw new RefusedError<RoundRefusal>("not_editable", null, {}, 409);
  await db.transaction(async (tx) => {
    const [envelope] = await tx
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, params.input.envelopeSlug)));
    if (!envelope) throw new RefusedError<RoundRefusal>("envelope_unknown", "envelopeSlug");
    const themeId = await checkThemeOf(tx, { roundId: round.id, themeId: params.input.themeId ?? null });
    await tx
      .update(proposals)
      .set({
        themeId,
        envelopeId: envelope.id,
        title: params.input.title,
        body: params.input.body,
        cost: params.input.cost,
        districtId: params.input.districtId,
        location: params.input.location,
        updatedAt: now,
      })
      .where(eq(proposals.id, proposal.id));
    if (params.media && (params.media.add.length || params.media.remove?.length))
      await attachMedia(tx, scope, { owner: { kind: "proposal", id: proposal.id }, ...params.media });
  });
}

/** The author withdraws a proposal that is not yet on an open ballot. */
export async function withdrawProposal(
  db: Db,
  scope: Scope,
  params: { roundSlug: string; proposalId: string; now?: Date },
) {
  const now = params.now ?? new Date();
  const { round, frozen } = await roundState(db, scope, params.roundSlug, now);
  const proposal = await ownProposal(db, scope, round.id, params.proposalId);
  if (!["submitted", "accepted"].includes(proposal.status) || frozen)
    throw new RefusedError<RoundRefusal>("not_withdrawable", null, {}, 409);
  // Checked again under the round's rules lock: a proposal on an open ballot stays there (ADR 0018).
  await db.transaction(async (tx) => {
    await lockRoundRules(tx, round.id);
    const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, round.id));
    if (rulesFrozen(phaseRows, dayIn(scope.municipality.timeZone, now)))
      throw new RefusedError<RoundRefusal>("not_withdrawable", null, {}, 409);
    await tx.update(proposals).set({ status: "withdrawn", updatedAt: now }).where(eq(proposals.id, proposal.id));
  });
}
