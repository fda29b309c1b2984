import { randomUUID } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/client";
import {
  ballots,
  baskets,
  districts,
  type envelopes,
  ledgerLeaves,
  proposals,
  rounds,
  turnout,
  users,
  verifications,
} from "../../db/schema";
import { observer, scopeOf, systemActor, userActor } from "../../app/services/scope";
import { canonicalJson } from "../../app/domain/canonical";
import {
  BallotRefused,
  type CastInput,
  castBallot,
  commitmentOf,
  loadBasket,
  saveBasket,
} from "../../app/services/ballots/ballots.server";
import { groupCommitCounts } from "../../app/services/ballots/group-commit.server";
import { leafHashOf } from "../../app/services/ballots/ledger-store.server";
import { createMunicipality, findMunicipality } from "../../app/services/tenancy/municipality.server";
import { testDatabase, unique } from "../support/db";
import { roundScope } from "../support/scopes";
import { makeEnvelope, makeMunicipality, makeProposal, makeRound } from "../support/factories";

let database: Database;
let roundId: string;
let approval: typeof envelopes.$inferSelect;
let points: typeof envelopes.$inferSelect;
const ids: Record<string, string> = {};
const voter = (identity: string, weight = 1) => ({ identity, weight, district: "north", voterClass: "resident" });

beforeAll(async () => {
  database = await testDatabase();
  const db = database.db;
  const town = await makeMunicipality(db, {
    slug: unique("vote"),
    name: { en: "Vote" },
    admin: { displayName: "A", password: "vote password 1" },
  });
  const round = await makeRound(db, {
    by: town.admin,
    slug: "r",
    title: { en: "R" },
    description: { en: "" },
    spans: [["voting", -1, 3]],
  });
  roundId = round.id;
  const make = (slugE: string, rules: Omit<Parameters<typeof makeEnvelope>[1], "by" | "round" | "slug">) =>
    makeEnvelope(db, { by: town.admin, round, slug: slugE, name: { en: slugE }, amount: 1_000_000, ...rules });
  approval = await make("parks", { ballotType: "approval", minSpendShare: 10 });
  points = await make("green", { ballotType: "cumulative", minPoints: 1, maxPoints: 10 });
  for (const [name, cost, envelope] of [
    ["a", 400_000, approval],
    ["b", 350_000, approval],
    ["c", 500_000, approval],
    ["x", 1, points],
    ["y", 1, points],
  ] as const)
    ids[name] = await makeProposal(db, {
      by: town.admin,
      round,
      envelope,
      title: { en: name },
      body: { en: "" },
      cost,
    });
  // Withdrawn by its author before voting: no service withdraws a proposal once voting is open.
  ids.withdrawn = randomUUID();
  await db.insert(proposals).values({
    id: ids.withdrawn,
    envelopeId: approval.id,
    title: { en: "w" },
    body: { en: "" },
    cost: 1,
    status: "withdrawn",
  });
});
afterAll(() => database.close());

