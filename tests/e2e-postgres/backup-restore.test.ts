/**
 * The backup and restore drill of docs/DEPLOY.md, run as a city would: deploy/backup.sh while the
 * app serves (pg_dump + the key store), the old installation gone, deploy/restore.sh into a new
 * database and a new key store folder, the app started on them with the installation's server
 * secret. The published bundle still verifies (`shora verify`), and the open round keeps accepting
 * ballots on the same ledger, right after the last leaf of the backup. Collected only with
 * TEST_DATABASE_URL (vitest.config.ts); needs `npm run build`.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client";
import { envelopes, ledgerLeaves, municipalities, proposals, rounds } from "../../db/schema";
import { spawnServer, throwawayDatabase } from "../support/e2e-server";
import { castGreen, demoVoters } from "../support/voters";

const run = promisify(execFile);
const root = path.resolve(__dirname, "../..");
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function stop(child: import("node:child_process").ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

async function greenLedger(url: string) {
  const database = await openDatabase({ url, migrate: false, poolSize: 1 });
  try {
    const db = database.db;
    const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
    const [round] = await db
      .select()
      .from(rounds)
      .where(and(eq(rounds.municipalityId, demo.id), eq(rounds.slug, "budget-1405")));
    const [green] = await db
      .select()
      .from(envelopes)
      .where(and(eq(envelopes.roundId, round.id), eq(envelopes.slug, "green")));
    const choices = await db.select({ id: proposals.id }).from(proposals).where(eq(proposals.envelopeId, green.id));
    const leaves = await db
      .select({ leafIndex: ledgerLeaves.leafIndex, leafHash: ledgerLeaves.leafHash })
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, round.id))
      .orderBy(asc(ledgerLeaves.leafIndex));
    return { leaves, choices: choices.map((c) => c.id) };
  } finally {
    await database.close();
  }
}

describe("backup and restore", () => {
  it("restores the database and the key store into new ones, and the app carries on", async () => {
    if (!fs.existsSync(path.join(root, "build/server/index.js"))) throw new Error("run `npm run build` first");
    const server = process.env.TEST_DATABASE_URL as string;
    const secret = randomBytes(24).toString("base64url");
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "shora-drill-"));
    cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
    const base = (url: string, keys: string): Record<string, string> => {
      const env: Record<string, string> = {
        ...(process.env as Record<string, string>),
        DATABASE_URL: url,
        SHORA_KEY_DIR: keys,
        SHORA_SECRET: secret,
      };
      delete env.SHORA_DATA_DIR;
      delete env.SHORA_WORKERS;
      env.SHORA_LOG_LEVEL = "warn";
      return env;
    };

    // The installation: the demo (with a published round) and three ballots in the open round.
    const original = await throwawayDatabase(server, "shora_drill");
    cleanups.push(original.drop);
    const originalEnv = base(original.url, path.join(work, "keys"));
    const app = await spawnServer(originalEnv, { args: ["--workers", "1"] });
    cleanups.push(() => stop(app.child));
    process.env.SHORA_KEY_DIR = originalEnv.SHORA_KEY_DIR;
    const database = await openDatabase({ url: original.url, migrate: false, poolSize: 1 });
    const voters = await demoVoters(database.db, { count: 4, prefix: "drill" });
    await database.close();
    const { choices } = await greenLedger(original.url);
    for (const voter of voters.slice(0, 3)) expect((await castGreen(app.url, voter, choices[0])).status).toBe(200);

    // The backup, taken while the app serves; then the installation is gone.
    const backup = path.join(work, "backup");
    await run(path.join(root, "deploy/backup.sh"), [backup], { env: originalEnv as NodeJS.ProcessEnv });
    const atBackup = await greenLedger(original.url);
    expect(atBackup.leaves.length).toBeGreaterThanOrEqual(3);
    await stop(app.child);
    await original.drop();
    fs.rmSync(originalEnv.SHORA_KEY_DIR, { recursive: true, force: true });

    // The restore, into a new database and a new key store folder.
    const restored = await throwawayDatabase(server, "shora_restored");
    cleanups.push(restored.drop);
    const restoredEnv = base(restored.url, path.join(work, "restored-keys"));
    await run(path.join(root, "deploy/restore.sh"), [backup], { env: restoredEnv as NodeJS.ProcessEnv });
    const again = await spawnServer(restoredEnv, { seedDemo: false, args: ["--workers", "1"] });
    cleanups.push(() => stop(again.child));
    const ready = await fetch(`${again.url}/readyz`);
    expect(await ready.json()).toEqual({ status: "ready", failing: [] });

    // The published bundle still verifies.
    const bundle = await fetch(`${again.url}/m/demo/rounds/budget-1404/bundle.zip`);
    expect(bundle.status).toBe(200);
    const zip = path.join(work, "bundle.zip");
    fs.writeFileSync(zip, Buffer.from(await bundle.arrayBuffer()));
    const verified = await run(process.execPath, [path.join(root, "app/cli/bin.cjs"), "verify", zip], {
      env: restoredEnv as NodeJS.ProcessEnv,
      maxBuffer: 1 << 24,
    });
    expect(verified.stdout).toMatch(/^All checks pass\./m);

    // The open round accepts ballots on the same ledger: the restored leaves, then the new ones.
    const restoredLedger = await greenLedger(restored.url);
    expect(restoredLedger.leaves).toEqual(atBackup.leaves);
    const cast = await castGreen(again.url, voters[3], choices[1], 2);
    expect(cast.status).toBe(200);
    const leaf = /Position in the ledger<!-- -->:<!-- --> <!-- -->([\d,]+)/.exec(await cast.text())?.[1];
    expect(Number(leaf?.replaceAll(",", ""))).toBe(atBackup.leaves.length);
    // A voter of before the backup votes again: their session and voter key (the round's secret in
    // the restored key store) still hold, so the revote supersedes their ballot.
    expect((await castGreen(again.url, voters[0], choices[1], 3)).status).toBe(200);
    const after = await greenLedger(restored.url);
    expect(after.leaves.map((l) => l.leafIndex)).toEqual(after.leaves.map((_, i) => i));
    expect(after.leaves.length).toBe(atBackup.leaves.length + 2);
  });
});
