/**
 * Shared by the two fuzz test files (fuzz-actions, fuzz-loaders): a private database seeded with two
 * municipalities, a signed-in browser per kind of visitor, hostile values, requests built from form
 * entries (duplicated fields, files), and a fingerprint of every table to prove a request changed nothing.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { type SQL, and, eq, sql } from "drizzle-orm";
import { matchRoutes } from "@remix-run/router";
import pg from "pg";
import { inject } from "vitest";
import { type Database, type Db, openDatabase, queryRows } from "../../db/client";
import { withoutNul } from "../../app/server/addresses";
import {
  commentFlags,
  comments,
  districts,
  envelopes,
  implementationUpdates,
  implementations,
  memberships,
  municipalities,
  phases,
  proposals,
  roundEligibility,
  roundVoterClasses,
  rounds,
  sessions,
  surveyQuestions,
  updateComments,
  users,
} from "../../db/schema";
import type { LocalizedText } from "../../app/domain/i18n";
import { addDays } from "../../app/domain/rounds/rules";
import { type PhaseKind, dayIn } from "../../app/domain/rounds/phases";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { importCensus } from "../../app/services/verification/census.server";
import {
  type Municipality,
  createMunicipality,
  findMunicipality,
} from "../../app/services/tenancy/municipality.server";
import { publishRound } from "../../app/services/tally/publish.server";
import { startSession } from "../../app/web/session.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { generateLetterCodes, verifyByCensus } from "../../app/services/verification/verification.server";
import { CSRF, TestBrowser, call } from "../support/requests";
import { testDatabase, unique, usingPostgres } from "../support/db";
import { scopeOf, userActor } from "../../app/services/scope";
import { roundScope } from "../support/scopes";

/* ------------------------------------------------------------------ database */

/**
 * PGlite: the file's own database, as every test file has. PostgreSQL: a database of its own on the
 * test server (the run's shared one has other test files writing to it at the same time, which would
 * change the checksum of every table under a fuzz request).
 */
export async function fuzzDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (!usingPostgres()) {
    const database = await testDatabase();
    return { database, drop: () => database.close() };
  }
  const shared = new URL(inject("databaseUrl"));
  const name = `${shared.pathname.slice(1)}_${unique("fuzz").replace("-", "_")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: shared.toString() });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(shared);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), migrate: true, poolSize: 4 });
  return {
    database,
    drop: async () => {
      await database.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/* ------------------------------------------------------------------ the world */

export const ROLES = [
  "observer",
  "resident",
  "verified",
  "author",
  "staff",
  "admin",
  "foreignStaff",
  "platform",
] as const;
export type Role = (typeof ROLES)[number];

/** Text that only the second municipality holds: it must never show on the first one's pages. */
export const FOREIGN_MARK = "Elsewhere-only-7Q3";

/** What a fuzz request may name: one municipality's slugs and ids. */
export interface Tenant {
  municipality: Municipality;
  /**
   * Round slugs: voting open, a consultation with a survey, last year's with funded projects, proposals
   * open, voting just closed (tallying).
   */
  rounds: typeof ROUND_SLUGS;
  envelopes: Record<string, string[]>;
  /** Accepted proposals of the voting round (the first ones have comments), and by envelope slug. */
  accepted: string[];
  acceptedByEnvelope: Record<string, string[]>;
  /** The author's submitted proposals of the ideas round, and the others' (for staff to review). */
  authored: string[];
  submitted: string[];
  funded: string[];
  comments: string[];
  updates: string[];
  updateComments: string[];
  questions: string[];
  /** A survey question's kind and number of options. */
  questionKinds: Record<string, { kind: string; options: number }>;
  /** A proposal's comments, implementation updates and comments on them; an update's comments. */
  children: Record<string, string[]>;
  districts: string[];
  verifications: string[];
  ballots: string[];
  /** The ballots of the published round (`rounds.past`), for addresses naming that round and one of its ballots. */
  pastBallots: string[];
  users: string[];
  emails: string[];
  /** Every id of this municipality's rows that a page could show. */
  ids: string[];
}

export interface World {
  db: Db;
  A: Tenant;
  B: Tenant;
  userIds: Record<Role, string | null>;
  browsers: Record<Role, TestBrowser>;
  /** National IDs and birth dates of the first municipality's census (valid-looking values). */
  census: { nationalId: string; birthDate: string }[];
  /** Unused letter codes of the first municipality. */
  letterCodes: string[];
  password: string;
}

const PASSWORD = "fuzz password 2026";
const ROUND_SLUGS = {
  voting: "budget-1405",
  consultation: "transport-1405",
  past: "budget-1404",
  ideas: "ideas-1405",
  counting: "count-1405",
};

/** A census of `n` people (valid Iranian national codes), the first one is the verified resident. */
function censusRows(offset: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    nationalId: withIranianCheckDigit(String(300_000_000 + offset + i * 37).padStart(9, "0")),
    birthDate: `${1950 + (i % 55)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
    district: ["north", "south", "center"][i % 3],
    voterClass: i % 4 === 0 ? "works-here" : "resident",
  }));
}

