/**
 * The authorization matrix: every route module (loader and action) requested by every kind of
 * visitor, with the status each must get. Deny by default: a route file without a row here fails.
 * Then the actions that matter, with real forms (cast a ballot, the staff intents, someone else's
 * comment or proposal), the same routes on a published round, and every route carrying the other
 * municipality's ids: refused, and the database unchanged.
 */
import { scopeOf, userActor } from "../../app/services/scope";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import {
  ballots,
  censusImports,
  comments,
  envelopes,
  memberships,
  phases,
  proposals,
  rounds,
  users,
  verificationSettings,
  verifications,
  witnesses,
} from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { newCosignerKey } from "../../app/domain/ledger/cosignature";
import { importCensus } from "../../app/services/verification/census.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import { TestBrowser, call, fingerprint } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import { expectRowPerRoute } from "../support/route-tables";
import {
  type Envelope,
  type Member,
  type Round,
  type Span,
  castBallots,
  makeComment,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  sessionFor,
  tally,
  tallyAndPublish,
  verifyInPerson,
} from "../support/factories";
import type { SessionUser } from "../../app/web/session.server";

/**
 * observer: not logged in; resident and author: logged in, not verified (the author wrote the
 * proposals and comments below); verified / foreignVerified: verified residents of this / the other
 * municipality; staff and admin of this municipality; foreignStaff and foreignAdmin: of the other
 * one; platform: the platform administrator (no role in either municipality).
 */
const roles = [
  "observer",
  "resident",
  "author",
  "verified",
  "foreignVerified",
  "staff",
  "admin",
  "foreignStaff",
  "foreignAdmin",
  "platform",
] as const;
type Role = (typeof roles)[number];
type Expect = Record<Role, number>;

const all = (status: number): Expect => Object.fromEntries(roles.map((r) => [r, status])) as Expect;
const loggedIn = (status: number, observer = 403): Expect => ({ ...all(status), observer });
const staffOnly = (allowed: number): Expect => ({ ...all(403), staff: allowed, admin: allowed });
/** The municipality's administrators only: its staff are refused too (ADR 0019). */
const adminsOnly = (allowed: number): Expect => ({ ...all(403), admin: allowed });
const platformOnly = (allowed: number): Expect => ({ ...all(403), platform: allowed });
const authorOnly = (allowed: number): Expect => ({ ...all(403), author: allowed });
const verifiedOnly = (allowed: number): Expect => ({ ...all(403), verified: allowed });

type Row = { loader?: Expect; action?: Expect };

