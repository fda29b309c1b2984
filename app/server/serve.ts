import cluster from "node:cluster";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { nulFreeAddresses } from "./addresses.ts";
import { compressPages } from "./compress-pages.ts";
import { loadPrecompressed, precompressedAssets } from "./precompressed.ts";
import { type Database, openDatabaseFromEnv } from "../../db/client";
import { keyStoreDir } from "../../db/keystore";
import { config } from "../config.server";
import { startCheckpointScheduler } from "../services/ballots/checkpoints.server";
import { startJobWorker } from "../services/jobs/jobs.server";
import { startMailWorker } from "../services/mail/delivery.server";
import { reminderJobHandlers, startReminderScheduler } from "../services/rounds/reminders.server";
import { startHousekeeping } from "../services/accounts/privacy.server";
import { witnessJobHandlers } from "../services/witnesses/send.server";
import { CSRF_COOKIE, csrfTokenIn, newCsrfToken } from "../web/csrf.server";
import { serverSecret } from "../services/secrets.server";
import { DEMO_TOTP_SECRET, seedDemo } from "../services/demo/demo.server";
import { startDemoWitnesses, stopDemoWitnesses } from "../services/demo/demo-witnesses.server";
import { destroyPublishedSecrets } from "../services/tally/publish.server";
import { serializeCookie } from "../web/session.server";
import { pageCache } from "./page-cache.ts";
import { publicFiles } from "./public-files.ts";
import { memoiseRouteMatching } from "./route-matching.ts";
import { securityHeaders } from "./security-headers.ts";
import { healthEndpoints } from "./health.ts";
import { createMetrics, metricsEndpoint, serveClusterMetrics } from "./metrics.ts";
import { createLogger, requestLog, routeNamer } from "./request-log.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerOptions {
  port: number;
  host: string;
  /** Serve the app through Vite (hot reload) instead of ./build. */
  dev: boolean;
  /** Add the demo municipality when it is missing. */
  seedDemo: boolean;
  /** App processes (node:cluster); unset: SHORA_WORKERS, else the cores on PostgreSQL, 1 on PGlite. */
  workers?: number;
}

/**
 * How many app processes: asked for, else SHORA_WORKERS, else one per core on PostgreSQL and one on
 * the embedded database, which only one process may open (ADR 0004). Refuses more than one on PGlite
 * or with --dev (ADR 0030).
 */
export function workerCount(options: { workers?: number; dev: boolean }): number {
  const settings = config();
  const asked = options.workers ?? settings.workers;
  if (asked === undefined) return settings.databaseUrl && !options.dev ? Math.max(1, os.availableParallelism()) : 1;
  if (asked > 1 && !settings.databaseUrl)
    throw new ServerCannotStart(
      `--workers ${asked}: the embedded database (PGlite) can be opened by one process only; use --workers 1, or set DATABASE_URL to a PostgreSQL database`,
    );
  if (asked > 1 && options.dev)
    throw new ServerCannotStart(`--workers ${asked}: the development server (--dev) runs one process`);
  return asked;
}

/** Where the server reports: its address when listening, the scheduler's errors, shutdown. */
export interface ServerLog {
  out(text: string): void;
  err(text: string): void;
}

/** Refused before the server starts: the operator must fix something (printed as a usage error). */
export class ServerCannotStart extends Error {}

/**
 * The HTTP server: express with its middleware in front of Remix's request handler, on the
 * database the configuration names, with the checkpoint scheduler and the job worker. With several
 * workers, this process is the cluster's primary: it migrates and seeds once, runs the demo's
 * witnesses, forks the workers (each runs this function again as a worker) and sums their metrics.
 * Resolves when SIGTERM or SIGINT closed the server(s) and the database.
 */
export async function startServer(options: ServerOptions, log: ServerLog): Promise<void> {
  if (cluster.isWorker) return serveHttp(options, log, { worker: true });
  const workers = workerCount(options);
  if (workers > 1) return runPrimary(options, log, workers);
  return serveHttp(options, log, { worker: false });
}

