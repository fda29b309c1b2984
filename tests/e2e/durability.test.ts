/**
 * Crash durability: concurrent voters cast ballots over HTTP, the server is killed with SIGKILL in the
 * middle and restarted on the same database. Every cast response is recorded: before the kill each one
 * must be a success carrying a receipt (ballot id and ledger position); after it, only connection
 * errors are expected. For every receipt a voter got, after the restart: the receipt page shows the
 * ballot recorded at that position, the ledger holds it there, and once a checkpoint is signed (as when
 * voting closes) the receipt downloaded from the server verifies against the published checkpoints with
 * the observers' own check (`verifyReceipt`, and `shora verify-receipt` for a sample). The ledger is one
 * linear sequence whose stored tree agrees with its leaves, and each voter's ballots form one chain.
 * Runs on the embedded PGlite folder, or on PostgreSQL when TEST_DATABASE_URL is set (CI runs both).
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { ballots, ledgerLeaves, municipalities, rounds } from "../../db/schema";
import { MerkleAccumulator, leafHashHex } from "../../app/domain/bundle/format";
import { type MessageKey, type Params, translator } from "../../app/domain/i18n";
import { type PublishedCheckpoints, type VoterReceipt, verifyReceipt } from "../../app/domain/ledger/receipt";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { ledgerHead } from "../../app/services/ballots/ledger-store.server";
import { maybeCheckpoint } from "../../app/services/ballots/checkpoints.server";
import { spawnServer, throwawayDatabase, withKeyStore } from "../support/e2e-server";
import { type TestSmtp, startSmtp } from "../support/mail";

const CLIENTS = 8;
const ROUND = "/m/demo/rounds/budget-1405";
const en = translator("en");
const root = path.resolve(import.meta.dirname, "../..");
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A tiny HTTP client with a cookie jar and the CSRF token the forms carry. */
class Client {
  cookies = new Map<string, string>();
  constructor(public base: string) {}
  private header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  private keep(response: Response) {
    for (const c of response.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
  }
  async get(p: string) {
    const r = await fetch(this.base + p, { headers: { cookie: this.header() }, redirect: "manual" });
    this.keep(r);
    return r;
  }
  async post(p: string, fields: Record<string, string>) {
    if (!this.cookies.has("shora_csrf")) await this.get("/login");
    const body = new URLSearchParams({ ...fields, _csrf: this.cookies.get("shora_csrf") ?? "" });
    const r = await fetch(this.base + p, {
      method: "POST",
      headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    this.keep(r);
    return r;
  }
}

/** Entry i of the demo census (see demoCensusCsv): its national ID and birth date. */
function censusPerson(i: number) {
  const id = withIranianCheckDigit(String(200_000_000 + i * 37).padStart(9, "0"));
  const year = i % 10 === 0 ? 2009 : 1950 + (i % 55);
  return { id, birthDate: `${year}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}` };
}

/** The visible text of a page: tags and React's text separators removed, spaces collapsed. */
function textOf(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

/** The receipt a cast page shows the voter ("Ballot id: … — Position in the ledger: …"), or null. */
function receiptShown(html: string): { ballotId: string; leafIndex: number } | null {
  const text = textOf(html);
  if (!text.includes(en("vote.cast.done"))) return null;
  const ballot = new RegExp(
    `${en("vote.receipt.ballot")}: ([0-9a-f]{32}) — ${en("vote.receipt.leaf")}: ([\\d,]+)`,
  ).exec(text);
  return ballot ? { ballotId: ballot[1], leafIndex: Number(ballot[2].replace(/,/g, "")) } : null;
}

/** An English UI string as a pattern: the given values in place, any figure or text for the others. */
function pattern(key: MessageKey, params: Params): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    literal(en(key, params))
      .split(/\\\{\w+\\\}/)
      .join(".+?"),
  );
}

/** The receipt page's line for a ballot recorded at `index`: awaiting the next checkpoint, or in one. */
function recordedAt(index: number): RegExp {
  const either = [pattern("rounds.receipt.pending", { index }), pattern("rounds.receipt.included", { index })];
  return new RegExp(either.map((p) => p.source).join("|"));
}

interface Acknowledged {
  voter: number;
  ballotId: string;
  leafIndex: number;
}

let smtp: TestSmtp;

/** Follows the address-confirmation link mailed to `email`, as the client. */
async function confirmByMail(c: Client, email: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const link = /\/confirm\/[A-Za-z0-9_-]+/.exec(smtp.to(email).at(-1)?.text ?? "")?.[0];
    if (link) {
      // The link's page asks first; its button (a POST) confirms (ADR 0033: link scanners change nothing).
      expect((await c.get(link)).status).toBeLessThan(400);
      expect((await c.post(link, {})).status).toBe(200);
      return;
    }
    if (Date.now() > deadline) throw new Error(`no confirmation mail reached ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function where(): Promise<{ env: Record<string, string>; open: () => ReturnType<typeof openDatabase> }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: "0" };
  delete env.DATABASE_URL;
  // New accounts confirm their address by the link mailed to them (ADR 0025).
  smtp = await startSmtp();
  env.SMTP_URL = smtp.url;
  cleanups.push(() => smtp.close());
  // The server and this test must open the municipality's signing key with the same secret and key store.
  const removeKeys = withKeyStore(env);
  cleanups.push(async () => removeKeys());
  const server = process.env.TEST_DATABASE_URL;
  if (server) {
    const created = await throwawayDatabase(server, "shora_crash");
    env.DATABASE_URL = created.url;
    cleanups.push(created.drop);
    return { env, open: () => openDatabase({ url: created.url }) };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-crash-"));
  env.SHORA_DATA_DIR = dataDir;
  cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  return { env, open: () => openDatabase({ dataDir }) };
}

/** Starts the server; its stop (SIGTERM) also runs after the test, should an assertion end it early. */
async function serve(env: Record<string, string>) {
  const { url, child } = await spawnServer(env);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  cleanups.push(stop);
  return { url, child, stop };
}

describe(`crash durability (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("keeps every receipt a voter got across a kill -9: recorded at its position, verifying, in one linear ledger", async () => {
    const { env, open } = await where();
    const first = await serve(env);

    // Verified voters: new accounts matched against the demo census.
    const voters: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const c = new Client(first.url);
      const email = `crash${i}-${randomBytes(3).toString("hex")}@example.org`;
      expect(
        (await c.post("/signup", { displayName: `Voter ${i}`, email, password: "a long enough password" })).status,
      ).toBe(302);
      await confirmByMail(c, email);
      const person = censusPerson(3 + i * 3);
      const verified = await c.post("/m/demo/verify", {
        intent: "census",
        nationalId: person.id,
        birthDate: person.birthDate,
      });
      expect(verified.status).toBe(302);
      voters.push(c);
    }
    const page = await (await voters[0].get(`${ROUND}/vote/green`)).text();
    const proposalIds = [...page.matchAll(/name="points\.([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(proposalIds.length).toBeGreaterThan(2);
    const cast = (c: Client, i: number, n: number) =>
      c.post(`${ROUND}/vote/green`, {
        intent: "cast",
        // Recasts are confirmed at once (ADR 0027).
        replace: "yes",
        [`points.${proposalIds[(i + n) % proposalIds.length]}`]: String(1 + (n % 5)),
      });

    // Every client casts (and recasts) as fast as it can; the server dies under them. Every response
    // is kept: before the kill anything but a receipt is a failure; after it, the connection breaks.
    const acknowledged: Acknowledged[] = [];
    const failures: string[] = [];
    let killed = false;
    const loops = voters.map(async (c, i) => {
      for (let n = 0; ; n++) {
        let status: number;
        let html: string;
        try {
          const r = await cast(c, i, n);
          status = r.status;
          html = await r.text();
        } catch (error) {
          if (!killed) failures.push(`voter ${i}, cast ${n}: ${(error as Error).cause ?? error} before the kill`);
          return;
        }
        const receipt = receiptShown(html);
        if (status !== 200 || !receipt) {
          failures.push(`voter ${i}, cast ${n}: HTTP ${status} without a receipt: ${textOf(html).slice(0, 300)}`);
          return;
        }
        acknowledged.push({ voter: i, ...receipt });
        if (killed) return;
      }
    });
    // The kill comes mid-stream, once the voters have had three receipts each on average (after a
    // count of receipts rather than a delay, so a busy machine still kills a busy server).
    const started = Date.now();
    while (acknowledged.length < 3 * CLIENTS && failures.length === 0 && Date.now() - started < 60_000)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    killed = true;
    first.child.kill("SIGKILL");
    await exited;
    await Promise.all(loops);
    expect(failures).toEqual([]);
    expect(acknowledged.length).toBeGreaterThan(CLIENTS);
    console.info(`durability: ${acknowledged.length} ballots acknowledged before kill -9`);

    // Restarted on the crashed database: every receipt is recorded where it says. While voting the page
    // never says whether a ballot still counts (ADR 0017); the chains are checked in the database below.
    const second = await serve(env);
    const observer = new Client(second.url);
    for (const a of acknowledged) {
      const r = await observer.get(`${ROUND}/receipt?ballot=${a.ballotId}`);
      expect(r.status).toBe(200);
      const text = textOf(await r.text());
      expect(text, a.ballotId).toMatch(recordedAt(a.leafIndex));
      expect(text, a.ballotId).toContain(en("rounds.receipt.statusLater"));
      expect(text, a.ballotId).not.toMatch(/Not counted|Counted:/);
    }
    // It takes ballots again.
    voters[0].base = second.url;
    const again = await cast(voters[0], 0, 0);
    expect(again.status).toBe(200);
    const afterRestart = receiptShown(await again.text());
    expect(afterRestart).not.toBeNull();
    await second.stop();

    const database = await open();
    let treeSize: number;
    try {
      const db = database.db;
      const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
      const [round] = await db.select().from(rounds).where(eq(rounds.slug, "budget-1405"));
      const leaves = await db
        .select()
        .from(ledgerLeaves)
        .where(eq(ledgerLeaves.roundId, round.id))
        .orderBy(asc(ledgerLeaves.leafIndex));
      // One linear sequence: indexes 0..n-1, each leaf's hash and seq as written.
      const tree = new MerkleAccumulator();
      leaves.forEach((l, i) => {
        expect(l.leafIndex).toBe(i);
        expect(JSON.parse(l.leaf).seq).toBe(i);
        expect(leafHashHex(l.leaf)).toBe(l.leafHash);
        tree.push(l.leafHash);
      });
      // The stored tree nodes agree with the leaves.
      expect((await ledgerHead(db, { roundId: round.id })).root).toBe(tree.root());
      // Every receipt: the ballot at the position it names, in the ballots table and in the ledger's leaf.
      const rows = await db
        .select({ id: ballots.id, leafIndex: ballots.leafIndex, voterKey: ballots.voterKey, current: ballots.current })
        .from(ballots)
        .where(eq(ballots.roundId, round.id))
        .orderBy(asc(ballots.leafIndex));
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const a of [...acknowledged, { voter: 0, ...(afterRestart as { ballotId: string; leafIndex: number }) }]) {
        expect(byId.get(a.ballotId)?.leafIndex, `ballot ${a.ballotId}`).toBe(a.leafIndex);
        expect(JSON.parse(leaves[a.leafIndex].leaf).ballotId, `leaf ${a.leafIndex}`).toBe(a.ballotId);
      }
      // Each voter's ballots form one chain: every one replaces the one before, only the last counts,
      // and the receipts a voter got come in the ledger in the order the voter got them.
      const chains = new Map<string, typeof rows>();
      for (const r of rows) chains.set(r.voterKey, [...(chains.get(r.voterKey) ?? []), r]);
      expect(chains.size).toBe(CLIENTS);
      for (const chain of chains.values()) {
        chain.forEach((b, k) => {
          expect(JSON.parse(leaves[b.leafIndex].leaf).supersedes).toBe(k === 0 ? null : chain[k - 1].id);
          expect(b.current).toBe(k === chain.length - 1);
        });
      }
      for (let i = 0; i < CLIENTS; i++) {
        const got = acknowledged.filter((a) => a.voter === i).map((a) => a.leafIndex);
        expect(got).toEqual([...got].sort((x, y) => x - y));
      }
      // Voting closes: the tally signs a checkpoint of the whole ledger (tally.server.ts does the same).
      const checkpoint = await maybeCheckpoint(db, { roundId: round.id, municipalityId: demo.id, force: true });
      treeSize = leaves.length;
      expect(checkpoint?.treeSize).toBe(treeSize);
    } finally {
      await database.close();
    }

    // Restarted again, an observer checks every receipt against the published checkpoints.
    const third = await serve(env);
    const reader = new Client(third.url);
    // The demo's witnesses cosign the final checkpoint once the restarted server sends it to them
    // (ADR 0022); receipts verify against the quorum from then on.
    let published: PublishedCheckpoints & { quorum?: number; checkpoints: { treeSize: number; note?: string }[] };
    for (let tries = 0; ; tries++) {
      published = await (await reader.get(`${ROUND}/checkpoints.json`)).json();
      const final = published.checkpoints.find((c) => c.treeSize === treeSize);
      const cosignatures = (final?.note?.match(/^\u2014 /gm)?.length ?? 1) - 1;
      if (cosignatures >= (published.quorum ?? 0)) break;
      if (tries > 120)
        throw new Error(`the final checkpoint has ${cosignatures} cosignatures, quorum ${published.quorum}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), "shora-receipts-"));
    cleanups.push(async () => fs.rmSync(folder, { recursive: true, force: true }));
    fs.writeFileSync(path.join(folder, "checkpoints.json"), JSON.stringify(published));
    for (const a of acknowledged) {
      const r = await reader.get(`${ROUND}/receipt.json?ballot=${a.ballotId}`);
      expect(r.status).toBe(200);
      const receipt = (await r.json()) as VoterReceipt;
      expect(receipt.leafIndex).toBe(a.leafIndex);
      expect(receipt.checkpoint?.treeSize).toBe(treeSize);
      const failed = verifyReceipt(receipt, published).filter((c) => !c.ok);
      expect(failed, `receipt of ${a.ballotId}`).toEqual([]);
      fs.writeFileSync(path.join(folder, `${a.ballotId}.json`), JSON.stringify(receipt));
    }
    // The receipt page now says the ballot is in the signed checkpoint.
    const last = acknowledged[acknowledged.length - 1];
    const shown = textOf(await (await reader.get(`${ROUND}/receipt?ballot=${last.ballotId}`)).text());
    expect(shown).toMatch(pattern("rounds.receipt.included", { index: last.leafIndex, size: treeSize }));
    await third.stop();
    // The command line observers use, on the first and the last receipt given before the kill.
    for (const a of [acknowledged[0], last]) {
      const { stdout } = await promisify(execFile)(process.execPath, [
        path.join(root, "app/cli/bin.cjs"),
        "verify-receipt",
        path.join(folder, `${a.ballotId}.json`),
        "--checkpoints",
        path.join(folder, "checkpoints.json"),
      ]);
      expect(stdout).toContain(`✓ ballot is in the ledger: leaf ${a.leafIndex} leads to root`);
      expect(stdout).not.toContain("✗");
    }
  }, 240_000);
});
