/**
 * Ballot secrecy against someone who can read the files: the database's data folder (table files and
 * WAL) and the key store. After publication the round's voter-key secret must be nowhere (ADR 0016).
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { type Database, moveSecretsToKeyStore, openDatabase, queryRows } from "../../db/client";
import { loadBasket, saveBasket, voterKey } from "../../app/services/ballots/ballots.server";
import { baskets, users } from "../../db/schema";
import { destroyPublishedSecrets, publishRound } from "../../app/services/tally/publish.server";
import { createKeyOnce, readKey, roundSecretName } from "../../db/keystore";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { scopeOf, userActor } from "../../app/services/scope";
import { encodingsOf, filesContaining, roundSecretForTests, votedRound } from "../support/secrecy";
import { testDatabase, testKeyStore } from "../support/db";

const run = promisify(execFile);
const keyStore = testKeyStore();
const voters = Array.from({ length: 12 }, (_, i) => `identity-hash-of-person-${i}`);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the voter-key secret after publication", () => {
  // On its own PGlite folder in every run; the PostgreSQL data directory: tests/postgres/secret-files.test.ts.
  it("is in no file of the PGlite data folder (WAL included) nor of the key store", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-secrecy-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let database: Database | null = await openDatabase({ dataDir });
    const { roundId, access, scope } = await votedRound(database.db, voters);
    const secret = await roundSecretForTests(database.db, roundId);
    expect(secret).toBeTruthy();
    await runRoundTally(database.db, scope, { roundSlug: "r" });
    await publishRound(database.db, access, { roundSlug: "r" });
    await database.close();
    database = null;
    const scan = filesContaining([dataDir, keyStore], encodingsOf(secret as string));
    expect(scan.files).toBeGreaterThan(100);
    expect(scan.found).toEqual([]);
    // Another process on the same data folder and key store still exports a bundle that verifies.
    const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");
    const out = path.join(dataDir, "bundle");
    const env: NodeJS.ProcessEnv = { ...process.env, SHORA_DATA_DIR: dataDir, SHORA_KEY_DIR: keyStore };
    delete env.DATABASE_URL;
    const { slug } = (access as { municipality: { slug: string } }).municipality;
    await run(process.execPath, [bin, "export-bundle", "--municipality", slug, "--round", "r", "--out", out], { env });
    const verified = await run(process.execPath, [bin, "verify", out], { env });
    expect(verified.stdout).toContain("✓");
  });

  it("cannot be recovered from the database to link the published ballots to identities", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const { roundId, access, scope } = await votedRound(database.db, voters);
    const secret = (await roundSecretForTests(database.db, roundId)) as string;
    // With the secret, the link is there: that is what must be gone.
    const keys = await queryRows<{ voter_key: string }>(
      database.db,
      sql`select voter_key from ballots where round_id = ${roundId}`,
    );
    expect(keys.map((k) => k.voter_key).sort()).toEqual(voters.map((v) => voterKey(secret, v)).sort());
    await runRoundTally(database.db, scope, { roundSlug: "r" });
    await publishRound(database.db, access, { roundSlug: "r" });
    expect(await roundSecretForTests(database.db, roundId)).toBeNull();
    // No column of any table holds it (the dump of every row of the schema as text).
    const dump = await queryRows<{ t: string }>(
      database.db,
      sql`select string_agg(row_to_json(r)::text, '') as t from (select * from round_secrets where round_id = ${roundId}) r`,
    );
    for (const e of encodingsOf(secret)) expect(Buffer.from(dump[0].t ?? "").includes(e)).toBe(false);
  });
});

describe("draft baskets", () => {
  it("are sealed with the round's secret, so nothing readable links a user to choices after publication", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const voted = await votedRound(database.db, voters.slice(0, 2));
    const userId = randomUUID();
    await database.db
      .insert(users)
      .values({ id: userId, email: `${userId}@basket.example`, passwordHash: "x", displayName: "Basket" });
    const resident = scopeOf(voted.scope.municipality, userActor({ id: userId }));
    await saveBasket(database.db, resident, { envelope: voted.envelope, body: { approved: [voted.proposalId] } });
    expect(await loadBasket(database.db, resident, { envelopeId: voted.envelopeId })).toEqual({
      approved: [voted.proposalId],
    });
    const [row] = await database.db.select().from(baskets).where(eq(baskets.userId, userId));
    expect(JSON.stringify(row.body)).not.toContain(voted.proposalId);
    await runRoundTally(database.db, voted.scope, { roundSlug: "r" });
    await publishRound(database.db, voted.access, { roundSlug: "r" });
    expect(await loadBasket(database.db, resident, { envelopeId: voted.envelopeId })).toBeNull();
    expect(await database.db.select().from(baskets).where(eq(baskets.userId, userId))).toEqual([]);
  });
});

describe("the key store", () => {
  it("keeps each round's secret in a 0600 file of a 0700 folder, and hosts creating it at once agree on one", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const { roundId } = await votedRound(database.db, voters.slice(0, 2));
    const file = path.join(keyStore, `round-${roundId}.voter-key-secret`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(keyStore).mode & 0o777).toBe(0o700);
    const name = `round-${randomUUID()}.voter-key-secret`;
    const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
    const worker = path.resolve(__dirname, "../support/key-worker.ts");
    const outputs = await Promise.all(
      Array.from({ length: 6 }, () => run(tsx, [worker, name], { env: { ...process.env, SHORA_KEY_DIR: keyStore } })),
    );
    const values = new Set(outputs.map((o) => o.stdout));
    expect(values.size).toBe(1);
    expect(fs.readFileSync(path.join(keyStore, name), "utf8")).toBe([...values][0]);
    expect(fs.readdirSync(keyStore).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("takes over secrets an earlier version left in the database, and signing keys still sign", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const { roundId, municipalityId } = await votedRound(database.db, voters.slice(0, 2));
    const { signingKey } = await import("../../app/services/ballots/checkpoints.server");
    const key = await signingKey(database.db, municipalityId);
    // The database as an earlier version wrote it: both secrets in columns, none in the key store.
    const secret = (await roundSecretForTests(database.db, roundId)) as string;
    await database.db.execute(sql`alter table round_secrets add column if not exists voter_key_secret text`);
    await database.db.execute(sql`alter table municipality_keys add column if not exists encrypted_private_key text`);
    await database.db.execute(
      sql`insert into round_secrets (round_id, voter_key_secret) values (${roundId}, ${secret})`,
    );
    await database.db.execute(
      sql`update municipality_keys set encrypted_private_key = ${key.encryptedPrivateKey} where municipality_id = ${municipalityId}`,
    );
    fs.rmSync(path.join(keyStore, `round-${roundId}.voter-key-secret`));
    fs.rmSync(path.join(keyStore, `municipality-${municipalityId}.signing-key`));
    await moveSecretsToKeyStore(database.db);
    expect(await roundSecretForTests(database.db, roundId)).toBe(secret);
    const left = await queryRows<{ s: string | null }>(
      database.db,
      sql`select voter_key_secret as s from round_secrets where round_id = ${roundId}`,
    );
    expect(left).toEqual([{ s: null }]);
    expect((await signingKey(database.db, municipalityId)).encryptedPrivateKey).toBe(key.encryptedPrivateKey);
    // The migration then drops both columns (as drizzle/0012 does).
    await database.db.execute(sql`alter table round_secrets drop column voter_key_secret`);
    await database.db.execute(sql`alter table municipality_keys drop column encrypted_private_key`);
  });

  it("loses, when the server starts, a published round's secret that a stopped host left behind", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const open = await votedRound(database.db, voters.slice(0, 2));
    const published = await votedRound(database.db, voters.slice(0, 2));
    await runRoundTally(database.db, published.scope, { roundSlug: "r" });
    await publishRound(database.db, published.access, { roundSlug: "r" });
    createKeyOnce(roundSecretName(published.roundId), "left-behind-by-a-host-that-stopped");
    expect(await destroyPublishedSecrets(database.db)).toBe(1);
    expect(readKey(roundSecretName(published.roundId))).toBeNull();
    expect(readKey(roundSecretName(open.roundId))).not.toBeNull();
  });

  it("is required to be configured with DATABASE_URL: the server refuses to start without a server secret", async () => {
    const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");
    const { SHORA_SECRET: _s, SHORA_SECRET_FILE: _f, ...rest } = process.env;
    const result = await run(process.execPath, [bin, "serve", "--port", "0"], {
      env: { ...rest, DATABASE_URL: "postgresql://nobody@127.0.0.1:1/none" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect("code" in result ? result.code : 0).toBe(2);
    expect(result.stderr).toContain("no server secret is configured: set SHORA_SECRET, or SHORA_SECRET_FILE");
  });
});
