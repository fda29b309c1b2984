/**
 * The authorization matrix: every route module (loader and action) requested by every kind of
 * visitor, with the status each must get. Deny by default: a route file without a row here fails.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { envelopes, memberships, phases, proposals, rounds, users } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { hashPassword } from "../../app/services/auth.server";
import { startSession } from "../../app/services/session.server";
import { createMunicipality } from "../../app/services/municipality.server";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

const roles = ["observer", "resident", "author", "staff", "admin", "foreignStaff", "platform"] as const;
type Role = (typeof roles)[number];
type Expect = Record<Role, number>;

const all = (status: number): Expect => Object.fromEntries(roles.map((r) => [r, status])) as Expect;
const loggedIn = (status: number, observer = 403): Expect => ({ ...all(status), observer });
const staffOnly = (allowed: number): Expect => ({ ...all(403), staff: allowed, admin: allowed });
const platformOnly = (allowed: number): Expect => ({ ...all(403), platform: allowed });

/** route file → expected status of its loader and of its action (POST with an empty, CSRF-valid form). */
const matrix: Record<string, { loader?: Expect; action?: Expect }> = {
  "$.tsx": { loader: all(404), action: all(404) },
  "_index.tsx": { loader: all(200) },
  "account.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "admin._index.tsx": { loader: platformOnly(200), action: platformOnly(400) },
  "locale.tsx": { loader: all(404), action: all(400) },
  "login.tsx": { loader: { ...all(302), observer: 200 }, action: all(400) },
  "logout.tsx": { loader: all(404), action: all(302) },
  "signup.tsx": { loader: { ...all(302), observer: 200 }, action: all(400) },
  "m.$slug._index.tsx": { loader: all(200) },
  "m.$slug.action-log[.jsonl].tsx": { loader: all(200) },
  "m.$slug.log.tsx": { loader: all(200) },
  "m.$slug.implementation[.csv].tsx": { loader: all(200) },
  "m.$slug.implementation[.json].tsx": { loader: all(200) },
  "m.$slug.admin._index.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.outbox.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.census.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  // No census yet in the matrix municipality: staff are sent back to the verifications page with the reason.
  "m.$slug.admin.letter-codes[.csv].tsx": { action: staffOnly(303) },
  "m.$slug.admin.verifications.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.eligibility.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.rounds.$round.eligibility.tsx": { loader: all(200) },
  "m.$slug.verify.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "m.$slug.admin.rounds._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.envelopes.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.proposals.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.implementation.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  // The matrix round is in its proposals phase: running the tally is refused (409) even to staff.
  "m.$slug.admin.rounds.$round.turnout.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.rounds.$round.paper.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.tally.tsx": { loader: staffOnly(200), action: staffOnly(409) },
  "m.$slug.rounds.$round._index.tsx": { loader: all(200) },
  // The matrix round is not published: its bundle and results API are 404 to everyone.
  "m.$slug.rounds.$round.bundle[.zip].tsx": { loader: all(404) },
  "m.$slug.rounds.$round.bundle.$file.tsx": { loader: all(404) },
  "m.$slug.api.rounds.$round.results.tsx": { loader: all(404) },
  "m.$slug.api.rounds.tsx": { loader: all(200) },
  "m.$slug.open-data.tsx": { loader: all(200) },
  // No chart named: 400 (charts of unpublished rounds are 404, see the bundle tests).
  "m.$slug.rounds.$round.chart[.png].tsx": { loader: all(400) },
  "m.$slug.rounds.$round.propose.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": {
    loader: { ...all(403), author: 200 },
    action: { ...all(403), author: 400 },
  },
  "m.$slug.rounds.$round.implementation._index.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.checkpoints[.json].tsx": { loader: all(200) },
  "m.$slug.rounds.$round.receipt.tsx": { loader: all(200) },
  // No ballot named: no receipt to download.
  "m.$slug.rounds.$round.receipt[.json].tsx": { loader: all(404) },
  "m.$slug.rounds.$round.results.tsx": { loader: all(200) },
  // Saving a draft basket needs an account; casting needs eligibility (tested in ballots tests).
  "m.$slug.rounds.$round.vote.$envelope.tsx": { loader: loggedIn(200), action: loggedIn(200) },
  "m.$slug.rounds.$round.implementation.$proposal.tsx": { loader: all(200), action: loggedIn(302) },
  // The funded proposal's public page; an empty comment form is refused.
  "m.$slug.rounds.$round.proposals.$proposal.tsx": { loader: all(200), action: loggedIn(400) },
  // Restoring no comment: 404 for staff.
  "m.$slug.admin.moderation.tsx": { loader: staffOnly(200), action: staffOnly(404) },
  "m.$slug.admin.rounds.$round.survey.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.survey[.csv].tsx": { loader: staffOnly(200) },
  // The matrix round is open and has no questions: an empty answer is accepted.
  "m.$slug.rounds.$round.survey.tsx": { loader: all(200), action: loggedIn(200) },
};

