import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { nulFreeAddresses } from "./addresses.ts";
import { compressPages } from "./compress-pages.ts";
import { loadPrecompressed, precompressedAssets } from "./precompressed.ts";
import { openDatabaseFromEnv } from "../../db/client";
import { config } from "../config.server";
import { startCheckpointScheduler } from "../services/ballots/checkpoints.server";
import { startJobWorker } from "../services/jobs/jobs.server";
import { witnessJobHandlers } from "../services/witnesses/send.server";
import { CSRF_COOKIE, csrfTokenIn, newCsrfToken } from "../web/csrf.server";
import { serverSecret } from "../services/secrets.server";
import { DEMO_TOTP_SECRET, seedDemo } from "../services/demo/demo.server";
import { startDemoWitnesses, stopDemoWitnesses } from "../services/demo/demo-witnesses.server";
import { destroyPublishedSecrets } from "../services/tally/publish.server";
import { serializeCookie } from "../web/session.server";
import { pageCache } from "./page-cache.ts";
import { memoiseRouteMatching } from "./route-matching.ts";
import { securityHeaders } from "./security-headers.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ServerOptions {
  port: number;
  host: string;
  /** Serve the app through Vite (hot reload) instead of ./build. */
  dev: boolean;
  /** Add the demo municipality when it is missing. */
  seedDemo: boolean;
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
 * database the configuration names, with the checkpoint scheduler. Resolves when SIGTERM or SIGINT
 * closed the server and the database.
 */
export async function startServer(options: ServerOptions, log: ServerLog): Promise<void> {
  const { dev, port, host } = options;
  const settings = config();
  // Every host of an installation must use the same server secret (ADR 0016): checked up front.
  serverSecret();
  const buildFile = path.join(root, "build/server/index.js");
  if (!dev && !fs.existsSync(buildFile)) throw new ServerCannotStart("no production build: run `npm run build` first");

  const started = performance.now();
  memoiseRouteMatching();
  const database = await openDatabaseFromEnv();
  if (options.seedDemo) {
    const { created } = await seedDemo(database.db, { now: new Date(), witnesses: true });
    if (created) log.out("Seeded the demo municipality (slug: demo).\n");
    log.out(
      `Demo two-factor secret of admin@ and platform@demo.shora.local (type it into an authenticator app): ${DEMO_TOTP_SECRET}\n`,
    );
    const demoWitnesses = await startDemoWitnesses(database.db);
    if (demoWitnesses) log.out(`Demo witnesses (quorum 2): ${demoWitnesses.urls.join(", ")}\n`);
  }
  const app = express();
  app.disable("x-powered-by");
  if (settings.trustProxy) app.set("trust proxy", true);
  // Pages change with every response (a fresh nonce): an ETag would cost a hash and never match.
  app.set("etag", false);
  app.use(nulFreeAddresses());
  app.use(securityHeaders());
  app.use(compression());
  app.use(compressPages());
  let build: ServerBuild | (() => Promise<ServerBuild>);
  let closeVite = async () => {};
  if (dev) {
    const vite = await import("vite");
    const viteServer = await vite.createServer({ root, server: { middlewareMode: true } });
    app.use(viteServer.middlewares);
    build = () => viteServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    closeVite = () => viteServer.close();
  } else {
    build = (await import(buildFile)) as ServerBuild;
    const assets = path.join(root, "build/client/assets");
    app.use(precompressedAssets(loadPrecompressed(assets, "/assets")));
    app.use("/assets", express.static(path.join(root, "build/client/assets"), { immutable: true, maxAge: "1y" }));
    // Files at the top of build/client (from public/): only names with an extension are looked up,
    // so pages do not cost a file-system stat each.
    const topLevelFiles = express.static(path.join(root, "build/client"), { maxAge: "1h" });
    app.use((req, res, next) => (/^\/[^/]+\.[a-z0-9]+$/i.test(req.path) ? topLevelFiles(req, res, next) : next()));
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
  await destroyPublishedSecrets(database.db);
  // Checkpoints are signed on a schedule, never by a cast (ADR 0016).
  const stopScheduler = startCheckpointScheduler(database.db, (error) =>
    log.err(`checkpoint scheduler: ${error instanceof Error ? error.message : String(error)}\n`),
  );
  // Queued jobs (checkpoints to the witnesses, ADR 0022) run in this process, retried with back-off.
  const jobWorker = startJobWorker(database.db, {
    handlers: witnessJobHandlers(),
    report: (error) => log.err(`job worker: ${error instanceof Error ? error.message : String(error)}\n`),
  });
  const server = app.listen(port, host, () => {
    const address = server.address();
    const actualPort = typeof address === "object" && address ? address.port : port;
    log.out(
      `Shora listening on http://localhost:${actualPort} (database: ${database.kind} ${database.where}, ready in ${Math.round(performance.now() - started)} ms)\n`,
    );
  });
  // Idle kept-alive connections stay open longer than the 5 s default: a client (or a proxy in
  // front) that reuses a socket just as the server closes it gets ECONNRESET, which the load
  // bench saw on a starved machine. Proxies usually keep idle connections for 60 s.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.out(`${signal}: closing the server and the database…\n`);
      server.close();
      server.closeAllConnections?.();
      stopScheduler()
        .then(() => jobWorker.stop())
        .then(() => stopDemoWitnesses())
        .then(() => closeVite())
        .then(() => database.close())
        .finally(resolve);
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
