/**
 * Voter receipts against real published bundles (ADR 0017): `shora verify-receipt` follows the
 * ballot's chain (revotes, withdrawal) and checks that the published opening is the receipt's
 * choices; the public receipt check says nothing about a ballot's standing until publication.
 */
import { createPrivateKey, sign as edSign, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, type envelopes, ledgerLeaves, ledgerNodes, users, verifications } from "../../db/schema";
import { writeBundle } from "../../app/cli/bundle-files";
import { main } from "../../app/cli/main";
import { canonicalJson } from "../../app/domain/canonical";
import { sha256Hex } from "../../app/domain/bundle/format";
import { leafHashOf, loadNodes } from "../../app/services/ballots/ledger-store.server";
import { nodesCompletedByAppend, planAppend } from "../../app/domain/ledger/merkle";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import * as receiptJson from "../../app/routes/m.$slug.rounds.$round.receipt[.json]";
import * as receiptPage from "../../app/routes/m.$slug.rounds.$round.receipt";
import { castBallot, commitmentOf } from "../../app/services/ballots/ballots.server";
import { maybeCheckpoint, privateKeyOf, signingKey } from "../../app/services/ballots/checkpoints.server";
import { roundBundle } from "../../app/services/tally/bundle.server";
import type { Municipality } from "../../app/services/tenancy/municipality.server";
import { publishRound } from "../../app/services/tally/publish.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { revokeVerification } from "../../app/services/verification/staff-verification.server";
import { TestBrowser, call } from "../support/requests";
import { type Member, makeEnvelope, makeMunicipality, makeProposal, makeRound as roundAt } from "../support/factories";
import { testDatabase, unique } from "../support/db";
import { observer, scopeOf, userActor } from "../../app/services/scope";
import { roundScope } from "../support/scopes";

let database: Database;
let municipality: Municipality;
let staff: Member;
let districtId: string;
const today = dayIn("UTC");
const hour = 3_600_000;

interface TestRound {
  id: string;
  slug: string;
  envelope: typeof envelopes.$inferSelect;
  p: string[];
}

beforeAll(async () => {
  database = await testDatabase();
  const town = await makeMunicipality(database.db, {
    slug: unique("receipts"),
    name: { en: "Receipt town" },
    admin: { displayName: "Ada", password: "receipt password 1" },
    districts: [{ code: "all", name: { en: "All" } }],
  });
  municipality = town.municipality;
  staff = town.admin;
  districtId = town.districts.all;
});
afterAll(() => database.close());

/** A round whose voting runs over `voting` days from today (the tallying phase follows it). */
async function makeRound(voting: [number, number]): Promise<TestRound> {
  const round = await roundAt(database.db, {
    by: staff,
    slug: unique("r"),
    title: { en: "R" },
    description: { en: "" },
    spans: [
      ["voting", voting[0], voting[1]],
      ["tallying", voting[1] + 1, voting[1] + 5],
    ],
  });
  const envelope = await makeEnvelope(database.db, {
    by: staff,
    round,
    slug: "all",
    name: { en: "All" },
    amount: 1000,
    ballotType: "approval",
    tallyRule: "greedy",
  });
  const p: string[] = [];
  for (const cost of [300, 300, 300, 300])
    p.push(
      await makeProposal(database.db, {
        by: staff,
        round,
        envelope,
        title: { en: `P${p.length + 1}` },
        body: { en: "" },
        cost,
      }),
    );
  return { id: round.id, slug: round.slug, envelope, p };
}

const cast = async (round: TestRound, identity: string, approved: string[], now: Date) =>
  castBallot(database.db, await roundScope(database.db, round.id), {
    roundId: round.id,
    roundSlug: round.slug,
    envelope: round.envelope,
    voter: { identity, weight: 1, district: "all", voterClass: "resident" },
    body: { approved },
    channel: "online",
    now,
  });

const checkpoint = (round: TestRound, now: Date) =>
  maybeCheckpoint(database.db, { roundId: round.id, municipalityId: municipality.id, now, force: true });

