import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../db/client";

/**
 * The database for one test file: the run's throwaway PostgreSQL database (shared by all files,
 * so tests use unique names via `unique()`), or a private PGlite loaded from the migrated dump.
 */
export async function testDatabase(): Promise<Database> {
  testKeyStore();
  const url = inject("databaseUrl");
  if (url) return openDatabase({ url, migrate: false, poolSize: 4 });
  const dump = inject("pgliteDump");
  return openDatabase({ loadDataDir: new Blob([fs.readFileSync(dump)]), migrate: false });
}

import { unique } from "./unique";

export { unique };

export const usingPostgres = () => Boolean(inject("databaseUrl"));

/**
 * The key store of this test file's process (ADR 0016): a fresh folder unless SHORA_KEY_DIR is set.
 * Child processes started by the test inherit it through the environment.
 */
export function testKeyStore(): string {
  if (!process.env.SHORA_KEY_DIR) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-keys-"));
    process.env.SHORA_KEY_DIR = dir;
    process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  }
  return process.env.SHORA_KEY_DIR;
}

/**
 * A database no other test file writes to. PGlite: the file's own database, as every test file has.
 * PostgreSQL: a database of its own on the test server (the run's shared one has other test files
 * writing to it at the same time, which would change the checksum of every table under a request).
 */
export async function privateDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (!usingPostgres()) {
    const database = await testDatabase();
    return { database, drop: () => database.close() };
  }
  const shared = new URL(inject("databaseUrl"));
  const name = `${shared.pathname.slice(1)}_${unique("fuzz").replace("-", "_")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: shared.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), migrate: true, poolSize: 4 });
  return {
    database,
    drop: async () => {
      await database.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