/** A cast by the system (no user), or, given `userId`, by that resident on the vote page. */
const cast = async (
  identity: string,
  envelope: typeof approval,
  body: CastInput["body"],
  { userId, ...extra }: Partial<CastInput> & { userId?: string } = {},
) =>
  castBallot(database.db, await roundScope(database.db, roundId, userId ? userActor({ id: userId }) : undefined), {
    roundId,
    roundSlug: "r",
    envelope,
    voter: voter(identity),
    body,
    channel: "online",
    ...extra,
  });

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof BallotRefused) return { code: error.code, violations: error.violations };
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("casting ballots", () => {
  it("stores a valid ballot with its weight, commitment and ledger leaf, without any user id", async () => {
    const receipt = await cast("person-1", approval, { approved: [ids.b, ids.a] }, { voter: voter("person-1", 2) });
    const [row] = await database.db.select().from(ballots).where(eq(ballots.id, receipt.ballotId));
    expect(row).toMatchObject({ weight: 2, current: true, channel: "online", supersedes: null });
    expect(row.body).toEqual({ approved: [ids.a, ids.b].sort() });
    expect(row.voterKey).not.toContain("person-1");
    expect(row.commitment).toBe(commitmentOf(row.body, Buffer.from(row.nonce, "hex")));
    const [leaf] = await database.db
      .select()
      .from(ledgerLeaves)
      .where(and(eq(ledgerLeaves.roundId, roundId), eq(ledgerLeaves.leafIndex, receipt.leafIndex)));
    expect(JSON.parse(leaf.leaf)).toEqual({
      round: "r",
      seq: receipt.leafIndex,
      ballotId: receipt.ballotId,
      envelope: "parks",
      weight: 2,
      supersedes: null,
      commitment: row.commitment,
    });
    expect(leaf.leaf).toBe(canonicalJson(JSON.parse(leaf.leaf)));
    expect(leaf.leafHash).toBe(receipt.leafHash);
    expect(leafHashOf(leaf.leaf)).toBe(leaf.leafHash);
    expect(Object.keys(row)).not.toContain("userId");
  });

  it("refuses every broken rule with the rule named, and stores nothing", async () => {
    const before = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
    expect(await refusal(cast("p2", approval, { approved: [ids.a, ids.b, ids.c] }))).toEqual({
      code: "invalid_ballot",
      violations: [{ code: "over_budget", total: 1_250_000, amount: 1_000_000 }],
    });
    expect((await refusal(cast("p2", approval, { approved: [ids.x] }))).violations).toEqual([
      { code: "unknown_proposal", proposal: ids.x },
      { code: "under_min_spend", total: 0, minimum: 100_000 },
    ]);
    expect((await refusal(cast("p2", approval, { approved: [ids.withdrawn] }))).violations[0]).toEqual({
      code: "unknown_proposal",
      proposal: ids.withdrawn,
    });
    expect((await refusal(cast("p2", approval, { approved: [ids.a, ids.a] }))).violations[0]).toEqual({
      code: "repeated_proposal",
      proposal: ids.a,
    });
    expect((await refusal(cast("p2", points, { points: { [ids.x]: 11 } }))).violations).toEqual([
      { code: "points_over", total: 11, maximum: 10 },
    ]);
    expect((await refusal(cast("p2", points, { points: { [ids.x]: -1 } }))).violations[0]).toEqual({
      code: "points_negative",
      proposal: ids.x,
    });
    expect((await refusal(cast("p2", points, { approved: [ids.x] }))).violations).toEqual([
      { code: "wrong_body", expected: "points" },
    ]);
    const after = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
    expect(after).toHaveLength(before.length);
  });

  it("lets a voter revote: the new ballot supersedes the old, exactly one counts", async () => {
    const first = await cast("revoter", points, { points: { [ids.x]: 10 } });
    const second = await cast("revoter", points, { points: { [ids.x]: 4, [ids.y]: 6 } });
    expect(second.supersedes).toBe(first.ballotId);
    const rows = await database.db.select().from(ballots).where(eq(ballots.envelopeId, points.id));
    const mine = rows.filter((r) => r.id === first.ballotId || r.id === second.ballotId);
    expect(mine.map((r) => [r.id, r.current])).toEqual(
      expect.arrayContaining([
        [first.ballotId, false],
        [second.ballotId, true],
      ]),
    );
    // The database itself refuses a second current ballot for the same voter key.
    const current = mine.find((r) => r.current);
    await expect(
      database.db
        .insert(ballots)
        .values({ ...(current as typeof ballots.$inferInsert), id: randomUUID(), leafIndex: 9999 }),
    ).rejects.toBeTruthy();
  });

  it("refuses a paper ballot from someone who voted online (and the other way round)", async () => {
    await cast("both-ways", approval, { approved: [ids.a] });
    expect((await refusal(cast("both-ways", approval, { approved: [ids.b] }, { channel: "paper" }))).code).toBe(
      "already_voted_online",
    );
    await cast("paper-first", approval, { approved: [ids.a] }, { channel: "paper" });
    expect((await refusal(cast("paper-first", approval, { approved: [ids.b] }))).code).toBe("already_voted_paper");
  });

  it("refuses ballots outside the voting phase", async () => {
    expect(
      (await refusal(cast("late", approval, { approved: [ids.a] }, { now: new Date(Date.now() + 10 * 86_400_000) })))
        .code,
    ).toBe("not_voting");
  });

  it("refuses a round of another municipality than the scope's, and writes nothing", async () => {
    const slug = unique("elsewhere");
    await createMunicipality(database.db, {
      slug,
      name: { en: "Elsewhere" },
      defaultLocale: "en",
      timeZone: "UTC",
      currency: "EUR",
      admin: { email: `admin@${slug}.example`, displayName: "E", password: "vote password 1" },
    });
    const elsewhere = await findMunicipality(database.db, slug);
    if (!elsewhere) throw new Error("no municipality");
    const before = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
    const input = { roundId, roundSlug: "r", envelope: approval, voter: voter("stranger"), channel: "online" as const };
    expect(
      (
        await refusal(
          castBallot(database.db, scopeOf(elsewhere, systemActor("test")), { ...input, body: { approved: [ids.a] } }),
        )
      ).code,
    ).toBe("not_voting");
    expect(await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId))).toHaveLength(
      before.length,
    );
  });

  it("keeps a draft basket until the ballot is cast, and counts turnout once per voter", async () => {
    const [user] = await database.db
      .insert(users)
      .values({ id: randomUUID(), email: `${unique("basket")}@x.example`, passwordHash: "x", displayName: "B" })
      .returning();
    const scope = await roundScope(database.db, roundId, userActor(user));
    // A resident casting online is verified (the cast reads it again under the ledger lock).
    await database.db
      .insert(districts)
      .values({ id: "north", municipalityId: scope.municipality.id, code: "north", name: { en: "North" } })
      .onConflictDoNothing();
    await database.db.insert(verifications).values({
      id: randomUUID(),
      municipalityId: scope.municipality.id,
      userId: user.id,
      method: "staff",
      identityHash: `basket-${user.id}`,
      birthDate: "1990-01-01",
      districtId: "north",
      voterClass: "resident",
    });
    const summary = await saveBasket(database.db, scope, { envelope: approval, body: { approved: [ids.a] } });
    expect(summary).toMatchObject({ count: 1, totalCost: 400_000 });
    expect(await loadBasket(database.db, scope, { envelopeId: approval.id })).toEqual({ approved: [ids.a] });
    await expect(
      saveBasket(database.db, scope, { envelope: approval, body: { approved: ["nope"] } }),
    ).rejects.toBeInstanceOf(BallotRefused);
    const before = await database.db.select().from(turnout).where(eq(turnout.roundId, roundId));
    const total = (rows: typeof before) => rows.filter((r) => r.channel === "online").reduce((s, r) => s + r.voters, 0);
    await cast(`basket-${user.id}`, approval, { approved: [ids.a] }, { userId: user.id });
    await cast(`basket-${user.id}`, approval, { approved: [ids.b] }, { userId: user.id });
    expect(await loadBasket(database.db, scope, { envelopeId: approval.id })).toBeNull();
    expect(await database.db.select().from(baskets).where(eq(baskets.userId, user.id))).toHaveLength(0);
    const after = await database.db.select().from(turnout).where(eq(turnout.roundId, roundId));
    expect(total(after) - total(before)).toBe(1);
  });

  it("keeps one linear ledger and one current ballot when 100 casts of one voter arrive at once", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => cast("impatient", approval, { approved: [i % 2 ? ids.a : ids.b] })),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const current = await database.db
      .select()
      .from(ballots)
      .where(and(eq(ballots.envelopeId, approval.id), eq(ballots.current, true)));
    const receipts = results.map((r) => (r as PromiseFulfilledResult<{ ballotId: string }>).value.ballotId);
    expect(current.filter((b) => receipts.includes(b.id))).toHaveLength(1);
    const leaves = await database.db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    expect(leaves.map((l) => l.leafIndex)).toEqual(leaves.map((_, i) => i));
    // Each revote names the ballot it supersedes: one chain of 100.
    const mine = await database.db.select().from(ballots).where(eq(ballots.envelopeId, approval.id));
    const chain = mine.filter((b) => receipts.includes(b.id));
    expect(chain.filter((b) => b.supersedes === null)).toHaveLength(1);
    expect(new Set(chain.map((b) => b.supersedes)).size).toBe(100);
  });
});