/** route file → expected status of its loader and of its action (POST with an empty, CSRF-valid form). */
const matrix: Record<string, Row> = {
  "$.tsx": { loader: all(404), action: all(404) },
  "_index.tsx": { loader: all(200) },
  "account.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "account_.security.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "account_.privacy.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "privacy.tsx": { loader: all(200) },
  // The help centre (ADR 0037): public; the matrix names no guide, so a guide's page is a 404.
  "help._index.tsx": { loader: all(200) },
  "help.$page.tsx": { loader: all(404) },
  "accessibility.tsx": { loader: all(200) },
  "faq.tsx": { loader: all(301) },
  "api.openapi[.json].tsx": { loader: all(200) },
  "m.$slug.help._index.tsx": { loader: all(200) },
  "m.$slug.help.$page.tsx": { loader: all(404) },
  // An empty form saves no page: its address is missing.
  "m.$slug.admin.help.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "account_.participation.tsx": { loader: loggedIn(200) },
  // Following proposals (ADR 0033): one's own list; an empty form names no proposal.
  "account_.following.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  // Messages (ADR 0025): links from mails work without logging in; a missing token gets a clear page.
  "account_.notifications.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "account_.phone.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "admin.mail.tsx": { loader: platformOnly(200) },
  "confirm.$token.tsx": { loader: all(404), action: all(404) },
  "forgot-password.tsx": { loader: all(200), action: all(400) },
  "reset-password.$token.tsx": { loader: all(404), action: all(400) },
  "unsubscribe.$token.tsx": { loader: all(404), action: all(404) },
  "admin._index.tsx": { loader: platformOnly(200), action: platformOnly(400) },
  "locale.tsx": { loader: all(404), action: all(400) },
  "login.tsx": { loader: { ...all(302), observer: 200 }, action: all(400) },
  "logout.tsx": { loader: all(404), action: all(302) },
  // Sign-in with an e-ID (ADR 0038); no provider is configured here: the start sends everyone to the
  // page that says so, the callback answers 404, the link page has no link to make.
  "auth.eid.tsx": { loader: all(404), action: all(302) },
  "auth.eid_.callback.tsx": { loader: all(404) },
  "auth.eid_.link.tsx": { loader: all(302), action: all(400) },
  "signup.tsx": { loader: { ...all(302), observer: 200 }, action: all(400) },
  "m.$slug._index.tsx": { loader: all(200) },
  "m.$slug.action-log[.jsonl].tsx": { loader: all(200) },
  "m.$slug.log.tsx": { loader: all(200) },
  "m.$slug.implementation[.csv].tsx": { loader: all(200) },
  "m.$slug.implementation[.json].tsx": { loader: all(200) },
  // Residents' reports and Open311 (ADR 0039): public pages; no report or code in the matrix's addresses.
  "m.$slug.reports._index.tsx": { loader: all(200) },
  "m.$slug.reports.new.tsx": { loader: all(200), action: all(400) },
  "m.$slug.reports.$number._index.tsx": { loader: all(404) },
  "m.$slug.reports.figures.tsx": { loader: all(200) },
  "m.$slug.reports.figures[.json].tsx": { loader: all(200) },
  "m.$slug.reports.figures[.csv].tsx": { loader: all(200) },
  // The districts picture of the point form (ADR 0035): public; the matrix's town has no outlines.
  "m.$slug.districts[.svg].tsx": { loader: all(404) },
  "m.$slug.admin.reports._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.reports.$number.tsx": { loader: staffOnly(404), action: staffOnly(404) },
  "m.$slug.open311.v2.services[.json].tsx": { loader: all(200) },
  "m.$slug.open311.v2.services.$code.tsx": { loader: all(404) },
  // Open311 POST is authorised by an API key only: without one, everybody gets the spec's 403.
  "m.$slug.open311.v2.requests[.json].tsx": { loader: all(200), action: all(403) },
  // The same loaders and action in the spec's XML.
  "m.$slug.open311.v2.services[.xml].tsx": { loader: all(200) },
  "m.$slug.open311.v2.requests[.xml].tsx": { loader: all(200), action: all(403) },
  "m.$slug.open311.v2.requests.$id.tsx": { loader: all(404) },
  "m.$slug.open311.v2.tokens.$token.tsx": { loader: all(404) },
  "m.$slug.admin._index.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.outbox.tsx": { loader: staffOnly(200), action: staffOnly(200) },
  // An empty form names what is missing (ADR 0041).
  "m.$slug.admin.broadcasts.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  // The census, letter codes and council members are the administrators' (ADR 0019).
  "m.$slug.admin.census.tsx": { loader: adminsOnly(200), action: adminsOnly(400) },
  // No census yet in the matrix municipality: the administrator is sent back to the verifications page with the reason.
  "m.$slug.admin.letter-codes[.csv].tsx": { action: adminsOnly(303) },
  // An empty form names no intent (ADR 0038: the e-ID settings are the administrators').
  "m.$slug.admin.eid.tsx": { loader: adminsOnly(200), action: adminsOnly(400) },
  // An empty form adds nobody: the e-mail address is missing.
  "m.$slug.admin.staff.tsx": { loader: adminsOnly(200), action: adminsOnly(400) },
  // An empty form adds no witness: the witness key is missing (ADR 0022).
  "m.$slug.admin.witnesses.tsx": { loader: adminsOnly(200), action: adminsOnly(400) },
  "m.$slug.admin.webhooks.tsx": { loader: adminsOnly(200), action: adminsOnly(400) },
  "m.$slug.admin.verifications.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.eligibility.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.rounds.$round.eligibility.tsx": { loader: all(200) },
  "m.$slug.verify.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "m.$slug.admin.rounds._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.envelopes.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.proposals.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.implementation.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.turnout.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.rounds.$round.paper.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  // The matrix round is in its proposals phase: running the tally is refused (409) even to staff.
  // The first press (no confirmed=yes) only asks for confirmation (ADR 0028).
  "m.$slug.admin.rounds.$round.tally.tsx": { loader: staffOnly(200), action: staffOnly(200) },
  "m.$slug.rounds.$round._index.tsx": { loader: all(200) },
  // The matrix round is not published: its bundle and results API are 404 to everyone.
  "m.$slug.rounds.$round.bundle[.zip].tsx": { loader: all(404) },
  "m.$slug.rounds.$round.bundle.$file.tsx": { loader: all(404) },
  "m.$slug.api.rounds.$round.results.tsx": { loader: all(404) },
  "m.$slug.api.rounds.tsx": { loader: all(200) },
  "m.$slug.open-data.tsx": { loader: all(200) },
  // The results chart of an unpublished round: 404 to everyone.
  "m.$slug.rounds.$round.chart[.png].tsx": { loader: all(404) },
  // The matrix names no medium: 404 to everyone. Who sees which medium: tests/integration/media.test.ts.
  "m.$slug.media.$id.$file.tsx": { loader: all(404) },
  "m.$slug.rounds.$round.propose.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": { loader: authorOnly(200), action: authorOnly(400) },
  // The place of a proposal (ADR 0035): its author and staff; an empty form names no intent.
  "m.$slug.rounds.$round.proposals.$proposal_.point.tsx": {
    loader: { ...staffOnly(200), author: 200 },
    action: { ...staffOnly(400), author: 400 },
  },
  "m.$slug.rounds.$round.map.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.implementation._index.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.checkpoints[.json].tsx": { loader: all(200) },
  "m.$slug.rounds.$round.receipt.tsx": { loader: all(200) },
  // No ballot named: no receipt to download.
  "m.$slug.rounds.$round.receipt[.json].tsx": { loader: all(404) },
  "m.$slug.rounds.$round.results.tsx": { loader: all(200) },
  // The Equal Shares walkthrough is read from the published bundle: 404 before publication.
  "m.$slug.rounds.$round.results_.equal-shares.tsx": { loader: all(404) },
  // Saving a draft basket needs an account; casting needs eligibility (the intent cells below).
  "m.$slug.rounds.$round.vote.$envelope.tsx": { loader: loggedIn(200), action: loggedIn(200) },
  "m.$slug.rounds.$round.implementation.$proposal.tsx": { loader: all(200), action: loggedIn(302) },
  // The funded proposal's public page; an empty comment form is refused.
  "m.$slug.rounds.$round.proposals.$proposal.tsx": { loader: all(200), action: loggedIn(400) },
  // Restoring no comment: 404 for staff.
  "m.$slug.admin.moderation.tsx": { loader: staffOnly(200), action: staffOnly(404) },
  // Districts' outlines and addresses (ADR 0035): an empty form uploads nothing.
  "m.$slug.admin.map.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.survey.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.survey[.csv].tsx": { loader: staffOnly(200) },
  // The matrix round is open and has no questions: an empty answer is accepted.
  "m.$slug.rounds.$round.survey.tsx": { loader: all(200), action: loggedIn(200) },
};

/**
 * Every route of a round, on a round that went through voting, the tally and publication (seeded
 * through the services): its results, bundle, chart and results API are public to everyone; the tally
 * can neither run again nor be published again (409); its survey is closed (409).
 */
