/**
 * What the HTTP benchmarks share (load.bench.ts, floor.bench.ts): a light client, a driver that runs
 * a piece of work from N loops for a fixed time, the summary of its latencies, and a process's CPU.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import zlib from "node:zlib";

export interface Stats {
  latencies: number[];
  statuses: Map<number | string, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summary(stats: Stats, seconds: number) {
  const sorted = [...stats.latencies].sort((a, b) => a - b);
  const errors = [...stats.statuses].filter(([s]) => s !== 200).map(([s, n]) => `${s}×${n}`);
  return {
    count: stats.latencies.length,
    perSecond: stats.latencies.length / seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: errors.length ? errors.join(" ") : "none",
  };
}

/**
 * A light HTTP client for the load: node:http with kept-alive sockets. Node's fetch costs the load
 * generator most of a core at this rate, CPU that the server it measures shares on a 2-core machine.
 * It asks for compressed answers, as browsers do, and only unpacks the bodies it reads.
 */
export function client(concurrency: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  return function request(
    url: string,
    options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  ): Promise<{ status: number; bytes: number; body: () => string }> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          agent,
          method: options.method ?? "GET",
          headers: { "accept-encoding": "gzip, deflate, br", ...options.headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () => {
            const raw = Buffer.concat(chunks);
            const encoding = res.headers["content-encoding"];
            resolve({
              status: res.statusCode ?? 0,
              bytes: raw.length,
              body: () =>
                (encoding === "br"
                  ? zlib.brotliDecompressSync(raw)
                  : encoding === "gzip"
                    ? zlib.gunzipSync(raw)
                    : encoding === "deflate"
                      ? zlib.inflateSync(raw)
                      : raw
                ).toString("utf8"),
            });
          });
        },
      );
      req.on("error", reject);
      req.end(options.body);
    });
  };
}

/** Runs `work` from `concurrency` loops for `seconds`; each call returns its status. */
export async function drive(
  concurrency: number,
  seconds: number,
  work: (n: number) => Promise<number | string>,
): Promise<Stats> {
  const stats: Stats = { latencies: [], statuses: new Map() };
  const until = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        const started = performance.now();
        let status: number | string;
        try {
          status = await work(n++);
        } catch (error) {
          // A network error by its code (ECONNRESET…), anything else by its message, so errors can be told apart.
          const e = error as NodeJS.ErrnoException;
          status = e.code ?? `${e.name}: ${e.message}`;
        }
        if (status === 200) stats.latencies.push(performance.now() - started);
        stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  return stats;
}

export const ticksPerSecond = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A process's user + system CPU so far, in ms (Linux; NaN where /proc cannot tell). */
/** CPU milliseconds of a process and its children (the workers of `shora serve --workers N`). */
export function treeCpuMs(pid: number | undefined): number {
  if (pid === undefined || !fs.existsSync(`/proc/${pid}/task`)) return Number.NaN;
  let total = cpuMs(pid);
  for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
    const file = `/proc/${pid}/task/${task}/children`;
    const children = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split(" ").filter(Boolean) : [];
    for (const child of children) total += treeCpuMs(Number(child)) || 0;
  }
  return total;
}

export function cpuMs(pid: number | undefined): number {
  if (pid === undefined || !fs.existsSync(`/proc/${pid}/stat`)) return Number.NaN;
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}
