/**
 * Runs once per `vitest run`: prepares the database the integration tests use.
 * - TEST_DATABASE_URL set: a throwaway database `shora_test_<random>` on that server, migrated,
 *   dropped at the end.
 * - otherwise: PGlite migrated once in memory and dumped to a file; every test file loads the dump
 *   (~0.3 s) instead of migrating again (~3 s).
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { openDatabase } from "../../db/client";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    pgliteDump: string;
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const name = `shora_test_${randomBytes(6).toString("hex")}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const database = await openDatabase({ url: url.toString() });
    await database.close();
    project.provide("databaseUrl", url.toString());
    project.provide("pgliteDump", "");
    return async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  }
  const database = await openDatabase({ memory: true });
  // biome-ignore lint/suspicious/noExplicitAny: reach the PGlite client behind drizzle to dump it.
  const client = (database.db as any).$client as import("@electric-sql/pglite").PGlite;
  const dump = await client.dumpDataDir("none");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shora-test-")), "migrated.tar");
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  project.provide("databaseUrl", "");
  project.provide("pgliteDump", file);
  return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