const publishedMatrix: Record<string, Row> = {
  "m.$slug.admin.rounds.$round.eligibility.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.rounds.$round.eligibility.tsx": { loader: all(200) },
  "m.$slug.admin.rounds.$round._index.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.envelopes.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.proposals.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.implementation.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.turnout.tsx": { loader: staffOnly(200) },
  "m.$slug.admin.rounds.$round.paper.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  // The first press (no confirmed=yes) only asks for confirmation (ADR 0028).
  "m.$slug.admin.rounds.$round.tally.tsx": { loader: staffOnly(200), action: staffOnly(200) },
  "m.$slug.rounds.$round._index.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.bundle[.zip].tsx": { loader: all(200) },
  "m.$slug.rounds.$round.bundle.$file.tsx": { loader: all(200) },
  "m.$slug.api.rounds.$round.results.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.chart[.png].tsx": { loader: all(200) },
  "m.$slug.rounds.$round.propose.tsx": { loader: loggedIn(200), action: loggedIn(400) },
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": { loader: authorOnly(200), action: authorOnly(400) },
  // The place of a proposal (ADR 0035): its author and staff; an empty form names no intent.
  "m.$slug.rounds.$round.proposals.$proposal_.point.tsx": {
    loader: { ...staffOnly(200), author: 200 },
    action: { ...staffOnly(400), author: 400 },
  },
  "m.$slug.rounds.$round.map.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.implementation._index.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.checkpoints[.json].tsx": { loader: all(200) },
  "m.$slug.rounds.$round.receipt.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.receipt[.json].tsx": { loader: all(404) },
  "m.$slug.rounds.$round.results.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.results_.equal-shares.tsx": { loader: all(200) },
  "m.$slug.rounds.$round.vote.$envelope.tsx": { loader: loggedIn(200), action: loggedIn(409) },
  "m.$slug.rounds.$round.implementation.$proposal.tsx": { loader: all(200), action: loggedIn(302) },
  "m.$slug.rounds.$round.proposals.$proposal.tsx": { loader: all(200), action: loggedIn(400) },
  "m.$slug.admin.rounds.$round.survey.tsx": { loader: staffOnly(200), action: staffOnly(400) },
  "m.$slug.admin.rounds.$round.survey[.csv].tsx": { loader: staffOnly(200) },
  // The survey closed with the round.
  "m.$slug.rounds.$round.survey.tsx": { loader: all(200), action: loggedIn(409) },
};

const routesDir = path.resolve(__dirname, "../../app/routes");
const routeFiles = fs.readdirSync(routesDir).filter((f) => /\.tsx?$/.test(f));
let database: Database;
const browsers = {} as Record<Role, TestBrowser>;
const userIds: Partial<Record<Role, string>> = {};

/** Ids of this municipality's (here) and the other municipality's (there) fixtures. */
const here = {} as {
  slug: string;
  municipalityId: string;
  district: string;
  proposal: string;
  reviewProposal: string;
  funded: string;
  hideComment: string;
  ownComment: string;
  votingProposal: string;
  pubProposal: string;
  verification: string;
  revokable: string;
  toVerify: string;
};
const there = {} as {
  slug: string;
  municipalityId: string;
  round: string;
  envelope: string;
  proposal: string;
  comment: string;
  verification: string;
};
/** Every user the tests made (the database fingerprint covers their rows). */
const allUserIds: string[] = [];

const sessions: Partial<Record<Role, string>> = {};
/** Requests to these may end the session they carry: the role gets a new one for its next request. */
const endsSessions = new Set(["logout.tsx", "account.tsx", "login.tsx", "signup.tsx"]);

/** The role's browser, logged in (a session started directly, which is quicker than the log-in form). */
async function signedIn(role: Role): Promise<TestBrowser> {
  const browser = browsers[role];
  const id = userIds[role];
  browser.cookies.delete("shora_session");
  if (id) {
    sessions[role] ??= await sessionFor(database.db, id);
    browser.cookies.set("shora_session", sessions[role] as string);
  }
  return browser;
}

async function request(
  role: Role,
  file: string,
  kind: "loader" | "action",
  params: Record<string, string>,
  fields: Record<string, string> = {},
  files?: Record<string, { name: string; text: string }>,
): Promise<Response> {
  const module = await import(path.join(routesDir, file));
  const browser = await signedIn(role);
  const query = file.includes("chart[.png]") ? `?chart=support&envelope=${params.envelope}` : "";
  const req =
    kind === "loader"
      ? browser.get(`/x${query}`)
      : files
        ? browser.postMultipart("/x", fields, files)
        : browser.post("/x", fields);
  try {
    return await call(module[kind], browser, req, params);
  } finally {
    if (endsSessions.has(file)) delete sessions[role];
  }
}

const state = () =>
  fingerprint(database.db, { municipalityIds: [here.municipalityId, there.municipalityId], userIds: allUserIds });

const nationalId = (n: number) => withIranianCheckDigit(String(n).padStart(9, "0"));

/** A row as it is now, and how to put it back (between the roles of a cell that succeeds for some). */
async function snapshot(table: typeof proposals | typeof comments | typeof verifications, id: string) {
  // One shape is enough for the typing: every one of these tables has its `id` column.
  const t = table as typeof proposals;
  const [row] = await database.db.select().from(t).where(eq(t.id, id));
  return async () => {
    await database.db.update(t).set(row).where(eq(t.id, id));
  };
}