describe("group commit of casts", () => {
  it("shares one commit among the casts of a round that arrive together, each with its own answer", async () => {
    const before = { ...groupCommitCounts };
    const results = await Promise.allSettled([
      ...Array.from({ length: 40 }, (_, i) => cast(`together-${i}`, approval, { approved: [ids.a] })),
      cast("together-bad", approval, { approved: [ids.a, ids.b, ids.c] }),
    ]);
    const refused = results.pop();
    expect(refused?.status).toBe("rejected");
    expect(((refused as PromiseRejectedResult).reason as BallotRefused).code).toBe("invalid_ballot");
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    const receipts = results.map((r) => (r as PromiseFulfilledResult<{ ballotId: string; leafIndex: number }>).value);
    expect(new Set(receipts.map((r) => r.leafIndex)).size).toBe(40);
    // Casts of one transaction carry its id: far fewer transactions than casts.
    const rows = await queryRows<{ transactions: number; ballots: number }>(
      database.db,
      sql`select count(distinct xmin::text)::int as transactions, count(*)::int as ballots from ${ballots} where id in ${receipts.map((r) => r.ballotId)}`,
    );
    expect(rows[0].ballots).toBe(40);
    expect(rows[0].transactions).toBeLessThan(10);
    expect(groupCommitCounts.batches - before.batches).toBeLessThan(10);
    expect(groupCommitCounts.casts - before.casts).toBe(41);
    const leaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
    expect(leaves.map((l) => l.leafIndex).sort((a, b) => a - b)).toEqual(leaves.map((_, i) => i));
  });

  it("tries every cast of a batch again alone when one fails for another reason than a refusal", async () => {
    const before = { ...groupCommitCounts };
    const leavesBefore = (await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId)))
      .length;
    // A weight the column cannot hold passes the cast's checks and fails in the database.
    const results = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => cast(`retried-${i}`, approval, { approved: [ids.b] })),
      cast("retried-huge", approval, { approved: [ids.b] }, { voter: voter("retried-huge", 2 ** 40) }),
      ...Array.from({ length: 10 }, (_, i) => cast(`retried-late-${i}`, approval, { approved: [ids.b] })),
    ]);
    const failed = results.splice(10, 1)[0];
    expect(failed.status).toBe("rejected");
    expect((failed as PromiseRejectedResult).reason).not.toBeInstanceOf(BallotRefused);
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    expect(groupCommitCounts.retriedAlone).toBeGreaterThan(before.retriedAlone);
    const leaves = await database.db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    expect(leaves).toHaveLength(leavesBefore + 20);
    expect(leaves.map((l) => l.leafIndex)).toEqual(leaves.map((_, i) => i));
  });
});

