import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../db/client";

/**
 * The database for one test file: the run's throwaway PostgreSQL database (shared by all files,
 * so tests use unique names via `unique()`), or a private PGlite loaded from the migrated dump.
 */
export async function testDatabase(): Promise<Database> {
  const url = inject("databaseUrl");
  if (url) return openDatabase({ url, migrate: false, poolSize: 4 });
  const dump = inject("pgliteDump");
  return openDatabase({ loadDataDir: new Blob([fs.readFileSync(dump)]), migrate: false });
}

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export const usingPostgres = () => Boolean(inject("databaseUrl"));