beforeAll(async () => {
  database = await testDatabase();
  const db = database.db;
  const PASSWORD = "matrix password";
  const slug = unique("matrix");
  const other = unique("elsewhere");
  const town = await makeMunicipality(db, {
    slug,
    name: { en: "Matrix" },
    admin: { password: PASSWORD },
    districts: [{ code: "north", name: { en: "North" } }],
  });
  const foreign = await makeMunicipality(db, {
    slug: other,
    name: { en: "Elsewhere" },
    admin: { displayName: "Other admin", password: PASSWORD },
    districts: [{ code: "north", name: { en: "North" } }],
  });
  const municipalityId = town.municipality.id;
  Object.assign(here, { slug, municipalityId });
  Object.assign(there, { slug: other, municipalityId: foreign.municipality.id });
  const people: Partial<Record<Role, SessionUser>> = { admin: town.admin.user, foreignAdmin: foreign.admin.user };
  const newUser = (name: string, platformAdmin = false) =>
    makeUser(db, { email: `${name}@${slug}.example`, displayName: name, password: PASSWORD, platformAdmin });
  for (const role of ["resident", "author", "verified", "foreignVerified"] as const) people[role] = await newUser(role);
  people.staff = (
    await makeMember(db, { by: town.admin, email: `staff@${slug}.example`, displayName: "staff", password: PASSWORD })
  ).user;
  people.foreignStaff = (
    await makeMember(db, {
      by: foreign.admin,
      email: `foreignstaff@${slug}.example`,
      displayName: "foreignStaff",
      password: PASSWORD,
    })
  ).user;
  people.platform = await newUser("platform", true);
  const ids: Partial<Record<Role, string>> = Object.fromEntries(
    Object.entries(people).map(([role, user]) => [role, user.id]),
  );
  here.toVerify = (await newUser("to-verify")).id;
  const revokableUser = await newUser("revokable");
  allUserIds.push(...Object.values(ids), here.toVerify, revokableUser.id);
  here.district = town.districts.north;
  const thereDistrict = foreign.districts.north;
  const person = (n: number) => ({ nationalId: nationalId(720000000 + n), birthDate: "1980-01-01" });
  const verified = people.verified as SessionUser;
  const foreignVerified = people.foreignVerified as SessionUser;
  here.verification = await verifyInPerson(db, {
    by: town.admin,
    user: verified,
    person: person(1),
    districtId: here.district,
  });
  here.revokable = await verifyInPerson(db, {
    by: town.admin,
    user: revokableUser,
    person: person(2),
    districtId: here.district,
  });
  there.verification = await verifyInPerson(db, {
    by: foreign.admin,
    user: foreignVerified,
    person: person(3),
    districtId: thereDistrict,
  });
  for (const role of roles) {
    browsers[role] = new TestBrowser(db);
    userIds[role] = ids[role];
  }
  const today = dayIn("UTC");
  const round = (by: Member, roundSlug: string, spans: Span[]) =>
    makeRound(db, { by, slug: roundSlug, title: { en: roundSlug }, description: { en: "" }, spans });
  const envelope = (by: Member, r: Round, envelopeSlug: string) =>
    makeEnvelope(db, {
      by,
      round: r,
      slug: envelopeSlug,
      name: { en: envelopeSlug },
      amount: 100,
      tallyRule: "greedy",
      tallyCompletion: true,
    });
  /** Staff's own proposal (accepted), or a resident's (`author`) submitted and, for `accepted`, accepted. */
  const proposal = (
    r: Round,
    e: Envelope,
    input: { status?: "accepted" | "submitted"; author?: SessionUser; cost?: number; at?: Date } = {},
  ) =>
    makeProposal(db, {
      by: town.admin,
      round: r,
      envelope: e,
      title: { en: `P ${randomUUID().slice(0, 4)}` },
      body: { en: "" },
      cost: input.cost ?? 5,
      status: input.status,
      author: input.author,
      at: input.at,
    });
  /** Funded without a vote: no service funds a proposal outside a tally, so this row is inserted. */
  const funded = async (envelopeId: string, authorId: string | null) => {
    const id = randomUUID();
    await db.insert(proposals).values({
      id,
      envelopeId,
      title: { en: `P ${id.slice(0, 4)}` },
      body: { en: "" },
      cost: 5,
      authorId,
      status: "funded",
    });
    return id;
  };
  const comment = (m: Member["municipality"], r: Round, proposalId: string, user: SessionUser) =>
    makeComment(db, { municipality: m, round: r, proposalId, user, body: "A comment", stance: "for" });
  const author = people.author as SessionUser;

  // The matrix round, in its proposals phase: the author's submitted proposals, a funded one with the
  // author's comments, and an envelope without proposals (staff may delete it).
  const matrixRound = await round(town.admin, "r", [["proposals", -1, 5]]);
  const matrixEnvelope = await envelope(town.admin, matrixRound, "e");
  await envelope(town.admin, matrixRound, "spare");
  here.proposal = await proposal(matrixRound, matrixEnvelope, { status: "submitted", author });
  here.reviewProposal = await proposal(matrixRound, matrixEnvelope, { status: "submitted", author });
  here.funded = await funded(matrixEnvelope.id, null);
  here.hideComment = await comment(town.municipality, matrixRound, here.funded, author);
  here.ownComment = await comment(town.municipality, matrixRound, here.funded, author);
  // A round staff may move on to its next phase.
  await round(town.admin, "adv", [
    ["proposals", -1, 5],
    ["review", 6, 10],
  ]);
  // A round open for voting.
  const votingRound = await round(town.admin, "v", [["voting", -1, 5]]);
  here.votingProposal = await proposal(votingRound, await envelope(town.admin, votingRound, "ve"));

  // A published round, through the real pipeline: the author's proposal submitted and accepted in its
  // proposals phase, ballots cast while voting was open, the tally, publication.
  const pub = await round(town.admin, "pub", [
    ["proposals", -40, -31],
    ["voting", -20, -11],
    ["tallying", -10, 10],
  ]);
  const pubEnvelope = await envelope(town.admin, pub, "pe");
  here.pubProposal = await proposal(pub, pubEnvelope, {
    author,
    cost: 30,
    at: new Date(`${addDays(today, -35)}T12:00:00Z`),
  });
  const second = await proposal(pub, pubEnvelope, { cost: 40 });
  await proposal(pub, pubEnvelope, { cost: 50 });
  const votingDay = new Date(`${addDays(today, -15)}T12:00:00Z`);
  await castBallots(db, {
    municipality: town.municipality,
    round: pub,
    envelope: pubEnvelope,
    votes: [0, 1, 2].map((i) => ({
      identity: `matrix-voter-${i}`,
      body: { approved: [here.pubProposal, second] },
      district: here.district,
    })),
    at: votingDay,
  });
  await tallyAndPublish(db, { by: town.admin, round: pub });
  const [published] = await db.select().from(proposals).where(eq(proposals.id, here.pubProposal));
  expect(published.status).toBe("funded");

  // A round counted but not published yet: staff and the administrator may run its tally, only the
  // administrator publishes it (ADR 0019).
  const tp = await round(town.admin, "tp", [
    ["voting", -20, -11],
    ["tallying", -10, 10],
  ]);
  const tpEnvelope = await envelope(town.admin, tp, "tpe");
  const tpProposal = await proposal(tp, tpEnvelope, { cost: 30 });
  await castBallots(db, {
    municipality: town.municipality,
    round: tp,
    envelope: tpEnvelope,
    votes: [0, 1].map((i) => ({
      identity: `matrix-tp-voter-${i}`,
      body: { approved: [tpProposal] },
      district: here.district,
    })),
    at: votingDay,
  });
  await tally(db, { by: town.admin, round: tp });

  // The other municipality: a round whose slug this one does not have, with a public proposal of the
  // resident verified there and their comment on it.
  const thereRound = await round(foreign.admin, "b-round", [["proposals", -1, 5]]);
  Object.assign(there, { round: "b-round", envelope: "b-env" });
  const thereEnvelope = await envelope(foreign.admin, thereRound, "b-env");
  there.proposal = await funded(thereEnvelope.id, foreignVerified.id);
  there.comment = await comment(foreign.municipality, thereRound, there.proposal, foreignVerified);
});
afterAll(() => database.close());