function checkBeforeStart(dev: boolean): string {
  // Every host of an installation must use the same server secret (ADR 0016): checked up front.
  serverSecret();
  const buildFile = path.join(root, "build/server/index.js");
  if (!dev && !fs.existsSync(buildFile)) throw new ServerCannotStart("no production build: run `npm run build` first");
  return buildFile;
}

/** What one process does before it serves, alone or as a cluster's primary: seed, clear published secrets. */
async function prepareDatabase(database: Database, options: ServerOptions, log: ServerLog) {
  if (options.seedDemo) {
    const { created } = await seedDemo(database.db, { now: new Date(), witnesses: true });
    if (created) log.out("Seeded the demo municipality (slug: demo).\n");
    log.out(
      `Demo two-factor secret of admin@ and platform@demo.shora.local (type it into an authenticator app): ${DEMO_TOTP_SECRET}\n`,
    );
    const demoWitnesses = await startDemoWitnesses(database.db);
    if (demoWitnesses) log.out(`Demo witnesses (quorum 2): ${demoWitnesses.urls.join(", ")}\n`);
  }
  await destroyPublishedSecrets(database.db);
}

/** Resolves on the first SIGTERM or SIGINT, after `stop` ran. */
function untilSignal(log: ServerLog, stop: () => Promise<void>, quiet = false): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      if (!quiet) log.out(`${signal}: closing the server and the database…\n`);
      stop().finally(resolve);
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
    // A worker whose primary is gone stops too.
    if (cluster.isWorker) cluster.worker?.once("disconnect", () => onSignal("disconnect"));
  });
}

/**
 * The primary of `--workers N`: prepares the database once (migrations, demo, published secrets),
 * forks N workers that share the port, replaces a worker that dies, and on SIGTERM/SIGINT stops them
 * all (each closes its connections and database) before closing its own database.
 */
