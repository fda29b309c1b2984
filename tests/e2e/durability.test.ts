/**
 * Crash durability: concurrent voters cast ballots over HTTP, the server is killed with SIGKILL in the
 * middle, restarted on the same database, and every ballot whose cast got a success response must be
 * in the ledger — one linear sequence whose Merkle tree, signed checkpoint and inclusion proofs hold.
 * Runs on the embedded PGlite folder, or on PostgreSQL when TEST_DATABASE_URL is set (CI runs both).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { ballots, ledgerLeaves, municipalities, rounds } from "../../db/schema";
import { MerkleAccumulator, leafHashHex } from "../../app/domain/bundle/format";
import { verifyInclusion } from "../../app/domain/ledger/merkle";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { ledgerHead, inclusionProof } from "../../app/services/ballots.server";
import { maybeCheckpoint } from "../../app/services/checkpoints.server";
import { spawnServer, throwawayDatabase } from "../support/e2e-server";

const CLIENTS = 8;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** A tiny HTTP client with a cookie jar and the CSRF token the forms carry. */
class Client {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
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

async function where(): Promise<{ env: Record<string, string>; open: () => ReturnType<typeof openDatabase> }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PORT: "0" };
  delete env.DATABASE_URL;
  // The server and this test must open the municipality's signing key with the same secret.
  env.SHORA_SECRET = process.env.SHORA_SECRET ?? randomBytes(24).toString("base64url");
  process.env.SHORA_SECRET = env.SHORA_SECRET;
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

describe(`crash durability (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`, () => {
  it("keeps every acknowledged ballot across a kill -9, in one linear, consistent ledger", async () => {
    const { env, open } = await where();
    let { url, child } = await spawnServer(env);

    // Verified voters: new accounts matched against the demo census.
    const voters: Client[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      const c = new Client(url);
      const email = `crash${i}-${randomBytes(3).toString("hex")}@example.org`;
      expect(
        (await c.post("/signup", { displayName: `Voter ${i}`, email, password: "a long enough password" })).status,
      ).toBe(302);
      const person = censusPerson(3 + i * 3);
      const verified = await c.post("/m/demo/verify", {
        intent: "census",
        nationalId: person.id,
        birthDate: person.birthDate,
      });
      expect(verified.status).toBe(302);
      voters.push(c);
    }
    const page = await (await voters[0].get("/m/demo/rounds/budget-1405/vote/green")).text();
    const proposalIds = [...page.matchAll(/name="points\.([0-9a-f-]{36})"/g)].map((m) => m[1]);
    expect(proposalIds.length).toBeGreaterThan(2);

    // Every client casts (and recasts) as fast as it can; the server dies under them.
    const acknowledged: string[] = [];
    let stop = false;
    const loops = voters.map(async (c, i) => {
      for (let n = 0; !stop; n++) {
        try {
          const r = await c.post("/m/demo/rounds/budget-1405/vote/green", {
            intent: "cast",
            [`points.${proposalIds[(i + n) % proposalIds.length]}`]: String(1 + (n % 5)),
          });
          const html = await r.text();
          const ballot = /<code[^>]*>([0-9a-f]{32})<\/code>/.exec(html)?.[1];
          if (r.status === 200 && ballot) acknowledged.push(ballot);
        } catch {
          return; // connection refused or reset: the server is gone
        }
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    stop = true;
    await Promise.all(loops);
    expect(acknowledged.length).toBeGreaterThan(CLIENTS);
    console.info(`durability: ${acknowledged.length} ballots acknowledged before kill -9`);

    // The restarted server takes ballots again.
    ({ url, child } = await spawnServer(env));
    const again = new Client(url);
    again.cookies = voters[0].cookies;
    const after = await again.post("/m/demo/rounds/budget-1405/vote/green", {
      intent: "cast",
      [`points.${proposalIds[0]}`]: "2",
    });
    expect(after.status).toBe(200);
    const stopped = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await stopped;

    const database = await open();
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
      expect((await ledgerHead(db, round.id)).root).toBe(tree.root());
      // Every acknowledged ballot is there, in the ledger, provably in a fresh signed checkpoint.
      const rows = await db
        .select({ id: ballots.id, leafIndex: ballots.leafIndex })
        .from(ballots)
        .where(eq(ballots.roundId, round.id));
      const byId = new Map(rows.map((r) => [r.id, r.leafIndex]));
      const checkpoint = await maybeCheckpoint(db, { roundId: round.id, municipalityId: demo.id, force: true });
      expect(checkpoint?.treeSize).toBe(leaves.length);
      for (const ballotId of acknowledged) {
        const index = byId.get(ballotId);
        expect(index, `acknowledged ballot ${ballotId}`).toBeDefined();
        const proof = await inclusionProof(db, round.id, index as number, leaves.length);
        const ok = verifyInclusion(
          Buffer.from(leaves[index as number].leafHash, "hex"),
          index as number,
          leaves.length,
          proof.map((h) => Buffer.from(h, "hex")),
          Buffer.from(checkpoint?.rootHash ?? "", "hex"),
        );
        expect(ok).toBe(true);
      }
    } finally {
      await database.close();
    }
  }, 180_000);
});