/** The parameters of a route file on this municipality's round `round`. */
function paramsFor(file: string, round = "r"): Record<string, string> {
  const published = round === "pub";
  return {
    slug: here.slug,
    round,
    proposal: published
      ? here.pubProposal
      : file.includes("implementation.$proposal") || file === "m.$slug.rounds.$round.proposals.$proposal.tsx"
        ? here.funded
        : here.proposal,
    envelope: published ? "pe" : "e",
    file: "round.json",
    "*": "no-such-page",
  };
}

async function statuses(file: string, kind: "loader" | "action", params: Record<string, string>) {
  const got: Partial<Record<Role, number>> = {};
  for (const role of roles) got[role] = (await request(role, file, kind, params)).status;
  return got;
}

function matrixTests(table: Record<string, Row>, round: string) {
  for (const [file, expected] of Object.entries(table)) {
    for (const kind of ["loader", "action"] as const) {
      const statusesExpected = expected[kind];
      it(`${file} ${kind}`, async () => {
        const module = await import(path.join(routesDir, file));
        if (!statusesExpected) {
          expect(module[kind], `${file} exports a ${kind} without a row in the matrix`).toBeUndefined();
          return;
        }
        expect(typeof module[kind]).toBe("function");
        expect(await statuses(file, kind, paramsFor(file, round))).toEqual(statusesExpected);
      });
    }
  }
}

describe("authorization matrix", () => {
  it("has a row for every route file, and every row names an existing route", () => {
    expectRowPerRoute("authorization", Object.keys(matrix), routeFiles);
  });
  matrixTests(matrix, "r");
});

describe("authorization matrix on a published round", () => {
  it("has a row for every route of a round", () => {
    expectRowPerRoute(
      "authorizationPublished",
      Object.keys(publishedMatrix),
      routeFiles.filter((f) => f.includes("$round")),
    );
  });
  matrixTests(publishedMatrix, "pub");
});

interface Intent {
  name: string;
  file: string;
  round?: string;
  params?: Record<string, string>;
  fields: () => Record<string, string>;
  /** Sent as multipart with these files, as the browser sends an upload form. */
  files?: Record<string, { name: string; text: string }>;
  expected: Expect;
  /** Puts back what a successful request changed, before every role and at the end. */
  reset?: () => Promise<void>;
}

