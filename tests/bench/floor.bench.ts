/**
 * Framework floor (`npm run bench floor`): what Remix v2 + React 18 SSR + express + compression allow on
 * this machine with no application work at all — no database, no session, no CSRF, no security
 * headers. The app is tests/bench/floor/ (a root, one ballot-sized page with an action), built to
 * build/bench-floor and served by tests/bench/floor/serve.mjs, driven like load.bench.ts drives Shora:
 * a page, the `_data` POST, and the ballot-shaped GET → POST → GET. The server's CPU per request is read
 * from /proc/<pid>/stat around each row, so it does not depend on how busy the load generator is.
 *
 * Environment: LOAD_SECONDS (20 per row), LOAD_CONCURRENCY (64).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Stats, client, cpuMs, drive, summary } from "./http-load";
import type { BenchSuite } from "./run";

const root = path.resolve(import.meta.dirname, "../..");
const floor = path.join(import.meta.dirname, "floor");
const serverBuild = path.join(root, "build/bench-floor/server/index.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(file) : fs.statSync(file).mtimeMs);
  }
  return newest;
}

/** Builds the floor app when its build is missing or older than its sources (or the future flags). */
function ensureBuilt() {
  const sources = Math.max(newestSource(floor), fs.statSync(path.join(root, "remix.config.js")).mtimeMs);
  if (fs.existsSync(serverBuild) && fs.statSync(serverBuild).mtimeMs >= sources) return;
  console.log("building the floor app (build/bench-floor)…");
  const built = spawnSync("npx", ["remix", "vite:build", "--config", path.join(floor, "vite.config.ts")], {
    cwd: root,
    stdio: "inherit",
  });
  if (built.status !== 0) throw new Error("the floor app did not build");
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(floor, "serve.mjs")], {
    cwd: root,
    env: { ...process.env, PORT: "0", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk;
      const found = /listening on (http:\/\/\S+)/.exec(seen);
      if (found) resolve(found[1]);
    });
    child.once("exit", (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return { url, child };
}

/**
 * The uncompressed floor in the middle of another benchmark (the load bench's floor ratio): server CPU
 * per document GET and per `_data` POST of the empty app, each for `seconds` from `concurrency` loops.
 */
export async function measureFloor(seconds: number, concurrency: number): Promise<{ get: number; post: number }> {
  ensureBuilt();
  const { url, child } = await startServer();
  try {
    const request = client(concurrency);
    const plain = { "accept-encoding": "identity" };
    const page = `${url}/page`;
    const dataUrl = `${page}?_data=${encodeURIComponent("routes/page")}`;
    const post = (n: number) =>
      request(dataUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...plain },
        body: `_csrf=abcdefghijklmnopqrstuvwxyz012345&intent=cast&points.p${n % 9}=${1 + (n % 9)}`,
      });
    await drive(concurrency, 2, async (n) =>
      n % 2 ? (await request(page, { headers: plain })).status : (await post(n)).status,
    );
    const perRequest = async (work: (n: number) => Promise<number>) => {
      const before = cpuMs(child.pid);
      const stats = await drive(concurrency, seconds, work);
      return (cpuMs(child.pid) - before) / Math.max(1, stats.latencies.length);
    };
    return {
      get: await perRequest(async () => (await request(page, { headers: plain })).status),
      post: await perRequest(async (n) => (await post(n)).status),
    };
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}

