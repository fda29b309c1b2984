/**
 * Webhooks for phases that begin by their dates (ADR 0040): most phases change at midnight, with
 * nobody pressing a button. The round sweep (every minute, every process) queues `round.phase_changed`
 * for a phase that became current today or yesterday (a server that was down catches up), keyed by
 * round, phase and start day: the same key a staff change of that day uses, so each start is told once.
 */
import { and, eq, gte, inArray, lte } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { municipalities, phases, rounds } from "../../../db/schema";
import { currentPhase, dayIn, sortPhases } from "../../domain/rounds/phases";
import { addDays } from "../../domain/rounds/rules";
import type { PlatformScope } from "../scope";
import { phaseChangeKey, queueWebhookEvent } from "../webhooks/webhooks.server";

/** Queues the phase starts of today and yesterday not told yet; returns how many deliveries it queued. */
export async function offerPhaseEvents(db: Db, _scope: PlatformScope, input: { now?: Date } = {}): Promise<number> {
  const now = input.now ?? new Date();
  const utcDay = now.toISOString().slice(0, 10);
  // Phases that may have begun today or yesterday somewhere (every time zone is within a day of UTC).
  const started = await db
    .selectDistinct({ roundId: phases.roundId })
    .from(phases)
    .where(and(gte(phases.startsOn, addDays(utcDay, -2)), lte(phases.startsOn, addDays(utcDay, 1))));
  if (!started.length) return 0;
  const roundIds = started.map((r) => r.roundId);
  const [roundRows, phaseRows] = await Promise.all([
    db
      .select({
        id: rounds.id,
        slug: rounds.slug,
        municipalityId: municipalities.id,
        municipalitySlug: municipalities.slug,
        timeZone: municipalities.timeZone,
      })
      .from(rounds)
      .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
      .where(inArray(rounds.id, roundIds)),
    db.select().from(phases).where(inArray(phases.roundId, roundIds)),
  ]);
  let queued = 0;
  for (const round of roundRows) {
    const own = sortPhases(phaseRows.filter((p) => p.roundId === round.id));
    const today = dayIn(round.timeZone, now);
    const current = currentPhase(own, today);
    if (!current || current.startsOn < addDays(today, -1)) continue;
    const before = own[own.indexOf(current) - 1] ?? null;
    queued += await queueWebhookEvent(db, {
      municipality: { id: round.municipalityId, slug: round.municipalitySlug },
      event: "round.phase_changed",
      key: phaseChangeKey(round.slug, current.kind, current.startsOn),
      data: { round: round.slug, from: before?.kind ?? null, to: current.kind, at: now.toISOString() },
      now,
    });
  }
  return queued;
}