/** The forms carry the fixtures' ids, read when a request is made. */
function intents(): Intent[] {
  const restore = (table: Parameters<typeof snapshot>[0], id: () => string) => {
    let put: (() => Promise<void>) | undefined;
    return async () => {
      put ??= await snapshot(table, id());
      await put();
    };
  };
  const restorePhases = (() => {
    let rows: (typeof phases.$inferSelect)[] | undefined;
    return async () => {
      const [row] = await database.db
        .select()
        .from(rounds)
        .where(and(eq(rounds.municipalityId, here.municipalityId), eq(rounds.slug, "adv")));
      rows ??= await database.db.select().from(phases).where(eq(phases.roundId, row.id));
      for (const p of rows) await database.db.update(phases).set(p).where(eq(phases.id, p.id));
    };
  })();
  const roundEnvelope = (envelopeSlug: string) => async () =>
    (
      await database.db
        .select({ id: envelopes.id })
        .from(envelopes)
        .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
        .where(
          and(eq(rounds.municipalityId, here.municipalityId), eq(rounds.slug, "r"), eq(envelopes.slug, envelopeSlug)),
        )
    )[0]?.id;
  const spare = roundEnvelope("spare");
  let spareRow: typeof envelopes.$inferSelect | undefined;
  return [
    {
      name: "cast a ballot in an open round",
      file: "m.$slug.rounds.$round.vote.$envelope.tsx",
      params: { round: "v", envelope: "ve" },
      fields: () => ({ intent: "cast", approved: here.votingProposal }),
      expected: verifiedOnly(200),
    },
    {
      name: "cast a ballot in a published round",
      file: "m.$slug.rounds.$round.vote.$envelope.tsx",
      round: "pub",
      fields: () => ({ intent: "cast", approved: here.pubProposal }),
      // The proposal is funded now, no longer on a ballot: the ballot is refused before the closed vote.
      expected: verifiedOnly(400),
    },
    {
      name: "hide a comment (moderation)",
      file: "m.$slug.admin.moderation.tsx",
      fields: () => ({ intent: "hide", commentId: here.hideComment, reason: "Off topic here" }),
      expected: staffOnly(200),
      reset: restore(comments, () => here.hideComment),
    },
    {
      name: "advance a round to its next phase",
      file: "m.$slug.admin.rounds.$round._index.tsx",
      params: { round: "adv" },
      fields: () => ({ intent: "advance" }),
      expected: staffOnly(200),
      reset: restorePhases,
    },
    // Publication is the administrators': staff are refused before the round's state is looked at.
    {
      name: "publish the tally of a round in its proposals phase",
      file: "m.$slug.admin.rounds.$round.tally.tsx",
      fields: () => ({ intent: "publish", confirmed: "yes" }),
      expected: adminsOnly(409),
    },
    {
      name: "publish the tally of a published round",
      file: "m.$slug.admin.rounds.$round.tally.tsx",
      round: "pub",
      fields: () => ({ intent: "publish", confirmed: "yes" }),
      expected: adminsOnly(409),
    },
    {
      name: "run the tally of a published round",
      file: "m.$slug.admin.rounds.$round.tally.tsx",
      round: "pub",
      fields: () => ({ confirmed: "yes" }),
      expected: staffOnly(409),
    },
    {
      name: "accept a proposal",
      file: "m.$slug.admin.rounds.$round.proposals.tsx",
      fields: () => ({ intent: "accept", proposalId: here.reviewProposal, cost: "7" }),
      expected: staffOnly(200),
      reset: restore(proposals, () => here.reviewProposal),
    },
    {
      name: "reject a proposal",
      file: "m.$slug.admin.rounds.$round.proposals.tsx",
      fields: () => ({ intent: "reject", proposalId: here.reviewProposal, reason: "Out of scope" }),
      expected: staffOnly(200),
      reset: restore(proposals, () => here.reviewProposal),
    },
    {
      name: "verify a resident in person",
      file: "m.$slug.admin.verifications.tsx",
      fields: () => ({
        intent: "verify",
        userId: here.toVerify,
        nationalId: nationalId(700000001),
        birthDate: "1980-01-01",
        districtId: here.district,
        voterClass: "resident",
      }),
      expected: staffOnly(302),
      reset: async () => {
        await database.db.delete(verifications).where(eq(verifications.userId, here.toVerify));
      },
    },
    {
      name: "revoke a verification",
      file: "m.$slug.admin.verifications.tsx",
      fields: () => ({ intent: "revoke", verificationId: here.revokable, reason: "Moved away" }),
      expected: staffOnly(302),
      reset: restore(verifications, () => here.revokable),
    },
    {
      name: "create an envelope",
      file: "m.$slug.admin.rounds.$round.envelopes.tsx",
      fields: () => ({
        slug: "matrix-new",
        nameEn: "New",
        amount: "50",
        ballotType: "approval",
        tallyRule: "greedy",
      }),
      expected: staffOnly(200),
      reset: async () => {
        const id = await roundEnvelope("matrix-new")();
        if (id) await database.db.delete(envelopes).where(eq(envelopes.id, id));
      },
    },
    {
      name: "delete an envelope",
      file: "m.$slug.admin.rounds.$round.envelopes.tsx",
      fields: () => ({ intent: "delete", originalSlug: "spare" }),
      expected: staffOnly(200),
      reset: async () => {
        const id = await spare();
        if (id) [spareRow] = await database.db.select().from(envelopes).where(eq(envelopes.id, id));
        else if (spareRow) await database.db.insert(envelopes).values(spareRow);
      },
    },
    {
      name: "edit the author's comment",
      file: "m.$slug.rounds.$round.proposals.$proposal.tsx",
      fields: () => ({ intent: "edit", commentId: here.ownComment, body: "Edited by someone" }),
      expected: authorOnly(200),
      reset: restore(comments, () => here.ownComment),
    },
    {
      name: "delete the author's comment",
      file: "m.$slug.rounds.$round.proposals.$proposal.tsx",
      fields: () => ({ intent: "delete", commentId: here.ownComment }),
      expected: authorOnly(200),
      reset: restore(comments, () => here.ownComment),
    },
    {
      name: "withdraw the author's proposal",
      file: "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx",
      fields: () => ({ intent: "withdraw" }),
      expected: authorOnly(302),
      reset: restore(proposals, () => here.proposal),
    },
    // The administrator/staff split (ADR 0019): staff are refused and nothing changes; the administrator succeeds.
    {
      name: "run the tally of a counted round (staff and administrator)",
      file: "m.$slug.admin.rounds.$round.tally.tsx",
      round: "tp",
      fields: () => ({ confirmed: "yes" }),
      expected: staffOnly(200),
    },
    {
      name: "publish the results of a counted round (administrator only)",
      file: "m.$slug.admin.rounds.$round.tally.tsx",
      round: "tp",
      fields: () => ({ intent: "publish", confirmed: "yes" }),
      // Publication cannot be undone: the administrator, after the staff member, publishes it once.
      expected: adminsOnly(200),
    },
    {
      name: "save the census ID rules (administrator only)",
      file: "m.$slug.admin.census.tsx",
      fields: () => ({ intent: "scheme", idScheme: "pattern", idPattern: "[A-Z]{2}\\d{6}" }),
      expected: adminsOnly(200),
      reset: async () => {
        await database.db
          .delete(verificationSettings)
          .where(eq(verificationSettings.municipalityId, here.municipalityId));
      },
    },
    {
      name: "set the street map's tile server (administrator only)",
      file: "m.$slug.admin.map.tsx",
      fields: () => ({
        intent: "tiles",
        tileUrl: "https://tile.example.org/{z}/{x}/{y}.png",
        attribution: "© OpenStreetMap contributors",
      }),
      expected: adminsOnly(200),
    },
    {
      name: "import a census file (administrator only)",
      file: "m.$slug.admin.census.tsx",
      fields: () => ({ intent: "import" }),
      files: { file: { name: "census.csv", text: CENSUS_FILE } },
      // A small file is loaded at once and the page shows it.
      expected: adminsOnly(302),
    },
    {
      name: "issue letter codes (administrator only)",
      file: "m.$slug.admin.letter-codes[.csv].tsx",
      fields: () => ({ districtId: here.district, validDays: "30", limit: "1" }),
      expected: adminsOnly(200),
      reset: withCensus,
    },
    {
      name: "add a council member by e-mail (administrator only)",
      file: "m.$slug.admin.staff.tsx",
      fields: () => ({ intent: "add", email: `to-verify@${here.slug}.example`, role: "staff" }),
      expected: adminsOnly(200),
      reset: async () => {
        await database.db.delete(memberships).where(eq(memberships.userId, here.toVerify));
      },
    },
    {
      name: "make a staff member an administrator (administrator only)",
      file: "m.$slug.admin.staff.tsx",
      fields: () => ({ intent: "role", userId: userIds.staff as string, role: "admin" }),
      expected: adminsOnly(200),
      reset: restoreStaff,
    },
    {
      name: "remove a staff member (administrator only)",
      file: "m.$slug.admin.staff.tsx",
      fields: () => ({ intent: "remove", userId: userIds.staff as string }),
      expected: adminsOnly(200),
      reset: restoreStaff,
    },
    {
      name: "add a witness (administrator only)",
      file: "m.$slug.admin.witnesses.tsx",
      fields: () => ({ intent: "add", vkey: MATRIX_WITNESS.verifierKey, url: "https://witness.example/log" }),
      expected: adminsOnly(200),
      reset: async () => {
        await database.db.delete(witnesses).where(eq(witnesses.municipalityId, here.municipalityId));
      },
    },
    {
      name: "set the witness quorum (administrator only)",
      file: "m.$slug.admin.witnesses.tsx",
      fields: () => ({ intent: "quorum", quorum: "0" }),
      expected: adminsOnly(200),
    },
    {
      name: "the administrator removes themselves (refused: the municipality keeps an administrator)",
      file: "m.$slug.admin.staff.tsx",
      fields: () => ({ intent: "remove", userId: userIds.admin as string }),
      expected: adminsOnly(409),
    },
  ];
}

const CENSUS_FILE = `national_id,birth_date,district,voter_class\n${[1, 2, 3]
  .map((n) => `${withIranianCheckDigit(String(710000000 + n).padStart(9, "0"))},1980-01-0${n},north,resident`)
  .join("\n")}\n`;

