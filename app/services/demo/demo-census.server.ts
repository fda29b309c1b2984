/**
 * Demo census for the demo municipality (slug `demo`): 300 census entries, including the two demo
 * residents, and voter classes with weights for the demo round `budget-1405`.
 *
 * To verify a demo resident on /m/demo/verify ("Verify with your national ID"):
 *   resident1@demo.shora.local — national ID 0499370899, birth date 1985-03-21 (Solar Hijri 1364-01-01)
 *                                → North district, voter class `resident` (weight 2 in budget-1405)
 *   resident2@demo.shora.local — national ID 0790419904, birth date 1992-08-23 (Solar Hijri 1371-06-01)
 *                                → South district, voter class `works-here` (weight 1 in budget-1405)
 * These IDs are demo data only (valid check digits, not real people). Neither account starts verified.
 * Idempotent: does nothing when the demo municipality already has a census.
 */
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  censusLocks,
  municipalities,
  roundEligibility,
  roundVoterClasses,
  rounds,
  users,
  verifications,
} from "../../../db/schema";
import { withIranianCheckDigit } from "../../domain/verification/ids";
import { scopeOf, systemActor, userActor } from "../scope";
import { activeImport, censusSecret, identityHash, importCensus } from "../verification/census.server";

export const DEMO_CENSUS_RESIDENTS = [
  {
    email: "resident1@demo.shora.local",
    nationalId: "0499370899",
    birthDate: "1985-03-21",
    district: "north",
    voterClass: "resident",
  },
  {
    email: "resident2@demo.shora.local",
    nationalId: "0790419904",
    birthDate: "1992-08-23",
    district: "south",
    voterClass: "works-here",
  },
] as const;

const CLASSES = [
  { code: "resident", name: { en: "Resident", fa: "ساکن" }, weight: 2 },
  { code: "works-here", name: { en: "Works in the city", fa: "شاغل در شهر" }, weight: 1 },
  { code: "youth", name: { en: "Youth (16–18)", fa: "نوجوان (۱۶ تا ۱۸)" }, weight: 2 },
];

export function demoCensusCsv(): string {
  const lines = ["national_id,birth_date,district,voter_class"];
  for (const r of DEMO_CENSUS_RESIDENTS) lines.push(`${r.nationalId},${r.birthDate},${r.district},${r.voterClass}`);
  const districts = ["north", "south", "center"];
  for (let i = 0; i < 298; i++) {
    const id = withIranianCheckDigit(String(200_000_000 + i * 37).padStart(9, "0"));
    const year = i % 10 === 0 ? 2009 : 1950 + (i % 55);
    const voterClass = i % 10 === 0 ? "youth" : i % 4 === 0 ? "works-here" : "resident";
    lines.push(
      `${id},${year}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")},${districts[i % 3]},${voterClass}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function seedDemoCensus(db: Db): Promise<{ created: boolean }> {
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
  if (!municipality) return { created: false };
  const scope = scopeOf(municipality, systemActor("demo"));
  if (await activeImport(db, scope)) return { created: false };
  const [staff] = await db.select().from(users).where(eq(users.email, "staff@demo.shora.local"));
  if (!staff) return { created: false };
  const result = await importCensus(db, scopeOf(municipality, userActor(staff)), {
    fileName: "demo-census.csv",
    text: demoCensusCsv(),
    skipBadRows: false,
  });
  if (result.status !== "active") throw new Error(`demo census import ended ${result.status}`);
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipality.id), eq(rounds.slug, "budget-1405")));
  if (round) {
    // Seeded directly: the demo round's voting is already open, so the staff form would (rightly) refuse.
    await db.transaction(async (tx) => {
      await tx
        .insert(roundVoterClasses)
        .values(CLASSES.map((c, position) => ({ roundId: round.id, ...c, position })))
        .onConflictDoNothing();
      await tx
        .insert(roundEligibility)
        .values({ roundId: round.id, districtIds: null, minAge: 16 })
        .onConflictDoNothing();
    });
  }
  return { created: true };
}

export interface DemoIdentity {
  nationalId: string;
  birthDate: string;
  district: string;
}

/**
 * Demo census identities nobody has verified with yet (nor locked by misses), in census order after
 * the two demo residents: what the start page offers testers, so that two of them never need the
 * source to find a free one. Empty without the demo municipality or its census.
 */
export async function freeDemoIdentities(db: Db, input: { count: number }): Promise<DemoIdentity[]> {
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
  if (!municipality) return [];
  const scope = scopeOf(municipality, systemActor("demo"));
  if (!(await activeImport(db, scope))) return [];
  const secret = await censusSecret(db, municipality.id);
  const rows = demoCensusCsv()
    .trim()
    .split("\n")
    .slice(1 + DEMO_CENSUS_RESIDENTS.length)
    .map((line) => {
      const [nationalId, birthDate, district] = line.split(",");
      return { nationalId, birthDate, district, hash: identityHash(secret, nationalId) };
    });
  const free: DemoIdentity[] = [];
  // A slice at a time: one query per slice, and only as far as the free ones asked for.
  for (let start = 0; start < rows.length && free.length < input.count; start += 25) {
    const slice = rows.slice(start, start + 25);
    const hashes = slice.map((r) => r.hash);
    const [verified, locked] = await Promise.all([
      db
        .select({ hash: verifications.identityHash })
        .from(verifications)
        .where(
          and(
            eq(verifications.municipalityId, municipality.id),
            inArray(verifications.identityHash, hashes),
            isNull(verifications.revokedAt),
          ),
        ),
      db
        .select({ hash: censusLocks.identityHash })
        .from(censusLocks)
        .where(
          and(
            eq(censusLocks.municipalityId, municipality.id),
            inArray(censusLocks.identityHash, hashes),
            isNull(censusLocks.clearedAt),
          ),
        ),
    ]);
    const used = new Set([...verified, ...locked].map((r) => r.hash));
    for (const r of slice)
      if (!used.has(r.hash) && free.length < input.count)
        free.push({ nationalId: r.nationalId, birthDate: r.birthDate, district: r.district });
  }
  return free;
}
