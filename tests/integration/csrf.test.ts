/**
 * CSRF on every POST: every route module that exports an action (found in app/routes, so a new route
 * is covered without touching this file) gets a form without the token and one with another token,
 * from someone allowed to send it (so authorization is not what refuses): 403 with the reason
 * "csrf", and nothing in the database changes. Upload forms are sent as multipart, as browsers do.
 * The same request with the right token then gets past the check: the forms are real ones (most of
 * them succeed then), so what refused them was the token.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/client";
import { comments, districts, envelopes, memberships, phases, proposals, rounds, users } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { createMunicipality } from "../../app/services/tenancy/municipality.server";
import { startSession } from "../../app/web/session.server";
import { CSRF, TestBrowser, call, fingerprint } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import { expectRowPerRoute } from "../support/route-tables";

const routesDir = path.resolve(__dirname, "../../app/routes");
const PASSWORD = "csrf matrix password";
const WRONG = "w".repeat(32);

let database: Database;
const ids: Record<string, string> = {};
let slug: string;
let municipalityId: string;
const newSlug = unique("csrf-new");
const newEmail = `${unique("csrf-signup")}@example.org`;

/** Only a 404: the catch-all route answers every method the same way and changes nothing. */
const NO_FORM = new Set(["$.tsx"]);

/** Who sends each form: staff of the municipality, unless the route is someone else's to use. */
const sender: Record<string, "platform" | "author" | "admin"> = {
  "admin._index.tsx": "platform",
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": "author",
  // The administrators' forms (ADR 0019).
  "m.$slug.admin.census.tsx": "admin",
  "m.$slug.admin.letter-codes[.csv].tsx": "admin",
  "m.$slug.admin.staff.tsx": "admin",
  "m.$slug.admin.witnesses.tsx": "admin",
  "m.$slug.admin.rounds.$round.tally.tsx": "admin",
};

const nationalId = (n: number) => withIranianCheckDigit(String(n).padStart(9, "0"));

/** The form each action would act on with the right token; a route not listed gets an empty form. */
const forms: Record<string, () => Record<string, string>> = {
  "account.tsx": () => ({ intent: "logout-everywhere" }),
  "admin._index.tsx": () => ({
    slug: newSlug,
    nameEn: "New town",
    nameFa: "شهر نو",
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    adminEmail: `admin@${newSlug}.example`,
    adminName: "First admin",
    adminPassword: "first admin password",
  }),
  "locale.tsx": () => ({ locale: "fa", redirectTo: "/" }),
  "login.tsx": () => ({ email: `staff@${slug}.example`, password: PASSWORD }),
  "signup.tsx": () => ({ displayName: "New person", email: newEmail, password: PASSWORD }),
  "m.$slug.admin.census.tsx": () => ({ intent: "import" }),
  "m.$slug.admin.letter-codes[.csv].tsx": () => ({ districtId: ids.district, validDays: "30", limit: "10" }),
  "m.$slug.admin.moderation.tsx": () => ({ intent: "hide", commentId: ids.comment, reason: "Off topic" }),
  "m.$slug.admin.staff.tsx": () => ({ intent: "add", email: `author@${slug}.example`, role: "staff" }),
  "m.$slug.admin.witnesses.tsx": () => ({ intent: "quorum", quorum: "0" }),
  "m.$slug.admin.rounds._index.tsx": () => ({
    slug: "new-round",
    kind: "budgeting",
    titleEn: "New round",
    descriptionEn: "",
    "proposals.startsOn": addDays(dayIn("UTC"), 10),
    "proposals.endsOn": addDays(dayIn("UTC"), 20),
  }),
  "m.$slug.admin.rounds.$round._index.tsx": () => ({ intent: "advance" }),
  "m.$slug.admin.rounds.$round.eligibility.tsx": () => ({
    intent: "class",
    code: "resident",
    weight: "2",
    nameEn: "R",
  }),
  "m.$slug.admin.rounds.$round.envelopes.tsx": () => ({
    slug: "new-envelope",
    nameEn: "New",
    amount: "50",
    ballotType: "approval",
    tallyRule: "greedy",
  }),
  "m.$slug.admin.rounds.$round.implementation.tsx": () => ({
    proposalId: ids.funded,
    status: "in_progress",
    progress: "10",
    spent: "1",
    note: "Started",
  }),
  "m.$slug.admin.rounds.$round.paper.tsx": () => ({ intent: "file" }),
  "m.$slug.admin.rounds.$round.proposals.tsx": () => ({ intent: "reject", proposalId: ids.proposal, reason: "No" }),
  "m.$slug.admin.rounds.$round.survey.tsx": () => ({ kind: "text", promptEn: "Anything else?" }),
  "m.$slug.admin.rounds.$round.tally.tsx": () => ({ intent: "publish" }),
  "m.$slug.admin.verifications.tsx": () => ({
    intent: "verify",
    userId: ids.author,
    nationalId: nationalId(800000001),
    birthDate: "1980-01-01",
    districtId: ids.district,
    voterClass: "resident",
  }),
  "m.$slug.verify.tsx": () => ({ intent: "census", nationalId: nationalId(800000002), birthDate: "1980-01-01" }),
  "m.$slug.rounds.$round.implementation.$proposal.tsx": () => ({ subscribe: "yes" }),
  "m.$slug.rounds.$round.proposals.$proposal.tsx": () => ({ intent: "comment", body: "I agree", stance: "for" }),
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": () => ({ intent: "withdraw" }),
  "m.$slug.rounds.$round.propose.tsx": () => ({ envelopeSlug: "e", titleEn: "A bench", bodyEn: "Here", cost: "5" }),
  "m.$slug.rounds.$round.vote.$envelope.tsx": () => ({ intent: "save" }),
};

