/**
 * What an operator's tools read (ADR 0030): /healthz and /readyz, the structured request log (a
 * request id, the route, never what a person typed), the Prometheus metrics behind their token, and
 * the files of public/ with their caching headers. The middleware of app/server/ on a real database,
 * over real HTTP.
 */
import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { healthEndpoints } from "../../app/server/health";
import { BALLOT_ROUTE, VERIFY_ROUTE, createMetrics, metricsEndpoint } from "../../app/server/metrics";
import { publicFiles } from "../../app/server/public-files";
import { createLogger, requestLog, routeNamer } from "../../app/server/request-log";
import { testDatabase, testKeyStore } from "../support/db";

const root = path.resolve(__dirname, "../..");
const TOKEN = "metrics-token-for-the-test";
let database: Database;
let base: string;
let close: () => void;
let keyDir: string;
const logLines: string[] = [];

/** A route table shaped like the build's (ids, parents, paths). */
const ROUTES = {
  root: { id: "root", path: "" },
  "routes/$": { id: "routes/$", parentId: "root", path: "*" },
  [BALLOT_ROUTE]: { id: BALLOT_ROUTE, parentId: "root", path: "m/:slug/rounds/:round/vote/:envelope" },
  [VERIFY_ROUTE]: { id: VERIFY_ROUTE, parentId: "root", path: "m/:slug/verify" },
};

