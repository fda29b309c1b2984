/**
 * Where the CPU of one ballot-path request goes (`npm run bench profile`): the production build on a
 * throwaway PostgreSQL database, started under `node --cpu-prof`, driven by a few clients (the CPU a
 * request costs does not depend on how many wait, and few clients keep the figures steady on a
 * shared machine). For each step — open the basket, cast, read the receipt — it prints the server's
 * CPU per request (user + system of the whole process from /proc, so compression on libuv's threads
 * counts), compressed as browsers ask and uncompressed, and then the main thread's profile of the whole
 * ballot path grouped by package (node_modules) or by the app's own functions.
 *
 * Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * PROFILE_REQUESTS (600 per row), LOAD_CONCURRENCY (4). Run `npm run build` first.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { districts, envelopes, municipalities, proposals, rounds } from "../../db/schema";
import { spawnServer, throwawayDatabase } from "../support/e2e-server";
import { makeVoters } from "../support/factories";
import { client, cpuMs } from "./http-load";
import type { BenchSuite } from "./run";

const root = path.resolve(import.meta.dirname, "../..");

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Self time of a profile grouped by package, or by function for the app's build and Node's internals:
 * from the end of the pause before the requests on, so the start-up (the demo's seeding) is left out.
 */
export function profileBuckets(profile: Profile): { name: string; ms: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const idle = (id: number) => (byId.get(id) as ProfileNode).callFrame.functionName === "(idle)";
  // The pause: the longest idle stretch with most of the busy time after it (the run ends idle too).
  const busy = profile.samples.map((id, i) => (idle(id) ? 0 : (profile.timeDeltas[i] ?? 0)));
  const after: number[] = [];
  for (let i = busy.length - 1, sum = 0; i >= 0; i--) after[i] = sum += busy[i];
  let from = 0;
  let longest = 0;
  for (let i = 0, run = 0; i < profile.samples.length; i++) {
    run = idle(profile.samples[i]) ? run + (profile.timeDeltas[i] ?? 0) : 0;
    if (run > longest && (after[i] ?? 0) > after[0] / 2) [longest, from] = [run, i + 1];
  }
  const self = new Map<number, number>();
  for (let i = from; i < profile.samples.length; i++)
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0));
  const buckets = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url } = (byId.get(id) as ProfileNode).callFrame;
    let name: string;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) name = pkg[1];
    else if (url.includes("/build/server/")) name = `app: ${functionName || "(anonymous)"}`;
    else if (url.startsWith("node:")) name = `node: ${url.slice(5).split("/")[0]}`;
    else if (!url) name = functionName || "(native)";
    else name = path.relative(root, url.replace(/^file:\/\//, ""));
    if (name === "(idle)") continue;
    buckets.set(name, (buckets.get(name) ?? 0) + us / 1000);
  }
  return [...buckets].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
}

