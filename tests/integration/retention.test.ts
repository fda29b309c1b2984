/**
 * How long verification records of deleted accounts are kept (ADR 0026): set by the municipality's
 * administrators, stated on the resident's privacy page, erased by the housekeeping once the time is up.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, users, verifications } from "../../db/schema";
import * as census from "../../app/routes/m.$slug.admin.census";
import * as privacyPage from "../../app/routes/account_.privacy";
import { eraseExpiredVerifications } from "../../app/services/accounts/privacy.server";
import {
  censusRows,
  makeCensus,
  makeMember,
  makeMunicipality,
  makeUser,
  signIn,
  verifyVoter,
} from "../support/factories";
import { privateDatabase, unique } from "../support/db";
import { call } from "../support/requests";

let database: Database;
// A database of its own: the housekeeping erases across every municipality in it.
let dropDatabase: () => Promise<void>;
const body = async (r: Response) => JSON.parse(await r.text());
const system = { actor: { kind: "system" as const, name: "test" } };

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
});
afterAll(async () => {
  await dropDatabase();
});

const monthsAgo = (n: number, from = new Date()) => {
  const d = new Date(from);
  d.setUTCMonth(d.getUTCMonth() - n);
  return d;
};

describe("retention of verification records", () => {
  it("is set by administrators, shown to residents, and erases records of accounts deleted longer ago", async () => {
    const slug = unique("keep");
    const town = await makeMunicipality(database.db, { slug, name: { en: "Keep town" }, districts: ["north"] });
    const other = await makeMunicipality(database.db, { districts: ["north"] });
    const people = censusRows({ count: 3, districts: ["north"] });
    await makeCensus(database.db, { by: town.admin, rows: people });
    await makeCensus(database.db, { by: other.admin, rows: people });
    const residents = [];
    for (const [i, person] of people.entries()) {
      const user = await makeUser(database.db, { email: `${unique(`k${i}`)}@example.org` });
      await verifyVoter(database.db, { municipality: town.municipality, user, person });
      residents.push(user);
    }
    // The third is verified in the other town too, which never chose: 24 months.
    await verifyVoter(database.db, { municipality: other.municipality, user: residents[2], person: people[2] });

    const admin = await signIn(database.db, town.admin.user);
    const post = (fields: Record<string, string>) =>
      call(census.action, admin, admin.post(`/m/${slug}/admin/census`, fields), { slug });
    // Bad values name the field; nothing changes.
    for (const bad of ["241", "-1", "twelve", ""]) {
      const refused = await post({ intent: "retention", retentionMonths: bad });
      expect(refused.status, bad).toBe(400);
      expect((await body(refused)).errors.retentionMonths).toMatch(/Months to keep/);
    }
    const saved = await post({ intent: "retention", retentionMonths: "۶" });
    expect(saved.status).toBe(200);
    expect((await body(saved)).retained).toBe(6);
    const loaded = await body(await call(census.loader, admin, admin.get(`/m/${slug}/admin/census`), { slug }));
    expect(loaded.retentionMonths).toBe(6);
    const [logged] = await database.db.select().from(actionLog).where(eq(actionLog.action, "census.retention"));
    expect(logged.summary).toEqual({ before: { months: 24 }, after: { months: 6 } });
    // Staff who are not administrators cannot change it.
    const staffMember = await makeMember(database.db, { by: town.admin, email: `staff@${slug}.example` });
    const staff = await signIn(database.db, staffMember.user);
    const staffTry = await call(
      census.action,
      staff,
      staff.post(`/m/${slug}/admin/census`, { intent: "retention", retentionMonths: "0" }),
      { slug },
    );
    expect(staffTry.status).toBe(403);

    // The resident's privacy page says how long each municipality keeps their record.
    const resident = await signIn(database.db, residents[2]);
    const page = await body(await call(privacyPage.loader, resident, resident.get("/account/privacy")));
    const months = Object.fromEntries(page.kept.map((k: { slug: string; months: number }) => [k.slug, k.months]));
    expect(months).toEqual({ [slug]: 6, [other.municipality.slug]: 24 });

    // Deleted seven months ago, five months ago, and not deleted: only the first is erased here;
    // the third's record in the other town stays until 24 months have passed.
    await database.db
      .update(users)
      .set({ deletedAt: monthsAgo(7) })
      .where(eq(users.id, residents[0].id));
    await database.db
      .update(users)
      .set({ deletedAt: monthsAgo(5) })
      .where(eq(users.id, residents[1].id));
    await database.db
      .update(users)
      .set({ deletedAt: monthsAgo(7) })
      .where(eq(users.id, residents[2].id));
    expect(await eraseExpiredVerifications(database.db, system)).toBe(2);
    const left = await database.db.select().from(verifications);
    const leftOf = (userId: string) => left.filter((v) => v.userId === userId).map((v) => v.municipalityId);
    expect(leftOf(residents[0].id)).toEqual([]);
    expect(leftOf(residents[1].id)).toEqual([town.municipality.id]);
    expect(leftOf(residents[2].id)).toEqual([other.municipality.id]);
    expect(await eraseExpiredVerifications(database.db, system, { now: monthsAgo(-18) })).toBe(2);
  });
});
