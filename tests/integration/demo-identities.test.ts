/**
 * The demo's start page offers census identities still free, so that testers who sign up accounts of
 * their own never need the source: each listed one verifies, and once used it is no longer offered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { DEMO_CENSUS_RESIDENTS, freeDemoIdentities } from "../../app/services/demo/demo-census.server";
import { seedDemo } from "../../app/services/demo/demo.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import { makeUser, verifyVoter } from "../support/factories";
import { testDatabase, unique } from "../support/db";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
  await seedDemo(database.db, { now: new Date() });
});
afterAll(() => database.close());

describe("free demo identities", () => {
  it("lists five census entries nobody verified with, apart from the two demo residents", async () => {
    const free = await freeDemoIdentities(database.db, { count: 5 });
    expect(free).toHaveLength(5);
    expect(new Set(free.map((f) => f.nationalId)).size).toBe(5);
    for (const f of free) {
      expect(f.nationalId).toMatch(/^\d{10}$/);
      expect(f.birthDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(DEMO_CENSUS_RESIDENTS.map((r) => r.nationalId)).not.toContain(f.nationalId);
    }
  });

  it("offers one that verifies a new account, and stops offering it once used", async () => {
    const municipality = await findMunicipality(database.db, "demo");
    if (!municipality) throw new Error("no demo municipality");
    const [first] = await freeDemoIdentities(database.db, { count: 1 });
    const user = await makeUser(database.db, { email: `${unique("tester")}@demo.example` });
    const verified = await verifyVoter(database.db, { municipality, user, person: first });
    expect(verified).toBeTruthy();
    const after = await freeDemoIdentities(database.db, { count: 5 });
    expect(after.map((f) => f.nationalId)).not.toContain(first.nationalId);
    expect(after).toHaveLength(5);
  });
});
