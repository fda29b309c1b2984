/**
 * Reminders to vote (ADR 0041): "voting is open" and "last 48 hours", to residents eligible in the round
 * who have not voted yet. A sweep run every minute by each server process offers the due ones as named
 * jobs (`round.opens:<round>`), so one process takes each and a crash retries it; the job queues the
 * messages in one transaction, each with an idempotency key per recipient.
 */
import { and, eq, gte } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { municipalities, phases, rounds } from "../../../db/schema";
import { type ReminderKind, remindersDue } from "../../domain/rounds/reminders";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { addDays } from "../../domain/rounds/rules";
import { identitiesWithBallot } from "../ballots/ballots.server";
import { type JobHandler, enqueueJobOnce } from "../jobs/jobs.server";
import { enqueueMessages } from "../mail/outbox.server";
import { offerPhaseEvents } from "./phase-events.server";
import { type PlatformScope, scopeOf, systemActor } from "../scope";
import { eligibleResidents } from "../verification/eligibility.server";

export const REMINDER_JOB = "round.reminders";

/** Offers the reminders due now as jobs; returns how many this call queued (others were offered before). */
export async function offerDueReminders(db: Db, scope: PlatformScope, input: { now?: Date } = {}): Promise<number> {
  const now = input.now ?? new Date();
  // Voting phases that may still be running anywhere (every time zone is within a day of UTC).
  const rows = await db
    .select({
      roundId: phases.roundId,
      kind: phases.kind,
      startsOn: phases.startsOn,
      endsOn: phases.endsOn,
      closedAt: phases.closedAt,
      timeZone: municipalities.timeZone,
    })
    .from(phases)
    .innerJoin(rounds, eq(rounds.id, phases.roundId))
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(and(eq(phases.kind, "voting"), gte(phases.endsOn, addDays(now.toISOString().slice(0, 10), -1))));
  let queued = 0;
  for (const row of rows) {
    for (const which of remindersDue(row, dayIn(row.timeZone, now))) {
      const offered = await enqueueJobOnce(db, scope, {
        id: `round.${which}:${row.roundId}`,
        kind: REMINDER_JOB,
        payload: { roundId: row.roundId, which, at: now.toISOString() },
        runAt: now,
      });
      if (offered) queued += 1;
    }
  }
  return queued;
}

/**
 * Queues one reminder for every resident eligible in the round who has no ballot in it yet, in one
 * transaction; none once voting is over or the round published. Returns how many were queued.
 */
export async function queueRoundReminders(
  db: Db,
  _scope: PlatformScope,
  input: { roundId: string; which: ReminderKind; now?: Date },
): Promise<number> {
  const now = input.now ?? new Date();
  const [found] = await db
    .select({ round: rounds, municipality: municipalities })
    .from(rounds)
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(eq(rounds.id, input.roundId));
  if (!found) return 0;
  const { round, municipality } = found;
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  if (currentPhase(phaseRows, dayIn(municipality.timeZone, now))?.kind !== "voting") return 0;
  const scope = scopeOf(municipality, systemActor("reminders"));
  const residents = await eligibleResidents(db, scope, { roundId: round.id, now });
  const voted = await identitiesWithBallot(db, scope, {
    roundId: round.id,
    identities: residents.map((r) => r.identityHash),
  });
  if (!voted) return 0;
  const kind = `round.${input.which}`;
  const messages = residents
    .filter((r) => !voted.has(r.identityHash))
    .map((r) => ({
      kind,
      userId: r.userId,
      municipalityId: municipality.id,
      payload: { round: round.title, path: `/m/${municipality.slug}/rounds/${round.slug}` },
      idempotencyKey: `${kind}:${round.id}:${r.userId}`,
      now,
    }));
  return db.transaction((tx) => enqueueMessages(tx, { messages }));
}

/** The job handler the server's job worker runs. */
export function reminderJobHandlers(): Record<string, JobHandler> {
  return {
    [REMINDER_JOB]: async (db, job) => {
      const which = job.payload.which === "closing" ? "closing" : "opens";
      const at = typeof job.payload.at === "string" ? new Date(job.payload.at) : new Date();
      await queueRoundReminders(
        db,
        { actor: systemActor("reminders") },
        { roundId: String(job.payload.roundId), which, now: at },
      );
      return undefined;
    },
  };
}

/**
 * The round sweep, every minute until stopped (started by `shora serve`, in every process): offers
 * due reminders, and tells webhooks of phases that began by their dates (ADR 0040).
 */
export function startReminderScheduler(db: Db, input: { poke?: () => void; report?: (error: unknown) => void } = {}) {
  const scope: PlatformScope = { actor: systemActor("reminder-scheduler") };
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = offerDueReminders(db, scope)
      .then((queued) => {
        if (queued) input.poke?.();
      })
      .then(() => offerPhaseEvents(db, scope))
      .catch(input.report ?? console.error);
  };
  const timer = setInterval(tick, 60_000);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
