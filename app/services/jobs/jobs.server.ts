/**
 * A small durable job queue (ADR 0022): rows in `jobs`, claimed with `FOR UPDATE SKIP LOCKED` and a
 * lease, retried with exponential back-off, so work queued in a transaction survives restarts and two
 * workers (processes or hosts) never run one job at once. Generic: `kind` picks the handler.
 */
import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, type Tx, queryRows } from "../../../db/client";
import { jobs } from "../../../db/schema";
import type { PlatformScope } from "../scope";

export interface Job {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
}

/** Runs one job; throwing (or returning `{ retry }`) schedules another attempt. */
export type JobHandler = (db: Db, job: Job) => Promise<undefined | { retry: string }>;

const BACKOFF_BASE_MS = 5_000;
const BACKOFF_MAX_MS = 3_600_000;

/** The wait before attempt `attempts + 1`: 5 s, 10 s, 20 s … at most an hour. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** Queues a job; pass the transaction whose commit the job must follow. */
export async function enqueueJob(
  db: Db | Tx,
  _scope: PlatformScope,
  input: { kind: string; payload: Record<string, unknown>; runAt?: Date },
): Promise<string> {
  const id = randomUUID();
  await db
    .insert(jobs)
    .values({ id, kind: input.kind, payload: input.payload, nextAttemptAt: input.runAt ?? new Date() });
  return id;
}

/**
 * Queues the job named `id` (`round.opens:<round>`) unless a job of that name was ever queued (done or
 * not): several processes may offer the same work, one row takes it. True when this call queued it.
 */
export async function enqueueJobOnce(
  db: Db | Tx,
  _scope: PlatformScope,
  input: { id: string; kind: string; payload: Record<string, unknown>; runAt?: Date },
): Promise<boolean> {
  const rows = await db
    .insert(jobs)
    .values({ id: input.id, kind: input.kind, payload: input.payload, nextAttemptAt: input.runAt ?? new Date() })
    .onConflictDoNothing({ target: jobs.id })
    .returning({ id: jobs.id });
  return rows.length > 0;
}

/**
 * Claims up to `limit` due jobs of the given kinds for `leaseMs`: one short transaction, rows another
 * worker is claiming are skipped, a claimed job is invisible to others until its lease ends.
 */
export async function claimJobs(
  db: Db,
  _scope: PlatformScope,
  input: { kinds: readonly string[]; limit?: number; leaseMs?: number; now?: Date },
): Promise<Job[]> {
  if (!input.kinds.length) return [];
  const now = input.now ?? new Date();
  const until = new Date(now.getTime() + (input.leaseMs ?? 60_000));
  const kinds = sql.join(
    input.kinds.map((k) => sql`${k}`),
    sql`, `,
  );
  const rows = await queryRows<{ id: string; kind: string; payload: Record<string, unknown>; attempts: number }>(
    db,
    sql`update ${jobs} set attempts = attempts + 1, locked_until = ${until.toISOString()}::timestamptz
      where id in (
        select id from ${jobs}
        where done_at is null and kind in (${kinds})
          and next_attempt_at <= ${now.toISOString()}::timestamptz
          and (locked_until is null or locked_until <= ${now.toISOString()}::timestamptz)
        order by next_attempt_at, created_at
        limit ${input.limit ?? 10}
        for update skip locked)
      returning id, kind, payload, attempts`,
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    payload: typeof r.payload === "string" ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
    attempts: Number(r.attempts),
  }));
}

export async function completeJob(db: Db, _scope: PlatformScope, input: { id: string; now?: Date }) {
  await db
    .update(jobs)
    .set({ doneAt: input.now ?? new Date(), lockedUntil: null, lastError: null })
    .where(and(eq(jobs.id, input.id), isNull(jobs.doneAt)));
}

/** Records the failure and schedules the next attempt after the back-off. */
export async function failJob(
  db: Db,
  _scope: PlatformScope,
  input: { id: string; attempts: number; error: string; now?: Date },
) {
  const now = input.now ?? new Date();
  await db
    .update(jobs)
    .set({
      lastError: input.error.slice(0, 2000),
      lockedUntil: null,
      nextAttemptAt: new Date(now.getTime() + backoffMs(input.attempts)),
    })
    .where(and(eq(jobs.id, input.id), isNull(jobs.doneAt)));
}

/** Claims and runs due jobs until none is left (or `limit` ran). Returns how many completed and failed. */
export async function runDueJobs(
  db: Db,
  scope: PlatformScope,
  input: { handlers: Readonly<Record<string, JobHandler>>; limit?: number; now?: () => Date; leaseMs?: number },
): Promise<{ done: number; failed: number }> {
  const now = input.now ?? (() => new Date());
  const kinds = Object.keys(input.handlers);
  let done = 0;
  let failed = 0;
  const limit = input.limit ?? 100;
  while (done + failed < limit) {
    const claimed = await claimJobs(db, scope, { kinds, limit: 1, leaseMs: input.leaseMs, now: now() });
    if (!claimed.length) break;
    for (const job of claimed) {
      let problem: string | null = null;
      try {
        const outcome = await input.handlers[job.kind](db, job);
        if (outcome && "retry" in outcome) problem = outcome.retry;
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem === null) {
        await completeJob(db, scope, { id: job.id, now: now() });
        done += 1;
      } else {
        await failJob(db, scope, { id: job.id, attempts: job.attempts, error: problem, now: now() });
        failed += 1;
      }
    }
  }
  return { done, failed };
}

/** Runs `runDueJobs` every `intervalMs` in the server process until stopped; errors are reported. */
export function startJobWorker(
  db: Db,
  input: { handlers: Readonly<Record<string, JobHandler>>; intervalMs?: number; report?: (error: unknown) => void },
) {
  const scope: PlatformScope = { actor: { kind: "system", name: "job-worker" } };
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = runDueJobs(db, scope, { handlers: input.handlers })
      .catch(input.report ?? console.error)
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, input.intervalMs ?? 5_000);
  timer.unref();
  return {
    /** Runs a pass now (after a checkpoint is queued, so it need not wait for the timer). */
    poke: tick,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