/** A round whose phases are given as first and last day counted from today (both inclusive). */
async function roundWithPhases(
  db: Db,
  p: {
    municipalityId: string;
    slug: string;
    kind: "budgeting" | "consultation";
    title: LocalizedText;
    spans: [PhaseKind, number, number][];
  },
) {
  const id = randomUUID();
  const today = dayIn("UTC");
  await db.insert(rounds).values({
    id,
    municipalityId: p.municipalityId,
    slug: p.slug,
    kind: p.kind,
    title: p.title,
    description: p.title,
  });
  await db.insert(phases).values(
    p.spans.map(([kind, a, b]) => ({
      id: randomUUID(),
      roundId: id,
      kind,
      startsOn: addDays(today, a),
      endsOn: addDays(today, b),
    })),
  );
  return id;
}

/**
 * One municipality with every kind of row a route reads: districts, staff, residents (one verified from
 * the census), a round in its voting phase with three envelopes (approval, k-approval, cumulative) and
 * commented, flagged proposals, a consultation with a four-question survey, last year's round voted,
 * tallied and published with its funded projects being built (updates, a comment), and a round open for
 * proposals with an author's submitted ones. `mark` is added to every text the municipality's pages show.
 */
async function seedTenant(
  db: Db,
  p: { slug: string; domain: string; mark: string; hash: string; censusOffset: number },
) {
  const t = (s: string): LocalizedText => ({ en: `${s}${p.mark}`, fa: `${s}${p.mark}` });
  const { municipalityId, adminUserId } = await createMunicipality(db, {
    slug: p.slug,
    name: { en: p.slug === "elsewhere" ? "Elsewhere" : "First town" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${p.domain}`, displayName: "Admin", password: PASSWORD },
  });
  // Accounts belong to the platform, not to a municipality (staff find anyone by exact email): no mark.
  const user = async (name: string) => {
    const id = randomUUID();
    await db.insert(users).values({ id, email: `${name}@${p.domain}`, passwordHash: p.hash, displayName: name });
    return id;
  };
  const staffId = await user("staff");
  const verifiedId = await user("verified");
  const residentId = await user("resident");
  const authorId = await user("author");
  await db.insert(memberships).values({ userId: staffId, municipalityId, role: "staff" });
  const districtRows = ["north", "south", "center"].map((code, position) => ({
    id: randomUUID(),
    municipalityId,
    code,
    position,
    name: t(code),
  }));
  await db.insert(districts).values(districtRows);
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.id, municipalityId));
  const [staff] = await db.select().from(users).where(eq(users.id, staffId));
  const access = {
    user: {
      id: staff.id,
      email: staff.email,
      displayName: staff.displayName,
      locale: staff.locale,
      isPlatformAdmin: false,
    },
    municipality,
  };
  const census = censusRows(p.censusOffset, 60);
  const imported = await importCensus(db, access, {
    fileName: "census.csv",
    text: `national_id,birth_date,district,voter_class\n${census.map((r) => `${r.nationalId},${r.birthDate},${r.district},${r.voterClass}`).join("\n")}\n`,
    skipBadRows: false,
  });
  if (imported.status !== "active") throw new Error(`census import ${imported.status}`);
  await verifyByCensus(db, {
    municipality,
    user: { id: verifiedId },
    nationalId: census[0].nationalId,
    birthDate: census[0].birthDate,
  });

  const proposal = async (
    envelopeId: string,
    title: string,
    status: "accepted" | "submitted",
    authorId: string | null,
    districtId: string | null = null,
  ) => {
    const id = randomUUID();
    await db.insert(proposals).values({
      id,
      envelopeId,
      title: t(title),
      body: t(`${title}.`),
      cost: 1_000 * Number(title.match(/\d+$/)?.[0] ?? 1),
      authorId,
      districtId,
      status,
    });
    return id;
  };

  // This year's round, voting open today.
  const voting = await roundWithPhases(db, {
    municipalityId,
    slug: ROUND_SLUGS.voting,
    kind: "budgeting",
    title: t("Budget 1405"),
    spans: [
      ["proposals", -30, -16],
      ["review", -15, -1],
      ["voting", 0, 14],
      ["tallying", 15, 17],
      ["published", 18, 40],
      ["implementation", 41, 400],
    ],
  });
  const envelopeRows = [
    { slug: "north", ballotType: "approval" as const, districtId: districtRows[0].id, tallyRule: "mes" as const },
    { slug: "south", ballotType: "k-approval" as const, districtId: districtRows[1].id, maxProjects: 2 },
    { slug: "green", ballotType: "cumulative" as const, districtId: null, minPoints: 1, maxPoints: 10 },
  ].map((e, position) => ({ id: randomUUID(), roundId: voting, name: t(e.slug), amount: 8_000, position, ...e }));
  await db.insert(envelopes).values(envelopeRows);
  const votingProposals: string[] = [];
  for (const e of envelopeRows)
    for (const n of [1, 2, 3, 4])
      votingProposals.push(await proposal(e.id, `${e.slug} idea ${n}`, "accepted", staffId, e.districtId));
  await db.insert(roundVoterClasses).values([
    { roundId: voting, code: "resident", name: t("Resident"), weight: 2, position: 0 },
    { roundId: voting, code: "works-here", name: t("Works here"), weight: 1, position: 1 },
  ]);
  await db.insert(roundEligibility).values({ roundId: voting, districtIds: null, minAge: 16 });
  const top = randomUUID();
  await db.insert(comments).values([
    { id: top, proposalId: votingProposals[0], authorId: verifiedId, body: `Useful${p.mark}`, stance: "for" },
    {
      id: randomUUID(),
      proposalId: votingProposals[0],
      parentId: top,
      authorId: residentId,
      body: `Too dear${p.mark}`,
    },
    {
      id: randomUUID(),
      proposalId: votingProposals[1],
      authorId: residentId,
      body: `Rude words${p.mark}`,
      stance: "against",
    },
  ]);
  await db.insert(commentFlags).values({ commentId: top, userId: residentId, reason: `rude${p.mark}` });

  // A consultation with a survey, open for answers.
  const consultation = await roundWithPhases(db, {
    municipalityId,
    slug: ROUND_SLUGS.consultation,
    kind: "consultation",
    title: t("Transport"),
    spans: [
      ["information", -10, -1],
      ["proposals", 0, 20],
    ],
  });
  await db.insert(surveyQuestions).values([
    {
      id: randomUUID(),
      roundId: consultation,
      position: 0,
      kind: "single",
      prompt: t("How do you travel?"),
      options: [t("Bus"), t("Bike"), t("Car")],
      required: true,
    },
    {
      id: randomUUID(),
      roundId: consultation,
      position: 1,
      kind: "multiple",
      prompt: t("Improve first?"),
      options: [t("Buses"), t("Lanes")],
    },
    { id: randomUUID(), roundId: consultation, position: 2, kind: "scale", prompt: t("How safe?"), required: true },
    { id: randomUUID(), roundId: consultation, position: 3, kind: "text", prompt: t("Anything else?") },
  ]);

  // Last year's round: voted, tallied and published; its funded projects are being built.
  const past = await roundWithPhases(db, {
    municipalityId,
    slug: ROUND_SLUGS.past,
    kind: "budgeting",
    title: t("Budget 1404"),
    spans: [
      ["proposals", -400, -371],
      ["voting", -340, -326],
      ["tallying", -325, -321],
      ["published", -320, -301],
      ["implementation", -300, 300],
    ],
  });
  const [pastEnvelope] = await db
    .insert(envelopes)
    .values({ id: randomUUID(), roundId: past, slug: "city", name: t("City"), amount: 20_000 })
    .returning();
  const pastProposals = [];
  for (const n of [1, 2, 3, 4])
    pastProposals.push(await proposal(pastEnvelope.id, `Past idea ${n}`, "accepted", staffId));
  const votingDay = new Date(`${addDays(dayIn("UTC"), -333)}T10:00:00Z`);
  for (let i = 0; i < 8; i++) {
    await castBallot(db, await roundScope(db, past), {
      roundId: past,
      roundSlug: ROUND_SLUGS.past,
      envelope: pastEnvelope,
      voter: { identity: `${p.slug}-voter-${i}`, weight: 1 + (i % 2), district: "north", voterClass: "resident" },
      body: { approved: pastProposals.filter((_, j) => (i + j) % 3 !== 0).slice(0, 2) },
      channel: i % 4 === 3 ? "paper" : "online",
      now: votingDay,
    });
  }
  const tallyDay = new Date(`${addDays(dayIn("UTC"), -323)}T10:00:00Z`);
  await runRoundTally(db, scopeOf(access.municipality, userActor(access.user)), {
    roundSlug: ROUND_SLUGS.past,
    now: tallyDay,
  });
  await publishRound(db, access, ROUND_SLUGS.past, tallyDay);
  const funded = await db
    .select()
    .from(proposals)
    .where(and(eq(proposals.envelopeId, pastEnvelope.id), eq(proposals.status, "funded")));
  for (const f of funded) {
    await db.insert(implementations).values({ proposalId: f.id, status: "in_progress", progress: 20, spent: 100 });
    const update = randomUUID();
    await db.insert(implementationUpdates).values({
      id: update,
      proposalId: f.id,
      status: "in_progress",
      progress: 20,
      spent: 100,
      note: `Under way${p.mark}`,
      postedOn: addDays(dayIn("UTC"), -10),
      authorId: staffId,
    });
    await db
      .insert(updateComments)
      .values({ id: randomUUID(), updateId: update, userId: verifiedId, body: `When?${p.mark}` });
  }
  // Two ballots in this year's round (receipts to look up).
  const [north] = await db.select().from(envelopes).where(eq(envelopes.id, envelopeRows[0].id));
  for (const i of [0, 1])
    await castBallot(db, await roundScope(db, voting), {
      roundId: voting,
      roundSlug: ROUND_SLUGS.voting,
      envelope: north,
      voter: { identity: `${p.slug}-now-${i}`, weight: 1, district: "north", voterClass: "resident" },
      body: { approved: [votingProposals[i]] },
      channel: "online",
    });

  // A round whose voting closed yesterday: in its tallying phase, ready to count and publish.
  const counting = await roundWithPhases(db, {
    municipalityId,
    slug: ROUND_SLUGS.counting,
    kind: "budgeting",
    title: t("Count 1405"),
    spans: [
      ["proposals", -40, -31],
      ["voting", -10, -1],
      ["tallying", 0, 5],
      ["published", 6, 30],
    ],
  });
  const [countingEnvelope] = await db
    .insert(envelopes)
    .values({ id: randomUUID(), roundId: counting, slug: "city", name: t("City"), amount: 20_000 })
    .returning();
  const countingProposals = [];
  for (const n of [1, 2, 3])
    countingProposals.push(await proposal(countingEnvelope.id, `Counted idea ${n}`, "accepted", staffId));
  const yesterday = new Date(`${addDays(dayIn("UTC"), -1)}T10:00:00Z`);
  for (const i of [0, 1, 2, 3])
    await castBallot(db, await roundScope(db, counting), {
      roundId: counting,
      roundSlug: ROUND_SLUGS.counting,
      envelope: countingEnvelope,
      voter: { identity: `${p.slug}-counted-${i}`, weight: 1, district: "north", voterClass: "resident" },
      body: { approved: [countingProposals[i % 3]] },
      channel: "online",
      now: yesterday,
    });
  const letters = await generateLetterCodes(db, access, { districtId: null, validDays: 30, limit: 6 });

  // A round open for proposals: the author's two submitted ones and an accepted one.
  const ideas = await roundWithPhases(db, {
    municipalityId,
    slug: ROUND_SLUGS.ideas,
    kind: "budgeting",
    title: t("Ideas"),
    spans: [
      ["proposals", -2, 30],
      ["review", 31, 40],
      ["voting", 41, 50],
    ],
  });
  const [ideasEnvelope] = await db
    .insert(envelopes)
    .values({ id: randomUUID(), roundId: ideas, slug: "city", name: t("City"), amount: 5_000_000 })
    .returning();
  await proposal(ideasEnvelope.id, "First idea", "submitted", authorId);
  await proposal(ideasEnvelope.id, "Second idea", "submitted", authorId);
  await proposal(ideasEnvelope.id, "Accepted idea", "accepted", authorId);
  for (const n of [1, 2, 3]) await proposal(ideasEnvelope.id, `Waiting idea ${n}`, "submitted", residentId);
  return {
    census,
    letterCodes: letters.rows.map((r) => r.code),
    userIds: { admin: adminUserId, staff: staffId, verified: verifiedId, resident: residentId, author: authorId },
  };
}

async function idsOf(db: Db, query: SQL): Promise<string[]> {
  return (await queryRows<{ id: string }>(db, query)).map((r) => r.id);
}

async function tenantOf(db: Db, slug: string, authorId: string): Promise<Tenant> {
  const municipality = (await findMunicipality(db, slug)) as Municipality;
  const m = municipality.id;
  const roundIds = sql`select id from rounds where municipality_id = ${m}`;
  const envelopeIds = sql`select id from envelopes where round_id in (${roundIds})`;
  const proposalIds = sql`select id from proposals where envelope_id in (${envelopeIds})`;
  const envelopeRows = await queryRows<{ round: string; slug: string }>(
    db,
    sql`select r.slug as round, e.slug from envelopes e join rounds r on r.id = e.round_id where r.municipality_id = ${m} order by e.position, e.slug`,
  );
  const envelopesByRound: Record<string, string[]> = {};
  for (const e of envelopeRows) envelopesByRound[e.round] = [...(envelopesByRound[e.round] ?? []), e.slug];
  const byEnvelope = await queryRows<{ envelope: string; id: string }>(
    db,
    sql`select e.slug as envelope, p.id from proposals p join envelopes e on e.id = p.envelope_id join rounds r on r.id = e.round_id
        where r.municipality_id = ${m} and r.slug = ${ROUND_SLUGS.voting} and p.status = 'accepted' order by e.position, p.created_at, p.id`,
  );
  const acceptedByEnvelope: Record<string, string[]> = {};
  for (const p of byEnvelope) acceptedByEnvelope[p.envelope] = [...(acceptedByEnvelope[p.envelope] ?? []), p.id];
  const people = await queryRows<{ id: string; email: string }>(
    db,
    sql`select id, email from users where id in (select user_id from memberships where municipality_id = ${m})
        or id in (select user_id from verifications where municipality_id = ${m})
        or id in (select author_id from proposals where id in (${proposalIds}))
        or id in (select author_id from comments where proposal_id in (${proposalIds})) order by email`,
  );
  const updates = sql`select id from implementation_updates where proposal_id in (${proposalIds})`;
  const lists = {
    authored: await idsOf(
      db,
      sql`select p.id from proposals p join envelopes e on e.id = p.envelope_id join rounds r on r.id = e.round_id
          where r.municipality_id = ${m} and r.slug = ${ROUND_SLUGS.ideas} and p.status = 'submitted' and p.author_id = ${authorId} order by p.id`,
    ),
    submitted: await idsOf(
      db,
      sql`select p.id from proposals p join envelopes e on e.id = p.envelope_id join rounds r on r.id = e.round_id
          where r.municipality_id = ${m} and r.slug = ${ROUND_SLUGS.ideas} and p.status = 'submitted' and p.author_id <> ${authorId} order by p.id`,
    ),
    funded: await idsOf(
      db,
      sql`select id from proposals where status = 'funded' and id in (${proposalIds}) order by id`,
    ),
    comments: await idsOf(
      db,
      sql`select id from comments where proposal_id in (${proposalIds}) order by created_at, id`,
    ),
    updates: await idsOf(db, sql`${updates} order by id`),
    updateComments: await idsOf(db, sql`select id from update_comments where update_id in (${updates}) order by id`),
    questions: await idsOf(
      db,
      sql`select id from survey_questions where round_id in (${roundIds}) order by position, id`,
    ),
    districts: await idsOf(db, sql`select id from districts where municipality_id = ${m} order by position`),
    verifications: await idsOf(db, sql`select id from verifications where municipality_id = ${m} order by id`),
    ballots: await idsOf(db, sql`select id from ballots where round_id in (${roundIds}) order by id`),
    pastBallots: await idsOf(
      db,
      sql`select b.id from ballots b join rounds r on r.id = b.round_id where r.municipality_id = ${m} and r.slug = ${ROUND_SLUGS.past} order by b.id`,
    ),
  };
  const ids = await idsOf(
    db,
    sql`${roundIds} union ${envelopeIds} union ${proposalIds} union select id from phases where round_id in (${roundIds})`,
  );
  const questionRows = await queryRows<{ id: string; kind: string; options: number }>(
    db,
    sql`select id, kind, jsonb_array_length(options)::int as options from survey_questions where round_id in (${roundIds})`,
  );
  const links = await queryRows<{ parent: string; id: string }>(
    db,
    sql`select proposal_id as parent, id from comments where proposal_id in (${proposalIds})
        union all select proposal_id, id from implementation_updates where proposal_id in (${proposalIds})
        union all select u.proposal_id, c.id from update_comments c join implementation_updates u on u.id = c.update_id where u.proposal_id in (${proposalIds})
        union all select update_id, id from update_comments where update_id in (${updates}) order by 1, 2`,
  );
  const children: Record<string, string[]> = {};
  for (const l of links) children[l.parent] = [...(children[l.parent] ?? []), l.id];
  return {
    municipality,
    rounds: ROUND_SLUGS,
    envelopes: envelopesByRound,
    accepted: byEnvelope.map((p) => p.id),
    acceptedByEnvelope,
    ...lists,
    questionKinds: Object.fromEntries(questionRows.map((q) => [q.id, { kind: q.kind, options: Number(q.options) }])),
    children,
    users: people.map((u) => u.id),
    emails: people.map((u) => u.email),
    ids: [...new Set([...ids, ...Object.values(lists).flat()])],
  };
}

/**
 * Two municipalities with the same round, envelope and district slugs: "first", where requests go, and
 * "elsewhere", whose ids the requests also carry and whose texts (marked with FOREIGN_MARK) must never
 * show on the first one's pages. Plus a platform administrator.
 */
export async function seedWorld(db: Db): Promise<World> {
  const hash = await hashPassword(PASSWORD);
  const first = await seedTenant(db, { slug: "first", domain: "first.example", mark: "", hash, censusOffset: 0 });
  const other = await seedTenant(db, {
    slug: "elsewhere",
    domain: "elsewhere.example",
    mark: ` ${FOREIGN_MARK}`,
    hash,
    censusOffset: 7,
  });
  const platform = randomUUID();
  await db.insert(users).values({
    id: platform,
    email: "platform@shora.example",
    passwordHash: hash,
    displayName: "Platform",
    isPlatformAdmin: true,
  });
  const userIds: Record<Role, string | null> = {
    observer: null,
    resident: first.userIds.resident,
    verified: first.userIds.verified,
    author: first.userIds.author,
    staff: first.userIds.staff,
    admin: first.userIds.admin,
    foreignStaff: other.userIds.admin,
    platform,
  };
  const browsers = Object.fromEntries(ROLES.map((r) => [r, new TestBrowser(db)])) as Record<Role, TestBrowser>;
  return {
    db,
    A: await tenantOf(db, "first", first.userIds.author),
    B: await tenantOf(db, "elsewhere", other.userIds.author),
    userIds,
    browsers,
    census: first.census,
    letterCodes: first.letterCodes,
    password: PASSWORD,
  };
}

/**
 * The role's browser, signed in as the role's account (a request before may have logged it out, in as
 * someone else, or ended every session), from a fresh address so that throttles keyed by address do
 * not turn every request into a 429. Returns whether the database was written to (a new session).
 */
export async function browserFor(world: World, role: Role): Promise<{ browser: TestBrowser; wrote: boolean }> {
  const browser = world.browsers[role];
  (browser as { ip: string }).ip =
    `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const userId = world.userIds[role];
  const current = browser.cookies.get("shora_session");
  browser.cookies.set("shora_csrf", CSRF);
  if (!userId) {
    browser.cookies.delete("shora_session");
    return { browser, wrote: false };
  }
  if (current) {
    const [row] = await world.db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, current));
    if (row?.userId === userId) return { browser, wrote: false };
  }
  const cookie = await startSession(world.db, new Request("http://localhost/"), userId);
  browser.cookies.set("shora_session", cookie.split(";")[0].split("=")[1]);
  return { browser, wrote: true };
}

/* ------------------------------------------------------------------ fingerprint of the database */

/**
 * Columns left out of the fingerprint because they legitimately change on reads: a session's
 * `expires_at` (lucia extends a session that is used in the second half of its life).
 */
export const VOLATILE_COLUMNS: Record<string, string[]> = { sessions: ["expires_at"] };

export type Fingerprint = Map<string, { rows: number; md5: string }>;

/** Row count and md5 of every table of the public schema (every row as text, sorted). */
export async function fingerprinter(db: Db): Promise<() => Promise<Fingerprint>> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<string, string[]>();
  for (const c of columns) {
    if (VOLATILE_COLUMNS[c.table_name]?.includes(c.column_name)) continue;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), `"${c.column_name}"`]);
  }
  const query = sql.raw(
    [...byTable]
      .map(
        ([table, cols]) =>
          `select '${table}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from (select ${cols.join(", ")} from "${table}") x`,
      )
      .join(" union all "),
  );
  return async () => {
    const rows = await queryRows<{ t: string; n: number; h: string }>(db, query);
    return new Map(rows.map((r) => [r.t, { rows: Number(r.n), md5: r.h }]));
  };
}