/** The receipt as the voter downloads it from the public receipt.json address. */
async function download(round: TestRound, ballotId: string) {
  const browser = new TestBrowser(database.db);
  const response = await call(
    receiptJson.loader,
    browser,
    browser.get(`/m/${municipality.slug}/rounds/${round.slug}/receipt.json?ballot=${ballotId}`),
    { slug: municipality.slug, round: round.slug },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** What the public receipt check page is given for a ballot id. */
async function page(round: TestRound, ballotId: string) {
  const browser = new TestBrowser(database.db);
  const response = await call(
    receiptPage.loader,
    browser,
    browser.get(`/m/${municipality.slug}/rounds/${round.slug}/receipt?ballot=${ballotId}`),
    { slug: municipality.slug, round: round.slug },
  );
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** A verified resident whose identity hash is `identity` (what ballots are keyed by). */
async function verified(identity: string, at: Date) {
  const userId = randomUUID();
  await database.db
    .insert(users)
    .values({ id: userId, email: `${identity}@receipts.example`, passwordHash: "x", displayName: identity });
  const id = randomUUID();
  await database.db.insert(verifications).values({
    id,
    municipalityId: municipality.id,
    userId,
    method: "census",
    identityHash: identity,
    birthDate: "1980-01-01",
    districtId,
    voterClass: "resident",
    verifiedAt: at,
  });
  return id;
}

/**
 * A revote forged by a database administrator: a ballot row with the victim's voter key, its ledger
 * leaf superseding the victim's ballot and the tree nodes it completes — what a cast writes, without
 * the voter. The server signs it into the next checkpoint like any other leaf.
 */
async function forgeRevote(round: TestRound, victimId: string, approved: string[]) {
  await database.db.transaction(async (tx) => {
    const [victim] = await tx.select().from(ballots).where(eq(ballots.id, victimId));
    const [{ n }] = await tx.select({ n: count() }).from(ledgerLeaves).where(eq(ledgerLeaves.roundId, round.id));
    const ballotId = randomBytes(16).toString("hex");
    const nonce = randomBytes(32);
    const body = { approved };
    const commitment = commitmentOf(body, nonce);
    const leaf = canonicalJson({
      round: round.slug,
      seq: n,
      ballotId,
      envelope: round.envelope.slug,
      weight: victim.weight,
      supersedes: victim.id,
      commitment,
    });
    const leafHash = leafHashOf(leaf);
    const nodes = nodesCompletedByAppend(
      n,
      Buffer.from(leafHash, "hex"),
      await loadNodes(tx as never, { roundId: round.id, needed: planAppend(n) }),
    );
    await tx.update(ballots).set({ current: false }).where(eq(ballots.id, victim.id));
    await tx.insert(ledgerLeaves).values({ roundId: round.id, leafIndex: n, leaf, leafHash });
    await tx
      .insert(ledgerNodes)
      .values(nodes.map((x) => ({ roundId: round.id, level: x.level, index: x.index, hash: x.hash.toString("hex") })));
    await tx.insert(ballots).values({
      id: ballotId,
      roundId: round.id,
      envelopeId: victim.envelopeId,
      voterKey: victim.voterKey,
      weight: victim.weight,
      body,
      nonce: nonce.toString("hex"),
      commitment,
      channel: "online",
      supersedes: victim.id,
      current: true,
      leafIndex: n,
      castAt: victim.castAt,
    });
  });
}

function cli(args: string[]) {
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), err: (t: string) => out.push(t) };
  return main(args, io).then((code) => ({ code, out: out.join("") }));
}

describe("shora verify-receipt against a published bundle", () => {
  let round: TestRound;
  let dir: string;
  const receipts: Record<string, Record<string, unknown>> = {};
  const ids: Record<string, string> = {};
  const file = (name: string) => path.join(dir, `${name}.json`);

  beforeAll(async () => {
    // Voting ran from 5 days ago to yesterday; the round is tallied and published today.
    round = await makeRound([-5, -1]);
    const day = new Date(`${addDays(today, -3)}T09:00:00Z`);
    const at = (h: number) => new Date(day.getTime() + h * hour);
    const [a, b, c, d] = round.p;
    const withdrawnVerification = await verified(unique("withdrawn"), at(-48));
    const [withdrawnIdentity] = await database.db
      .select({ identity: verifications.identityHash })
      .from(verifications)
      .where(eq(verifications.id, withdrawnVerification));
    ids.honest = (await cast(round, unique("honest"), [a, b], at(0))).ballotId;
    ids.withdrawn = (await cast(round, withdrawnIdentity.identity, [c], at(0))).ballotId;
    ids.victim = (await cast(round, unique("victim"), [a, d], at(0))).ballotId;
    const revoter = unique("revoter");
    ids.first = (await cast(round, revoter, [b], at(0))).ballotId;
    await checkpoint(round, at(1));
    // Each voter downloads the receipt once a checkpoint covers the ballot.
    for (const name of ["honest", "withdrawn", "victim", "first"]) receipts[name] = await download(round, ids[name]);
    // The revoter votes again and keeps the new receipt too.
    ids.second = (await cast(round, revoter, [c, d], at(2))).ballotId;
    await checkpoint(round, at(3));
    receipts.second = await download(round, ids.second);
    // Staff revoke a verification during voting: that voter's ballot is withdrawn.
    await revokeVerification(database.db, staff, {
      verificationId: withdrawnVerification,
      reason: "Registered twice",
      now: at(4),
    });
    // A database administrator replaces the victim's ballot with one of their own choosing.
    await forgeRevote(round, ids.victim, [b, c]);
    await checkpoint(round, at(5));
    // Counted and published by the server as usual.
    await runRoundTally(database.db, scopeOf(staff.municipality, userActor(staff.user)), { roundSlug: round.slug });
    await publishRound(database.db, staff, { roundSlug: round.slug });
    const bundle = await roundBundle(database.db, scopeOf(municipality, observer), { roundSlug: round.slug });
    if (!bundle) throw new Error("no bundle");
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-receipts-"));
    writeBundle(bundle.files, path.join(dir, "bundle"));
    for (const [name, receipt] of Object.entries(receipts)) fs.writeFileSync(file(name), JSON.stringify(receipt));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const verify = (name: string, bundle = "bundle") => cli(["verify-receipt", path.join(dir, bundle), file(name)]);

  /** A copy of the bundle with ballots.jsonl changed, SHA256SUMS re-signed with the municipality's key. */
  async function altered(name: string, change: (jsonl: string) => string) {
    const copy = path.join(dir, name);
    fs.cpSync(path.join(dir, "bundle"), copy, { recursive: true });
    const file = path.join(copy, "ballots.jsonl");
    const before = fs.readFileSync(file, "utf8");
    const after = change(before);
    expect(after).not.toBe(before);
    fs.writeFileSync(file, after);
    const names = fs.readdirSync(copy).filter((n) => !n.startsWith("SHA256SUMS"));
    const sums = names
      .sort()
      .map((n) => `${sha256Hex(fs.readFileSync(path.join(copy, n)))}  ${n}\n`)
      .join("");
    const key = privateKeyOf(await signingKey(database.db, municipality.id));
    fs.writeFileSync(path.join(copy, "SHA256SUMS"), sums);
    fs.writeFileSync(
      path.join(copy, "SHA256SUMS.sig"),
      `${edSign(null, Buffer.from(sums), createPrivateKey(key)).toString("base64")}\n`,
    );
  }
  const lineOf = (jsonl: string, ballotId: string) =>
    jsonl.split("\n").find((l) => l.includes(`"ballotId":"${ballotId}"`)) ?? "";

  it("passes an honest ballot: counted, and the bundle opens it to the receipt's choices", async () => {
    expect(receipts.honest).toMatchObject({ version: 2, choices: { approved: [...round.p.slice(0, 2)].sort() } });
    const { code, out } = await verify("honest");
    expect(out).toContain("✓ published opening is your choices");
    expect(out).toContain("✓ ballot was counted");
    expect(code).toBe(0);
  });

  it("fails for a ballot withdrawn when staff revoked the verification during voting", async () => {
    const { code, out } = await verify("withdrawn");
    expect(out).not.toContain("✓ ballot was counted");
    expect(out).toMatch(/✗ ballot was counted: no: it was withdrawn at leaf \d+/);
    expect(code).toBe(1);
    // The published bundle does not open withdrawn ballots (ADR 0018): the check needs no opening.
    const published = fs.readFileSync(path.join(dir, "bundle", "ballots.jsonl"), "utf8");
    expect(lineOf(published, ids.withdrawn)).toContain('"opening":null');
    expect(out).toContain("✓ bundle files are signed");
  });

  it("fails for a ballot a database administrator replaced by a forged revote", async () => {
    const { code, out } = await verify("victim");
    expect(out).not.toContain("✓ ballot was counted");
    expect(out).toMatch(/✗ ballot was counted: no: ballot [0-9a-f]{32} \(leaf \d+\) replaced it.*other choices/);
    expect(code).not.toBe(0);
    expect(code).not.toBe(2);
  });

  it("says an own revote's older receipt was superseded (non-zero), and passes the latest receipt", async () => {
    const old = await verify("first");
    expect(old.out).not.toContain("✓ ballot was counted");
    expect(old.out).toContain(`✗ ballot was counted: no: ballot ${ids.second}`);
    expect(old.code).toBe(3);
    const latest = await verify("second");
    expect(latest.out).toContain("✓ ballot was counted");
    expect(latest.code).toBe(0);
  });

  it("fails when the bundle opens the ballot to other choices than the receipt's, even re-signed", async () => {
    const [a, b, , d] = round.p;
    const original = `{"approved":${JSON.stringify([a, b].sort())}}`;
    // Whoever holds the signing key re-signs SHA256SUMS over the changed file.
    await altered("tampered", (jsonl) => {
      const line = lineOf(jsonl, ids.honest);
      expect(line).toContain(original);
      return jsonl.replace(line, line.replace(original, `{"approved":${JSON.stringify([a, d].sort())}}`));
    });
    const { code, out } = await verify("honest", "tampered");
    expect(out).toContain("✓ bundle files are signed");
    expect(out).toContain("✗ published opening is your choices");
    expect(code).toBe(1);
  });

  it("keeps version 1 receipts working: counted for the current ballot, never for a withdrawn or replaced one", async () => {
    const v1 = (r: Record<string, unknown>, status: string) => ({
      version: 1,
      roundFingerprint: r.roundFingerprint,
      ballotId: r.ballotId,
      leafIndex: r.leafIndex,
      leafHash: r.leafHash,
      checkpoint: r.checkpoint,
      inclusionProof: r.inclusionProof,
      status,
    });
    for (const name of ["honest", "withdrawn", "victim", "first"])
      fs.writeFileSync(file(`v1-${name}`), JSON.stringify(v1(receipts[name], "current")));
    const honest = await verify("v1-honest");
    expect(honest.out).toContain("✓ ballot was counted: it is the voter's current ballot: it was counted");
    expect(honest.code).toBe(0);
    for (const name of ["withdrawn", "victim", "first"]) {
      const { code, out } = await verify(`v1-${name}`);
      expect(out).not.toContain("✓ ballot was counted");
      expect(code).not.toBe(0);
    }
  });
});

describe("the public receipt check", () => {
  it("during voting never tells whether a ballot still counts; after publication it does", async () => {
    // Voting opened yesterday and lasts until tomorrow.
    const round = await makeRound([-1, 1]);
    const now = new Date();
    const [a, b] = round.p;
    const voter = unique("sold");
    const sold = (await cast(round, voter, [a], now)).ballotId;
    const other = (await cast(round, unique("other"), [a], now)).ballotId;
    await checkpoint(round, now);
    // The voter revotes after showing the ballot id to a buyer.
    const revote = (await cast(round, voter, [b], new Date(now.getTime() + 1000))).ballotId;
    // The buyer's view of the replaced ballot and of a ballot that still counts: the same but for ids and places.
    const mask = (value: unknown) =>
      JSON.stringify(value)
        .replaceAll(sold, "ID")
        .replaceAll(other, "ID")
        .replace(/"leafIndex":\d+/g, '"leafIndex":N');
    const [soldPage, otherPage] = [await page(round, sold), await page(round, other)];
    expect(mask(soldPage)).toBe(mask(otherPage));
    expect(soldPage).toMatchObject({ published: false, fate: null });
    const [soldJson, otherJson] = [await download(round, sold), await download(round, other)];
    expect(Object.keys(soldJson).sort()).toEqual(Object.keys(otherJson).sort());
    expect(JSON.stringify(soldJson)).not.toMatch(/status|current|superseded|withdrawn/);
    expect(soldJson.checkpoint).toEqual(otherJson.checkpoint);
    // The page shows the downloadable receipt's place and checkpoint; none yet for the revote.
    const covering = soldJson.checkpoint as { treeSize: number; signedAt: string };
    expect(soldPage.receipt).toEqual({
      ballotId: sold,
      leafIndex: soldJson.leafIndex,
      checkpoint: { treeSize: covering.treeSize, signedAt: covering.signedAt },
    });
    expect((await page(round, revote)).receipt).toMatchObject({ ballotId: revote, checkpoint: null });
  });

  it("after publication shows what became of each ballot, and never opens a withdrawn one", async () => {
    const round = await makeRound([-5, -1]);
    const day = new Date(`${addDays(today, -3)}T09:00:00Z`);
    const [a, b] = round.p;
    const revoter = unique("revoter");
    const first = (await cast(round, revoter, [a], day)).ballotId;
    const second = (await cast(round, revoter, [b], new Date(day.getTime() + hour))).ballotId;
    const verification = await verified(unique("revoked"), day);
    const [row] = await database.db.select().from(verifications).where(eq(verifications.id, verification));
    const withdrawn = (await cast(round, row.identityHash, [a, b], day)).ballotId;
    await revokeVerification(database.db, staff, {
      verificationId: verification,
      reason: "Not a resident",
      now: new Date(day.getTime() + 2 * hour),
    });
    await runRoundTally(database.db, scopeOf(staff.municipality, userActor(staff.user)), { roundSlug: round.slug });
    await publishRound(database.db, staff, { roundSlug: round.slug });
    expect(await page(round, second)).toMatchObject({ published: true, fate: { kind: "counted" } });
    expect(await page(round, first)).toMatchObject({
      published: true,
      fate: { kind: "superseded", last: { ballotId: second } },
    });
    expect(await page(round, withdrawn)).toMatchObject({ published: true, fate: { kind: "withdrawn" } });
    expect(await download(round, withdrawn)).toMatchObject({ version: 2, choices: null, nonce: null });
    expect(await download(round, second)).toMatchObject({ version: 2, choices: { approved: [b] } });
  });
});
