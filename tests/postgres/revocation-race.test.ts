/**
 * Collected only with TEST_DATABASE_URL (see vitest.config.ts): two app processes cast for one voter
 * while staff revoke the voter's verification in this one (ADR 0016).
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, ledgerLeaves, turnout } from "../../db/schema";
import { voterKey } from "../../app/services/ballots/ballots.server";
import { revokeVerification } from "../../app/services/verification/staff-verification.server";
import { testDatabase } from "../support/db";
import { roundSecretForTests, votingTown } from "../support/secrecy";

const run = promisify(execFile);
let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

describe("two app processes casting while a revocation lands", () => {
  it("leave no current ballot after the withdrawal; turnout counts the person once", async () => {
    const { town, envelope, proposalId, voters, cast } = await votingTown(database.db, 1);
    const [voter] = voters;
    await cast(voter);
    const input = {
      roundId: town.roundId,
      roundSlug: town.roundSlug,
      envelopeId: envelope.id,
      voter: voter.standing,
      body: { approved: [proposalId] },
      channel: "online",
      userId: voter.user.id,
    };
    const worker = path.resolve(__dirname, "../support/revocation-worker.ts");
    const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
    const args = [worker, inject("databaseUrl"), JSON.stringify({ cast: input, count: 20 })];
    const workers = [run(tsx, args), run(tsx, args)];
    // Revoke once the workers' casts have begun to land.
    const landed = async () =>
      (await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId))).length;
    while ((await landed()) < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    await revokeVerification(database.db, town.staff as never, {
      verificationId: voter.verificationId,
      reason: "moved",
    });
    const outcomes = (await Promise.all(workers)).flatMap(
      (w) => JSON.parse(w.stdout) as ({ leafIndex: number } | { refused: string })[],
    );
    expect(outcomes).toHaveLength(40);
    for (const o of outcomes) if ("refused" in o) expect(o.refused).toBe("not_eligible");
    const key = voterKey((await roundSecretForTests(database.db, town.roundId)) as string, voter.standing.identity);
    const mine = await database.db.select().from(ballots).where(eq(ballots.voterKey, key));
    expect(mine.filter((b) => b.current)).toEqual([]);
    const leaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId));
    const withdrawal = leaves.find((l) => JSON.parse(l.leaf).ballotId === null);
    expect(withdrawal).toBeDefined();
    for (const o of outcomes) if ("leafIndex" in o) expect(o.leafIndex).toBeLessThan(withdrawal?.leafIndex ?? -1);
    const rows = await database.db.select().from(turnout).where(eq(turnout.roundId, town.roundId));
    expect(rows.reduce((s, r) => s + r.voters, 0)).toBe(1);
  });
});
