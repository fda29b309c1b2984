/**
 * Ballot secrecy against someone who can read the files: the database's data folder (table files and
 * WAL) and the key store. After publication the round's voter-key secret must be nowhere (ADR 0016).
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { type Database, type Db, openDatabase, queryRows } from "../../db/client";
import { envelopes, memberships, phases, proposals, rounds, users } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { castBallot, voterKey } from "../../app/services/ballots.server";
import { createMunicipality } from "../../app/services/municipality.server";
import { publishRound } from "../../app/services/publish.server";
import { runRoundTally } from "../../app/services/tally.server";
import { hashPassword } from "../../app/services/auth.server";
import { roundSecretForTests } from "../support/keys";
import { testDatabase, unique, usingPostgres } from "../support/db";

const today = dayIn("UTC");
const votingDay = new Date(`${addDays(today, -3)}T12:34:56.789Z`);

/** A municipality with a round whose voting ended yesterday; `voters` cast ballots while it was open. */
export async function votedRound(db: Db, voters: string[]) {
  const slug = unique("secrecy");
  const { municipalityId } = await createMunicipality(db, {
    slug,
    name: { en: "Secrecy town" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Ada", password: "secrecy password 1" },
  });
  const staffId = randomUUID();
  await db.insert(users).values({
    id: staffId,
    email: `staff@${slug}.example`,
    passwordHash: await hashPassword("secrecy password 1"),
    displayName: "Sam",
  });
  await db.insert(memberships).values({ userId: staffId, municipalityId, role: "staff" });
  const roundId = randomUUID();
  await db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await db.insert(phases).values([
    { id: randomUUID(), roundId, kind: "voting", startsOn: addDays(today, -5), endsOn: addDays(today, -1) },
    { id: randomUUID(), roundId, kind: "tallying", startsOn: today, endsOn: addDays(today, 3) },
  ]);
  const envelopeId = randomUUID();
  await db
    .insert(envelopes)
    .values({ id: envelopeId, roundId, slug: "all", name: { en: "All" }, amount: 1000, tallyRule: "greedy" });
  const [envelope] = await db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  const proposalId = randomUUID();
  await db
    .insert(proposals)
    .values({ id: proposalId, envelopeId, title: { en: "Park" }, body: { en: "" }, cost: 500, status: "accepted" });
  for (const identity of voters)
    await castBallot(db, {
      roundId,
      roundSlug: "r",
      timeZone: "UTC",
      envelope,
      voter: { identity, weight: 1, district: "d", voterClass: "resident" },
      body: { approved: [proposalId] },
      channel: "online",
      municipalityId,
      now: votingDay,
    });
  const access = {
    user: { id: staffId, displayName: "Sam" },
    municipality: { id: municipalityId, slug, timeZone: "UTC" },
  } as never;
  return { municipalityId, roundId, envelopeId, access };
}

/** Every way the secret's bytes could be written down. */
function encodingsOf(secret: string): Buffer[] {
  const raw = Buffer.from(secret, "base64url");
  expect(raw).toHaveLength(32);
  return [
    Buffer.from(secret),
    raw,
    Buffer.from(raw.toString("hex")),
    Buffer.from(raw.toString("hex").toUpperCase()),
    Buffer.from(raw.toString("base64")),
    Buffer.from(raw.toString("base64url")),
  ];
}

/** Every regular file under the folders whose bytes contain any of the needles. */
function filesContaining(folders: string[], needles: Buffer[]): { files: number; found: string[] } {
  const found: string[] = [];
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        files++;
        const bytes = fs.readFileSync(file);
        if (needles.some((n) => bytes.includes(n))) found.push(file);
      }
    }
  };
  for (const folder of folders) if (fs.existsSync(folder)) walk(folder);
  return { files, found };
}

const voters = Array.from({ length: 12 }, (_, i) => `identity-hash-of-person-${i}`);
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the voter-key secret after publication", () => {
  it.skipIf(usingPostgres())("is in no file of the PGlite data folder (WAL included) nor of the key store", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-secrecy-"));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    let database: Database | null = await openDatabase({ dataDir });
    const { roundId, access } = await votedRound(database.db, voters);
    const secret = await roundSecretForTests(database.db, roundId);
    expect(secret).toBeTruthy();
    await runRoundTally(database.db, access, "r");
    await publishRound(database.db, access, "r");
    await database.close();
    database = null;
    const scan = filesContaining([dataDir, process.env.SHORA_KEY_DIR ?? ""], encodingsOf(secret as string));
    expect(scan.files).toBeGreaterThan(100);
    expect(scan.found).toEqual([]);
  });

  it.runIf(usingPostgres())(
    "is in no file of the PostgreSQL data directory (WAL included) nor of the key store",
    async () => {
      const database = await testDatabase();
      cleanups.push(() => database.close());
      const { roundId, access } = await votedRound(database.db, voters);
      const secret = await roundSecretForTests(database.db, roundId);
      expect(secret).toBeTruthy();
      await runRoundTally(database.db, access, "r");
      await publishRound(database.db, access, "r");
      // Everything written so far reaches the files (the test server runs locally; the tests run as root).
      await database.db.execute(sql`checkpoint`);
      const [{ data_directory }] = await queryRows<{ data_directory: string }>(database.db, sql`show data_directory`);
      const scan = filesContaining([data_directory, process.env.SHORA_KEY_DIR ?? ""], encodingsOf(secret as string));
      expect(scan.files).toBeGreaterThan(100);
      expect(scan.found).toEqual([]);
    },
  );

  it("cannot be recovered from the database to link the published ballots to identities", async () => {
    const database = await testDatabase();
    cleanups.push(() => database.close());
    const { roundId, access } = await votedRound(database.db, voters);
    const secret = (await roundSecretForTests(database.db, roundId)) as string;
    // With the secret, the link is there: that is what must be gone.
    const keys = await queryRows<{ voter_key: string }>(
      database.db,
      sql`select voter_key from ballots where round_id = ${roundId}`,
    );
    expect(keys.map((k) => k.voter_key).sort()).toEqual(voters.map((v) => voterKey(secret, v)).sort());
    await runRoundTally(database.db, access, "r");
    await publishRound(database.db, access, "r");
    expect(await roundSecretForTests(database.db, roundId)).toBeNull();
    // No column of any table holds it (the dump of every row of the schema as text).
    const dump = await queryRows<{ t: string }>(
      database.db,
      sql`select string_agg(row_to_json(r)::text, '') as t from (select * from round_secrets where round_id = ${roundId}) r`,
    );
    for (const e of encodingsOf(secret)) expect(Buffer.from(dump[0].t ?? "").includes(e)).toBe(false);
  });
});
