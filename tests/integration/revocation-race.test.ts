/**
 * Casts racing a revocation (ADR 0016): the cast re-reads the voter's verification under the round's
 * ledger lock, which revocation takes too, so every cast is either before the withdrawal (and
 * withdrawn) or refused; turnout counts the person once.
 */
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/client";
import { ballots, ledgerLeaves, turnout } from "../../db/schema";
import { type BallotRefused, voterKey } from "../../app/services/ballots/ballots.server";
import { revokeVerification } from "../../app/services/verification/staff-verification.server";
import { testDatabase } from "../support/db";
import { roundSecretForTests, votingTown } from "../support/secrecy";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

describe("a revoked voter's casts", () => {
  it("never leave a current ballot after the withdrawal, and turnout counts each person once", async () => {
    const { town, voters, cast } = await votingTown(database.db, 2);
    const [revoked, other] = voters;
    await cast(other);
    await cast(revoked); // voted before: this ballot must be withdrawn
    // Twelve casts at once with the standing read before the revocation, which lands in the middle.
    const casts = Array.from({ length: 12 }, () => cast(revoked));
    const revocation = revokeVerification(database.db, town.staff as never, {
      verificationId: revoked.verificationId,
      reason: "moved away",
    });
    const more = Array.from({ length: 12 }, () => cast(revoked));
    const settled = await Promise.allSettled([...casts, revocation, ...more]);
    // And one more after it, as a vote page loaded before the revocation would send it.
    settled.push(...(await Promise.allSettled([cast(revoked)])));
    expect(settled[12].status).toBe("fulfilled");
    const outcomes = settled.filter((_, i) => i !== 12);
    const refused = outcomes.filter((o) => o.status === "rejected");
    for (const r of refused)
      expect(
        ((r as PromiseRejectedResult).reason as BallotRefused).code,
        String((r as PromiseRejectedResult).reason),
      ).toBe("not_eligible");
    expect(refused.length).toBeGreaterThan(0);
    const acknowledged = outcomes
      .filter((o) => o.status === "fulfilled")
      .map((o) => (o as PromiseFulfilledResult<{ ballotId: string; leafIndex: number }>).value);

    const key = voterKey((await roundSecretForTests(database.db, town.roundId)) as string, revoked.standing.identity);
    const mine = await database.db.select().from(ballots).where(eq(ballots.voterKey, key));
    expect(mine.filter((b) => b.current)).toEqual([]);
    const leaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId));
    const withdrawals = leaves
      .map((l) => ({ index: l.leafIndex, leaf: JSON.parse(l.leaf) }))
      .filter((l) => l.leaf.ballotId === null);
    expect(withdrawals).toHaveLength(1);
    const [withdrawal] = withdrawals;
    // Every acknowledged cast came before the withdrawal; the last of them is the one it withdrew.
    for (const a of acknowledged) expect(a.leafIndex).toBeLessThan(withdrawal.index);
    const lastBefore = mine.filter((b) => b.leafIndex < withdrawal.index).sort((a, b) => b.leafIndex - a.leafIndex)[0];
    expect(withdrawal.leaf.supersedes).toBe(lastBefore.id);
    expect(mine.every((b) => b.leafIndex < withdrawal.index)).toBe(true);

    // Turnout: one per person who cast in the round, whatever happened to their ballots.
    const rows = await database.db.select().from(turnout).where(eq(turnout.roundId, town.roundId));
    const [{ people }] = await queryRows<{ people: number }>(
      database.db,
      sql`select count(distinct voter_key)::int as people from ballots where round_id = ${town.roundId}`,
    );
    expect(people).toBe(2);
    expect(rows.reduce((s, r) => s + r.voters, 0)).toBe(people);
  });
});