export const profileBench: BenchSuite = {
  name: "profile",
  explicitOnly: true,
  async run() {
    if (!fs.existsSync(path.join(root, "build/server"))) throw new Error("run `npm run build` first");
    const count = Number(process.env.PROFILE_REQUESTS ?? 600);
    const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 4);
    const server = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const created = await throwawayDatabase(server, "shora_profile");
    const profiles = fs.mkdtempSync(path.join(os.tmpdir(), "shora-profile-"));
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: "0",
      DATABASE_URL: created.url,
      SHORA_SECRET: randomBytes(24).toString("base64url"),
      SHORA_KEY_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "shora-profile-keys-")),
      SHORA_SERVER_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profiles}`,
    };
    delete env.SHORA_DATA_DIR;
    // One process, so its CPU and its profile are the whole server's (SHORA_WORKERS defaults to a
    // worker per core on PostgreSQL).
    const app = await spawnServer(env, { args: ["--workers", "1"] });
    const pid = app.child.pid;
    const database = await openDatabase({ url: created.url, migrate: false });
    try {
      const db = database.db;
      const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
      const [north] = await db
        .select()
        .from(districts)
        .where(and(eq(districts.municipalityId, demo.id), eq(districts.code, "north")));
      const [round] = await db
        .select()
        .from(rounds)
        .where(and(eq(rounds.municipalityId, demo.id), eq(rounds.slug, "budget-1405")));
      const [green] = await db
        .select()
        .from(envelopes)
        .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, "green")));
      const choices = (
        await db
          .select({ id: proposals.id })
          .from(proposals)
          .where(eq(proposals.envelopeId, green.id))
          .orderBy(asc(proposals.createdAt))
      ).map((p) => p.id);
      const csrf = randomBytes(24).toString("base64url");
      const cookies = (await makeVoters(db, { municipality: demo, districtId: north.id, count: 3 * count })).map(
        (id) => `shora_session=${id}; shora_csrf=${csrf}`,
      );
      const request = client(concurrency);
      const base = `${app.url}/m/demo/rounds/budget-1405`;
      const receipts: string[] = [];
      let firstCasts = 0;
      const identity = { "accept-encoding": "identity" };
      const steps = {
        open: (n: number, headers: Record<string, string> = {}) =>
          request(`${base}/vote/green`, { headers: { cookie: cookies[n % cookies.length], ...headers } }),
        cast: async (n: number, headers: Record<string, string> = {}) => {
          // Every cast is a voter's first ballot, as in a real round (the load bench's path).
          n = firstCasts++;
          const body = new URLSearchParams({
            _csrf: csrf,
            intent: "cast",
            // Revotes replace without the confirmation step (ADR 0027), so every row measures casts.
            replace: "yes",
            [`points.${choices[n % choices.length]}`]: String(1 + (n % 9)),
          }).toString();
          const cast = await request(`${base}/vote/green?_data=routes%2Fm.%24slug.rounds.%24round.vote.%24envelope`, {
            method: "POST",
            headers: {
              cookie: cookies[n % cookies.length],
              "content-type": "application/x-www-form-urlencoded",
              ...headers,
            },
            body,
          });
          const receipt = cast.status === 200 ? JSON.parse(cast.body()).receipt : null;
          if (receipt) receipts[n % cookies.length] = receipt.ballotId;
          // A revote the page asks to confirm first (ADR 0027) answers 200 without a receipt.
          return receipt || cast.status !== 200 ? cast : { status: 299 };
        },
        receipt: (n: number, headers: Record<string, string> = {}) =>
          request(`${base}/receipt?ballot=${receipts[n % cookies.length]}`, {
            headers: { cookie: cookies[n % cookies.length], ...headers },
          }),
      };
      /** Server CPU per request of `step` over `count` requests from `concurrency` loops. */
      const row = async (step: (n: number) => Promise<{ status: number }>) => {
        let next = 0;
        const bad = new Map<number, number>();
        const before = cpuMs(pid);
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < count) {
              const { status } = await step(next++);
              if (status !== 200) bad.set(status, (bad.get(status) ?? 0) + 1);
            }
          }),
        );
        const ms = (cpuMs(pid) - before) / count;
        return `${ms.toFixed(2)} ms${bad.size ? ` (${[...bad].map(([s, n]) => `${s}×${n}`).join(" ")})` : ""}`;
      };
      // A pause the profile is cut at (see profileBuckets), then a warm-up (JIT, connections, the
      // voters' first ballots), not counted in the table.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      for (const step of [steps.open, steps.cast, steps.receipt]) await row(step);
      console.log(`${count} requests per row, ${concurrency} clients; server CPU per request (user + system)\n`);
      console.log("| step | as browsers ask (br) | uncompressed |");
      console.log("|---|---:|---:|");
      for (const [name, step] of Object.entries(steps))
        console.log(`| ${name} | ${await row((n) => step(n))} | ${await row((n) => step(n, identity))} |`);
    } finally {
      await database.close();
      const exited = new Promise((resolve) => app.child.once("exit", resolve));
      app.child.kill("SIGTERM");
      await exited;
      await created.drop();
      fs.rmSync(env.SHORA_KEY_DIR, { recursive: true, force: true });
    }
    const file = fs.readdirSync(profiles).find((f) => f.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no profile in ${profiles}`);
    const profile = JSON.parse(fs.readFileSync(path.join(profiles, file), "utf8")) as Profile;
    const buckets = profileBuckets(profile);
    const total = buckets.reduce((sum, b) => sum + b.ms, 0);
    console.log(`\nMain thread, whole run (${profile.samples.length} samples, ${total.toFixed(0)} ms busy): self time`);
    console.log("| where | ms | share |");
    console.log("|---|---:|---:|");
    for (const b of buckets.slice(0, 30))
      console.log(`| ${b.name} | ${b.ms.toFixed(0)} | ${((100 * b.ms) / total).toFixed(1)}% |`);
    console.log(`\nprofile: ${path.join(profiles, file)}`);
  },
};
