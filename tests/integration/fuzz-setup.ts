/**
 * The world the two fuzz test files (fuzz-actions, fuzz-loaders) send requests into: two municipalities
 * with every kind of row a route reads, made with the fixture kit (tests/support/factories), and a
 * signed-in browser per kind of visitor. Hostile values, requests and fingerprints are in tests/support.
 */
import { type SQL, and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { proposals, sessions } from "../../db/schema";
import type { LocalizedText } from "../../app/domain/i18n";
import { dayIn } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";
import { type Municipality, findMunicipality } from "../../app/services/tenancy/municipality.server";
import {
  castBallots,
  censusRows,
  flag,
  makeCensus,
  makeComment,
  makeEligibility,
  makeEnvelope,
  makeLetterCodes,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeSurvey,
  makeUpdate,
  makeUpdateComment,
  makeUser,
  makeVoterClasses,
  signIn,
  tallyAndPublish,
  verifyVoter,
} from "../support/factories";
import { CSRF, TestBrowser } from "../support/requests";
import { plainPng } from "../support/media";
import { storeMedia } from "../../app/services/media/media.server";

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
  /** Media (photos) of this municipality's proposals. */
  media: string[];
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

/** Noon UTC of the day `n` days from today. */
const noonIn = (n: number) => new Date(`${addDays(dayIn("UTC"), n)}T10:00:00Z`);

/**
 * One municipality with every kind of row a route reads: districts, staff, residents (one verified from
 * the census), a round in its voting phase with three envelopes (approval, k-approval, cumulative) and
 * commented, flagged proposals, a consultation with a four-question survey, last year's round voted,
 * tallied and published with its funded projects being built (updates, a comment), and a round open for
 * proposals with an author's submitted ones. `mark` is added to every text the municipality's pages show.
 */
async function seedTenant(db: Db, p: { slug: string; domain: string; mark: string; censusOffset: number }) {
  const t = (s: string): LocalizedText => ({ en: `${s}${p.mark}`, fa: `${s}${p.mark}` });
  const town = await makeMunicipality(db, {
    slug: p.slug,
    name: { en: p.slug === "elsewhere" ? "Elsewhere" : "First town" },
    admin: { email: `admin@${p.domain}`, displayName: "Admin", password: PASSWORD },
    districts: ["north", "south", "center"].map((code) => ({ code, name: t(code) })),
  });
  const { municipality, admin } = town;
  // Accounts belong to the platform, not to a municipality (staff find anyone by exact email): no mark.
  const user = (name: string) => makeUser(db, { email: `${name}@${p.domain}`, displayName: name, password: PASSWORD });
  const staff = await makeMember(db, {
    by: admin,
    email: `staff@${p.domain}`,
    displayName: "staff",
    password: PASSWORD,
  });
  const verified = await user("verified");
  const resident = await user("resident");
  const author = await user("author");
  // A census of 60 people (valid Iranian national codes); the first one is the verified resident.
  const census = censusRows({
    count: 60,
    first: 300_000_000 + p.censusOffset,
    step: 37,
    classes: ["works-here", "resident", "resident", "resident"],
  });
  await makeCensus(db, { by: admin, rows: census });
  await verifyVoter(db, { municipality, user: verified, person: census[0] });
  const cost = (title: string) => 1_000 * Number(title.match(/\d+$/)?.[0] ?? 1);

  // This year's round, voting open today.
  const voting = await makeRound(db, {
    by: admin,
    slug: ROUND_SLUGS.voting,
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
  const envelopeSpecs = [
    { slug: "north", ballotType: "approval" as const, districtId: town.districts.north, tallyRule: "mes" as const },
    { slug: "south", ballotType: "k-approval" as const, districtId: town.districts.south, maxProjects: 2 },
    { slug: "green", ballotType: "cumulative" as const, districtId: null, minPoints: 1, maxPoints: 10 },
  ];
  const votingEnvelopes = [];
  for (const [position, e] of envelopeSpecs.entries())
    votingEnvelopes.push(
      await makeEnvelope(db, { by: admin, round: voting, name: t(e.slug), amount: 8_000, position, ...e }),
    );
  const votingProposals: string[] = [];
  for (const envelope of votingEnvelopes)
    for (const n of [1, 2, 3, 4]) {
      const title = `${envelope.slug} idea ${n}`;
      votingProposals.push(
        await makeProposal(db, {
          by: staff,
          round: voting,
          envelope,
          title: t(title),
          body: t(`${title}.`),
          cost: cost(title),
        }),
      );
    }
  await makeVoterClasses(db, {
    by: admin,
    round: voting,
    classes: [
      { code: "resident", name: t("Resident"), weight: 2 },
      { code: "works-here", name: t("Works here"), weight: 1 },
    ],
  });
  await makeEligibility(db, { by: admin, round: voting, minAge: 16 });
  const on = (proposalId: string) => ({ municipality, round: voting, proposalId });
  const top = await makeComment(db, {
    ...on(votingProposals[0]),
    user: verified,
    body: `Useful${p.mark}`,
    stance: "for",
  });
  await makeComment(db, { ...on(votingProposals[0]), user: resident, parentId: top, body: `Too dear${p.mark}` });
  await makeComment(db, { ...on(votingProposals[1]), user: resident, body: `Rude words${p.mark}`, stance: "against" });
  await flag(db, {
    municipality,
    commentId: top,
    proposalId: votingProposals[0],
    user: resident,
    reason: `rude${p.mark}`,
  });

  // A consultation with a survey, open for answers.
  const consultation = await makeRound(db, {
    by: admin,
    slug: ROUND_SLUGS.consultation,
    kind: "consultation",
    title: t("Transport"),
    spans: [
      ["information", -10, -1],
      ["proposals", 0, 20],
    ],
  });
  await makeSurvey(db, {
    by: admin,
    round: consultation,
    questions: [
      {
        kind: "single",
        prompt: `How do you travel?${p.mark}`,
        options: ["Bus", "Bike", "Car"].map((o) => o + p.mark),
        required: true,
      },
      { kind: "multiple", prompt: `Improve first?${p.mark}`, options: ["Buses", "Lanes"].map((o) => o + p.mark) },
      { kind: "scale", prompt: `How safe?${p.mark}`, required: true },
      { kind: "text", prompt: `Anything else?${p.mark}` },
    ],
  });

  // Last year's round: voted, tallied and published; its funded projects are being built.
  const past = await makeRound(db, {
    by: admin,
    slug: ROUND_SLUGS.past,
    title: t("Budget 1404"),
    spans: [
      ["proposals", -400, -371],
      ["voting", -340, -326],
      ["tallying", -325, -321],
      ["published", -320, -301],
      ["implementation", -300, 300],
    ],
  });
  const pastEnvelope = await makeEnvelope(db, {
    by: admin,
    round: past,
    slug: "city",
    name: t("City"),
    amount: 20_000,
  });
  const pastProposals: string[] = [];
  for (const n of [1, 2, 3, 4])
    pastProposals.push(
      await makeProposal(db, {
        by: staff,
        round: past,
        envelope: pastEnvelope,
        title: t(`Past idea ${n}`),
        body: t(`Past idea ${n}.`),
        cost: 1_000 * n,
      }),
    );
  await castBallots(db, {
    municipality,
    round: past,
    envelope: pastEnvelope,
    at: noonIn(-333),
    votes: Array.from({ length: 8 }, (_, i) => ({
      identity: `${p.slug}-voter-${i}`,
      weight: 1 + (i % 2),
      body: { approved: pastProposals.filter((_, j) => (i + j) % 3 !== 0).slice(0, 2) },
      channel: i % 4 === 3 ? ("paper" as const) : ("online" as const),
    })),
  });
  await tallyAndPublish(db, { by: staff, round: past, at: noonIn(-323) });
  const funded = await db
    .select({ id: proposals.id })
    .from(proposals)
    .where(and(eq(proposals.envelopeId, pastEnvelope.id), eq(proposals.status, "funded")));
  // A photo on the first funded project (ADR 0034), for the media route.
  await storeMedia(db, staff, {
    owner: { kind: "proposal", id: funded[0].id },
    media: { field: "image1", bytes: await plainPng(400, 300), fileName: "site.png", alt: `The site${p.mark}` },
  });
  for (const f of funded) {
    const updateId = await makeUpdate(db, {
      by: staff,
      round: past,
      proposalId: f.id,
      progress: 20,
      spent: 100,
      note: `Under way${p.mark}`,
      at: noonIn(-10),
    });
    await makeUpdateComment(db, {
      municipality,
      proposalId: f.id,
      updateId,
      userId: verified.id,
      body: `When?${p.mark}`,
    });
  }
  // Two ballots in this year's round (receipts to look up).
  await castBallots(db, {
    municipality,
    round: voting,
    envelope: votingEnvelopes[0],
    votes: [0, 1].map((i) => ({ identity: `${p.slug}-now-${i}`, body: { approved: [votingProposals[i]] } })),
  });

  // A round whose voting closed yesterday: in its tallying phase, ready to count and publish.
  const counting = await makeRound(db, {
    by: admin,
    slug: ROUND_SLUGS.counting,
    title: t("Count 1405"),
    spans: [
      ["proposals", -40, -31],
      ["voting", -10, -1],
      ["tallying", 0, 5],
      ["published", 6, 30],
    ],
  });
  const countingEnvelope = await makeEnvelope(db, {
    by: admin,
    round: counting,
    slug: "city",
    name: t("City"),
    amount: 20_000,
  });
  const countingProposals: string[] = [];
  for (const n of [1, 2, 3])
    countingProposals.push(
      await makeProposal(db, {
        by: staff,
        round: counting,
        envelope: countingEnvelope,
        title: t(`Counted idea ${n}`),
        body: t(`Counted idea ${n}.`),
        cost: 1_000 * n,
      }),
    );
  await castBallots(db, {
    municipality,
    round: counting,
    envelope: countingEnvelope,
    at: noonIn(-1),
    votes: [0, 1, 2, 3].map((i) => ({
      identity: `${p.slug}-counted-${i}`,
      body: { approved: [countingProposals[i % 3]] },
    })),
  });
  const letterCodes = await makeLetterCodes(db, { by: admin, count: 6 });

  // A round open for proposals: the author's two submitted ones and an accepted one.
  const ideas = await makeRound(db, {
    by: admin,
    slug: ROUND_SLUGS.ideas,
    title: t("Ideas"),
    spans: [
      ["proposals", -2, 30],
      ["review", 31, 40],
      ["voting", 41, 50],
    ],
  });
  const ideasEnvelope = await makeEnvelope(db, {
    by: admin,
    round: ideas,
    slug: "city",
    name: t("City"),
    amount: 5_000_000,
  });
  const idea = (title: string, by: typeof author, status: "accepted" | "submitted" = "submitted") =>
    makeProposal(db, {
      by: staff,
      round: ideas,
      envelope: ideasEnvelope,
      title: t(title),
      body: t(`${title}.`),
      cost: cost(title),
      author: by,
      status,
    });
  await idea("First idea", author);
  await idea("Second idea", author);
  await idea("Accepted idea", author, "accepted");
  for (const n of [1, 2, 3]) await idea(`Waiting idea ${n}`, resident);
  return {
    census,
    letterCodes,
    userIds: {
      admin: admin.user.id,
      staff: staff.user.id,
      verified: verified.id,
      resident: resident.id,
      author: author.id,
    },
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
    media: await idsOf(db, sql`select id from media where municipality_id = ${m} order by id`),
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
  const first = await seedTenant(db, { slug: "first", domain: "first.example", mark: "", censusOffset: 0 });
  const other = await seedTenant(db, {
    slug: "elsewhere",
    domain: "elsewhere.example",
    mark: ` ${FOREIGN_MARK}`,
    censusOffset: 7,
  });
  const platform = await makeUser(db, {
    email: "platform@shora.example",
    displayName: "Platform",
    password: PASSWORD,
    platformAdmin: true,
  });
  const userIds: Record<Role, string | null> = {
    observer: null,
    resident: first.userIds.resident,
    verified: first.userIds.verified,
    author: first.userIds.author,
    staff: first.userIds.staff,
    admin: first.userIds.admin,
    foreignStaff: other.userIds.admin,
    platform: platform.id,
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
  if (userId && current) {
    const [row] = await world.db.select({ userId: sessions.userId }).from(sessions).where(eq(sessions.id, current));
    if (row?.userId === userId) {
      browser.cookies.set("shora_csrf", CSRF);
      return { browser, wrote: false };
    }
  }
  await signIn(world.db, userId ? { id: userId } : null, browser);
  return { browser, wrote: Boolean(userId) };
}
