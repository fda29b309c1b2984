/**
 * The voter's own ballot on the ballot page (ADR 0027): shown again to its voter, replaced only after
 * a confirmation that lists the changes, refused choices shown as sent, a stable order drawn per voter,
 * and a proposal's page opened from its card without losing the basket.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, baskets } from "../../db/schema";
import * as vote from "../../app/routes/m.$slug.rounds.$round.vote.$envelope";
import type { SessionUser } from "../../app/web/session.server";
import {
  type Member,
  type Round,
  censusRows,
  makeCensus,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  signIn,
  verifyVoter,
} from "../support/factories";
import { call } from "../support/requests";
import { beforeVoting } from "../support/factories/rounds";
import { setBallotOrder } from "../../app/services/rounds/ballot-order.server";
import { actionLog, envelopes } from "../../db/schema";
import { FrozenError } from "../../app/services/errors.server";
import { testDatabase, unique } from "../support/db";

let database: Database;
let admin: Member;
let round: Round;
let slug: string;
let envelopeId: string;
let p: string[];
let voters: SessionUser[];

beforeAll(async () => {
  database = await testDatabase();
  const { db } = database;
  slug = unique("mine");
  const town = await makeMunicipality(db, {
    slug,
    districts: [
      { code: "north", name: { en: "North", fa: "شمال" } },
      { code: "south", name: { en: "South", fa: "جنوب" } },
    ],
  });
  admin = town.admin;
  round = await makeRound(db, { by: admin, slug: "budget", phase: "voting" });
  const envelope = await makeEnvelope(db, { by: admin, round, slug: "city", amount: 10_000 });
  envelopeId = envelope.id;
  p = [];
  for (let i = 0; i < 8; i++)
    p.push(
      await makeProposal(db, {
        by: admin,
        round,
        envelope,
        title: { en: `Proposal ${i}`, fa: `طرح ${i}` },
        body: { en: `What proposal ${i} builds, in a few words.` },
        cost: 1_000 + i * 100,
        districtId: i % 2 ? town.districts.south : town.districts.north,
      }),
    );
  const people = censusRows({ count: 3, first: 500_000_000, districts: ["north"] });
  await makeCensus(db, { by: admin, rows: people });
  voters = [];
  for (const [i, person] of people.entries()) {
    const user = await makeUser(db, { email: `voter${i}@${slug}.example` });
    await verifyVoter(db, { municipality: town.municipality, user, person });
    voters.push(user as SessionUser);
  }
});

afterAll(() => database?.close());

const path = () => `/m/${slug}/rounds/budget/vote/city`;
const params = () => ({ slug, round: "budget", envelope: "city" });

async function page(user: SessionUser, query = "") {
  const browser = await signIn(database.db, user);
  const response = await call(vote.loader, browser, browser.get(path() + query), params());
  expect(response.status).toBe(200);
  return response.json();
}

async function post(user: SessionUser, fields: Record<string, string | string[]>) {
  const browser = await signIn(database.db, user);
  const form: [string, string][] = Object.entries(fields).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v]).map((x) => [k, x] as [string, string]),
  );
  const body = new URLSearchParams(form);
  body.set("_csrf", "t".repeat(32));
  const request = new Request(`http://localhost${path()}`, {
    method: "POST",
    headers: { cookie: browser.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  return call(vote.action, browser, request, params());
}

async function currentBallots() {
  return database.db
    .select({ id: ballots.id, body: ballots.body })
    .from(ballots)
    .where(and(eq(ballots.roundId, round.id), eq(ballots.current, true)));
}

describe("my ballot", () => {
  it("opens with the voter's cast ballot and says when they voted and until when they can change it", async () => {
    const [voter] = voters;
    const before = await page(voter);
    expect(before.mine).toBeNull();
    const cast = await post(voter, { intent: "cast", approved: [p[0], p[1]] });
    expect(cast.status).toBe(200);
    const after = await page(voter);
    expect(after.basket).toEqual({ approved: [p[0], p[1]].sort() });
    expect(after.mine).toMatchObject({ channel: "online" });
    expect(after.mine.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(after.votingEnds).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Another voter's page shows nothing of it.
    expect((await page(voters[1])).mine).toBeNull();
    expect((await page(voters[1])).basket).toEqual({ approved: [] });
  });

  it("a revote lists what it adds and removes, and replaces nothing until the voter confirms", async () => {
    const [voter] = voters;
    const was = await currentBallots();
    const asked = await post(voter, { intent: "cast", approved: [p[1], p[2]] });
    expect(asked.status).toBe(200);
    const outcome = await asked.json();
    expect(outcome.confirm).toEqual({ added: [p[2]], removed: [p[0]], changed: [] });
    expect(outcome.receipt).toBeNull();
    expect(await currentBallots()).toEqual(was);
    const confirmed = await post(voter, { intent: "cast", approved: [p[1], p[2]], replace: "yes" });
    expect((await confirmed.json()).receipt).not.toBeNull();
    const now = await currentBallots();
    expect(now).toHaveLength(1);
    expect(now[0].body).toEqual({ approved: [p[1], p[2]].sort() });
    expect((await page(voter)).basket).toEqual({ approved: [p[1], p[2]].sort() });
  });

  it("a refused basket comes back as sent, with no confirmation asked", async () => {
    const over = p.slice(0, 8); // 8 proposals, far over the envelope's 10 000
    const refused = await post(voters[1], { intent: "cast", approved: over });
    expect(refused.status).toBe(400);
    const outcome = await refused.json();
    expect(outcome.errors.form).toContain("exceeds");
    expect(outcome.submitted).toEqual({ approved: over });
  });

  it("orders the proposals at random per voter, the same on every visit", async () => {
    const first = (await page(voters[1])).proposals.map((x: { id: string }) => x.id);
    const again = (await page(voters[1])).proposals.map((x: { id: string }) => x.id);
    const other = (await page(voters[2])).proposals.map((x: { id: string }) => x.id);
    expect(again).toEqual(first);
    expect([...first].sort()).toEqual([...p].sort());
    // 8 proposals: two voters drawing the same order by chance is 1 in 40 320.
    expect(other).not.toEqual(first);
    expect((await page(voters[1])).envelope.order).toBe("random");
  });

  it("a card's details button keeps the basket and opens the proposal's page", async () => {
    const response = await post(voters[2], { approved: [p[3]], view: p[3] });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(`/m/${slug}/rounds/budget/proposals/${p[3]}`);
    const saved = await database.db
      .select()
      .from(baskets)
      .where(and(eq(baskets.envelopeId, envelopeId), eq(baskets.userId, voters[2].id)));
    expect(saved).toHaveLength(1);
    expect((await page(voters[2])).basket).toEqual({ approved: [p[3]] });
  });

  it("lists the envelope's districts for the filter", async () => {
    const data = await page(voters[2], "?district=x");
    expect(data.filter.district).toBe("x");
    expect(data.districts).toHaveLength(2);
  });

  it("staff choose another order until voting opens, and the change is in the action log", async () => {
    const { db } = database;
    await expect(
      setBallotOrder(db, admin, { roundSlug: "budget", envelopeSlug: "city", order: "cost" }),
    ).rejects.toBeInstanceOf(FrozenError);
    await setBallotOrder(db, admin, {
      roundSlug: "budget",
      envelopeSlug: "city",
      order: "cost",
      now: await beforeVoting(db, round),
    });
    const [row] = await db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
    expect(row.ballotOrder).toBe("cost");
    const logged = await db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, admin.municipality.id), eq(actionLog.action, "envelope.order")));
    expect(logged).toHaveLength(1);
    const data = await page(voters[1]);
    expect(data.envelope.order).toBe("cost");
    expect(data.proposals.map((x: { id: string }) => x.id)).toEqual(p);
  });
});
