/**
 * Collected only when TEST_DATABASE_URL names a PostgreSQL server (see vitest.config.ts): two app
 * processes cast 200 ballots at once on one database, and the ledger stays one linear sequence.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { promisify } from "node:util";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import type { Database } from "../../db/client";
import { ballots, envelopes, ledgerLeaves, phases, proposals, rounds } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { hashChildren } from "../../app/domain/ledger/merkle";
import { ledgerHead } from "../../app/services/ballots/ledger-store.server";
import { createMunicipality } from "../../app/services/tenancy/municipality.server";
import { testDatabase, unique } from "../support/db";

const run = promisify(execFile);
let database: Database;
let roundId: string;
let envelopeId: string;
let proposalId: string;

beforeAll(async () => {
  database = await testDatabase();
  const slug = unique("twoproc");
  const { municipalityId } = await createMunicipality(database.db, {
    slug,
    name: { en: "Two" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "A", password: "two processes 1" },
  });
  roundId = randomUUID();
  await database.db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await database.db.insert(phases).values({
    id: randomUUID(),
    roundId,
    kind: "voting",
    startsOn: addDays(dayIn("UTC"), -1),
    endsOn: addDays(dayIn("UTC"), 1),
  });
  envelopeId = randomUUID();
  await database.db.insert(envelopes).values({ id: envelopeId, roundId, slug: "e", name: { en: "E" }, amount: 100 });
  proposalId = randomUUID();
  await database.db
    .insert(proposals)
    .values({ id: proposalId, envelopeId, title: { en: "P" }, body: { en: "" }, cost: 10, status: "accepted" });
});
afterAll(() => database.close());

describe("two app processes on one PostgreSQL", () => {
  it("give 200 ballots and one linear, consistent ledger", async () => {
    const url = inject("databaseUrl");
    expect(url).toMatch(/^postgres/);
    const worker = path.resolve(__dirname, "../support/cast-worker.ts");
    const tsx = path.resolve(__dirname, "../../node_modules/.bin/tsx");
    const [a, b] = await Promise.all([
      run(tsx, [worker, url, roundId, envelopeId, "0", "100", proposalId], { maxBuffer: 1 << 24 }),
      run(tsx, [worker, url, roundId, envelopeId, "100", "200", proposalId], { maxBuffer: 1 << 24 }),
    ]);
    const receipts = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)] as { leafIndex: number; ballotId: string }[];
    expect(receipts).toHaveLength(200);
    expect(receipts.map((r) => r.leafIndex).sort((x, y) => x - y)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const current = await database.db.select().from(ballots).where(eq(ballots.envelopeId, envelopeId));
    expect(current.filter((row) => row.current)).toHaveLength(200);
    const leaves = await database.db
      .select()
      .from(ledgerLeaves)
      .where(eq(ledgerLeaves.roundId, roundId))
      .orderBy(asc(ledgerLeaves.leafIndex));
    expect(leaves.map((l) => JSON.parse(l.leaf).seq)).toEqual(leaves.map((_, i) => i));
    const mth = (list: Buffer[]): Buffer => {
      if (list.length === 1) return list[0];
      let k = 1;
      while (k * 2 < list.length) k *= 2;
      return hashChildren(mth(list.slice(0, k)), mth(list.slice(k)));
    };
    const head = await ledgerHead(database.db, { roundId });
    expect(head.root).toBe(mth(leaves.map((l) => Buffer.from(l.leafHash, "hex"))).toString("hex"));
  });
});
