/**
 * Structured logs (pino, one JSON object a line on stdout) and the request id. Every answered request
 * is one line: its id, method, route (the Remix route id, never the address, whose path and query can
 * carry codes and ids), status and milliseconds. Nothing a person typed is logged: no address, no
 * query, no body, no cookie, no user agent; so no national id, e-mail address or ballot (tested in
 * tests/integration/observability.test.ts). The request id comes from the proxy's X-Request-Id when
 * it looks like one (nginx's `$request_id`), else a fresh one; it is sent back in X-Request-Id.
 */
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import pino, { type DestinationStream, type Logger } from "pino";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

interface RouteLike {
  id: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  parentId?: string;
  children?: RouteLike[];
}

type MatchRoutes = (routes: RouteLike[], location: string) => { route: RouteLike }[] | null;

/**
 * The Remix route id answering a path (`routes/m.$slug.verify`), from the build's route table. The
 * tree has the same shape as Remix's own, so app/server/route-matching.ts's memo answers most calls.
 */
export function routeNamer(
  routes: Record<string, { id: string; parentId?: string; path?: string; index?: boolean; caseSensitive?: boolean }>,
) {
  const router = createRequire(import.meta.url)("@remix-run/router") as { matchRoutes: MatchRoutes };
  const byParent = new Map<string | undefined, RouteLike[]>();
  for (const route of Object.values(routes)) {
    const node: RouteLike = { id: route.id, path: route.path, index: route.index, caseSensitive: route.caseSensitive };
    const siblings = byParent.get(route.parentId) ?? [];
    siblings.push(node);
    byParent.set(route.parentId, siblings);
  }
  const attach = (nodes: RouteLike[]): RouteLike[] =>
    nodes.map((node) => {
      const children = byParent.get(node.id);
      return children ? { ...node, children: attach(children) } : node;
    });
  const tree = attach(byParent.get(undefined) ?? []);
  return (pathname: string): string => {
    const matches = router.matchRoutes(tree, pathname);
    return matches?.length ? matches[matches.length - 1].route.id : "unmatched";
  };
}

export interface RequestLogOptions {
  logger: Logger;
  /** The route id of a path (routeNamer), or a fixed name (dev). */
  routeOf: (pathname: string) => string;
  /** Called for every answered request (metrics). */
  observe?: (input: { route: string; method: string; status: number; seconds: number }) => void;
}

/** Sets the request id and logs the request once answered. */
export function requestLog({ logger, routeOf, observe }: RequestLogOptions) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader("X-Request-Id", id);
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // Set by the endpoints answered before Remix (health, metrics, public files).
      const named = res.locals.route as string | undefined;
      const route = named ?? (req.path.startsWith("/assets/") ? "assets" : routeOf(req.path));
      observe?.({ route, method: req.method, status: res.statusCode, seconds });
      if (logger.isLevelEnabled("info"))
        logger.info(
          { reqId: id, method: req.method, route, status: res.statusCode, ms: Math.round(seconds * 10_000) / 10 },
          "request",
        );
    });
    next();
  };
}
