/**
 * Hostile input: every form action gets random and malicious values (very long strings, control
 * characters, markup, SQL, wrong types, negative and huge numbers, unknown fields) from staff,
 * residents and observers. No request may crash (500), and a refused one (4xx) changes nothing.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/client";
import { envelopes, phases, proposals, rounds, users } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { hashPassword } from "../../app/services/auth.server";
import { createMunicipality } from "../../app/services/municipality.server";
import { startSession } from "../../app/services/session.server";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

const routesDir = path.resolve(__dirname, "../../app/routes");
const FIELDS = [
  "slug",
  "kind",
  "titleEn",
  "titleFa",
  "descriptionEn",
  "descriptionFa",
  "intent",
  "originalSlug",
  "nameEn",
  "nameFa",
  "amount",
  "districtId",
  "ballotType",
  "minProjects",
  "maxProjects",
  "minSpendShare",
  "minPoints",
  "maxPoints",
  "tallyRule",
  "tallyCompletion",
  "envelopeSlug",
  "bodyEn",
  "bodyFa",
  "cost",
  "location",
  "proposalId",
  "reason",
  "response",
  "feasibilityNote",
  "status",
  "progress",
  "spent",
  "expectedCompletion",
  "note",
  "cancelReason",
  "photoUrl",
  "subscribe",
  "email",
  "password",
  "displayName",
  "next",
  "locale",
  "redirectTo",
  "adminEmail",
  "adminName",
  "adminPassword",
  "nameEn",
  "timeZone",
  "currency",
  "defaultLocale",
  "proposals.startsOn",
  "proposals.endsOn",
  "voting.startsOn",
  "voting.endsOn",
];

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.constantFrom(
    "<script>alert(1)</script>",
    "'; DROP TABLE users; --",
    "\u0000\u0001\u0002\u001b[31m",
    "../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9007199254740993",
    "-99999999999999999999",
    "2026-02-30",
    "approval",
    "cumulative",
    "mes",
    "accept",
    "reject",
    "respond",
    "create",
    "delete",
    "advance",
    "cancelled",
    "completed",
    "javascript:alert(1)",
    "%00",
    "٠١٢٣",
    "",
  ),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constant("x".repeat(20_000)),
);

const hostileForm = fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.string({ maxLength: 12 })), hostileString, {
  maxKeys: 12,
});

let database: Database;
const browsers: Record<string, TestBrowser> = {};
const userIds: Record<string, string> = {};
const params: Record<string, string> = {};

/**
 * What a request could have written, scoped to this test's municipality (on PostgreSQL other test
 * files write to the same database at the same time) and to the accounts the form names.
 */
async function counts(fields: Record<string, string>): Promise<Record<string, number>> {
  const m = params.municipalityId;
  const clean = (v: string) => v.split("\u0000").join("");
  const emails = [fields.email, fields.adminEmail, "-"].filter(Boolean).map((e) => clean(e).trim().toLowerCase());
  const slugs = [fields.slug, "-"].filter(Boolean).map((v) => clean(v).trim());
  const rows = await queryRows<Record<string, number>>(
    database.db,
    sql`select
      (select count(*)::int from users where email in ${emails}) as users,
      (select count(*)::int from municipalities where slug in ${slugs}) as municipalities,
      (select count(*)::int from memberships where municipality_id = ${m}) as memberships,
      (select count(*)::int from rounds where municipality_id = ${m}) as rounds,
      (select count(*)::int from phases p join rounds r on r.id = p.round_id where r.municipality_id = ${m}) as phases,
      (select count(*)::int from envelopes e join rounds r on r.id = e.round_id where r.municipality_id = ${m}) as envelopes,
      (select count(*)::int from proposals p join envelopes e on e.id = p.envelope_id join rounds r on r.id = e.round_id where r.municipality_id = ${m}) as proposals,
      (select count(*)::int from action_log where municipality_id = ${m}) as action_log,
      (select count(*)::int from implementation_updates u join proposals p on p.id = u.proposal_id join envelopes e on e.id = p.envelope_id join rounds r on r.id = e.round_id where r.municipality_id = ${m}) as implementation_updates`,
  );
  return rows[0];
}

beforeAll(async () => {
  database = await testDatabase();
  const slug = unique("fuzz");
  const { municipalityId, adminUserId } = await createMunicipality(database.db, {
    slug,
    name: { en: "Fuzz" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Admin", password: "fuzz password 1" },
  });
  const hash = await hashPassword("fuzz password 1");
  userIds.staff = adminUserId;
  for (const role of ["resident", "platform"]) {
    userIds[role] = randomUUID();
    await database.db.insert(users).values({
      id: userIds[role],
      email: `${role}@${slug}.example`,
      passwordHash: hash,
      displayName: role,
      isPlatformAdmin: role === "platform",
    });
  }
  const roundId = randomUUID();
  await database.db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await database.db.insert(phases).values({
    id: randomUUID(),
    roundId,
    kind: "proposals",
    startsOn: addDays(dayIn("UTC"), -1),
    endsOn: addDays(dayIn("UTC"), 5),
  });
  const envelopeId = randomUUID();
  await database.db.insert(envelopes).values({ id: envelopeId, roundId, slug: "e", name: { en: "E" }, amount: 100 });
  const proposalId = randomUUID();
  await database.db.insert(proposals).values({
    id: proposalId,
    envelopeId,
    title: { en: "P" },
    body: { en: "" },
    cost: 5,
    authorId: userIds.resident,
    status: "submitted",
  });
  Object.assign(params, { slug, round: "r", proposal: proposalId, "*": "x", municipalityId });
  for (const role of ["observer", "resident", "staff", "platform"]) browsers[role] = new TestBrowser(database.db);
});
afterAll(() => database.close());

async function signedIn(role: string) {
  const browser = browsers[role];
  browser.cookies.delete("shora_session");
  if (userIds[role])
    browser.cookies.set(
      "shora_session",
      (await startSession(database.db, browser.get("/"), userIds[role])).split(";")[0].split("=")[1],
    );
  // A fresh address per request so throttling does not turn everything into 429.
  (browser as { ip: string }).ip =
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  return browser;
}

describe("hostile input to every form action", () => {
  const files = fs
    .readdirSync(routesDir)
    .filter(
      (f) =>
        /\.tsx?$/.test(f) && /export (async )?function action\b/.test(fs.readFileSync(path.join(routesDir, f), "utf8")),
    );
  it("refuses a NUL character in any field with 400 naming the field", async () => {
    const browser = await signedIn("observer");
    const module = await import(path.join(routesDir, "signup.tsx"));
    const response = await call(
      module.action,
      browser,
      browser.post("/signup", { displayName: "A\u0000B", email: "nul@example.org", password: "long enough password" }),
      params,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(await response.text()).message).toBe("displayName contains a NUL character.");
  });

  it("covers every route with an action", () => {
    expect(files.length).toBeGreaterThanOrEqual(14);
  });
  for (const file of files) {
    it(`${file}: never crashes, and a refusal changes nothing`, async () => {
      const module = await import(path.join(routesDir, file));
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("observer", "resident", "staff", "platform"),
          hostileForm,
          async (role, fields) => {
            const browser = await signedIn(role);
            const before = await counts(fields);
            const response = await call(module.action, browser, browser.post("/x", fields), params);
            expect(response.status, `${role} ${JSON.stringify(fields).slice(0, 300)}`).toBeLessThan(500);
            if (response.status >= 400) expect(await counts(fields)).toEqual(before);
          },
        ),
        { numRuns: 25, seed: 20261128 },
      );
    });
  }
});
