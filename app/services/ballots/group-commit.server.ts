/**
 * Group commit of casts (ADR 0042). Every cast of a round holds the round's ledger lock until its
 * COMMIT, so casts one per transaction wait for one disk flush each, one after the other. Here the
 * casts of a round that arrive while another batch of that round is committing wait in the process,
 * then run one after the other in one transaction that shares a single commit. Each caller still gets
 * its own answer: a refusal (thrown before its cast wrote anything) fails only that cast; any other
 * error rolls the batch back and every cast of it is tried again alone, so one cast's fault is only
 * its own. A failed COMMIT fails the whole batch: whether it was written is unknown, and retrying
 * could cast twice.
 */
import type { Db, Tx } from "../../../db/client";

type Work<T> = (tx: Tx) => Promise<T>;

interface Waiting {
  work: Work<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Lane {
  waiting: Waiting[];
  running: boolean;
}

/** The most casts one transaction carries (keeps a batch's lock time bounded). */
export const MOST_IN_BATCH = 64;

const lanesOf = new WeakMap<Db, Map<string, Lane>>();

/** How many transactions and casts the group commit ran in this process, for metrics and tests. */
export const groupCommitCounts = { batches: 0, casts: 0, retriedAlone: 0 };

/**
 * Runs `work` in a transaction shared with the other work of the same `lane` (a round) waiting at
 * the same time. `isRefusal` names the errors that `work` throws before writing anything.
 */
export function inSharedTransaction<T>(
  db: Db,
  input: { lane: string; work: Work<T>; isRefusal: (error: unknown) => boolean },
): Promise<T> {
  const { lane, work, isRefusal } = input;
  const lanes = lanesOf.get(db) ?? new Map<string, Lane>();
  lanesOf.set(db, lanes);
  const queued = lanes.get(lane) ?? { waiting: [], running: false };
  lanes.set(lane, queued);
  return new Promise<T>((resolve, reject) => {
    queued.waiting.push({ work: work as Work<unknown>, resolve: resolve as (value: unknown) => void, reject });
    if (!queued.running) void drain(db, lanes, lane, queued, isRefusal);
  });
}

async function drain(
  db: Db,
  lanes: Map<string, Lane>,
  name: string,
  lane: Lane,
  isRefusal: (error: unknown) => boolean,
) {
  lane.running = true;
  try {
    while (lane.waiting.length > 0) await runBatch(db, lane.waiting.splice(0, MOST_IN_BATCH), isRefusal);
  } finally {
    lane.running = false;
    if (lane.waiting.length === 0) lanes.delete(name);
    else void drain(db, lanes, name, lane, isRefusal);
  }
}

async function alone(db: Db, item: Waiting) {
  try {
    item.resolve(await db.transaction((tx) => item.work(tx)));
  } catch (error) {
    item.reject(error);
  }
}

async function runBatch(db: Db, batch: Waiting[], isRefusal: (error: unknown) => boolean) {
  groupCommitCounts.batches++;
  groupCommitCounts.casts += batch.length;
  if (batch.length === 1) return alone(db, batch[0]);
  const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
  let worked = false;
  try {
    await db.transaction(async (tx) => {
      for (const item of batch) {
        try {
          outcomes.push({ ok: true, value: await item.work(tx) });
        } catch (error) {
          if (!isRefusal(error)) throw error;
          outcomes.push({ ok: false, error });
        }
      }
      worked = true;
    });
  } catch (error) {
    if (worked) {
      for (const item of batch) item.reject(error);
      return;
    }
    // Something other than a refusal: nothing of the batch was kept; each cast goes alone.
    groupCommitCounts.retriedAlone += batch.length;
    for (const item of batch) await alone(db, item);
    return;
  }
  batch.forEach((item, i) => {
    const outcome = outcomes[i];
    if (outcome.ok) item.resolve(outcome.value);
    else item.reject(outcome.error);
  });
}
