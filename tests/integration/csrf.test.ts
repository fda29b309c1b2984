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
import { proposals } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { CSRF, TestBrowser, call, fingerprint } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import {
  makeComment,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  sessionFor,
} from "../support/factories";
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

/**
 * Authorised by an API key in the body, never by a cookie (Open311, ADR 0039): a cross-site page
 * cannot send a key it does not know. Without a valid key it is a 403 whatever the token.
 */
const API_KEY = new Set(["m.$slug.open311.v2.requests[.json].tsx", "m.$slug.open311.v2.requests[.xml].tsx"]);

/** Who sends each form: staff of the municipality, unless the route is someone else's to use. */
const sender: Record<string, "platform" | "author" | "admin"> = {
  "admin._index.tsx": "platform",
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": "author",
  "m.$slug.rounds.$round.proposals.$proposal_.point.tsx": "author",
  // The administrators' forms (ADR 0019).
  "m.$slug.admin.census.tsx": "admin",
  "m.$slug.admin.letter-codes[.csv].tsx": "admin",
  "m.$slug.admin.staff.tsx": "admin",
  "m.$slug.admin.eid.tsx": "admin",
  "m.$slug.admin.witnesses.tsx": "admin",
  "m.$slug.admin.webhooks.tsx": "admin",
  "m.$slug.admin.rounds.$round.tally.tsx": "admin",
};

const nationalId = (n: number) => withIranianCheckDigit(String(n).padStart(9, "0"));

/** The form each action would act on with the right token; a route not listed gets an empty form. */
const forms: Record<string, () => Record<string, string>> = {
  "account.tsx": () => ({ intent: "logout-everywhere" }),
  "account_.security.tsx": () => ({ intent: "verify", code: "000000" }),
  "account_.privacy.tsx": () => ({ intent: "download" }),
  "account_.following.tsx": () => ({ intent: "unfollow", proposalId: "not-followed" }),
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
  "auth.eid.tsx": () => ({ next: "/" }),
  "auth.eid_.link.tsx": () => ({ password: PASSWORD }),
  "login.tsx": () => ({ email: `staff@${slug}.example`, password: PASSWORD }),
  "signup.tsx": () => ({ displayName: "New person", email: newEmail, password: PASSWORD }),
  "m.$slug.admin.census.tsx": () => ({ intent: "import" }),
  "m.$slug.admin.letter-codes[.csv].tsx": () => ({ districtId: ids.district, validDays: "30", limit: "10" }),
  "m.$slug.admin.moderation.tsx": () => ({ intent: "hide", commentId: ids.comment, reason: "Off topic" }),
  "m.$slug.admin.staff.tsx": () => ({ intent: "add", email: `author@${slug}.example`, role: "staff" }),
  "m.$slug.admin.eid.tsx": () => ({ intent: "removeProvider" }),
  "m.$slug.admin.help.tsx": () => ({
    intent: "save",
    slug: "opening-hours",
    titleEn: "Opening hours",
    titleFa: "ساعت‌های کاری",
    bodyEn: "Mornings.",
    bodyFa: "صبح‌ها.",
  }),
  "m.$slug.admin.witnesses.tsx": () => ({ intent: "quorum", quorum: "0" }),
  "m.$slug.admin.webhooks.tsx": () => ({
    intent: "add",
    url: "https://hooks.example/shora",
    events: "round.phase_changed",
  }),
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
  "m.$slug.admin.rounds.$round.tally.tsx": () => ({ intent: "publish", confirmed: "yes" }),
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
  "m.$slug.rounds.$round.proposals.$proposal_.point.tsx": () => ({ intent: "clear" }),
  "m.$slug.admin.map.tsx": () => ({ intent: "districts", keyProperty: "code" }),
  "m.$slug.rounds.$round.propose.tsx": () => ({ envelopeSlug: "e", titleEn: "A bench", bodyEn: "Here", cost: "5" }),
  "m.$slug.rounds.$round.vote.$envelope.tsx": () => ({ intent: "save" }),
};

/** The files upload forms send (multipart), by route. */
const files: Record<string, { name: string; text: string }> = {
  "m.$slug.admin.map.tsx": {
    name: "districts.geojson",
    text: '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"north"},"geometry":{"type":"Polygon","coordinates":[[[51.3,35.7],[51.4,35.7],[51.4,35.8],[51.3,35.7]]]}}]}',
  },
  "m.$slug.admin.census.tsx": {
    name: "census.csv",
    text: `national_id,birth_date,district,voter_class\n${nationalId(800000003)},1980-01-02,north,resident\n`,
  },
  "m.$slug.reports.new.tsx": { name: "photo.txt", text: "not a picture" },
  "m.$slug.admin.rounds.$round.paper.tsx": {
    name: "paper.csv",
    text: `national_id,birth_date,envelope,choices\n${nationalId(800000004)},1980-01-02,e,1\n`,
  },
  // Forms with photos and documents (ADR 0034).
  "m.$slug.rounds.$round.propose.tsx": { name: "plan.pdf", text: "%PDF-1.4\n%%EOF\n" },
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": { name: "plan.pdf", text: "%PDF-1.4\n%%EOF\n" },
  "m.$slug.admin.rounds.$round.implementation.tsx": { name: "plan.pdf", text: "%PDF-1.4\n%%EOF\n" },
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
  const town = await makeMunicipality(database.db, {
    slug,
    name: { en: "CSRF" },
    admin: { password: PASSWORD },
    districts: [{ code: "north", name: { en: "North" } }],
  });
  municipalityId = town.municipality.id;
  ids.admin = town.admin.user.id;
  ids.district = town.districts.north;
  const staff = await makeMember(database.db, {
    by: town.admin,
    email: `staff@${slug}.example`,
    displayName: "staff",
    password: PASSWORD,
  });
  ids.staff = staff.user.id;
  const author = await makeUser(database.db, {
    email: `author@${slug}.example`,
    displayName: "author",
    password: PASSWORD,
  });
  ids.author = author.id;
  ids.platform = (
    await makeUser(database.db, {
      email: `platform@${slug}.example`,
      displayName: "platform",
      password: PASSWORD,
      platformAdmin: true,
    })
  ).id;
  const round = await makeRound(database.db, {
    by: town.admin,
    slug: "r",
    title: { en: "R" },
    description: { en: "" },
    spans: [["proposals", -2, 5]],
  });
  const envelope = await makeEnvelope(database.db, {
    by: town.admin,
    round,
    slug: "e",
    name: { en: "E" },
    amount: 100,
    tallyCompletion: true,
  });
  const submitted = (title: string) =>
    makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      title: { en: title },
      body: { en: "" },
      cost: 5,
      status: "submitted",
      author,
    });
  ids.proposal = await submitted("P");
  ids.own = await submitted("O");
  // Funded without a vote: no service funds a proposal outside a tally, so this one row is inserted.
  ids.funded = randomUUID();
  await database.db.insert(proposals).values({
    id: ids.funded,
    envelopeId: envelope.id,
    title: { en: "F" },
    body: { en: "" },
    cost: 5,
    status: "funded",
  });
  ids.comment = await makeComment(database.db, {
    municipality: town.municipality,
    round,
    proposalId: ids.funded,
    user: author,
    body: "Hello",
    stance: "for",
  });
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
  browser.cookies.set("shora_session", await sessionFor(database.db, userId));
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
      } else if (API_KEY.has(file)) {
        expect([missing.status, wrong.status]).toEqual([403, 403]);
        expect(await state()).toEqual(before);
        return;
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
