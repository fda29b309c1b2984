import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { afterEach, describe, expect, it } from "vitest";
import { DatabaseLockedError, openDatabase, queryRows } from "../../db/client";
import * as schema from "../../db/schema";
import { municipalities, users } from "../../db/schema";
import { seedDemo } from "../../app/services/demo/demo.server";
import { testDatabase } from "../support/db";

const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");
const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-db-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...rest, ...env }, timeout: 60_000 });
}

describe("embedded database folder lock", () => {
  it("refuses a second opener of the same PGlite folder, in this process and in another one", async () => {
    const dir = tempDir();
    const first = await openDatabase({ dataDir: dir });
    try {
      await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DatabaseLockedError);
      const other = runCli(["db", "migrate"], { SHORA_DATA_DIR: dir });
      expect(other.status).toBe(1);
      expect(other.stderr).toContain(`already open in process ${process.pid}`);
      expect(other.stderr).not.toContain("    at "); // no stack trace
    } finally {
      await first.close();
    }
    // Once closed, the folder can be opened again, and what was written is still there.
    const again = runCli(["db", "seed-demo"], { SHORA_DATA_DIR: dir });
    expect(again.stderr).toBe("");
    expect(again.stdout).toContain("Seeded the demo municipality");
    const reopened = await openDatabase({ dataDir: dir });
    const rows = await reopened.db.select().from(municipalities);
    expect(rows.map((m) => m.slug)).toEqual(["demo"]);
    await reopened.close();
  });

  it("takes over the lock a killed process left behind", async () => {
    const dir = tempDir();
    const dead = spawn("true");
    await new Promise((resolve) => dead.on("exit", resolve));
    fs.writeFileSync(path.join(dir, "shora.lock"), String(dead.pid));
    const database = await openDatabase({ dataDir: dir });
    expect(fs.readFileSync(path.join(dir, "shora.lock"), "utf8")).toBe(String(process.pid));
    await database.close();
    expect(fs.existsSync(path.join(dir, "shora.lock"))).toBe(false);
  });
});

describe("migrations and demo data", () => {
  it("has after migration exactly the tables the schema declares, and nothing left behind", async () => {
    const database = await testDatabase();
    try {
      const rows = await queryRows<{ table_name: string }>(
        database.db,
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
      );
      const inDatabase = rows.map((r) => r.table_name).filter((name) => !name.startsWith("__drizzle"));
      const declared = Object.values(schema)
        .filter((value) => is(value, PgTable))
        .map((table) => getTableName(table as PgTable))
        .sort();
      expect(inDatabase).toEqual(declared);
      for (const table of ["users", "sessions", "rounds", "envelopes", "proposals", "ballots", "action_log"]) {
        expect(inDatabase).toContain(table);
      }
    } finally {
      await database.close();
    }
  });

  it("seeds the demo municipality once, with accounts, districts, a round, envelopes and proposals", async () => {
    const database = await openDatabase({ memory: true });
    try {
      expect(await seedDemo(database.db, { now: new Date() })).toEqual({ created: true });
      expect(await seedDemo(database.db, { now: new Date() })).toEqual({ created: false });
      const count = async (table: string) => {
        const rows = await queryRows<{ n: number }>(database.db, sql.raw(`select count(*)::int as n from ${table}`));
        return rows[0].n;
      };
      expect(await count("users")).toBe(5);
      expect(await count("districts")).toBe(3);
      // This year's budget round, last year's published one, and a consultation with a survey.
      expect(await count("rounds")).toBe(3);
      expect(await count("survey_questions")).toBe(4);
      expect(await count("comments")).toBe(9);
      expect(await count("envelopes")).toBe(4);
      expect(await count("proposals")).toBe(31);
      // Last year's round went through voting, tally and publication: its winners are funded.
      expect(await count("ballots")).toBeGreaterThan(100);
      expect(await count("tallies")).toBe(1);
      expect(await count("checkpoints")).toBe(1);
      const funded = await queryRows<{ title: string }>(
        database.db,
        sql`select title->>'en' as title from proposals where status = 'funded' order by title`,
      );
      expect(funded.map((f) => f.title)).toEqual([
        "Library reading garden",
        "Neighbourhood repair café",
        "New lights in Shahid park",
        "Safe school routes",
      ]);
      expect(await count("implementation_updates")).toBe(3);
      expect(await count("memberships")).toBe(2);
      const admins = await database.db.select().from(users).where(sql`${users.isPlatformAdmin}`);
      expect(admins.map((u) => u.email)).toEqual(["platform@demo.shora.local"]);
    } finally {
      await database.close();
    }
  });
});

describe("shora admin (CLI)", () => {
  it("creates a municipality and its first admin, and names the bad field on bad input", () => {
    const dir = tempDir();
    const ok = runCli(
      [
        "admin",
        "create-municipality",
        "--slug",
        "karaj",
        "--name-en",
        "Karaj",
        "--name-fa",
        "کرج",
        "--admin-email",
        "Mayor@Karaj.example",
        "--admin-name",
        "Mayor",
        "--admin-password",
        "a strong password",
      ],
      { SHORA_DATA_DIR: dir },
    );
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe("Created municipality karaj with administrator mayor@karaj.example.\n");
    const again = runCli(
      [
        "admin",
        "create-municipality",
        "--slug",
        "karaj",
        "--name-en",
        "Karaj",
        "--admin-email",
        "x@karaj.example",
        "--admin-name",
        "X",
        "--admin-password",
        "a strong password",
      ],
      { SHORA_DATA_DIR: dir },
    );
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('slug "karaj" already exists');
    const bad = runCli(
      [
        "admin",
        "create-municipality",
        "--slug",
        "Bad Slug",
        "--name-en",
        "X",
        "--admin-email",
        "x@y.z",
        "--admin-name",
        "X",
        "--admin-password",
        "a strong password",
      ],
      { SHORA_DATA_DIR: dir },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^shora admin: slug: /);
    const help = runCli(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("admin");
    expect(help.stdout).toContain("tally");
  });
});