async function runPrimary(options: ServerOptions, log: ServerLog, workers: number): Promise<void> {
  checkBeforeStart(options.dev);
  const started = performance.now();
  const database = await openDatabaseFromEnv({ poolSize: 2 });
  await prepareDatabase(database, options, log);
  serveClusterMetrics();
  let stopping = false;
  const listening = new Set<number>();
  let announced = false;
  cluster.on("listening", (worker, address) => {
    listening.add(worker.id);
    if (announced || listening.size < workers) return;
    announced = true;
    log.out(
      `Shora listening on http://localhost:${address.port} (${workers} workers, database: ${database.kind} ${database.where}, ready in ${Math.round(performance.now() - started)} ms)\n`,
    );
  });
  cluster.on("exit", (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) return;
    log.err(`worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
    setTimeout(() => cluster.fork(), 1_000).unref();
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  await untilSignal(log, async () => {
    stopping = true;
    const all = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(
      all.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            worker.once("exit", () => resolve());
            worker.process.kill("SIGTERM");
          }),
      ),
    );
    await stopDemoWitnesses();
    await database.close();
  });
}

async function serveHttp(options: ServerOptions, log: ServerLog, role: { worker: boolean }): Promise<void> {
  const { dev, port, host } = options;
  const settings = config();
  const buildFile = checkBeforeStart(dev);
  const started = performance.now();
  memoiseRouteMatching();
  // A worker's primary migrated the database already.
  const database = await openDatabaseFromEnv(role.worker ? { migrate: false } : {});
  if (!role.worker) await prepareDatabase(database, options, log);
  const logger = createLogger(settings.logLevel);
  const metrics = createMetrics(database.db);
  const app = express();
  app.disable("x-powered-by");
  if (settings.trustProxy) app.set("trust proxy", true);
  // Pages change with every response (a fresh nonce): an ETag would cost a hash and never match.
  app.set("etag", false);
  app.use(nulFreeAddresses());
  app.use(securityHeaders());
  const productionBuild = dev ? undefined : ((await import(buildFile)) as ServerBuild);
  const routeOf = productionBuild ? routeNamer(productionBuild.routes) : () => "dev";
  app.use(requestLog({ logger, routeOf, observe: metrics.observe }));
  app.use(healthEndpoints(database.db, keyStoreDir));
  app.use(metricsEndpoint(metrics, settings.metricsToken));
  app.use(compression());
  app.use(compressPages());
  let build = productionBuild as ServerBuild | (() => Promise<ServerBuild>);
  let closeVite = async () => {};
  if (dev) {
    const vite = await import("vite");
    const viteServer = await vite.createServer({ root, server: { middlewareMode: true } });
    app.use(viteServer.middlewares);
    build = () => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    closeVite = () => viteServer.close();
  } else {
    const assets = path.join(root, "build/client/assets");
    app.use(precompressedAssets(loadPrecompressed(assets, "/assets")));
    app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
    // The files of public/ (robots.txt, the manifest and its icons, /.well-known/security.txt).
    app.use(publicFiles(path.join(root, "build/client")));
  }
  // Every browser gets its CSRF token cookie on its first request (see app/web/csrf.server.ts).
  app.use((req, res, next) => {
    if (!csrfTokenIn(req.headers.cookie)) {
      const url = `${req.protocol}://${req.get("host") ?? "localhost"}${req.originalUrl}`;
      const token = newCsrfToken();
      res.append("Set-Cookie", serializeCookie({ url }, CSRF_COOKIE, token));
      req.headers.cookie = `${req.headers.cookie ? `${req.headers.cookie}; ` : ""}${CSRF_COOKIE}=${token}`;
    }
    next();
  });
  // Published pages from memory: each worker keeps its own copy; they never change (ADR 0010, 0030).
  if (!dev) app.use(pageCache());
  app.all(
    "*",
    createRequestHandler({
      build,
      mode: dev ? "development" : "production",
      getLoadContext: (req) => ({
        db: database.db,
        clientIp: req.ip ?? req.socket.remoteAddress ?? "unknown",
        // Only requests that change nothing share reads between their loaders (see context.ts).
        perRequest: req.method === "GET" || req.method === "HEAD" ? new Map() : undefined,
      }),
    }),
  );
  // Checkpoints are signed on a schedule, never by a cast (ADR 0016); with several processes each
  // runs the scheduler: a checkpoint is signed under a per-round advisory lock and stored once.
  const stopScheduler = startCheckpointScheduler(database.db, (error) =>
    log.err(`checkpoint scheduler: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  // Queued jobs (checkpoints to the witnesses, ADR 0022) run in every process, claimed with
  // FOR UPDATE SKIP LOCKED, retried with back-off.
  const jobWorker = startJobWorker(database.db, {
    handlers: { ...witnessJobHandlers(), ...reminderJobHandlers() },
    report: (error) => log.err(`job worker: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  // Reminders to vote (ADR 0041) are offered as named jobs: every process may offer, one takes each.
  const stopReminders = startReminderScheduler(database.db, {
    poke: () => jobWorker.poke(),
    report: (error) => log.err(`reminders: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  // Verification records of deleted accounts are erased once their municipality's time is up (ADR 0026).
  const stopHousekeeping = startHousekeeping(database.db, {
    report: (error) => log.err(`housekeeping: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  // Messages in the outbox (ADR 0025) are delivered by this process too; several may run at once.
  const mailWorker = startMailWorker(database.db, {
    report: (error) => log.err(`mail worker: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  const server = app.listen(port, host, () => {
    const address = server.address();
    const actualPort = typeof address === "object" && address ? address.port : port;
    if (role.worker) return;
    log.out(
      `Shora listening on http://localhost:${actualPort} (database: ${database.kind} ${database.where}, ready in ${Math.round(performance.now() - started)} ms)\n`,
    );
  });
  // Idle kept-alive connections stay open longer than the 5 s default: a client (or a proxy in
  // front) that reuses a socket just as the server closes it gets ECONNRESET, which the load
  // bench saw on a starved machine. Proxies usually keep idle connections for 60 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await untilSignal(
    log,
    async () => {
      server.close();
      server.closeAllConnections?.();
      await stopScheduler()
        .then(() => stopReminders())
        .then(() => stopHousekeeping())
        .then(() => jobWorker.stop())
        .then(() => mailWorker.stop())
        .then(() => stopDemoWitnesses())
        .then(() => closeVite())
        .finally(() => database.close());
    },
    role.worker,
  );
  // A worker's channel to its primary would keep it alive.
  if (role.worker && process.connected) process.disconnect();
}