beforeAll(async () => {
  database = await testDatabase();
  keyDir = testKeyStore();
  const metrics = createMetrics(database.db);
  const destination = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const app = express();
  app.use(
    requestLog({ logger: createLogger("info", destination), routeOf: routeNamer(ROUTES), observe: metrics.observe }),
  );
  app.use(healthEndpoints(database.db, () => keyDir));
  app.use(metricsEndpoint(metrics, TOKEN));
  app.use(publicFiles(path.join(root, "public")));
  // The app itself: reads the whole form (as Remix would) and answers by address.
  app.use(express.urlencoded({ extended: false }), (req, res) => {
    if (req.path.includes("/vote/")) res.status(200).json({ notice: "saved" });
    else if (req.path.endsWith("/verify")) res.status(req.body.nationalId === "0499370899" ? 303 : 400).end();
    else res.status(404).end();
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(async () => {
  close();
  await database.close();
});

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
  redirect: "manual" as const,
});

describe("health", () => {
  it("/healthz answers 200 while the process is up, never cached", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("/readyz answers 200 with the database reachable, migrations applied and the key store readable", async () => {
    const response = await fetch(`${base}/readyz`);
    expect(await response.json()).toEqual({ status: "ready", failing: [] });
    expect(response.status).toBe(200);
  });

  it("/readyz answers 503 naming the key store when it cannot be read", async () => {
    const kept = keyDir;
    keyDir = path.join(os.tmpdir(), "shora-no-such-key-store");
    try {
      const response = await fetch(`${base}/readyz`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: "unavailable", failing: ["keyStore"] });
    } finally {
      keyDir = kept;
    }
  });
});

describe("the request log", () => {
  it("logs one JSON line per request with its id and route, and nothing a person typed", async () => {
    logLines.length = 0;
    const email = "someone.private@example.org";
    const nationalId = "0499370899";
    const proposal = "b6f1c0de-4a1e-4f7a-9c57-5d1f2e0a9b11";
    const verify = await fetch(
      `${base}/m/demo/verify?email=${encodeURIComponent(email)}`,
      form({ nationalId, birthDate: "1985-03-21", email }),
    );
    expect(verify.status).toBe(303);
    const cast = await fetch(`${base}/m/demo/rounds/budget-1405/vote/green?voter=${nationalId}`, {
      ...form({ intent: "cast", [`points.${proposal}`]: "7", approved: proposal }),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-request-id": "nginx-req-0123456789abcdef" },
    });
    expect(cast.headers.get("x-request-id")).toBe("nginx-req-0123456789abcdef");
    const lines = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => [l.method, l.route, l.status])).toEqual([
      ["POST", VERIFY_ROUTE, 303],
      ["POST", BALLOT_ROUTE, 200],
    ]);
    expect(lines[0].reqId).toBe(verify.headers.get("x-request-id"));
    expect(lines[1].reqId).toBe("nginx-req-0123456789abcdef");
    const text = logLines.join("\n");
    for (const secret of [email, nationalId, proposal, "1985-03-21", "budget-1405", "/m/demo"])
      expect(text).not.toContain(secret);
  });

  it("replaces a request id that does not look like one", async () => {
    const response = await fetch(`${base}/healthz`, { headers: { "x-request-id": "bad id; rm -rf" } });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("metrics", () => {
  it("refuses /metrics without the token", async () => {
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${base}/metrics`, { headers: { authorization: "Bearer not-the-token-at-all!!" } });
    expect(wrong.status).toBe(401);
  });

  it("counts requests per route, ballots cast, verification attempts; reads outbox depth and checkpoint age", async () => {
    const scrape = async () => {
      const response = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(response.status).toBe(200);
      return response.text();
    };
    const value = (text: string, series: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    const before = await scrape();
    await fetch(`${base}/m/demo/rounds/r/vote/e`, form({ intent: "cast" }));
    await fetch(`${base}/m/demo/verify`, form({ nationalId: "1111111111" }));
    const after = await scrape();
    expect((value(after, "shora_ballots_cast_total") ?? 0) - (value(before, "shora_ballots_cast_total") ?? 0)).toBe(1);
    const refused = 'shora_verification_attempts_total{outcome="refused"}';
    expect((value(after, refused) ?? 0) - (value(before, refused) ?? 0)).toBe(1);
    expect(
      value(after, `shora_http_requests_total{route="${BALLOT_ROUTE}",method="POST",status="200"}`),
    ).toBeGreaterThan(0);
    expect(after).toContain(
      `shora_http_request_duration_seconds_bucket{le="0.005",route="${VERIFY_ROUTE}",method="POST"}`,
    );
    expect(value(after, "shora_outbox_depth")).toBeGreaterThanOrEqual(0);
    expect(value(after, "shora_last_checkpoint_age_seconds")).toBeGreaterThanOrEqual(-1);
  });

  it("does not serve /metrics when no token is configured", async () => {
    const app = express();
    app.use(metricsEndpoint(createMetrics(database.db), undefined));
    app.use((_req, res) => res.status(404).end());
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(response.status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe("public files", () => {
  it("serves robots.txt and security.txt as text with caching headers", async () => {
    const robots = await fetch(`${base}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get("cache-control")).toBe("public, max-age=86400");
    expect(await robots.text()).toMatch(/^User-agent: \*$/m);
    const security = await fetch(`${base}/.well-known/security.txt`);
    expect(security.status).toBe(200);
    expect(security.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(security.headers.get("cache-control")).toBe("public, max-age=86400");
    const text = await security.text();
    expect(text).toMatch(/^Contact: \S+$/m);
    const expires = /^Expires: (\S+)$/m.exec(text)?.[1];
    expect(new Date(expires ?? 0).getTime()).toBeGreaterThan(Date.now());
  });

  it("serves the web app manifest, and every icon it names is a PNG of the size it says", async () => {
    const response = await fetch(`${base}/manifest.webmanifest`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    const manifest = (await response.json()) as {
      name: string;
      start_url: string;
      icons: { src: string; sizes: string }[];
    };
    expect(manifest.start_url).toBe("/");
    expect(manifest.icons.map((i) => i.sizes).sort()).toEqual(["192x192", "512x512"]);
    for (const icon of manifest.icons) {
      const png = Buffer.from(await (await fetch(`${base}${icon.src}`)).arrayBuffer());
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`).toBe(icon.sizes);
      expect(png.length).toBeLessThan(32_000);
    }
  });

  it("serves nothing outside the public folder, and not the folder's own listing", async () => {
    expect((await fetch(`${base}/.well-known/`)).status).toBe(404);
    expect((await fetch(`${base}/.well-known/%2e%2e/package.json`)).status).toBe(404);
    expect((await fetch(`${base}/package.json`)).status).toBe(404);
    expect(fs.existsSync(path.join(root, "package.json"))).toBe(true);
  });
});
