/**
 * Several app processes on one PostgreSQL behind Debian's nginx, configured with the file a city
 * installs (deploy/nginx/shora.conf; ADR 0030, docs/DEPLOY.md): host A runs `shora serve --workers 2`
 * (a primary and two workers sharing its port), host B one process; nginx spreads requests over both.
 * Collected only with TEST_DATABASE_URL (vitest.config.ts); needs `npm run build` and nginx.
 *
 * Through nginx: a resident logs in, verifies, casts and reads the receipt, each request landing on
 * whichever process nginx picks (sessions and CSRF tokens hold across processes); 40 voters cast at
 * once and the ledger stays one linear sequence; a published results page from every process's page
 * cache is the same page; the metrics of host A sum its two workers; SIGTERM stops every process.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { ballots, envelopes, ledgerLeaves, municipalities, proposals, rounds } from "../../db/schema";
import { spawnServer, throwawayDatabase } from "../support/e2e-server";
import { castGreen, demoVoters } from "../support/voters";
import { type RunningNginx, startNginx } from "../support/nginx";

const root = path.resolve(__dirname, "../..");
const TOKEN = "nginx-cluster-metrics-token";
let dropDatabase = async () => {};
let keyDir = "";
let database: Database;
let hostA: Awaited<ReturnType<typeof spawnServer>>;
let hostB: Awaited<ReturnType<typeof spawnServer>>;
let nginx: RunningNginx;
let roundId = "";
let green: { id: string; choices: string[] };

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, "build/server/index.js"))) throw new Error("run `npm run build` first");
  const server = process.env.TEST_DATABASE_URL as string;
  const created = await throwawayDatabase(server, "shora_nginx");
  dropDatabase = created.drop;
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-nginx-keys-"));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: created.url,
    SHORA_SECRET: randomBytes(24).toString("base64url"),
    // One key store for every host (ADR 0016).
    SHORA_KEY_DIR: keyDir,
    SHORA_TRUST_PROXY: "1",
    SHORA_METRICS_TOKEN: TOKEN,
    SHORA_LOG_LEVEL: "warn",
  };
  delete env.SHORA_DATA_DIR;
  delete env.SHORA_WORKERS;
  hostA = await spawnServer(env, { args: ["--workers", "2"] });
  hostB = await spawnServer(env, { seedDemo: false, args: ["--workers", "1"] });
  nginx = await startNginx([hostA.url, hostB.url]);
  process.env.SHORA_KEY_DIR = keyDir;
  database = await openDatabase({ url: created.url, migrate: false, poolSize: 2 });
  const db = database.db;
  const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, demo.id), eq(rounds.slug, "budget-1405")));
  roundId = round.id;
  const [envelope] = await db
    .select()
    .from(envelopes)
    .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, "green")));
  const choices = await db
    .select({ id: proposals.id })
    .from(proposals)
    .where(eq(proposals.envelopeId, envelope.id))
    .orderBy(asc(proposals.createdAt));
  green = { id: envelope.id, choices: choices.map((c) => c.id) };
}, 240_000);

afterAll(async () => {
  await nginx?.stop();
  for (const host of [hostA, hostB]) {
    if (host && host.child.exitCode === null) {
      const exited = new Promise((resolve) => host.child.once("exit", resolve));
      host.child.kill("SIGTERM");
      await exited;
    }
  }
  await database?.close();
  await dropDatabase();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

/** A browser without JavaScript: cookies kept, redirects not followed. */
function visitor() {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(`${nginx.url}${url}`, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: cookie() },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  return {
    jar,
    get: (url: string) => send(url),
    post: (url: string, fields: Record<string, string>) =>
      send(url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ _csrf: jar.get("shora_csrf") ?? "", ...fields }).toString(),
      }),
  };
}