/** A census for the letter codes: imported through the service when the municipality has none yet. */
async function withCensus() {
  const [active] = await database.db
    .select({ id: censusImports.id })
    .from(censusImports)
    .where(and(eq(censusImports.municipalityId, here.municipalityId), eq(censusImports.status, "active")));
  if (active) return;
  const municipality = await findMunicipality(database.db, here.slug);
  const [admin] = await database.db
    .select()
    .from(users)
    .where(eq(users.id, userIds.admin as string));
  if (!municipality) throw new Error("no municipality");
  await importCensus(database.db, scopeOf(municipality, userActor(admin)), {
    fileName: "census.csv",
    text: CENSUS_FILE,
    skipBadRows: false,
  });
}

const MATRIX_WITNESS = newCosignerKey("witness.example/matrix");

/** The staff member is staff again. */
async function restoreStaff() {
  const staffId = userIds.staff as string;
  await database.db
    .insert(memberships)
    .values({ userId: staffId, municipalityId: here.municipalityId, role: "staff" })
    .onConflictDoUpdate({ target: [memberships.userId, memberships.municipalityId], set: { role: "staff" } });
}

describe("the actions that matter, with real forms, as every role", () => {
  // Declared before the fixtures exist: the forms and resets read their ids when they run.
  for (const intent of intents()) {
    it(`${intent.name}: allowed only where expected; a refusal changes nothing, a success changes something`, async () => {
      const params = { ...paramsFor(intent.file, intent.round), ...intent.params };
      const got: Partial<Record<Role, number>> = {};
      const problems: string[] = [];
      await intent.reset?.();
      let before = await state();
      for (const role of roles) {
        const response = await request(role, intent.file, "action", params, intent.fields(), intent.files);
        got[role] = response.status;
        const after = await state();
        const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
        if (response.status >= 400 && changed.length) problems.push(`${role} (${response.status}) changed ${changed}`);
        if (response.status < 400 && !changed.length) problems.push(`${role} (${response.status}) changed nothing`);
        before = after;
        if (response.status < 400 && intent.reset) {
          await intent.reset();
          before = await state();
        }
      }
      await intent.reset?.();
      expect(got).toEqual(intent.expected);
      expect(problems).toEqual([]);
    });
  }

  it("the verified resident's ballot is the only one in the open round", async () => {
    const [row] = await database.db
      .select()
      .from(rounds)
      .where(and(eq(rounds.municipalityId, here.municipalityId), eq(rounds.slug, "v")));
    expect(await database.db.select().from(ballots).where(eq(ballots.roundId, row.id))).toHaveLength(1);
  });
});

interface Probe {
  name: string;
  file: string;
  kind: "loader" | "action";
  role: Role;
  params: () => Record<string, string>;
  fields?: () => Record<string, string>;
}

const envelopeForm = { slug: "taken-over", nameEn: "New", amount: "50", ballotType: "approval", tallyRule: "greedy" };

/**
 * A form each action of a round would accept on the right ids (so that what refuses a probe is the
 * address, not the form's validation).
 */
const validForms: Record<string, () => Record<string, string>> = {
  "m.$slug.admin.rounds.$round._index.tsx": () => ({ intent: "advance" }),
  "m.$slug.admin.rounds.$round.eligibility.tsx": () => ({
    intent: "class",
    code: "resident",
    weight: "2",
    nameEn: "R",
  }),
  "m.$slug.admin.rounds.$round.envelopes.tsx": () => envelopeForm,
  "m.$slug.admin.rounds.$round.implementation.tsx": () => ({
    proposalId: here.funded,
    status: "in_progress",
    progress: "10",
    spent: "1",
    note: "Started",
  }),
  "m.$slug.admin.rounds.$round.paper.tsx": () => ({
    intent: "one",
    nationalId: nationalId(700000002),
    birthDate: "1980-01-01",
    envelope: "ve",
    choices: "1",
  }),
  "m.$slug.admin.rounds.$round.proposals.tsx": () => ({
    intent: "reject",
    proposalId: here.reviewProposal,
    reason: "Out of scope",
  }),
  "m.$slug.admin.rounds.$round.survey.tsx": () => ({ kind: "text", promptEn: "Anything else?" }),
  "m.$slug.admin.rounds.$round.tally.tsx": () => ({ confirmed: "yes" }),
  "m.$slug.rounds.$round.propose.tsx": () => ({ envelopeSlug: "e", titleEn: "A bench", bodyEn: "Here", cost: "5" }),
  "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx": () => ({
    intent: "save",
    envelopeSlug: "e",
    titleEn: "A bench",
    bodyEn: "Here",
    cost: "5",
  }),
  "m.$slug.rounds.$round.vote.$envelope.tsx": () => ({ intent: "save" }),
  "m.$slug.rounds.$round.proposals.$proposal_.point.tsx": () => ({ intent: "clear" }),
  "m.$slug.rounds.$round.implementation.$proposal.tsx": () => ({ subscribe: "yes" }),
  "m.$slug.rounds.$round.proposals.$proposal.tsx": () => ({ intent: "comment", body: "I agree", stance: "for" }),
  "m.$slug.rounds.$round.survey.tsx": () => ({}),
};

/**
 * This municipality's routes carrying the other municipality's ids, and the other municipality's
 * routes carrying this one's, asked by the people most likely to get through (staff of the
 * municipality in the address, the author of the object, a resident who may flag).
 */
