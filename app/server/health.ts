/**
 * /healthz: the process is up and answering (200, nothing read). /readyz: this process can serve,
 * i.e. the database answers, every migration of drizzle/ is applied, and the key store is readable
 * (ADR 0016); 503 with the failing checks otherwise. Both answer JSON, are never cached, and say
 * nothing about the installation beyond the names of the checks. A proxy or an orchestrator sends
 * traffic to a host only while /readyz answers 200 (docs/DEPLOY.md).
 */
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { NextFunction, Request, Response } from "express";
import { type Db, migrationsFolder, queryRows } from "../../db/client";
import { keyStoreDir } from "../../db/keystore";

export type Check = "database" | "migrations" | "keyStore";

/** The last migration's `when` (drizzle records it as `created_at` once applied) and how many there are. */
function journal(): { count: number; last: number } {
  const parsed = JSON.parse(fs.readFileSync(path.join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
    entries: { when: number }[];
  };
  return { count: parsed.entries.length, last: Math.max(...parsed.entries.map((e) => e.when)) };
}

/** The checks that fail (empty: ready). */
export async function readiness(db: Db, keyDir: string = keyStoreDir()): Promise<Check[]> {
  const failing: Check[] = [];
  try {
    await queryRows(db, sql`select 1 as ok`);
    try {
      const expected = journal();
      const [row] = await queryRows<{ n: number; last: string | number | null }>(
        db,
        sql`select count(*)::int as n, max(created_at) as last from drizzle.__drizzle_migrations`,
      );
      if (Number(row?.n ?? 0) < expected.count || Number(row?.last ?? 0) < expected.last) failing.push("migrations");
    } catch {
      failing.push("migrations");
    }
  } catch {
    failing.push("database", "migrations");
  }
  try {
    fs.accessSync(keyDir, fs.constants.R_OK | fs.constants.X_OK);
    fs.readdirSync(keyDir);
  } catch {
    failing.push("keyStore");
  }
  return failing;
}

export function healthEndpoints(db: Db, keyDir?: () => string) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (req.path === "/healthz") {
      res.locals.route = "healthz";
      res.setHeader("Cache-Control", "no-store");
      res.status(200).json({ status: "ok" });
      return;
    }
    if (req.path !== "/readyz") return next();
    res.locals.route = "readyz";
    readiness(db, keyDir?.()).then(
      (failing) => {
        res.setHeader("Cache-Control", "no-store");
        res.status(failing.length ? 503 : 200).json({ status: failing.length ? "unavailable" : "ready", failing });
      },
      () => res.status(503).json({ status: "unavailable", failing: ["database"] }),
    );
  };
}