/** Tables whose count or content differ between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter(
    (t) => before.get(t)?.md5 !== after.get(t)?.md5 || before.get(t)?.rows !== after.get(t)?.rows,
  );
}

/* ------------------------------------------------------------------ hostile values */

/**
 * A value of a form field or URL part. Long ones are described, not spelled out, so that a failing
 * case prints short; `text()` makes the string.
 */
export type Value = string | { repeat: string; times: number; tail?: string };
export const text = (v: Value): string => (typeof v === "string" ? v : v.repeat.repeat(v.times) + (v.tail ?? ""));
export const show = (v: Value): string =>
  typeof v === "string"
    ? JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)
    : `${JSON.stringify(v.repeat)}×${v.times}${v.tail ? `+${JSON.stringify(v.tail)}` : ""}`;

export const hostileConstants = [
  "",
  " ",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)",
  "../../etc/passwd",
  "..",
  "%00",
  "%2e%2e%2f",
  "//evil.example/",
  "/\\evil.example",
  "javascript:alert(1)",
  "\u0001\u0002\u0007\u0008\u001b[31m\u007f",
  "\r\n\r\nX-Injected: 1",
  "\t\v\f",
  "\u202eevil\u202c",
  "\u2066\u2067\u2068\u2069\u200f\u200e",
  "\ufeffBOM",
  "\ud800",
  "\ufffd\uffff",
  "😀👍🏽‍",
  "ي ك ی ک",
  "۱۲۳۴",
  "١٢٣",
  "-1",
  "0",
  "-0",
  "1.5",
  "1e3",
  "1e309",
  "-1e309",
  "1e-7",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x1F",
  "0b101",
  "1_000",
  " 42 ",
  "9007199254740991",
  "9007199254740993",
  "-9007199254740993",
  "99999999999999999999999999",
  "2147483648",
  "-2147483649",
  "true",
  "false",
  "null",
  "undefined",
  "[]",
  "{}",
  '["a","b"]',
  '{"a":1}',
  '{"__proto__":{"isPlatformAdmin":true}}',
  "2026-02-30",
  "0000-00-00",
  "9999-12-31",
  "275760-09-13",
  "1404-01-01",
  "2025-13-01",
  "2025-1-1",
  "۱۴۰۴-۰۱-۰۱",
  "@",
  "a@b",
  "x@y.z",
  "UPPER@EXAMPLE.ORG",
  "00000000-0000-0000-0000-000000000000",
  "on",
  "yes",
];

