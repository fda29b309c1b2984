/**
 * Load benchmark (`npm run bench:load`): the production build on PostgreSQL, N verified voters, and a
 * fixed number of concurrent voters going through the real HTTP stack — open the basket, cast, read the
 * receipt — for a fixed time. In the same run: the raw ceiling of a single-row upsert loop on the same
 * server at the same concurrency, the published results page under the same load, the framework's
 * floor (the empty Remix app of floor.bench.ts, uncompressed) for the floor ratio, and the ballot path
 * again with two workers per app for the scaling, all in one table.
 *
 * Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * LOAD_VOTERS (20,000), LOAD_SECONDS (60), LOAD_CONCURRENCY (64), LOAD_APPS (1: app processes on the
 * same database, clients spread over them), LOAD_WORKERS (2: after the ballot path with one worker per
app, it runs again with `shora serve --workers N` on voters of its own, for the scaling; 1 skips it),
 * LOAD_NGINX (1: the clients go through Debian's nginx in front of the apps, configured with
 * deploy/nginx/shora.conf; needs nginx installed). Run `npm run build` first.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq } from "drizzle-orm";
import pg from "pg";
import { openDatabase } from "../../db/client";
import { districts, envelopes, municipalities, proposals, rounds } from "../../db/schema";
import { makeVoters } from "../support/factories";
import { spawnServer, throwawayDatabase } from "../support/e2e-server";
import { startNginx } from "../support/nginx";
import { measureFloor } from "./floor.bench";
import { client, drive, percentile, summary, treeCpuMs } from "./http-load";
import type { BenchSuite } from "./run";

const root = path.resolve(import.meta.dirname, "../..");

export const loadBench: BenchSuite = {
  name: "load",
  explicitOnly: true,
  async run() {
    if (!fs.existsSync(path.join(root, "build/server"))) throw new Error("run `npm run build` first");
    const voters = Number(process.env.LOAD_VOTERS ?? 20_000);
    const seconds = Number(process.env.LOAD_SECONDS ?? 60);
    const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 64);
    const server = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
    const created = await throwawayDatabase(server, "shora_load");
    const url = new URL(created.url);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      PORT: "0",
      DATABASE_URL: created.url,
      SHORA_SECRET: randomBytes(24).toString("base64url"),
      // Every app process shares one key store (ADR 0016).
      SHORA_KEY_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "shora-load-keys-")),
    };
    delete env.SHORA_DATA_DIR;
    // LOAD_APPS > 1: more app processes on the same database, the clients spread over them
    // (started one after the other: the first migrates and seeds the demo). The ballot path runs once
    // with one worker per app and once with LOAD_WORKERS (the two-worker scaling), each on voters of
    // its own, in the same run.
    const appCount = Number(process.env.LOAD_APPS ?? 1);
    const scaledWorkers = Number(process.env.LOAD_WORKERS ?? 2);
    type Apps = {
      apps: { url: string; child: import("node:child_process").ChildProcess }[];
      proxy: Awaited<ReturnType<typeof startNginx>> | null;
    };
    const startApps = async (workers: number, seedDemo: boolean): Promise<Apps> => {
      const serveArgs = { args: ["--workers", String(workers)] };
      const apps = [await spawnServer(env, { ...serveArgs, seedDemo })];
      for (let i = 1; i < appCount; i++) apps.push(await spawnServer(env, { ...serveArgs, seedDemo: false }));
      const proxy = process.env.LOAD_NGINX === "1" ? await startNginx(apps.map((app) => app.url)) : null;
      return { apps, proxy };
    };
    const stopApps = async ({ apps, proxy }: Apps) => {
      await proxy?.stop();
      for (const app of apps) {
        const exited = new Promise((resolve) => app.child.once("exit", resolve));
        app.child.kill("SIGTERM");
        await exited;
      }
    };
    let running: Apps | null = await startApps(1, true);
    const database = await openDatabase({ url: url.toString(), migrate: false });
    try {
      // N verified voters with open sessions, from the fixture kit.
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
      const seeded = Date.now();
      const sessionIds = await makeVoters(db, {
        municipality: demo,
        districtId: north.id,
        count: voters,
        emailDomain: "bench.local",
      });
      const cookies = sessionIds.map((id) => `shora_session=${id}; shora_csrf=${csrf}`);
      const seedSeconds = (Date.now() - seeded) / 1000;

      const request = client(concurrency);
      const urlOf = (apps: Apps, n: number) => apps.proxy?.url ?? apps.apps[n % apps.apps.length].url;
      /** The ballot path for `seconds` on the apps running, with the voters from `first` on. */
      const ballotPath = async (on: Apps, first: number, count: number) => {
        const base = (n: number) => `${urlOf(on, n)}/m/demo/rounds/budget-1405`;
        const steps = { open: [] as number[], cast: [] as number[], receipt: [] as number[] };
        // With --workers, the primary's children (the workers) do the work.
        const appCpu = () => on.apps.reduce((sum, app) => sum + treeCpuMs(app.child.pid) / 1000, 0);
        const cpuBefore = appCpu();
        const stats = await drive(concurrency, seconds, async (n) => {
          const cookie = cookies[first + (n % count)];
          let t = performance.now();
          const open = await request(`${base(n)}/vote/green`, { headers: { cookie } });
          steps.open.push(performance.now() - t);
          t = performance.now();
          if (open.status !== 200) return `basket ${open.status}`;
          const body = new URLSearchParams({
            _csrf: csrf,
            intent: "cast",
            [`points.${choices[n % choices.length]}`]: String(1 + (n % 9)),
          }).toString();
          const cast = await request(
            `${base(n)}/vote/green?_data=routes%2Fm.%24slug.rounds.%24round.vote.%24envelope`,
            { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body },
          );
          let result: { receipt?: { ballotId: string } } | null = null;
          try {
            result = JSON.parse(cast.body());
          } catch {}
          steps.cast.push(performance.now() - t);
          if (cast.status !== 200 || !result?.receipt) return `cast ${cast.status}`;
          t = performance.now();
          const receipt = await request(`${base(n)}/receipt?ballot=${result.receipt.ballotId}`, {
            headers: { cookie },
          });
          steps.receipt.push(performance.now() - t);
          return receipt.status === 200 ? 200 : `receipt ${receipt.status}`;
        });
        const cpu = appCpu() - cpuBefore;
        const requests = steps.open.length + steps.cast.length + steps.receipt.length;
        return { stats, steps, cpu, requests };
      };

      // Half the voters for each run: a voter casts once per run (a revote would ask to confirm).
      const half = Math.floor(cookies.length / 2);
      const one = await ballotPath(running, 0, half);
      // The framework's floor in the same run: the empty Remix app, uncompressed (tests/bench/floor.bench.ts).
      const floor = await measureFloor(Math.min(seconds, 10), concurrency);
      const results = await drive(concurrency, Math.min(seconds, 15), async (n) => {
        const r = await request(`${urlOf(running as Apps, n)}/m/demo/rounds/budget-1404/results`);
        return r.status;
      });
      let scaled: Awaited<ReturnType<typeof ballotPath>> | null = null;
      if (scaledWorkers > 1) {
        await stopApps(running);
        running = null;
        running = await startApps(scaledWorkers, false);
        scaled = await ballotPath(running, half, cookies.length - half);
      }

      const pool = new pg.Pool({ connectionString: url.toString(), max: concurrency });
      await pool.query("create table bench_upsert (k integer primary key, v integer not null)");
      const raw = await drive(concurrency, Math.min(seconds, 15), async (n) => {
        await pool.query(
          "insert into bench_upsert (k, v) values ($1, $2) on conflict (k) do update set v = excluded.v",
          [n % 100_000, n],
        );
        return 200;
      });
      await pool.end();

      const r = summary(results, Math.min(seconds, 15));
      const c = summary(raw, Math.min(seconds, 15));
      const ms = (x: number) => `${x.toFixed(1)} ms`;
      const median = (xs: number[]) =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        );
      // A ballot path is two pages and a POST; the floor of one of its requests is the mean of the three.
      const floorPerRequest = (2 * floor.get + floor.post) / 3;
      console.log(
        `${voters.toLocaleString("en")} verified voters seeded in ${seedSeconds.toFixed(1)} s; ${concurrency} concurrent clients; ${appCount} app process${appCount > 1 ? "es" : ""}${process.env.LOAD_NGINX === "1" ? " behind nginx" : ""}; PostgreSQL ${server.replace(/\/\/[^@]*@/, "//")}\n`,
      );
      console.log("| measure | per second | p50 | p95 | p99 | errors | target |");
      console.log("|---|---:|---:|---:|---:|---|---|");
      const rows = (label: string, run: Awaited<ReturnType<typeof ballotPath>>) => {
        const b = summary(run.stats, seconds);
        const perRequest = (1000 * run.cpu) / run.requests;
        console.log(
          `| ballots (open basket → cast → receipt), ${label}, ${seconds} s | ${b.perSecond.toFixed(0)} | ${ms(b.p50)} | ${ms(b.p95)} | ${ms(b.p99)} | ${b.errors} | p99 < 250 ms, no errors |`,
        );
        console.log(
          `| — of which: open basket / cast / receipt (median) | | ${ms(median(run.steps.open))} / ${ms(median(run.steps.cast))} / ${ms(median(run.steps.receipt))} | | | | |`,
        );
        console.log(
          `| — app CPU per ballot-path request; floor ratio | | ${ms(perRequest)}; ${(perRequest / floorPerRequest).toFixed(1)}× | | | | ≤ 3× the uncompressed floor (${run.requests.toLocaleString("en")} requests, ${run.cpu.toFixed(1)} CPU s) |`,
        );
        return b;
      };
      const b1 = rows("1 worker", one);
      if (scaled) {
        const b2 = rows(`--workers ${scaledWorkers}`, scaled);
        console.log(
          `| — scaling: --workers ${scaledWorkers} ÷ 1 worker | | ${(b2.perSecond / b1.perSecond).toFixed(2)}× | | | | ≥ 1.6× with 2 workers |`,
        );
      }
      console.log(
        `| uncompressed floor (empty Remix page) | | GET ${floor.get.toFixed(2)} ms, POST ${floor.post.toFixed(2)} ms → ${floorPerRequest.toFixed(2)} ms per request | | | | |`,
      );
      console.log(
        `| raw ceiling: single-row upsert | ${c.perSecond.toFixed(0)} | ${ms(c.p50)} | ${ms(c.p95)} | ${ms(c.p99)} | ${c.errors} | ballots ≥ 10% of it (now ${((100 * b1.perSecond) / c.perSecond).toFixed(1)}%) |`,
      );
      console.log(
        `| published results page (1 worker) | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${r.errors} | ≥ 500/s, p99 < 100 ms |`,
      );
    } finally {
      await database.close();
      if (running) await stopApps(running);
      await created.drop();
    }
  },
};
