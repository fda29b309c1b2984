/**
 * Load benchmark (`npm run bench:load`): the production build on PostgreSQL, N verified voters, and a
 * fixed number of concurrent voters going through the real HTTP stack — open the basket, cast, read the
 * receipt — for a fixed time. In the same run: the raw ceiling of a single-row upsert loop on the same
 * server at the same concurrency, the published results page under the same load, and the framework's
 * floor (the empty Remix app of floor.bench.ts, uncompressed) for the floor ratio.
 *
 * Environment: BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres),
 * LOAD_VOTERS (20,000), LOAD_SECONDS (60), LOAD_CONCURRENCY (64), LOAD_APPS (1: app processes on the
 * same database, clients spread over them), LOAD_WORKERS (1: `shora serve --workers N` for each app),
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
import { client, cpuMs, drive, percentile, summary, treeCpuMs } from "./http-load";
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
    // (started one after the other: the first migrates and seeds the demo).
    const serveArgs = { args: ["--workers", String(Number(process.env.LOAD_WORKERS ?? 1))] };
    const apps = [await spawnServer(env, serveArgs)];
    for (let i = 1; i < Number(process.env.LOAD_APPS ?? 1); i++)
      apps.push(await spawnServer(env, { ...serveArgs, seedDemo: false }));
    const proxy = process.env.LOAD_NGINX === "1" ? await startNginx(apps.map((app) => app.url)) : null;
    const urlOf = (n: number) => proxy?.url ?? apps[n % apps.length].url;
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

      const base = (n: number) => `${urlOf(n)}/m/demo/rounds/budget-1405`;
      const request = client(concurrency);
      const steps = { open: [] as number[], cast: [] as number[], receipt: [] as number[] };
      // With --workers, the primary's children (the workers) do the work.
      const appCpu = () => apps.reduce((sum, app) => sum + treeCpuMs(app.child.pid) / 1000, 0);
      const cpuBefore = appCpu();
      const ballot = await drive(concurrency, seconds, async (n) => {
        const cookie = cookies[n % cookies.length];
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
        const cast = await request(`${base(n)}/vote/green?_data=routes%2Fm.%24slug.rounds.%24round.vote.%24envelope`, {
          method: "POST",
          headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
          body,
        });
        let result: { receipt?: { ballotId: string } } | null = null;
        try {
          result = JSON.parse(cast.body());
        } catch {}
        steps.cast.push(performance.now() - t);
        if (cast.status !== 200 || !result?.receipt) return `cast ${cast.status}`;
        t = performance.now();
        const receipt = await request(`${base(n)}/receipt?ballot=${result.receipt.ballotId}`, { headers: { cookie } });
        steps.receipt.push(performance.now() - t);
        return receipt.status === 200 ? 200 : `receipt ${receipt.status}`;
      });

      const ballotCpu = appCpu() - cpuBefore;
      const requestsServed = steps.open.length + steps.cast.length + steps.receipt.length;
      // The framework's floor in the same run: the empty Remix app, uncompressed (tests/bench/floor.bench.ts).
      const floor = await measureFloor(Math.min(seconds, 10), concurrency);
      const results = await drive(concurrency, Math.min(seconds, 15), async (n) => {
        const r = await request(`${urlOf(n)}/m/demo/rounds/budget-1404/results`);
        return r.status;
      });

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

      const b = summary(ballot, seconds);
      const r = summary(results, Math.min(seconds, 15));
      const c = summary(raw, Math.min(seconds, 15));
      const ms = (x: number) => `${x.toFixed(1)} ms`;
      console.log(
        `${voters.toLocaleString("en")} verified voters seeded in ${seedSeconds.toFixed(1)} s; ${concurrency} concurrent clients; ${apps.length} app process${apps.length > 1 ? "es" : ""} × ${serveArgs.args[1]} worker(s)${proxy ? " behind nginx" : ""}; PostgreSQL ${server.replace(/\/\/[^@]*@/, "//")}\n`,
      );
      console.log("| measure | per second | p50 | p95 | p99 | errors | target |");
      console.log("|---|---:|---:|---:|---:|---|---|");
      console.log(
        `| ballots (open basket → cast → receipt), ${seconds} s | ${b.perSecond.toFixed(0)} | ${ms(b.p50)} | ${ms(b.p95)} | ${ms(b.p99)} | ${b.errors} | ≥ 1,000/s, p99 < 250 ms, no errors |`,
      );
      console.log(
        `| raw ceiling: single-row upsert | ${c.perSecond.toFixed(0)} | ${ms(c.p50)} | ${ms(c.p95)} | ${ms(c.p99)} | ${c.errors} | ballots ≥ 10% of it (now ${((100 * b.perSecond) / c.perSecond).toFixed(1)}%) |`,
      );
      const median = (xs: number[]) =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        );
      console.log(
        `| — of which: open basket / cast / receipt (median) | | ${ms(median(steps.open))} / ${ms(median(steps.cast))} / ${ms(median(steps.receipt))} | | | | |`,
      );
      console.log(
        `| — app CPU per ballot-path request | | ${ms((1000 * ballotCpu) / requestsServed)} | | | | ${requestsServed.toLocaleString("en")} requests, ${ballotCpu.toFixed(1)} CPU s |`,
      );
      // A ballot path is two pages and a POST; the floor of one of its requests is the mean of the three.
      const floorPerRequest = (2 * floor.get + floor.post) / 3;
      const appPerRequest = (1000 * ballotCpu) / requestsServed;
      console.log(
        `| — floor ratio: app CPU per ballot-path request ÷ uncompressed floor | | ${(appPerRequest / floorPerRequest).toFixed(1)}× | | | | ≤ 3× (floor: GET ${floor.get.toFixed(2)} ms, POST ${floor.post.toFixed(2)} ms → ${floorPerRequest.toFixed(2)} ms per request) |`,
      );
      console.log(
        `| published results page | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${r.errors} | ≥ 500/s, p99 < 100 ms |`,
      );
    } finally {
      await database.close();
      await proxy?.stop();
      for (const app of apps) {
        const exited = new Promise((resolve) => app.child.once("exit", resolve));
        app.child.kill("SIGTERM");
        await exited;
      }
      await created.drop();
    }
  },
};