/** The files upload forms send (multipart), by route. */
const files: Record<string, { name: string; text: string }> = {
  "m.$slug.admin.census.tsx": {
    name: "census.csv",
    text: `national_id,birth_date,district,voter_class\n${nationalId(800000003)},1980-01-02,north,resident\n`,
  },
  "m.$slug.admin.rounds.$round.paper.tsx": {
    name: "paper.csv",
    text: `national_id,birth_date,envelope,choices\n${nationalId(800000004)},1980-01-02,e,1\n`,
  },
};

const actionFiles = fs
  .readdirSync(routesDir)
  .filter(
    (f) =>
      /\.tsx?$/.test(f) && /export (async )?function action\b/.test(fs.readFileSync(path.join(routesDir, f), "utf8")),
  );
/** Routes whose page has a file upload form: browsers send those as multipart/form-data. */
const uploadFiles = actionFiles.filter((f) =>
  fs.readFileSync(path.join(routesDir, f), "utf8").includes('encType="multipart/form-data"'),
);

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("csrf");
  let adminUserId: string;
  ({ municipalityId, adminUserId } = await createMunicipality(database.db, {
    slug,
    name: { en: "CSRF" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Admin", password: PASSWORD },
  }));
  ids.admin = adminUserId;
  const hash = await hashPassword(PASSWORD);
  for (const [role, platform] of [
    ["staff", false],
    ["author", false],
    ["platform", true],
  ] as const) {
    ids[role] = randomUUID();
    await database.db.insert(users).values({
      id: ids[role],
      email: `${role}@${slug}.example`,
      passwordHash: hash,
      displayName: role,
      isPlatformAdmin: platform,
      // Confirmed addresses, so the verification form gets past its own check (ADR 0025).
      emailConfirmedAt: new Date(),
    });
  }
  await database.db.insert(memberships).values({ userId: ids.staff, municipalityId, role: "staff" });
  ids.district = randomUUID();
  await database.db
    .insert(districts)
    .values({ id: ids.district, municipalityId, code: "north", name: { en: "North" } });
  const roundId = randomUUID();
  await database.db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await database.db.insert(phases).values({
    id: randomUUID(),
    roundId,
    kind: "proposals",
    startsOn: addDays(dayIn("UTC"), -2),
    endsOn: addDays(dayIn("UTC"), 5),
  });
  const envelopeId = randomUUID();
  await database.db.insert(envelopes).values({ id: envelopeId, roundId, slug: "e", name: { en: "E" }, amount: 100 });
  ids.proposal = randomUUID();
  ids.own = randomUUID();
  ids.funded = randomUUID();
  await database.db.insert(proposals).values([
    {
      id: ids.proposal,
      envelopeId,
      title: { en: "P" },
      body: { en: "" },
      cost: 5,
      authorId: ids.author,
      status: "submitted",
    },
    {
      id: ids.own,
      envelopeId,
      title: { en: "O" },
      body: { en: "" },
      cost: 5,
      authorId: ids.author,
      status: "submitted",
    },
    { id: ids.funded, envelopeId, title: { en: "F" }, body: { en: "" }, cost: 5, status: "funded" },
  ]);
  ids.comment = randomUUID();
  await database.db
    .insert(comments)
    .values({ id: ids.comment, proposalId: ids.funded, authorId: ids.author, body: "Hello", stance: "for" });
});
afterAll(() => database.close());