export const hostileValue: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileConstants), weight: 8 },
  { arbitrary: fc.string({ maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 24 }).map((v) => v.replaceAll("\u0000", "")), weight: 2 },
  {
    arbitrary: fc.string({
      unit: fc.integer({ min: 1, max: 31 }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 6,
    }),
    weight: 1,
  },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String), weight: 2 },
  { arbitrary: fc.uuid().map(String), weight: 2 },
  {
    arbitrary: fc.record({
      repeat: fc.constantFrom("a", "ж", "۱", "\u202e", "😀", "<b>", "9"),
      times: fc.constantFrom(201, 5_001, 100_000),
      tail: fc.constantFrom(undefined, "\u0007", "\u202e"),
    }),
    weight: 1,
  },
);

/** NUL, which PostgreSQL text cannot hold (a form field with one is refused with a 400 naming it). */
export const nulValue: fc.Arbitrary<Value> = fc.constantFrom<Value>("\u0000", "a\u0000b", {
  repeat: "a",
  times: 100_000,
  tail: "\u0000",
});

/** Field names no form has: prototype keys, brackets, empty, very long, control characters. */
export const hostileName = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "a[]",
  "a[0]",
  "a.b",
  "",
  " ",
  "\u0000",
  "\u202e",
  "x".repeat(1000),
  "_csrf2",
);