describe("the ballot ledger", () => {
  it("keeps complete-subtree hashes so that roots and proofs match a reference computed from all leaves", async () => {
    const { hashChildren, verifyConsistency, verifyInclusion } = await import("../../app/domain/ledger/merkle");
    const { ledgerHead, inclusionProof, consistencyProof } = await import(
      "../../app/services/ballots/ledger-store.server"
    );
    const leaves = await database.db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    const hashes = leaves.map((l) => Buffer.from(l.leafHash, "hex"));
    const mth = (list: Buffer[]): Buffer => {
      if (list.length === 1) return list[0];
      let k = 1;
      while (k * 2 < list.length) k *= 2;
      return hashChildren(mth(list.slice(0, k)), mth(list.slice(k)));
    };
    expect(hashes.length).toBeGreaterThan(100);
    const head = await ledgerHead(database.db, { roundId });
    expect(head).toEqual({ size: hashes.length, root: mth(hashes).toString("hex") });
    for (const index of [0, 1, 7, 64, hashes.length - 1]) {
      const proof = (await inclusionProof(database.db, { roundId, index, size: head.size })).map((h) =>
        Buffer.from(h, "hex"),
      );
      expect(verifyInclusion(hashes[index], index, head.size, proof, Buffer.from(head.root, "hex"))).toBe(true);
    }
    const old = await ledgerHead(database.db, { roundId, size: 37 });
    expect(old.root).toBe(mth(hashes.slice(0, 37)).toString("hex"));
    const proof = (await consistencyProof(database.db, { roundId, oldSize: 37, newSize: head.size })).map((h) =>
      Buffer.from(h, "hex"),
    );
    expect(verifyConsistency(37, head.size, Buffer.from(old.root, "hex"), Buffer.from(head.root, "hex"), proof)).toBe(
      true,
    );
  });
});