describe("two app hosts (one with two workers) behind nginx on one PostgreSQL", () => {
  it("carries a resident's whole journey, whichever process answers each request", async () => {
    const resident = visitor();
    const home = await resident.get("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("x-request-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(resident.jar.get("shora_csrf")).toBeTruthy();
    const login = await resident.post("/login", {
      email: "resident1@demo.shora.local",
      password: "shora-demo-2026",
      next: "/m/demo",
    });
    expect(login.status).toBe(302);
    expect(resident.jar.get("shora_session")).toBeTruthy();
    // The session and the CSRF token hold on every process: several requests in a row.
    for (let i = 0; i < 4; i++) expect((await resident.get("/account")).status).toBe(200);
    const verified = await resident.post("/m/demo/verify", {
      intent: "census",
      nationalId: "0499370899",
      birthDate: "1985-03-21",
    });
    expect(verified.status).toBe(302);
    expect(verified.headers.get("location")).toBe("/m/demo/verify?done=1");
    const booth = await resident.get("/m/demo/rounds/budget-1405/vote/green");
    expect(booth.status).toBe(200);
    const cast = await resident.post("/m/demo/rounds/budget-1405/vote/green", {
      intent: "cast",
      [`points.${green.choices[0]}`]: "5",
    });
    expect(cast.status).toBe(200);
    const page = await cast.text();
    const ballotId = /receipt\?ballot=([0-9a-f-]{32,36})"/.exec(page)?.[1];
    expect(ballotId).toBeTruthy();
    const receipt = await resident.get(`/m/demo/rounds/budget-1405/receipt?ballot=${ballotId}`);
    expect(receipt.status).toBe(200);
    // A form sent without the token is refused on every process.
    const forged = await fetch(`${nginx.url}/m/demo/rounds/budget-1405/vote/green`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        cookie: `shora_session=${resident.jar.get("shora_session")}`,
      },
      body: new URLSearchParams({ intent: "cast", [`points.${green.choices[1]}`]: "5" }).toString(),
    });
    expect(forged.status).toBe(403);
  });

  it("keeps one linear ledger when 40 voters cast at once through nginx", async () => {
    const db = database.db;
    const voters = await demoVoters(db, { count: 40, prefix: "race" });
    const before = await db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
    // Each voter casts twice at once (a double click): one current ballot each, every cast a leaf.
    const casts = voters.flatMap((v) =>
      [0, 1].map((k) =>
        castGreen(nginx.url, v, green.choices[(v.n + k) % green.choices.length], 1 + k).then((r) => r.status),
      ),
    );
    expect(new Set(await Promise.all(casts))).toEqual(new Set([200]));
    const leaves = await db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    expect(leaves.length - before.length).toBe(80);
    expect(leaves.map((l) => l.leafIndex)).toEqual(leaves.map((_, i) => i));
    expect(leaves.map((l) => JSON.parse(l.leaf).seq)).toEqual(leaves.map((_, i) => i));
    const current = await db
      .select({ id: ballots.id })
      .from(ballots)
      .where(and(eq(ballots.envelopeId, green.id), eq(ballots.current, true)));
    // The 40 racers and the resident of the journey.
    expect(current.length).toBe(41);
  });

  it("serves the same published results page from every process's page cache", async () => {
    const strip = (html: string) =>
      html
        .replace(/nonce="[^"]*"/g, "")
        .replace(/name="_csrf" value="[^"]*"/g, "")
        .replace(/[A-Za-z0-9_-]{32}/g, "");
    const observer = visitor();
    const pages: string[] = [];
    const hits = new Set<string | null>();
    for (let i = 0; i < 8; i++) {
      const response = await observer.get("/m/demo/rounds/budget-1404/results");
      expect(response.status).toBe(200);
      hits.add(response.headers.get("x-shora-page-cache"));
      pages.push(strip(await response.text()));
    }
    expect(new Set(pages).size).toBe(1);
    expect(hits.has("hit")).toBe(true);
  });

  it("sums the metrics of host A's two workers; /metrics stays closed through nginx to others", async () => {
    const scrape = async (url: string) => {
      const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      const text = await response.text();
      return Number(/^shora_ballots_cast_total (\d+)$/m.exec(text)?.[1] ?? "NaN");
    };
    // 81 casts in the tests above, spread over three processes of two hosts.
    expect((await scrape(hostA.url)) + (await scrape(hostB.url))).toBe(81);
    const ready = await fetch(`${nginx.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", failing: [] });
  });

  it("stops the primary and both its workers on SIGTERM", async () => {
    const pid = hostA.child.pid as number;
    const children = fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) => fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" "))
      .filter(Boolean)
      .map(Number)
      .filter((child) => fs.readFileSync(`/proc/${child}/cmdline`, "utf8").includes("bin.cjs"));
    expect(children.length).toBe(2);
    const exited = new Promise<number | null>((resolve) => hostA.child.once("exit", resolve));
    hostA.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const child of children) expect(() => process.kill(child, 0)).toThrow();
    // Host B serves alone now: nginx takes host A out.
    const home = await fetch(`${nginx.url}/`);
    expect(home.status).toBe(200);
  });
});
