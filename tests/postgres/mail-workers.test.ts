/**
 * Several processes deliver one outbox on PostgreSQL (ADR 0025): each message is sent exactly once,
 * also when a worker is killed in the middle of a batch and another takes over after the lease.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../db/client";
import { inArray } from "drizzle-orm";
import { outbox } from "../../db/schema";
import { enqueueMessage } from "../../app/services/mail/outbox.server";
import { type TestSmtp, startSmtp } from "../support/mail";
import { testDatabase, unique } from "../support/db";

const run = promisify(execFile);
const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
const worker = path.resolve(__dirname, "../support/mail-worker.ts");
let database: Database;
let smtp: TestSmtp;

beforeAll(async () => {
  database = await testDatabase();
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await database.close();
});

async function queue(n: number, tag: string): Promise<string[]> {
  const addresses = Array.from({ length: n }, (_, i) => `${unique(`${tag}${i}`)}@example.org`);
  for (const toAddress of addresses)
    await enqueueMessage(database.db, {
      kind: "account.reset",
      toAddress,
      payload: { path: "/forgot-password" },
      idempotencyKey: unique(tag),
    });
  return addresses;
}

const receivedBy = (addresses: string[]) => addresses.map((a) => smtp.to(a).length);

describe("mail workers in several processes", () => {
  it("three workers at once send each of 60 messages exactly once", async () => {
    const url = inject("databaseUrl");
    const addresses = await queue(60, "many");
    await Promise.all([1, 2, 3].map(() => run(tsx, [worker, url, smtp.url, "-", "0"])));
    expect(receivedBy(addresses)).toEqual(addresses.map(() => 1));
    const rows = await database.db.select().from(outbox).where(inArray(outbox.toAddress, addresses));
    expect(rows.every((r) => r.status === "sent")).toBe(true);
  });

  it("a worker killed mid-batch: after another takes over, every message was sent exactly once", async () => {
    const url = inject("databaseUrl");
    const addresses = await queue(20, "killed");
    const killed = await run(tsx, [worker, url, smtp.url, "5", "0"]).then(
      () => "exited",
      (error: { signal?: string | null; code?: number }) => error.signal ?? error.code,
    );
    // tsx passes the child's death on as the signal or as its exit status (128 + 9).
    expect(["SIGKILL", 137]).toContain(killed);
    const before = receivedBy(addresses);
    expect(before.filter((n) => n === 1)).toHaveLength(5);
    // The message it had claimed waits for its lease (five minutes): the next worker runs later.
    await run(tsx, [worker, url, smtp.url, "-", String(6 * 60_000)]);
    expect(receivedBy(addresses)).toEqual(addresses.map(() => 1));
  });
});