/* ------------------------------------------------------------------ requests */

export type FileKind =
  | "empty"
  | "binary"
  | "latin1"
  | "bom"
  | "census"
  | "census-bad-rows"
  | "census-formula"
  | "census-huge-cell"
  | "paper"
  | "paper-bad"
  | "paper-formula"
  | "crlf"
  | "oversized";

export type Entry = [name: string, value: Value | { file: FileKind; filename: Value }];

export function fileBytes(kind: FileKind, world: World): Uint8Array {
  const utf8 = (s: string) => new TextEncoder().encode(s);
  const c = world.census;
  switch (kind) {
    case "empty":
      return new Uint8Array();
    case "binary":
      return Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 255);
    case "latin1":
      return Uint8Array.from([...Buffer.from("national_id,birth_date\n"), 0xe9, 0xe8, 0x0a]);
    case "bom":
      return utf8(
        `\ufeffnational_id,birth_date,district,voter_class\n${c[2].nationalId},${c[2].birthDate},north,resident\n`,
      );
    case "census":
      return utf8(
        `national_id,birth_date,district,voter_class\n${c
          .slice(0, 40)
          .map((r) => `${r.nationalId},${r.birthDate},north,resident`)
          .join("\n")}\n`,
      );
    case "census-bad-rows":
      return utf8(
        `national_id,birth_date,district,voter_class\n123,1980-01-01,north,resident\n${c[3].nationalId},2031-02-30,nowhere,x\n,,,\n`,
      );
    case "census-formula":
      return utf8(
        `national_id,birth_date,district,voter_class\n=cmd|' /C calc'!A0,1980-01-01,north,"=HYPERLINK(""x"")"\n`,
      );
    case "census-huge-cell":
      return utf8(`national_id,birth_date,district,voter_class\n${"9".repeat(100_000)},1980-01-01,north,resident\n`);
    case "paper":
      return utf8(
        `national_id,birth_date,envelope,choices\n${c[5].nationalId},${c[5].birthDate},green,1:3 2:2\n${c[6].nationalId},,north,1 2\n`,
      );
    case "paper-bad":
      return utf8(`national_id,birth_date,envelope,choices\n${c[7].nationalId},,nowhere,99\n"unterminated,,north,1\n`);
    case "paper-formula":
      return utf8(`national_id,birth_date,envelope,choices\n=1+1,,north,"@SUM(1)"\n`);
    case "oversized":
      return utf8(`national_id,birth_date,envelope,choices\n${"1,,north,1\n".repeat(220_000)}`);
    case "crlf":
      return utf8(`national_id,birth_date,envelope,choices\r\n${c[8].nationalId},,south,1\r\n`);
  }
}