const routesDir = path.resolve(__dirname, "../../app/routes");
let database: Database;
const browsers = {} as Record<Role, TestBrowser>;
const userIds: Partial<Record<Role, string>> = {};

/** A fresh session for the role before every request (a log-out action in the matrix ends sessions). */
async function signedIn(role: Role): Promise<TestBrowser> {
  const browser = browsers[role];
  const id = userIds[role];
  browser.cookies.delete("shora_session");
  if (id)
    browser.cookies.set(
      "shora_session",
      (await startSession(database.db, browser.get("/"), id)).split(";")[0].split("=")[1],
    );
  return browser;
}
const params: Record<string, string> = {};

beforeAll(async () => {
  database = await testDatabase();
  const PASSWORD = "matrix password";
  const slug = unique("matrix");
  const other = unique("elsewhere");
  const { municipalityId, adminUserId } = await createMunicipality(database.db, {
    slug,
    name: { en: "Matrix" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Admin", password: PASSWORD },
  });
  const foreign = await createMunicipality(database.db, {
    slug: other,
    name: { en: "Elsewhere" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${other}.example`, displayName: "Other admin", password: PASSWORD },
  });
  const hash = await hashPassword(PASSWORD);
  const ids: Partial<Record<Role, string>> = { admin: adminUserId, foreignStaff: foreign.adminUserId };
  for (const role of ["resident", "author", "staff", "platform"] as const) {
    ids[role] = randomUUID();
    await database.db.insert(users).values({
      id: ids[role] as string,
      email: `${role}@${slug}.example`,
      passwordHash: hash,
      displayName: role,
      isPlatformAdmin: role === "platform",
    });
  }
  await database.db.insert(memberships).values({ userId: ids.staff as string, municipalityId, role: "staff" });
  for (const role of roles) {
    browsers[role] = new TestBrowser(database.db);
    userIds[role] = ids[role];
  }
  // A round in its proposals phase with an envelope, the author's submitted proposal and a funded one.
  const roundId = randomUUID();
  const today = dayIn("UTC");
  await database.db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await database.db
    .insert(phases)
    .values({ id: randomUUID(), roundId, kind: "proposals", startsOn: addDays(today, -1), endsOn: addDays(today, 5) });
  const envelopeId = randomUUID();
  await database.db.insert(envelopes).values({ id: envelopeId, roundId, slug: "e", name: { en: "E" }, amount: 100 });
  const proposalId = randomUUID();
  await database.db.insert(proposals).values({
    id: proposalId,
    envelopeId,
    title: { en: "P" },
    body: { en: "" },
    cost: 5,
    authorId: ids.author,
    status: "submitted",
  });
  const fundedId = randomUUID();
  await database.db
    .insert(proposals)
    .values({ id: fundedId, envelopeId, title: { en: "F" }, body: { en: "" }, cost: 5, status: "funded" });
  Object.assign(params, { slug, round: "r", proposal: proposalId, fundedProposal: fundedId });
});
afterAll(() => database.close());

function paramsFor(file: string): Record<string, string> {
  return {
    slug: params.slug,
    round: params.round,
    proposal:
      file.includes("implementation.$proposal") || file === "m.$slug.rounds.$round.proposals.$proposal.tsx"
        ? params.fundedProposal
        : params.proposal,
    envelope: "e",
    "*": "no-such-page",
  };
}

describe("authorization matrix", () => {
  it("has a row for every route file, and every row names an existing route", () => {
    const files = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));
    expect(files.filter((f) => !(f in matrix))).toEqual([]);
    expect(Object.keys(matrix).filter((f) => !files.includes(f))).toEqual([]);
  });

  for (const [file, expected] of Object.entries(matrix)) {
    for (const kind of ["loader", "action"] as const) {
      const statuses = expected[kind];
      it(`${file} ${kind}`, async () => {
        const module = await import(path.join(routesDir, file));
        if (!statuses) {
          expect(module[kind], `${file} exports a ${kind} without a row in the matrix`).toBeUndefined();
          return;
        }
        expect(typeof module[kind]).toBe("function");
        const got: Partial<Record<Role, number>> = {};
        for (const role of roles) {
          const browser = await signedIn(role);
          const request = kind === "loader" ? browser.get("/x") : browser.post("/x", {});
          const response = await call(module[kind], browser, request, paramsFor(file));
          got[role] = response.status;
        }
        expect(got).toEqual(statuses);
      });
    }
  }
});