describe("checkpoints and receipts", () => {
  it("signs the ledger head, and a receipt proves its ballot is in the signed tree", async () => {
    const { maybeCheckpoint, publicCheckpoints, receiptFor } = await import(
      "../../app/services/ballots/checkpoints.server"
    );
    const { verifyCheckpoint } = await import("../../app/domain/ledger/checkpoint");
    const { verifyInclusion } = await import("../../app/domain/ledger/merkle");
    const [roundRow] = await database.db.select().from(rounds).where(eq(rounds.id, roundId));
    const scope = await roundScope(database.db, roundId, observer);
    const first = await maybeCheckpoint(database.db, { roundId, municipalityId: roundRow.municipalityId, force: true });
    expect(first?.treeSize).toBeGreaterThan(100);
    // Nothing new: no new checkpoint. A new ballot: none either (a cast never signs one).
    expect(
      (await maybeCheckpoint(database.db, { roundId, municipalityId: roundRow.municipalityId, force: true }))?.treeSize,
    ).toBe(first?.treeSize);
    const receipt0 = await cast("late-voter", approval, { approved: [ids.a] });
    const published = await publicCheckpoints(database.db, scope, { roundId });
    expect(published.checkpoints).toHaveLength(1);
    for (const c of published.checkpoints) {
      const { signature, ...body } = c;
      expect(verifyCheckpoint(body, signature, published.publicKey)).toBe(true);
    }
    // The new ballot is not covered yet; after the next checkpoint its receipt carries the proof.
    const pending = await receiptFor(database.db, scope, { roundId, ballotId: receipt0.ballotId });
    expect(pending?.checkpoint).toBeNull();
    // Asked in another municipality's scope, the round's ballot has no receipt.
    const slug = unique("other");
    await createMunicipality(database.db, {
      slug,
      name: { en: "Other" },
      defaultLocale: "en",
      timeZone: "UTC",
      currency: "EUR",
      admin: { email: `admin@${slug}.example`, displayName: "O", password: "vote password 1" },
    });
    const other = await findMunicipality(database.db, slug);
    if (!other) throw new Error("no municipality");
    expect(
      await receiptFor(database.db, scopeOf(other, observer), { roundId, ballotId: receipt0.ballotId }),
    ).toBeNull();
    await maybeCheckpoint(database.db, { roundId, municipalityId: roundRow.municipalityId, force: true });
    const receipt = await receiptFor(database.db, scope, { roundId, ballotId: receipt0.ballotId });
    expect(receipt).toMatchObject({
      ballotId: receipt0.ballotId,
      leafIndex: receipt0.leafIndex,
      leafHash: receipt0.leafHash,
      version: 2,
      choices: { approved: [ids.a] },
    });
    // A receipt says nothing about whether its ballot still counts (ADR 0017).
    expect(receipt).not.toHaveProperty("status");
    const cp = receipt?.checkpoint;
    if (!cp || !receipt?.inclusionProof) throw new Error("no checkpoint in the receipt");
    const { signature, ...body } = cp;
    expect(verifyCheckpoint(body, signature, published.publicKey)).toBe(true);
    expect(
      verifyInclusion(
        Buffer.from(receipt.leafHash, "hex"),
        receipt.leafIndex,
        cp.treeSize,
        receipt.inclusionProof.map((h) => Buffer.from(h, "hex")),
        Buffer.from(cp.rootHash, "hex"),
      ),
    ).toBe(true);
    expect(await receiptFor(database.db, scope, { roundId, ballotId: "no-such-ballot" })).toBeNull();
  });
});