export const fileArb = (kinds: FileKind[]) =>
  fc.record({
    file: fc.constantFrom(...kinds),
    filename: fc.oneof(fc.constantFrom("list.csv", "", "../../x.csv", "a\u202ecsv.exe"), hostileValue),
  });

export type Encoding = "urlencoded" | "multipart" | "json" | "none";

/** A POST with the entries in order (names may repeat), the CSRF token first. */
export function postRequest(
  world: World,
  browser: TestBrowser,
  url: string,
  entries: Entry[],
  encoding: Encoding,
  locale: "en" | "fa",
): Request {
  const headers: Record<string, string> = { cookie: browser.cookieHeader(), "accept-language": locale };
  let body: BodyInit | undefined;
  if (encoding === "multipart") {
    const form = new FormData();
    form.append("_csrf", CSRF);
    for (const [name, value] of entries) {
      if (typeof value === "object" && "file" in value)
        form.append(
          name,
          new Blob([fileBytes(value.file, world) as unknown as BlobPart], { type: "text/csv" }),
          text(value.filename) || "x",
        );
      else form.append(name, text(value));
    }
    body = form;
  } else if (encoding === "urlencoded") {
    const form = new URLSearchParams([["_csrf", CSRF]]);
    for (const [name, value] of entries)
      form.append(name, typeof value === "object" && "file" in value ? value.file : text(value));
    body = form;
  } else if (encoding === "json") {
    headers["content-type"] = "application/json";
    body = JSON.stringify(
      Object.fromEntries([
        ["_csrf", CSRF],
        ...entries.map(([n, v]) => [n, typeof v === "object" && "file" in v ? v.file : text(v)]),
      ]),
    );
  }
  return new Request(url, { method: "POST", headers, body });
}

