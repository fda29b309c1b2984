/**
 * The durable job queue (ADR 0022): jobs queued in a transaction exist only if it commits; two
 * workers claiming at once run each job once (FOR UPDATE SKIP LOCKED); a failure is retried after a
 * back-off; a job whose worker died is claimed again once its lease ends. PGlite and PostgreSQL.
 */
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { jobs } from "../../db/schema";
import { type Job, backoffMs, claimJobs, enqueueJob, runDueJobs } from "../../app/services/jobs/jobs.server";
import type { PlatformScope } from "../../app/services/scope";
import { testDatabase, unique } from "../support/db";

let database: Database;
const scope: PlatformScope = { actor: { kind: "system", name: "test" } };

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(async () => {
  await database.close();
});

describe("the job queue", () => {
  it("keeps a job only when the transaction that queued it commits", async () => {
    const kind = unique("kind");
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueJob(tx, scope, { kind, payload: { n: 1 } });
        throw new Error("roll back");
      }),
    ).rejects.toThrow("roll back");
    expect(await database.db.select().from(jobs).where(eq(jobs.kind, kind))).toEqual([]);
    await database.db.transaction((tx) => enqueueJob(tx, scope, { kind, payload: { n: 2 } }));
    const rows = await database.db.select().from(jobs).where(eq(jobs.kind, kind));
    expect(rows.map((r) => r.payload)).toEqual([{ n: 2 }]);
  });

  it("runs each job exactly once when two workers claim at the same time", async () => {
    const kind = unique("both");
    const ids: string[] = [];
    for (let n = 0; n < 30; n++) ids.push(await enqueueJob(database.db, scope, { kind, payload: { n } }));
    const ran: { worker: string; id: string }[] = [];
    const worker = (name: string) =>
      runDueJobs(database.db, scope, {
        handlers: {
          [kind]: async (_db, job: Job) => {
            ran.push({ worker: name, id: job.id });
            await new Promise((resolve) => setTimeout(resolve, 2));
            return undefined;
          },
        },
      });
    const [a, b] = await Promise.all([worker("a"), worker("b")]);
    expect(a.done + b.done).toBe(30);
    // Both workers took part: the jobs were shared, not run by one while the other waited.
    expect(a.done).toBeGreaterThan(0);
    expect(b.done).toBeGreaterThan(0);
    expect(ran.map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(new Set(ran.map((r) => r.id)).size).toBe(30);
    const rows = await database.db.select().from(jobs).where(inArray(jobs.id, ids));
    expect(rows.every((r) => r.doneAt !== null && r.attempts === 1)).toBe(true);
  });

  it("retries a failed job after its back-off, with the error kept", async () => {
    const kind = unique("flaky");
    const id = await enqueueJob(database.db, scope, { kind, payload: {} });
    const t0 = new Date("2030-01-01T00:00:00Z");
    let calls = 0;
    const handlers = {
      [kind]: async () => {
        calls += 1;
        if (calls === 1) throw new Error("witness unreachable");
        return calls === 2 ? { retry: "one witness still missing" } : undefined;
      },
    };
    expect(await runDueJobs(database.db, scope, { handlers, now: () => t0 })).toEqual({ done: 0, failed: 1 });
    let [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row.lastError).toBe("witness unreachable");
    expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + backoffMs(1));
    // Not due yet.
    const early = new Date(t0.getTime() + backoffMs(1) - 1);
    expect(await runDueJobs(database.db, scope, { handlers, now: () => early })).toEqual({ done: 0, failed: 0 });
    const t1 = new Date(t0.getTime() + backoffMs(1));
    expect(await runDueJobs(database.db, scope, { handlers, now: () => t1 })).toEqual({ done: 0, failed: 1 });
    [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row.lastError).toBe("one witness still missing");
    expect(row.nextAttemptAt.getTime()).toBe(t1.getTime() + backoffMs(2));
    expect(backoffMs(2)).toBe(2 * backoffMs(1));
    const t2 = new Date(t1.getTime() + backoffMs(2));
    expect(await runDueJobs(database.db, scope, { handlers, now: () => t2 })).toEqual({ done: 1, failed: 0 });
    [row] = await database.db.select().from(jobs).where(eq(jobs.id, id));
    expect(row.attempts).toBe(3);
    expect(row.doneAt).not.toBeNull();
    expect(row.lastError).toBeNull();
  });

  it("gives a job whose worker stopped to another worker once the lease ends", async () => {
    const kind = unique("lease");
    const id = await enqueueJob(database.db, scope, { kind, payload: {} });
    const t0 = new Date("2030-02-01T00:00:00Z");
    const first = await claimJobs(database.db, scope, { kinds: [kind], leaseMs: 60_000, now: t0 });
    expect(first.map((j) => j.id)).toEqual([id]);
    // The first worker "died": nobody completes the job.
    const during = await claimJobs(database.db, scope, { kinds: [kind], now: new Date(t0.getTime() + 59_999) });
    expect(during).toEqual([]);
    const after = await claimJobs(database.db, scope, { kinds: [kind], now: new Date(t0.getTime() + 60_000) });
    expect(after.map((j) => [j.id, j.attempts])).toEqual([[id, 2]]);
  });
});
