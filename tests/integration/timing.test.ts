/**
 * Timing must not link a person to a ballot (ADR 0016): checkpoints are signed on a schedule, never by
 * a cast; stored cast times are kept to the hour, and to the day once the round is published.
 */
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, checkpoints, ledgerLeaves } from "../../db/schema";
import { dayIn } from "../../app/domain/rounds/phases";
import { signDueCheckpoints } from "../../app/services/ballots/checkpoints.server";
import { publishRound } from "../../app/services/tally/publish.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { testDatabase } from "../support/db";
import { votedRound, votingTown } from "../support/secrecy";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const HOUR = 3_600_000;
/** Today (UTC) at 10:34:56.789: inside the voting phase, never on the hour. */
const at = (minutes = 0) => new Date(Date.parse(`${dayIn("UTC")}T10:34:56.789Z`) + minutes * 60_000);

async function checkpointCount(roundId: string) {
  const [{ n }] = await database.db.select({ n: count() }).from(checkpoints).where(eq(checkpoints.roundId, roundId));
  return n;
}

describe("checkpoints", () => {
  it("are never signed by a cast", async () => {
    const { town, voters, cast } = await votingTown(database.db, 3);
    for (const voter of voters) await cast(voter, at());
    await cast(voters[0], at(30));
    const [{ n }] = await database.db
      .select({ n: count() })
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, town.roundId));
    expect(n).toBe(4);
    expect(await checkpointCount(town.roundId)).toBe(0);
  });

  it("are signed on the schedule: only after N minutes and at least k new ballots, once per size", async () => {
    process.env.SHORA_CHECKPOINT_BALLOTS = "3";
    try {
      const { town, voters, cast } = await votingTown(database.db, 2);
      const due = (minutes: number) =>
        signDueCheckpoints(database.db, { now: at(minutes), municipalityId: town.municipality.id });
      await cast(voters[0], at());
      await cast(voters[0], at()); // a revote is a ledger leaf too
      expect(await due(0)).toEqual([]); // 2 < k
      await cast(voters[1], at());
      expect(await due(0)).toEqual([town.roundId]); // no checkpoint yet, k reached
      for (let i = 0; i < 3; i++) await cast(voters[i % 2], at(1));
      expect(await due(5)).toEqual([]); // k reached but only 5 minutes since the last
      // Two hosts' schedulers at once: one checkpoint for the size.
      const both = await Promise.all([due(10), due(10)]);
      expect(both.flat()).toEqual([town.roundId]);
      expect(await due(60)).toEqual([]); // nothing new
      await cast(voters[0], at(61));
      await cast(voters[1], at(61));
      expect(await due(120)).toEqual([]); // 2 < k
      const rows = await database.db.select().from(checkpoints).where(eq(checkpoints.roundId, town.roundId));
      expect(rows.map((r) => r.treeSize).sort()).toEqual([3, 6]);
      expect(rows.map((r) => r.signedAt.getTime()).sort()).toEqual([at(0).getTime(), at(10).getTime()]);
    } finally {
      delete process.env.SHORA_CHECKPOINT_BALLOTS;
    }
  });
});

describe("the closing checkpoint", () => {
  it("is signed by the schedule once voting has closed, whatever the number of new ballots", async () => {
    const voted = await votedRound(database.db, ["q1", "q2"]);
    expect(await checkpointCount(voted.roundId)).toBe(0);
    const only = { municipalityId: voted.municipalityId };
    expect(await signDueCheckpoints(database.db, { now: new Date(), ...only })).toEqual([voted.roundId]);
    expect(await signDueCheckpoints(database.db, { now: new Date(), ...only })).toEqual([]);
    const [row] = await database.db.select().from(checkpoints).where(eq(checkpoints.roundId, voted.roundId));
    expect(row.treeSize).toBe(2);
  });
});

describe("stored cast times", () => {
  it("are on the hour while voting, and on the day once published", async () => {
    const { town, voters, cast } = await votingTown(database.db, 2);
    await cast(voters[0], at());
    await cast(voters[1], at(7));
    const rows = await database.db.select().from(ballots).where(eq(ballots.roundId, town.roundId));
    const leaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId));
    expect([...rows.map((r) => r.castAt.getTime()), ...leaves.map((l) => l.createdAt.getTime())]).toEqual(
      Array(4).fill(Math.floor(at().getTime() / HOUR) * HOUR),
    );

    const voted = await votedRound(database.db, ["p1", "p2", "p3"]);
    const before = await database.db.select().from(ballots).where(eq(ballots.roundId, voted.roundId));
    expect(before.every((b) => b.castAt.getTime() % HOUR === 0)).toBe(true);
    await runRoundTally(database.db, voted.scope, { roundSlug: "r" });
    await publishRound(database.db, voted.access, { roundSlug: "r" });
    const after = await database.db.select().from(ballots).where(eq(ballots.roundId, voted.roundId));
    const afterLeaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, voted.roundId));
    const times = [...after.map((b) => b.castAt), ...afterLeaves.map((l) => l.createdAt)];
    expect(times).toHaveLength(6);
    for (const t of times) expect(t.toISOString()).toMatch(/T00:00:00\.000Z$/);
  });
});
