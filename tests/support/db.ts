import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
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

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

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