export const floorBench: BenchSuite = {
  name: "floor",
  explicitOnly: true,
  async run() {
    const loadBefore = fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
    ensureBuilt();
    const seconds = Number(process.env.LOAD_SECONDS ?? 20);
    const concurrency = Number(process.env.LOAD_CONCURRENCY ?? 64);
    const { url, child } = await startServer();
    const pid = child.pid!;
    const request = client(concurrency);
    const page = `${url}/page`;
    const dataUrl = `${page}?_data=${encodeURIComponent("routes/page")}`;
    const form = "_csrf=abcdefghijklmnopqrstuvwxyz012345&intent=cast";
    const post = (n: number) =>
      request(dataUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `${form}&points.p${n % 9}=${1 + (n % 9)}`,
      });
    const sizes: Record<string, string> = {};

    type Row = { label: string; seconds: number; stats: Stats; serverMs: number; clientMs: number; requests: number };
    const rows: Row[] = [];
    async function row(
      label: string,
      rowSeconds: number,
      requestsPer: number,
      work: (n: number) => Promise<number | string>,
    ) {
      const server0 = cpuMs(pid);
      const client0 = process.cpuUsage();
      const stats = await drive(concurrency, rowSeconds, work);
      const clientUsage = process.cpuUsage(client0);
      const serverMs = cpuMs(pid) - server0;
      const s = summary(stats, rowSeconds);
      rows.push({
        label,
        seconds: rowSeconds,
        stats,
        serverMs,
        clientMs: (clientUsage.user + clientUsage.system) / 1000,
        requests: s.count * requestsPer,
      });
    }

    try {
      // What one of each answer weighs, compressed and not.
      const castHeaders = { "content-type": "application/x-www-form-urlencoded" };
      const weigh = async (
        name: string,
        target: string,
        init: { method?: string; body?: string; headers?: Record<string, string> },
      ) => {
        const packed = await request(target, init);
        const plain = await request(target, { ...init, headers: { ...init.headers, "accept-encoding": "identity" } });
        sizes[name] = `${plain.bytes.toLocaleString("en")} B (${packed.bytes.toLocaleString("en")} B as sent)`;
      };
      await weigh("page", page, {});
      await weigh("cast", dataUrl, { method: "POST", headers: castHeaders, body: form });
      // Warm-up (JIT, sockets), not counted.
      await drive(concurrency, 2, async (n) => (n % 2 ? (await request(page)).status : (await post(n)).status));

      await row("document GET /page (br/gzip)", seconds, 1, async () => (await request(page)).status);
      await row("`_data` POST (form-urlencoded → JSON)", seconds, 1, async (n) => {
        const cast = await post(n);
        return cast.status === 200 && JSON.parse(cast.body()).receipt ? 200 : `cast ${cast.status}`;
      });
      await row("ballot (GET → POST → GET)", seconds, 3, async (n) => {
        const open = await request(page);
        if (open.status !== 200) return `page ${open.status}`;
        const cast = await post(n);
        let receipt: { ballotId: string } | undefined;
        try {
          receipt = JSON.parse(cast.body()).receipt;
        } catch {}
        if (cast.status !== 200 || !receipt) return `cast ${cast.status}`;
        return (await request(`${page}?ballot=${receipt.ballotId}`)).status;
      });
      // Diagnostics: the same page with gzip only, and without compression, to show what compression costs.
      await row(
        "diagnostic: document GET, gzip only",
        Math.min(seconds, 10),
        1,
        async () => (await request(page, { headers: { "accept-encoding": "gzip" } })).status,
      );
      // (no compression)
      await row(
        "diagnostic: document GET, no compression",
        Math.min(seconds, 10),
        1,
        async () => (await request(page, { headers: { "accept-encoding": "identity" } })).status,
      );
    } finally {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }

    const ms = (x: number) => `${x.toFixed(1)} ms`;
    console.log(
      `Node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}); ${concurrency} concurrent clients; ${seconds} s per row; load average before: ${loadBefore}, after: ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
    );
    console.log(`Answers: page ${sizes.page}; cast ${sizes.cast}.\n`);
    console.log(
      "| measure | per second | p50 | p95 | p99 | errors | server CPU per request | server cores busy | client cores busy |",
    );
    console.log("|---|---:|---:|---:|---:|---|---:|---:|---:|");
    for (const r of rows) {
      const s = summary(r.stats, r.seconds);
      console.log(
        `| ${r.label} | ${s.perSecond.toFixed(0)} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${s.errors} | ${(r.serverMs / r.requests).toFixed(3)} ms | ${(r.serverMs / (r.seconds * 1000)).toFixed(2)} | ${(r.clientMs / (r.seconds * 1000)).toFixed(2)} |`,
      );
    }
    const cpuPer = (i: number) => rows[i].serverMs / rows[i].requests;
    const perBallot = 2 * cpuPer(0) + cpuPer(1);
    const measured = summary(rows[2].stats, rows[2].seconds).perSecond;
    // Shora compresses a page whole on the thread pool (app/server/compress-pages.ts), not as a stream:
    // the page without compression is the fairer floor for it.
    const bare = 2 * cpuPer(4) + cpuPer(1);
    console.log(
      `\nCeiling from CPU: 2 × ${cpuPer(0).toFixed(3)} ms (GET) + ${cpuPer(1).toFixed(3)} ms (POST) = ${perBallot.toFixed(3)} ms of server CPU per ballot → ${(1000 / perBallot).toFixed(0)} ballots/s per core (${(3000 / perBallot).toFixed(0)} requests/s), ${((os.cpus().length * 1000) / perBallot).toFixed(0)} on all ${os.cpus().length} cores with a free load generator. Measured: ${measured.toFixed(0)} ballots/s (${(3 * measured).toFixed(0)} requests/s); target ≥ 1,000 ballots/s (3,000 requests/s), p99 < 250 ms.`,
    );
    console.log(
      `Without compression: 2 × ${cpuPer(4).toFixed(3)} ms + ${cpuPer(1).toFixed(3)} ms = ${bare.toFixed(3)} ms per ballot → ${(1000 / bare).toFixed(0)} ballots/s per core, ${((os.cpus().length * 1000) / bare).toFixed(0)} on all ${os.cpus().length} cores, before any database, session or page of the app's own.`,
    );
  },
};