/** What a request could have changed: this municipality and its people, and what the forms would create. */
async function state() {
  const [userIds, created] = await Promise.all([
    queryRows<{ id: string }>(database.db, sql`select id from users where email like ${`%@${slug}.example`}`),
    queryRows<{ users: number; municipalities: number }>(
      database.db,
      sql`select (select count(*)::int from users where email = ${newEmail}) as users,
        (select count(*)::int from municipalities where slug = ${newSlug}) as municipalities`,
    ),
  ]);
  return {
    ...(await fingerprint(database.db, { municipalityIds: [municipalityId], userIds: userIds.map((u) => u.id) })),
    created: JSON.stringify(created[0]),
  };
}

function paramsFor(file: string): Record<string, string> {
  return {
    slug,
    round: "r",
    envelope: "e",
    proposal: file.includes("_.edit") ? ids.own : ids.funded,
    "*": "no-such-page",
  };
}

async function post(file: string, csrf: string | null): Promise<Response> {
  const module = await import(path.join(routesDir, file));
  const browser = new TestBrowser(database.db);
  const userId = ids[sender[file] ?? "staff"];
  browser.cookies.set(
    "shora_session",
    (await startSession(database.db, browser.get("/"), userId)).split(";")[0].split("=")[1],
  );
  const fields = forms[file]?.() ?? {};
  const request = uploadFiles.includes(file)
    ? browser.postMultipart("/x", fields, { file: files[file] }, { csrf })
    : browser.post("/x", fields, { csrf });
  return call(module.action, browser, request, paramsFor(file));
}

async function reason(response: Response): Promise<string | undefined> {
  try {
    return JSON.parse(await response.clone().text()).reason;
  } catch {
    return undefined;
  }
}

describe("CSRF on every action", () => {
  it("finds the actions and the upload forms in app/routes", () => {
    expect(actionFiles.length).toBeGreaterThanOrEqual(27);
    expectRowPerRoute("csrfUploads", Object.keys(files), uploadFiles);
    // Every form written above still belongs to a route with an action.
    expect(Object.keys(forms).filter((f) => !actionFiles.includes(f))).toEqual([]);
  });

  for (const file of actionFiles) {
    it(`${file}: refused without the token and with another one (403, nothing changed)`, async () => {
      const before = await state();
      const missing = await post(file, null);
      const wrong = await post(file, WRONG);
      if (NO_FORM.has(file)) {
        expect([missing.status, wrong.status]).toEqual([404, 404]);
      } else {
        expect([missing.status, wrong.status]).toEqual([403, 403]);
        expect([await reason(missing), await reason(wrong)]).toEqual(["csrf", "csrf"]);
      }
      expect(await state()).toEqual(before);
      // The right token gets past the check: what refused above was the token, not the form or the sender.
      const right = await post(file, CSRF);
      expect(await reason(right)).not.toBe("csrf");
      if (!NO_FORM.has(file)) expect(right.status, `${file} with the right token`).not.toBe(403);
    });
  }
});