export interface Outcome {
  status: number;
  contentType: string;
  body: string;
  json: unknown;
  location: string | null;
  crash: unknown;
}

/** Runs a loader or action like Remix does; an exception that is not a Response is what the server answers with 500. */
export async function send(
  handler: Parameters<typeof call>[0],
  browser: TestBrowser,
  request: Request,
  params: Record<string, string>,
): Promise<Outcome> {
  let response: Response;
  try {
    response = await call(handler, browser, request, params);
  } catch (crash) {
    return {
      status: 500,
      contentType: "",
      body: String((crash as Error)?.stack ?? crash),
      json: null,
      location: null,
      crash,
    };
  }
  const contentType = response.headers.get("content-type") ?? "";
  const binary = /image\/|zip|octet-stream/.test(contentType);
  const body = binary ? "" : await response.text();
  let json: unknown = null;
  if (contentType.includes("json") && !contentType.includes("ndjson")) {
    try {
      json = JSON.parse(body);
    } catch {
      json = null;
    }
  }
  return { status: response.status, contentType, body, json, location: response.headers.get("location"), crash: null };
}

/**
 * The messages of a refusal: a thrown error's `message` (what the error page shows) or a form's
 * `errors` by field. Empty when the response carries neither.
 */
export function refusalMessages(outcome: Outcome): { fields: string[]; texts: string[]; thrown: boolean } {
  const j = outcome.json as { message?: unknown; errors?: unknown } | null;
  if (j && typeof j.message === "string") return { fields: [], texts: [j.message], thrown: true };
  if (j?.errors && typeof j.errors === "object")
    return { fields: Object.keys(j.errors), texts: Object.values(j.errors).map(String), thrown: false };
  return { fields: [], texts: [], thrown: false };
}