function probes(): Probe[] {
  const list: Probe[] = [];
  const thereParams = (extra: Record<string, string> = {}) => ({
    slug: there.slug,
    round: there.round,
    proposal: there.proposal,
    envelope: there.envelope,
    file: "round.json",
    ...extra,
  });
  for (const file of routeFiles.filter((f) => f.includes("$round"))) {
    for (const kind of ["loader", "action"] as const) {
      if (!(kind in (publishedMatrix[file] ?? {}))) continue;
      const fields = kind === "action" ? validForms[file] : undefined;
      const add = (name: string, role: Role, params: () => Record<string, string>) =>
        list.push({ name: `${file} ${kind}: ${name}`, file, kind, role, params, fields });
      add("their round here", "staff", () => ({ ...paramsFor(file), round: there.round }));
      add("our round there", "foreignStaff", () => thereParams({ round: "r" }));
      if (file.includes("$proposal")) {
        for (const role of ["staff", "foreignVerified"] as const)
          add(`their proposal here, as ${role}`, role, () => ({ ...paramsFor(file), proposal: there.proposal }));
        for (const role of ["foreignStaff", "author"] as const)
          add(`our proposal there, as ${role}`, role, () =>
            thereParams({ proposal: file.includes("_.edit") ? here.proposal : here.funded }),
          );
      }
      if (file.includes("$envelope")) {
        add("their envelope here", "verified", () => ({ ...paramsFor(file, "v"), envelope: there.envelope }));
        add("our envelope there", "foreignVerified", () => thereParams({ envelope: "ve" }));
      }
    }
  }
  const form = (
    name: string,
    file: string,
    role: Role,
    params: () => Record<string, string>,
    fields: () => Record<string, string>,
  ) => list.push({ name, file, kind: "action", role, params, fields });
  const ours = (file: string) => () => paramsFor(file);
  const theirs = () => thereParams();
  const moderation = "m.$slug.admin.moderation.tsx";
  for (const intent of ["hide", "restore"]) {
    form(`moderation ${intent} their comment here`, moderation, "staff", ours(moderation), () => ({
      intent,
      commentId: there.comment,
      reason: "Off topic here",
    }));
    form(`moderation ${intent} our comment there`, moderation, "foreignStaff", theirs, () => ({
      intent,
      commentId: here.hideComment,
      reason: "Off topic here",
    }));
  }
  const review = "m.$slug.admin.rounds.$round.proposals.tsx";
  const reviews: Record<string, string>[] = [
    { intent: "accept", cost: "7" },
    { intent: "reject", reason: "Out of scope" },
    { intent: "respond", response: "An official response" },
  ];
  for (const fields of reviews) {
    form(`${fields.intent} their proposal here`, review, "staff", ours(review), () => ({
      ...fields,
      proposalId: there.proposal,
    }));
    form(`${fields.intent} our proposal there`, review, "foreignStaff", theirs, () => ({
      ...fields,
      proposalId: here.reviewProposal,
    }));
  }
  const implementation = "m.$slug.admin.rounds.$round.implementation.tsx";
  form("post an implementation update on their proposal here", implementation, "staff", ours(implementation), () => ({
    ...validForms[implementation](),
    proposalId: there.proposal,
  }));
  const verificationsFile = "m.$slug.admin.verifications.tsx";
  form("revoke their verification here", verificationsFile, "staff", ours(verificationsFile), () => ({
    intent: "revoke",
    verificationId: there.verification,
    reason: "Moved away",
  }));
  form("move their verification here", verificationsFile, "staff", ours(verificationsFile), () => ({
    intent: "move",
    verificationId: there.verification,
    toUserId: here.toVerify,
    reason: "Same person",
  }));
  form("revoke our verification there", verificationsFile, "foreignStaff", theirs, () => ({
    intent: "revoke",
    verificationId: here.verification,
    reason: "Moved away",
  }));
  // Council members are addressed by account: only members of the municipality in the address.
  const staffFile = "m.$slug.admin.staff.tsx";
  const memberForms: Record<string, string>[] = [{ intent: "remove" }, { intent: "role", role: "staff" }];
  for (const fields of memberForms) {
    form(`${fields.intent} their council member here`, staffFile, "admin", ours(staffFile), () => ({
      ...fields,
      userId: userIds.foreignAdmin as string,
    }));
    form(`${fields.intent} our council member there`, staffFile, "foreignAdmin", theirs, () => ({
      ...fields,
      userId: userIds.staff as string,
    }));
  }
  const envelopesFile = "m.$slug.admin.rounds.$round.envelopes.tsx";
  form("delete their envelope here", envelopesFile, "staff", ours(envelopesFile), () => ({
    intent: "delete",
    originalSlug: there.envelope,
  }));
  form("edit their envelope here", envelopesFile, "staff", ours(envelopesFile), () => ({
    ...envelopeForm,
    originalSlug: there.envelope,
  }));
  form("delete our envelope there", envelopesFile, "foreignStaff", theirs, () => ({
    intent: "delete",
    originalSlug: "spare",
  }));
  // Comments are addressed by id: only those of the proposal in the address can be touched there,
  // by their author (edit, delete) or by anyone else (flag, reply).
  const page = "m.$slug.rounds.$round.proposals.$proposal.tsx";
  const commentForm = (intent: string, commentId: string) => () => ({
    intent,
    commentId,
    body: "Through the wrong town",
    reason: "Spam",
  });
  for (const intent of ["edit", "delete"]) {
    form(
      `${intent} their comment through our page`,
      page,
      "foreignVerified",
      ours(page),
      commentForm(intent, there.comment),
    );
    form(`${intent} our comment through their page`, page, "author", theirs, commentForm(intent, here.ownComment));
  }
  for (const intent of ["flag", "reply"]) {
    form(`${intent} their comment through our page`, page, "verified", ours(page), commentForm(intent, there.comment));
    form(
      `${intent} our comment through their page`,
      page,
      "foreignVerified",
      theirs,
      commentForm(intent, here.ownComment),
    );
  }
  return list;
}

/** The messages of a refusal, when it has any: each a sentence, never a bare message key. */
async function rawKeys(response: Response): Promise<string[]> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const errors = (body as { errors?: Record<string, string> | null }).errors ?? {};
  return Object.values(errors).filter((m) => /^[a-z]+(\.[a-zA-Z_]+)+$/.test(m));
}

describe("other tenants' ids", () => {
  it("has a valid form for every action of a round", () => {
    const actions = routeFiles.filter((f) => f.includes("$round") && publishedMatrix[f]?.action);
    expectRowPerRoute("authorizationForms", Object.keys(validForms), actions);
  });

  it("refuses every probe with 403 or 404, with a message, and changes nothing", async () => {
    const problems: string[] = [];
    const list = probes();
    expect(list.length).toBeGreaterThan(60);
    const start = await state();
    let before = start;
    for (const probe of list) {
      const response = await request(probe.role, probe.file, probe.kind, probe.params(), probe.fields?.());
      const keys = await rawKeys(response);
      // Loaders change nothing by design: the whole run is compared once at the end for them.
      const after = probe.kind === "action" ? await state() : before;
      const changed = Object.keys(before).filter((t) => before[t] !== after[t]);
      if (![403, 404].includes(response.status) || changed.length || keys.length)
        problems.push(`${probe.name}: ${response.status} ${changed.length ? `changed ${changed}` : ""} ${keys}`.trim());
      before = after;
    }
    expect(problems).toEqual([]);
    expect(await state()).toEqual(start);
  });
});
