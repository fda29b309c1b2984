/**
 * Ballot secrecy against someone who can read the PostgreSQL server's files (table files and WAL) and
 * the key store: after publication the round's voter-key secret is in none of them (ADR 0016). Runs
 * only against a local server (TEST_DATABASE_URL) whose data directory this process can read.
 */
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { queryRows } from "../../db/client";
import { publishRound } from "../../app/services/tally/publish.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { testDatabase, testKeyStore } from "../support/db";
import { encodingsOf, filesContaining, roundSecretForTests, votedRound } from "../support/secrecy";

const keyStore = testKeyStore();
const voters = Array.from({ length: 12 }, (_, i) => `identity-hash-of-person-${i}`);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the voter-key secret after publication", () => {
  it("is in no file of the PostgreSQL data directory (WAL included) nor of the key store", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const { roundId, access, scope } = await votedRound(database.db, voters);
    const secret = await roundSecretForTests(database.db, roundId);
    expect(secret).toBeTruthy();
    await runRoundTally(database.db, scope, { roundSlug: "r" });
    await publishRound(database.db, access, { roundSlug: "r" });
    // Everything written so far reaches the files (the test server runs locally; the tests run as root).
    await database.db.execute(sql`checkpoint`);
    const [{ data_directory }] = await queryRows<{ data_directory: string }>(database.db, sql`show data_directory`);
    const scan = filesContaining([data_directory, keyStore], encodingsOf(secret as string));
    expect(scan.files).toBeGreaterThan(100);
    expect(scan.found).toEqual([]);
  });
});
