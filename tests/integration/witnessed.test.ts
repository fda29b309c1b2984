/**
 * Witnessed checkpoints end to end (ADR 0022), with two real witnesses (c2sp.org/tlog-witness servers
 * from app/witness on 127.0.0.1): each checkpoint is signed as a C2SP note and queued in its own
 * transaction; the job worker sends it with the consistency proof from what each witness last
 * cosigned and stores the cosignatures; publication waits for the quorum; `shora verify` checks it.
 * A split view — two trees of one size signed with the municipality's key — is refused by the honest
 * witnesses (409) and caught by `verify`. The administrators' page edits witnesses and the quorum.
 */
import { createPrivateKey, sign as edSign, randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import {
  actionLog,
  checkpoints,
  cosignatures,
  districts,
  envelopes,
  jobs,
  phases,
  proposals,
  rounds,
  witnessQuorums,
  witnesses as witnessTable,
} from "../../db/schema";
import { writeBundle } from "../../app/cli/bundle-files";
import { main } from "../../app/cli/main";
import { sha256Hex } from "../../app/domain/bundle/format";
import { checkpointNoteBody, readCheckpointNoteBody, signCheckpoint } from "../../app/domain/ledger/checkpoint";
import { newCosignerKey } from "../../app/domain/ledger/cosignature";
import {
  openNote,
  noteVerifier,
  parseNote,
  signNote,
  signerFromPem,
  verifierKeyFromPem,
} from "../../app/domain/ledger/note";
import { dayIn } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";
import { createWitness } from "../../app/witness/witness";
import * as checkpointsJson from "../../app/routes/m.$slug.rounds.$round.checkpoints[.json]";
import * as receiptJson from "../../app/routes/m.$slug.rounds.$round.receipt[.json]";
import * as resultsPage from "../../app/routes/m.$slug.rounds.$round.results";
import * as witnessesPage from "../../app/routes/m.$slug.admin.witnesses";
import * as staffTally from "../../app/routes/m.$slug.admin.rounds.$round.tally";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { maybeCheckpoint, originOf, privateKeyOf, signingKey } from "../../app/services/ballots/checkpoints.server";
import { enqueueJob, runDueJobs } from "../../app/services/jobs/jobs.server";
import { observer, scopeOf, systemActor, userActor } from "../../app/services/scope";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { isPublished, publishRound } from "../../app/services/tally/publish.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { createMunicipality, findMunicipality } from "../../app/services/tenancy/municipality.server";
import type { Municipality } from "../../app/services/tenancy/municipality.server";
import { addWitness, setWitnessQuorum } from "../../app/services/witnesses/witnesses.server";
import { addCheckpointBody, witnessJobHandlers } from "../../app/services/witnesses/send.server";
import type { RefusedError } from "../../app/services/errors.server";
import { sessionFor } from "../support/factories";
import type { SessionUser } from "../../app/web/session.server";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
let municipality: Municipality;
let admin: SessionUser;
let dir: string;
const today = dayIn("UTC");
const hour = 3_600_000;
const system = { actor: { kind: "system" as const, name: "test" } };

type Running = { url: string; close(): Promise<void> };
const servers: Running[] = [];

/** SHA256SUMS and its signature made again over a bundle folder, with the municipality's key. */
function resign(folder: string, privateKeyPem: string) {
  const names = fs
    .readdirSync(folder)
    .filter((n) => n !== "SHA256SUMS" && n !== "SHA256SUMS.sig")
    .sort();
  const sums = names.map((n) => `${sha256Hex(fs.readFileSync(path.join(folder, n)))}  ${n}\n`).join("");
  fs.writeFileSync(path.join(folder, "SHA256SUMS"), sums);
  const signature = edSign(null, Buffer.from(sums), createPrivateKey(privateKeyPem)).toString("base64");
  fs.writeFileSync(path.join(folder, "SHA256SUMS.sig"), `${signature}\n`);
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

beforeAll(async () => {
  database = await testDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-witnessed-"));
  const slug = unique("witnessed");
  const { adminUserId } = await createMunicipality(database.db, {
    slug,
    name: { en: "Witnessed town" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Ada", password: "witnessed password 1" },
  });
  municipality = (await findMunicipality(database.db, slug)) as Municipality;
  admin = { id: adminUserId, email: `admin@${slug}.example`, displayName: "Ada", locale: "en", isPlatformAdmin: false };
  await database.db
    .insert(districts)
    .values({ id: randomUUID(), municipalityId: municipality.id, code: "all", name: { en: "All" }, position: 0 });
});
afterAll(async () => {
  // Some were closed by the tests already.
  await Promise.all(servers.map((s) => s.close().catch(() => undefined)));
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A round whose voting ran from 6 days ago to yesterday: today it is being tallied. */
async function makeRound() {
  const id = randomUUID();
  const slug = unique("r");
  await database.db.insert(rounds).values({
    id,
    municipalityId: municipality.id,
    slug,
    kind: "budgeting",
    title: { en: "R" },
    description: { en: "" },
  });
  await database.db.insert(phases).values([
    { id: randomUUID(), roundId: id, kind: "voting", startsOn: addDays(today, -6), endsOn: addDays(today, -1) },
    { id: randomUUID(), roundId: id, kind: "tallying", startsOn: today, endsOn: addDays(today, 5) },
  ]);
  const envelopeId = randomUUID();
  await database.db.insert(envelopes).values({
    id: envelopeId,
    roundId: id,
    slug: "all",
    name: { en: "All" },
    amount: 1000,
    ballotType: "approval",
    tallyRule: "greedy",
  });
  const [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  const p: string[] = [];
  for (const cost of [400, 300, 300]) {
    const pid = randomUUID();
    p.push(pid);
    await database.db
      .insert(proposals)
      .values({ id: pid, envelopeId, title: { en: `P${p.length}` }, body: { en: "" }, cost, status: "accepted" });
  }
  return { id, slug, envelope, p };
}
type TestRound = Awaited<ReturnType<typeof makeRound>>;

const votingAt = (h: number) => new Date(Date.parse(`${addDays(today, -5)}T08:00:00Z`) + h * hour);

const cast = (round: TestRound, approved: string[], now: Date) =>
  castBallot(database.db, scopeOf(municipality, systemActor("test")), {
    roundId: round.id,
    roundSlug: round.slug,
    envelope: round.envelope,
    voter: { identity: unique("voter"), weight: 1, district: "all", voterClass: "resident" },
    body: { approved },
    channel: "online",
    now,
  });

/** A witness for the round's log, listening on an ephemeral port, its state in `stateDir`. */
async function startWitness(name: string, signerKey: string, stateDir: string, round: TestRound) {
  const origin = await originOf(database.db, round.id);
  const key = await signingKey(database.db, municipality.id);
  const witness = createWitness({
    name,
    signerKey,
    stateDir,
    logs: [{ origin, vkeys: [verifierKeyFromPem(origin, key.publicKey)] }],
  });
  const server = await witness.listen("127.0.0.1", 0);
  servers.push(server);
  return { witness, server, origin };
}

describe("checkpoints cosigned by two witnesses", () => {
  const alice = newCosignerKey("witness.example/alice");
  const bob = newCosignerKey("witness.example/bob");
  let round: TestRound;
  let w: { alice: Awaited<ReturnType<typeof startWitness>>; bob: Awaited<ReturnType<typeof startWitness>> };
  const stateOf = (name: string) => path.join(dir, name);
  const run = () => runDueJobs(database.db, system, { handlers: witnessJobHandlers() });
  let voterBallot = "";

  beforeAll(async () => {
    round = await makeRound();
    w = {
      alice: await startWitness("witness.example/alice", alice.signerKey, stateOf("alice"), round),
      bob: await startWitness("witness.example/bob", bob.signerKey, stateOf("bob"), round),
    };
    const scope = scopeOf(municipality, userActor(admin));
    await addWitness(database.db, scope, { vkey: alice.verifierKey, url: w.alice.server.url });
    await addWitness(database.db, scope, { vkey: bob.verifierKey, url: w.bob.server.url });
    await setWitnessQuorum(database.db, scope, { quorum: "2" });
  });

  it("signs each checkpoint as a C2SP note under the round's origin and queues it in the same transaction", async () => {
    voterBallot = (await cast(round, [round.p[0]], votingAt(0))).ballotId;
    await cast(round, [round.p[1]], votingAt(0));
    await cast(round, [round.p[0], round.p[2]], votingAt(1));
    const first = await maybeCheckpoint(database.db, {
      roundId: round.id,
      municipalityId: municipality.id,
      now: votingAt(2),
      force: true,
    });
    expect(first?.treeSize).toBe(3);
    const key = await signingKey(database.db, municipality.id);
    const origin = `shora.local/m/${municipality.slug}/rounds/${round.slug}`;
    const opened = openNote(first?.note ?? "", [noteVerifier(verifierKeyFromPem(origin, key.publicKey))]);
    expect(readCheckpointNoteBody(opened.text)).toEqual({
      origin,
      treeSize: 3,
      rootHash: first?.rootHash,
      roundFingerprint: first?.roundFingerprint,
      signedAt: votingAt(2).toISOString(),
    });
    const queued = await database.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, "checkpoint.witness")));
    expect(queued.filter((j) => j.payload.roundId === round.id).map((j) => j.payload)).toEqual([
      { roundId: round.id, treeSize: 3 },
    ]);
  });

  it("the worker sends it; both witnesses cosign; a grown tree goes with the consistency proof", async () => {
    expect(await run()).toMatchObject({ done: 1, failed: 0 });
    const cosigned = async (size: number) =>
      (
        await database.db
          .select({ name: cosignatures.witnessName })
          .from(cosignatures)
          .where(and(eq(cosignatures.roundId, round.id), eq(cosignatures.treeSize, size)))
      )
        .map((c) => c.name)
        .sort();
    expect(await cosigned(3)).toEqual(["witness.example/alice", "witness.example/bob"]);
    // The voter downloads the receipt: its checkpoint carries the note with both cosignatures.
    const voter = new TestBrowser(database.db);
    const receipt = await call(
      receiptJson.loader,
      voter,
      voter.get(`/m/${municipality.slug}/rounds/${round.slug}/receipt.json?ballot=${voterBallot}`),
      { slug: municipality.slug, round: round.slug },
    );
    const kept = (await receipt.json()) as { checkpoint: { treeSize: number; note: string } };
    expect(kept.checkpoint.treeSize).toBe(3);
    expect(parseNote(kept.checkpoint.note).signatures).toHaveLength(3);
    fs.writeFileSync(path.join(dir, "receipt.json"), JSON.stringify(kept));
    await cast(round, [round.p[2]], votingAt(3));
    await cast(round, [round.p[1]], votingAt(3));
    await maybeCheckpoint(database.db, {
      roundId: round.id,
      municipalityId: municipality.id,
      now: votingAt(4),
      force: true,
    });
    expect(await run()).toMatchObject({ done: 1, failed: 0 });
    expect(await cosigned(5)).toEqual(["witness.example/alice", "witness.example/bob"]);
    // What the witnesses hold now: the tree of 5 with both signatures on it.
    const latest = parseNote((await w.alice.witness.latest(w.alice.origin)) ?? "");
    expect(readCheckpointNoteBody(latest.text).treeSize).toBe(5);
    // The public checkpoint list carries the notes with the cosignatures.
    const browser = new TestBrowser(database.db);
    const response = await call(
      checkpointsJson.loader,
      browser,
      browser.get(`/m/${municipality.slug}/rounds/${round.slug}/checkpoints.json`),
      { slug: municipality.slug, round: round.slug },
    );
    const body = (await response.json()) as { quorum: number; checkpoints: { treeSize: number; note: string }[] };
    expect(body.quorum).toBe(2);
    expect(body.checkpoints.map((c) => parseNote(c.note).signatures.length)).toEqual([3, 3]);
    // And the consistency proof between two signed sizes, for monitors; other sizes are refused.
    const proof = await call(
      checkpointsJson.loader,
      browser,
      browser.get(`/m/${municipality.slug}/rounds/${round.slug}/checkpoints.json?from=3&to=5`),
      { slug: municipality.slug, round: round.slug },
    );
    expect(((await proof.json()) as { proof: string[] }).proof.length).toBeGreaterThan(0);
    const unsigned = await call(
      checkpointsJson.loader,
      browser,
      browser.get(`/m/${municipality.slug}/rounds/${round.slug}/checkpoints.json?from=2&to=5`),
      { slug: municipality.slug, round: round.slug },
    );
    expect(unsigned.status).toBe(404);
  });

  it("a split view: another tree of the same size, signed with the municipality's key, gets the spec's 409", async () => {
    const key = await signingKey(database.db, municipality.id);
    const origin = await originOf(database.db, round.id);
    const [honest] = await database.db
      .select()
      .from(checkpoints)
      .where(and(eq(checkpoints.roundId, round.id), eq(checkpoints.treeSize, 5)));
    const forged = signNote(
      checkpointNoteBody({
        origin,
        treeSize: 5,
        rootHash: "ab".repeat(32),
        roundFingerprint: honest.roundFingerprint,
        signedAt: honest.signedAt.toISOString(),
      }),
      [signerFromPem(origin, privateKeyOf(key))],
    );
    for (const witness of [w.alice, w.bob]) {
      const answer = await witness.witness.addCheckpoint(addCheckpointBody(5, [], forged));
      expect(answer.status).toBe(409);
      expect(answer.contentType).toBe("text/x.tlog.size");
      expect(answer.body).toBe("5\n");
      // Through HTTP too, as any client would send it.
      const response = await fetch(`${witness.server.url}/add-checkpoint`, {
        method: "POST",
        body: addCheckpointBody(5, [], forged),
      });
      expect(response.status).toBe(409);
      expect(await response.text()).toBe("5\n");
      // The witness still holds the honest tree.
      const held = readCheckpointNoteBody(parseNote((await witness.witness.latest(origin)) ?? "").text);
      expect(held.rootHash).toBe(honest.rootHash);
    }
  });

  it("publication waits for the quorum: refused while a witness is down, done once it is back", async () => {
    // A last ballot of the voting days: the tally signs the final checkpoint of 6 leaves, queued.
    await cast(round, [round.p[0]], votingAt(30));
    await runRoundTally(database.db, scopeOf(municipality, userActor(admin)), { roundSlug: round.slug });
    await w.bob.server.close();
    await expect(
      publishRound(database.db, scopeOf(municipality, userActor(admin)), { roundSlug: round.slug }),
    ).rejects.toMatchObject({
      code: "witness_quorum_missing",
      status: 409,
      params: { have: 1, quorum: 2 },
    } satisfies Partial<RefusedError>);
    // An administrator pressing "publish" is told why, not shown an error page.
    const staff = new TestBrowser(database.db);
    staff.cookies.set("shora_session", await sessionFor(database.db, admin.id));
    const refused = await call(
      staffTally.action,
      staff,
      staff.post(`/m/${municipality.slug}/admin/rounds/${round.slug}/tally`, { intent: "publish", confirmed: "yes" }),
      { slug: municipality.slug, round: round.slug },
    );
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { errors: { form: string } }).errors.form).toBe(
      "Only 1 of the 2 witnesses needed cosigned the final checkpoint. Results are published once the quorum has cosigned; try again later.",
    );
    expect(await isPublished(database.db, round.id)).toBe(false);
    // Bob comes back (a new process over the same state), at a new address.
    w.bob = await startWitness("witness.example/bob", bob.signerKey, stateOf("bob"), round);
    await database.db
      .update(witnessTable)
      .set({ url: w.bob.server.url })
      .where(and(eq(witnessTable.municipalityId, municipality.id), eq(witnessTable.name, "witness.example/bob")));
    await publishRound(database.db, scopeOf(municipality, userActor(admin)), { roundSlug: round.slug });
    expect(await isPublished(database.db, round.id)).toBe(true);
    const [entry] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, municipality.id), eq(actionLog.action, "round.publish")));
    expect(entry.summary.after).toMatchObject({
      witnesses: ["witness.example/alice", "witness.example/bob"],
      quorum: 2,
    });
    // The results page names the witnesses that cosigned the final checkpoint.
    const browser = new TestBrowser(database.db);
    const page = await call(
      resultsPage.loader,
      browser,
      browser.get(`/m/${municipality.slug}/rounds/${round.slug}/results`),
      { slug: municipality.slug, round: round.slug },
    );
    const data = (await page.json()) as { results: { witnesses: { quorum: number; cosigners: { name: string }[] } } };
    expect(data.results.witnesses.quorum).toBe(2);
    expect(data.results.witnesses.cosigners.map((c) => c.name)).toEqual([
      "witness.example/alice",
      "witness.example/bob",
    ]);
  });

  it("shora verify-receipt checks the receipt's checkpoint and the final one against the quorum", async () => {
    const bundle = await roundBundle(database.db, scopeOf(municipality, observer), { roundSlug: round.slug });
    if (!bundle) throw new Error("no bundle");
    writeBundle(bundle.files, path.join(dir, "receipt-bundle"));
    const receipt = path.join(dir, "receipt.json");
    const ok = await cli(["verify-receipt", path.join(dir, "receipt-bundle"), receipt]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("Witnesses (bundle): witness.example/alice, witness.example/bob; quorum 2");
    expect(ok.out).toContain(
      "✓ checkpoint witnessed: signed note cosigned by witness.example/alice, witness.example/bob",
    );
    expect(ok.out).toContain("✓ final checkpoint witnessed");
    // During voting a voter has only the public checkpoint list: the same checks against it.
    const browser = new TestBrowser(database.db);
    const list = await call(
      checkpointsJson.loader,
      browser,
      browser.get(`/m/${municipality.slug}/rounds/${round.slug}/checkpoints.json`),
      { slug: municipality.slug, round: round.slug },
    );
    fs.writeFileSync(path.join(dir, "checkpoints.json"), await list.text());
    const listed = await cli(["verify-receipt", receipt, "--checkpoints", path.join(dir, "checkpoints.json")]);
    expect(listed.err).toBe("");
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(
      "✓ checkpoint witnessed: signed note cosigned by witness.example/alice, witness.example/bob",
    );
    const carol = newCosignerKey("witness.example/carol");
    const other = await cli([
      "verify-receipt",
      path.join(dir, "receipt-bundle"),
      receipt,
      "--witness",
      carol.verifierKey,
      "--quorum",
      "1",
    ]);
    expect(other.code).toBe(1);
    expect(other.out).toContain(
      "✗ checkpoint witnessed: checkpoint (size 3) cosigned by 0 trusted witnesses (none); the quorum is 1",
    );
  });

  it("shora monitor compares the voter's checkpoint with what each witness last cosigned", async () => {
    // The municipality's public checkpoint API, served over HTTP by the real route.
    const server = http.createServer(async (req, res) => {
      const browser = new TestBrowser(database.db);
      const response = await call(checkpointsJson.loader, browser, browser.get(req.url ?? "/"), {
        slug: municipality.slug,
        round: round.slug,
      });
      res.writeHead(response.status, { "Content-Type": "application/json" });
      res.end(await response.text());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const roundUrl = `http://127.0.0.1:${port}/m/${municipality.slug}/rounds/${round.slug}`;
    try {
      const receipt = path.join(dir, "receipt.json");
      const ok = await cli(["monitor", receipt, "--round-url", roundUrl]);
      expect(ok.err).toBe("");
      expect(ok.code).toBe(0);
      expect(ok.out).toContain("✓ witness.example/alice: cosigned 6 leaves; consistent with yours (3 → 6)");
      expect(ok.out).toContain("✓ witness.example/bob: cosigned 6 leaves; consistent with yours (3 → 6)");
      // A voter shown another tree of size 3 (signed with the municipality's key) finds the split.
      const key = await signingKey(database.db, municipality.id);
      const origin = await originOf(database.db, round.id);
      const [honest] = await database.db
        .select()
        .from(checkpoints)
        .where(and(eq(checkpoints.roundId, round.id), eq(checkpoints.treeSize, 3)));
      const forged = signNote(
        checkpointNoteBody({
          origin,
          treeSize: 3,
          rootHash: "ef".repeat(32),
          roundFingerprint: honest.roundFingerprint,
          signedAt: honest.signedAt.toISOString(),
        }),
        [signerFromPem(origin, privateKeyOf(key))],
      );
      fs.writeFileSync(path.join(dir, "forged.note"), forged);
      const split = await cli(["monitor", path.join(dir, "forged.note"), "--round-url", roundUrl]);
      expect(split.code).toBe(1);
      expect(split.err).toContain(
        "✗ witness.example/alice: SPLIT VIEW — the tree of 3 leaves is not a prefix of the tree of 6 (the consistency proof fails)",
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("shora verify passes the bundle, printing the witnesses and the quorum; a split final checkpoint fails", async () => {
    const bundle = await roundBundle(database.db, scopeOf(municipality, observer), { roundSlug: round.slug });
    if (!bundle) throw new Error("no bundle");
    writeBundle(bundle.files, path.join(dir, "bundle"));
    const ok = await cli(["verify", path.join(dir, "bundle")]);
    expect(ok.err).toBe("");
    expect(ok.code).toBe(0);
    expect(ok.out).toContain("Witnesses (bundle): witness.example/alice, witness.example/bob; quorum 2");
    // The municipality shows auditors the other tree of the final size: signed by its key, but no
    // witness would cosign it, so its note carries the municipality's signature alone.
    const key = await signingKey(database.db, municipality.id);
    const ledgerFile = path.join(dir, "bundle", "ledger.json");
    const ledger = JSON.parse(fs.readFileSync(ledgerFile, "utf8"));
    const last = ledger.checkpoints[ledger.checkpoints.length - 1];
    const split = { ...last, rootHash: "cd".repeat(32) };
    const { note: _note, signature: _signature, ...body } = split;
    split.signature = signCheckpoint(body, privateKeyOf(key));
    split.note = signNote(checkpointNoteBody({ origin: ledger.origin, ...split }), [
      signerFromPem(ledger.origin, privateKeyOf(key)),
    ]);
    ledger.checkpoints[ledger.checkpoints.length - 1] = split;
    fs.cpSync(path.join(dir, "bundle"), path.join(dir, "split"), { recursive: true });
    fs.writeFileSync(path.join(dir, "split", "ledger.json"), `${JSON.stringify(ledger, null, 2)}\n`);
    resign(path.join(dir, "split"), privateKeyOf(key));
    const caught = await cli(["verify", path.join(dir, "split")]);
    expect(caught.code).toBe(1);
    expect(caught.err).toMatch(
      /✗ witnesses: ledger\.json checkpoint \d+ \(size \d+\): cosigned by 0 of the trusted witnesses \(none\); the quorum is 2/,
    );
  });

  it("a cosignature the platform lost is asked for again from the size the witness names in its 409", async () => {
    // The tally's checkpoint job is still queued (publication sent it itself): nothing is left to do for it.
    await run();
    await database.db
      .delete(cosignatures)
      .where(and(eq(cosignatures.roundId, round.id), eq(cosignatures.witnessName, "witness.example/alice")));
    await enqueueJob(database.db, system, { kind: "checkpoint.witness", payload: { roundId: round.id, treeSize: 6 } });
    expect(await run()).toMatchObject({ done: 1, failed: 0 });
    const stored = await database.db
      .select({ size: cosignatures.treeSize })
      .from(cosignatures)
      .where(and(eq(cosignatures.roundId, round.id), eq(cosignatures.witnessName, "witness.example/alice")));
    expect(stored).toEqual([{ size: 6 }]);
  });
});

describe("two workers sending at once", () => {
  it("run each checkpoint's job once; every witness ends on the final checkpoint, cosigned", async () => {
    const round = await makeRound();
    const dave = newCosignerKey("witness.example/dave");
    const erin = newCosignerKey("witness.example/erin");
    // Each witness behind a counter of the add-checkpoint requests it receives.
    const posts = new Map<string, number>();
    const started = [];
    for (const [name, key] of [
      ["witness.example/dave", dave],
      ["witness.example/erin", erin],
    ] as const) {
      const origin = await originOf(database.db, round.id);
      const signing = await signingKey(database.db, municipality.id);
      const witness = createWitness({
        name,
        signerKey: key.signerKey,
        stateDir: path.join(dir, `pair-${name.split("/")[1]}`),
        logs: [{ origin, vkeys: [verifierKeyFromPem(origin, signing.publicKey)] }],
      });
      const server = http.createServer((req, res) => {
        if (req.method === "POST") posts.set(name, (posts.get(name) ?? 0) + 1);
        witness.handle(req, res);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      servers.push({ url, close: () => new Promise((resolve) => server.close(() => resolve())) });
      started.push({ name, key, url });
    }
    // The municipality trusts only these two now.
    await database.db.delete(witnessTable).where(eq(witnessTable.municipalityId, municipality.id));
    const scope = scopeOf(municipality, userActor(admin));
    for (const w of started) await addWitness(database.db, scope, { vkey: w.key.verifierKey, url: w.url });
    await setWitnessQuorum(database.db, scope, { quorum: "2" });
    for (let i = 0; i < 5; i++) {
      await cast(round, [round.p[i % 3]], votingAt(i));
      await maybeCheckpoint(database.db, {
        roundId: round.id,
        municipalityId: municipality.id,
        now: votingAt(i + 0.5),
        force: true,
      });
    }
    const mine = async () =>
      (await database.db.select().from(jobs).where(eq(jobs.kind, "checkpoint.witness"))).filter(
        (j) => j.payload.roundId === round.id,
      );
    expect((await mine()).length).toBe(5);
    const worker = () => runDueJobs(database.db, system, { handlers: witnessJobHandlers() });
    const [a, b] = await Promise.all([worker(), worker()]);
    expect(a.failed + b.failed).toBe(0);
    expect(a.done + b.done).toBeGreaterThanOrEqual(5);
    const ran = await mine();
    expect(ran.every((j) => j.doneAt !== null && j.attempts === 1)).toBe(true);
    // A job that ran ahead of an earlier one costs a 409 and one more request: at most two per checkpoint.
    for (const w of started) expect(posts.get(w.name)).toBeLessThanOrEqual(10);
    const final = await database.db
      .select({ name: cosignatures.witnessName })
      .from(cosignatures)
      .where(and(eq(cosignatures.roundId, round.id), eq(cosignatures.treeSize, 5)));
    expect(final.map((c) => c.name).sort()).toEqual(["witness.example/dave", "witness.example/erin"]);
  });
});

describe("the administrators' witness page", () => {
  const carol = newCosignerKey("witness.example/carol");

  async function as(role: "admin" | "observer") {
    const browser = new TestBrowser(database.db);
    if (role === "admin") browser.cookies.set("shora_session", await sessionFor(database.db, admin.id));
    return browser;
  }
  const post = async (fields: Record<string, string>, role: "admin" | "observer" = "admin") => {
    const browser = await as(role);
    return call(witnessesPage.action, browser, browser.post(`/m/${municipality.slug}/admin/witnesses`, fields), {
      slug: municipality.slug,
    });
  };

  it("adds a witness by its key and address, logs it, and names the field of a bad one (400)", async () => {
    const bad = await post({ intent: "add", vkey: "not a key", url: "https://carol.example" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors).toEqual({
      vkey: "This is not a witness public key (name+hash+key of a cosignature key).",
    });
    const badUrl = await post({ intent: "add", vkey: carol.verifierKey, url: "javascript:alert(1)" });
    expect(badUrl.status).toBe(400);
    expect(Object.keys(((await badUrl.json()) as { errors: Record<string, string> }).errors)).toEqual(["url"]);
    const ok = await post({ intent: "add", vkey: carol.verifierKey, url: "https://carol.example/w/" });
    expect(ok.status).toBe(200);
    const [row] = await database.db
      .select()
      .from(witnessTable)
      .where(and(eq(witnessTable.municipalityId, municipality.id), eq(witnessTable.name, "witness.example/carol")));
    expect(row).toMatchObject({ vkey: carol.verifierKey, url: "https://carol.example/w", active: true });
    const again = await post({ intent: "add", vkey: carol.verifierKey, url: "https://carol.example" });
    expect(again.status).toBe(409);
    const logged = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, municipality.id), eq(actionLog.action, "witness.add")));
    expect(logged.map((e) => e.target)).toContain("witness:witness.example/carol");
  });

  it("keeps the quorum within the active witnesses, and a paused witness out of it", async () => {
    const [carolRow] = await database.db
      .select()
      .from(witnessTable)
      .where(and(eq(witnessTable.municipalityId, municipality.id), eq(witnessTable.name, "witness.example/carol")));
    expect((await post({ intent: "quorum", quorum: "4" })).status).toBe(400);
    const three = await post({ intent: "quorum", quorum: "۳" });
    expect(three.status).toBe(200);
    const [q] = await database.db
      .select()
      .from(witnessQuorums)
      .where(eq(witnessQuorums.municipalityId, municipality.id));
    expect(q.quorum).toBe(3);
    // Pausing carol would leave 2 active witnesses for a quorum of 3: refused.
    const pause = await post({ intent: "pause", id: carolRow.id });
    expect(pause.status).toBe(409);
    expect((await post({ intent: "quorum", quorum: "2" })).status).toBe(200);
    expect((await post({ intent: "pause", id: carolRow.id })).status).toBe(200);
    expect((await post({ intent: "remove", id: randomUUID() })).status).toBe(404);
    expect((await post({ intent: "remove", id: carolRow.id })).status).toBe(200);
    expect(await database.db.select().from(witnessTable).where(eq(witnessTable.id, carolRow.id))).toEqual([]);
  });

  it("refuses visitors and a missing CSRF token", async () => {
    expect((await post({ intent: "quorum", quorum: "0" }, "observer")).status).toBe(403);
    const browser = await as("admin");
    const noCsrf = await call(
      witnessesPage.action,
      browser,
      browser.post(`/m/${municipality.slug}/admin/witnesses`, { intent: "quorum", quorum: "0" }, { csrf: null }),
      { slug: municipality.slug },
    );
    expect(noCsrf.status).toBe(403);
  });
});