/** A message a person can read: not empty, not a bare dictionary key, no unfilled `{placeholder}`. */
export function readable(message: string): boolean {
  return (
    message.trim().length > 0 && !/^[a-z][A-Za-z]*(\.[A-Za-z_0-9]+)+$/.test(message.trim()) && !/\{\w+\}/.test(message)
  );
}

/** FUZZ_RUNS=<n> multiplies every route's number of requests (a longer hunt than CI's). */
export const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS ?? 1)));

/** A run seed for the whole file (FUZZ_SEED to repeat a run), and from it one per route. */
export const RUN_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
export function seedFor(name: string): number {
  let h = RUN_SEED >>> 0;
  for (const ch of name) h = (Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0) % 2 ** 31;
  return h;
}

/* ------------------------------------------------------------------ addresses, as the server reads them */

/** The URL pattern of a route module, by Remix's flat-routes naming (`$param`, `$` splat, `[.csv]`, `_index`, `name_`). */
export function routePattern(file: string): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(/\.(?![^[]*\])/)
    .map((s) =>
      s === "_index"
        ? ""
        : s === "$"
          ? "*"
          : s
              .replace(/^\$/, ":")
              .replace(/_$/, "")
              .replace(/\[([^\]]*)\]/g, "$1"),
    )
    .filter(Boolean);
  return `/${segments.join("/")}`;
}

/** Percent-encodes a path segment or query value byte by byte (lone surrogates as U+FFFD, like a browser). */
export function encodePart(value: string): string {
  return [...new TextEncoder().encode(value)]
    .map((b) =>
      b < 128 && /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}

/**
 * The address a browser would send for these route parameters and query, read as the server reads it
 * (app/server/addresses.ts, then the URL parser, then Remix's route matching and decoding): the URL and
 * the parameters the route module gets, or null when the address is not this route's (an empty segment,
 * `..` climbing out).
 */
export function throughServer(
  file: string,
  raw: Record<string, string>,
  query: [string, string][] = [],
): { url: string; params: Record<string, string> } | null {
  const pattern = routePattern(file);
  const path = pattern.replace(/:(\w+)|\*/g, (_whole, name: string | undefined) => encodePart(raw[name ?? "*"] ?? ""));
  const search = query.length ? `?${query.map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`).join("&")}` : "";
  const url = new URL(withoutNul(`${path}${search}`), "http://localhost");
  const matches = matchRoutes([{ path: pattern }], url.pathname);
  if (!matches) return null;
  return { url: url.toString(), params: matches[0].params as Record<string, string> };
}

/**
 * Row count and md5 of one municipality's rows in every table that belongs to a municipality (by its
 * municipality_id, round_id, envelope_id, proposal_id, comment_id or update_id).
 */
export async function tenantFingerprint(db: Db, municipalityId: string): Promise<Fingerprint> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public'
        and column_name in ('municipality_id', 'round_id', 'envelope_id', 'proposal_id', 'comment_id', 'update_id')`,
  );
  const R = `select id from rounds where municipality_id = '${municipalityId}'`;
  const E = `select id from envelopes where round_id in (${R})`;
  const P = `select id from proposals where envelope_id in (${E})`;
  const within: Record<string, string> = {
    municipality_id: `= '${municipalityId}'`,
    round_id: `in (${R})`,
    envelope_id: `in (${E})`,
    proposal_id: `in (${P})`,
    comment_id: `in (select id from comments where proposal_id in (${P}))`,
    update_id: `in (select id from implementation_updates where proposal_id in (${P}))`,
  };
  const order = Object.keys(within);
  const scope = new Map<string, string>();
  for (const c of columns) {
    const current = scope.get(c.table_name);
    if (!current || order.indexOf(c.column_name) < order.indexOf(current)) scope.set(c.table_name, c.column_name);
  }
  const query = [...scope]
    .map(
      ([table, column]) =>
        `select '${table}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from "${table}" x where "${column}" ${within[column]}`,
    )
    .join(" union all ");
  const rows = await queryRows<{ t: string; n: number; h: string }>(db, sql.raw(query));
  return new Map(rows.map((r) => [r.t, { rows: Number(r.n), md5: r.h }]));
}
