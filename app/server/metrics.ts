/**
 * Prometheus metrics (prom-client) at /metrics, behind SHORA_METRICS_TOKEN (404 when unset, 401
 * without the right bearer token). Per route (the Remix route id, never the address: addresses hold
 * ids and codes): requests and latencies; ballots cast and verification attempts (the answers of the
 * ballot and verification routes); the outbox depth (queued jobs not done) and the age of the newest
 * checkpoint, read from the database when scraped. Under `shora serve --workers N` each worker
 * counts its own requests and the primary sums them (prom-client's AggregatorRegistry; the database
 * readings take the maximum, since every worker reads the same database). ADR 0030.
 */
import cluster from "node:cluster";
import { timingSafeEqual } from "node:crypto";
import { sql } from "drizzle-orm";
import type { NextFunction, Request, Response } from "express";
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { type Db, queryRows } from "../../db/client";
import { checkpoints, jobs } from "../../db/schema";

/** The route that answers ballots (a 2xx POST there is a ballot cast). */
export const BALLOT_ROUTE = "routes/m.$slug.rounds.$round.vote.$envelope";
/** The route where residents verify themselves (every POST there is an attempt). */
export const VERIFY_ROUTE = "routes/m.$slug.verify";

export interface Metrics {
  registry: Registry;
  /** Counts one answered request (called by the request log when the response is finished). */
  observe(input: { route: string; method: string; status: number; seconds: number }): void;
}

export function createMetrics(db: Db): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "shora_" });
  const requests = new Counter({
    name: "shora_http_requests_total",
    help: "HTTP requests answered, by route, method and status",
    labelNames: ["route", "method", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "shora_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route and method",
    labelNames: ["route", "method"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const ballots = new Counter({
    name: "shora_ballots_cast_total",
    help: "Ballots cast through the voting booth (accepted POSTs of the ballot route)",
    registers: [registry],
  });
  const verifications = new Counter({
    name: "shora_verification_attempts_total",
    help: "Verification attempts of residents, by outcome (accepted: 2xx/3xx, refused: 4xx, failed: 5xx)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  new Gauge({
    name: "shora_outbox_depth",
    help: "Queued jobs not yet done (checkpoints waiting for witnesses)",
    aggregator: "max",
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from ${jobs} where done_at is null`,
      );
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: "shora_last_checkpoint_age_seconds",
    help: "Seconds since the newest checkpoint of any round was signed (-1: none yet)",
    aggregator: "max",
    registers: [registry],
    async collect() {
      const [row] = await queryRows<{ at: string | Date | null }>(
        db,
        sql`select max(signed_at) as at from ${checkpoints}`,
      );
      this.set(row?.at ? Math.max(0, (Date.now() - new Date(row.at).getTime()) / 1000) : -1);
    },
  });
  if (cluster.isWorker) {
    // Constructing one installs prom-client's answer to the primary's requests in this worker.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }
  return {
    registry,
    observe({ route, method, status, seconds }) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
      if (method !== "POST") return;
      if (route === BALLOT_ROUTE && status >= 200 && status < 300) ballots.inc();
      if (route === VERIFY_ROUTE)
        verifications.inc({ outcome: status < 400 ? "accepted" : status < 500 ? "refused" : "failed" });
    },
  };
}

const ASK = "shora:metrics-request";
const ANSWER = "shora:metrics-answer";

/** In the primary of a cluster: answers the workers' requests for every worker's metrics, summed. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text }),
      (error: Error) => worker.send({ type: ANSWER, id: message.id, error: error.message }),
    );
  });
}

let asked = 0;
const waiting = new Map<number, (answer: { text?: string; error?: string }) => void>();

function clusterText(): Promise<string> {
  const id = ++asked;
  if (waiting.size === 0)
    process.on("message", (message: { type?: string; id?: number; text?: string; error?: string }) => {
      if (message?.type !== ANSWER || message.id === undefined) return;
      waiting.get(message.id)?.(message);
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error("the primary did not answer"));
    }, 10_000);
    waiting.set(id, (answer) => {
      clearTimeout(timer);
      waiting.delete(id);
      if (answer.error !== undefined) reject(new Error(answer.error));
      else resolve(answer.text ?? "");
    });
    process.send?.({ type: ASK, id });
  });
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics: 404 without a configured token, 401 without the right one, else the text format. */
export function metricsEndpoint(metrics: Metrics, token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.path !== "/metrics" || !token) return next();
    res.locals.route = "metrics";
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
    if (!sameToken(given, token)) {
      res.status(401).setHeader("WWW-Authenticate", 'Bearer realm="metrics"').type("text/plain").send("unauthorized\n");
      return;
    }
    const text = cluster.isWorker && process.send ? clusterText() : metrics.registry.metrics();
    text.then(
      (body) => {
        res.setHeader("Cache-Control", "no-store");
        res.type(metrics.registry.contentType).send(body);
      },
      (error: Error) => res.status(500).type("text/plain").send(`metrics: ${error.message}\n`),
    );
  };
}