describe("shora verify-receipt", () => {
  it("confirms a receipt offline and names the failing check when the receipt is altered", async () => {
    const { spawnSync } = await import("node:child_process");
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { maybeCheckpoint, publicCheckpoints, receiptFor } = await import(
      "../../app/services/ballots/checkpoints.server"
    );
    const [roundRow] = await database.db.select().from(rounds).where(eq(rounds.id, roundId));
    const cast1 = await cast("receipt-holder", approval, { approved: [ids.b] });
    await maybeCheckpoint(database.db, { roundId, municipalityId: roundRow.municipalityId, force: true });
    const scope = await roundScope(database.db, roundId, observer);
    const receipt = await receiptFor(database.db, scope, { roundId, ballotId: cast1.ballotId });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-receipt-"));
    fs.writeFileSync(path.join(dir, "receipt.json"), JSON.stringify(receipt));
    fs.writeFileSync(
      path.join(dir, "checkpoints.json"),
      JSON.stringify(await publicCheckpoints(database.db, scope, { roundId })),
    );
    const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");
    const run = () =>
      spawnSync(
        process.execPath,
        [bin, "verify-receipt", path.join(dir, "receipt.json"), "--checkpoints", path.join(dir, "checkpoints.json")],
        { encoding: "utf8" },
      );
    const ok = run();
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("✓ ballot is in the ledger");
    fs.writeFileSync(
      path.join(dir, "receipt.json"),
      JSON.stringify({ ...receipt, leafIndex: (receipt?.leafIndex ?? 0) + 1 }),
    );
    const altered = run();
    expect(altered.status).toBe(1);
    expect(altered.stdout).toContain(
      "✗ ballot is in the ledger: the inclusion proof does not lead to the checkpoint's root",
    );
    fs.writeFileSync(path.join(dir, "receipt.json"), "{not json");
    expect(run().status).toBe(2);
  });
});

describe("revoked voters", () => {
  it("have their current ballots withdrawn, recorded by a withdrawal leaf in the ledger", async () => {
    const { withdrawBallotsOf } = await import("../../app/services/ballots/ballots.server");
    const { ledgerHead } = await import("../../app/services/ballots/ledger-store.server");
    const { hashChildren } = await import("../../app/domain/ledger/merkle");
    const [roundRow] = await database.db.select().from(rounds).where(eq(rounds.id, roundId));
    const cast1 = await cast("to-be-revoked", approval, { approved: [ids.c] });
    const cast2 = await cast("to-be-revoked", points, { points: { [ids.x]: 3 } });
    const outcome = await database.db.transaction((tx) =>
      withdrawBallotsOf(tx, { municipalityId: roundRow.municipalityId, identityHash: "to-be-revoked", at: new Date() }),
    );
    expect(outcome).toEqual({ withdrawn: 2 });
    const rows = await database.db.select().from(ballots).where(eq(ballots.roundId, roundId));
    expect(rows.filter((b) => b.id === cast1.ballotId || b.id === cast2.ballotId).map((b) => b.current)).toEqual([
      false,
      false,
    ]);
    const leaves = await database.db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    const lastTwo = leaves.slice(-2).map((l) => JSON.parse(l.leaf));
    expect(lastTwo.map((l) => [l.ballotId, l.weight, l.supersedes, l.commitment]).sort()).toEqual(
      [
        [null, 0, cast1.ballotId, null],
        [null, 0, cast2.ballotId, null],
      ].sort(),
    );
    const mth = (list: Buffer[]): Buffer => {
      if (list.length === 1) return list[0];
      let k = 1;
      while (k * 2 < list.length) k *= 2;
      return hashChildren(mth(list.slice(0, k)), mth(list.slice(k)));
    };
    expect((await ledgerHead(database.db, { roundId })).root).toBe(
      mth(leaves.map((l) => Buffer.from(l.leafHash, "hex"))).toString("hex"),
    );
    // Nothing left to withdraw the second time.
    expect(
      await database.db.transaction((tx) =>
        withdrawBallotsOf(tx, {
          municipalityId: roundRow.municipalityId,
          identityHash: "to-be-revoked",
          at: new Date(),
        }),
      ),
    ).toEqual({ withdrawn: 0 });
  });
});
