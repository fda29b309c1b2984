import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../db/client";
import { envelopes, phases, proposals, rounds } from "../../db/schema";
import { currentPhase, dayIn, sortPhases } from "../domain/rounds/phases";

export async function roundsOf(db: Db, municipalityId: string, timeZone: string, now = new Date()) {
  const roundRows = await db.select().from(rounds).where(eq(rounds.municipalityId, municipalityId)).orderBy(asc(rounds.createdAt));
  if (roundRows.length === 0) return [];
  const phaseRows = await db.select().from(phases).where(inArray(phases.roundId, roundRows.map((r) => r.id)));
  const today = dayIn(timeZone, now);
  return roundRows.map((round) => {
    const own = sortPhases(phaseRows.filter((p) => p.roundId === round.id));
    return { ...round, phases: own, currentPhase: currentPhase(own, today)?.kind ?? null };
  });
}

/** A round with its phases, envelopes and the proposals visible to the public (not submitted/rejected/withdrawn). */
export async function publicRound(db: Db, municipalityId: string, slug: string, timeZone: string, now = new Date()) {
  const [round] = await db.select().from(rounds).where(and(eq(rounds.municipalityId, municipalityId), eq(rounds.slug, slug)));
  if (!round) return null;
  const [phaseRows, envelopeRows] = await Promise.all([
    db.select().from(phases).where(eq(phases.roundId, round.id)),
    db.select().from(envelopes).where(eq(envelopes.roundId, round.id)).orderBy(asc(envelopes.slug)),
  ]);
  const proposalRows = envelopeRows.length
    ? await db
        .select()
        .from(proposals)
        .where(
          and(
            inArray(proposals.envelopeId, envelopeRows.map((e) => e.id)),
            inArray(proposals.status, ["accepted", "selected", "funded"]),
          ),
        )
        .orderBy(asc(proposals.createdAt))
    : [];
  const sorted = sortPhases(phaseRows);
  return {
    round,
    phases: sorted,
    currentPhase: currentPhase(sorted, dayIn(timeZone, now))?.kind ?? null,
    envelopes: envelopeRows.map((e) => ({ ...e, proposals: proposalRows.filter((p) => p.envelopeId === e.id) })),
  };
}
