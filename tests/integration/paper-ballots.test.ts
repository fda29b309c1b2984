import { randomUUID } from "node:crypto";
import { scopeOf, userActor } from "../../app/services/scope";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, ballots, envelopes, ledgerLeaves, proposals, turnout } from "../../db/schema";
import * as paperPage from "../../app/routes/m.$slug.admin.rounds.$round.paper";
import * as votePage from "../../app/routes/m.$slug.rounds.$round.vote.$envelope";
import { importCensus } from "../../app/services/verification/census.server";
import { PaperBallotsRefused, enterPaperBallots } from "../../app/services/ballots/paper-ballots.server";
import { saveVoterClass } from "../../app/services/verification/eligibility.server";
import { verifyByCensus } from "../../app/services/verification/self-verification.server";
import { call } from "../support/requests";
import { testDatabase } from "../support/db";
import { type Town, censusCsv, loggedIn, nationalId, setupTown, upload } from "./verification-setup";

let database: Database;
let town: Town;
const people = {
  online: nationalId(700000001),
  paper: nationalId(700000002),
  south: nationalId(700000003),
  batch1: nationalId(700000004),
  batch2: nationalId(700000005),
  notInCensus: nationalId(700000099),
};
const proposalIds: string[] = [];

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 2, votingInDays: 20 });
  await importCensus(database.db, town.staff, {
    fileName: "c.csv",
    text: censusCsv([
      [people.online, "1980-01-01", "north", "resident"],
      [people.paper, "1981-02-02", "north", "owner"],
      [people.south, "1982-03-03", "south", "resident"],
      [people.batch1, "1983-04-04", "north", "resident"],
      [people.batch2, "1984-05-05", "north", "resident"],
    ]),
    skipBadRows: false,
  });
  await saveVoterClass(database.db, town.staff, {
    roundSlug: town.roundSlug,
    code: "resident",
    name: { en: "Resident" },
    weight: 1,
  });
  await saveVoterClass(database.db, town.staff, {
    roundSlug: town.roundSlug,
    code: "owner",
    name: { en: "Owner" },
    weight: 3,
  });
  const north = randomUUID();
  const points = randomUUID();
  await database.db.insert(envelopes).values([
    {
      id: north,
      roundId: town.roundId,
      slug: "north",
      name: { en: "North" },
      amount: 1000,
      districtId: town.district.north,
      position: 0,
    },
    {
      id: points,
      roundId: town.roundId,
      slug: "points",
      name: { en: "Points" },
      amount: 1000,
      ballotType: "cumulative",
      maxPoints: 10,
      position: 1,
    },
  ]);
  for (let i = 0; i < 3; i++) {
    const id = randomUUID();
    proposalIds.push(id);
    await database.db.insert(proposals).values({
      id,
      envelopeId: north,
      title: { en: `Proposal ${i + 1}` },
      body: { en: "" },
      cost: 300 + i * 100,
      status: "accepted",
      createdAt: new Date(Date.UTC(2026, 0, i + 1)),
    });
  }
  await database.db.insert(proposals).values({
    id: randomUUID(),
    envelopeId: points,
    title: { en: "Tree" },
    body: { en: "" },
    cost: 10,
    status: "accepted",
  });
  // Open voting now that the rules are set.
  const { phases } = await import("../../db/schema");
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  await database.db
    .update(phases)
    .set({ startsOn: day(-10), endsOn: day(-2) })
    .where(and(eq(phases.roundId, town.roundId), eq(phases.kind, "proposals")));
  await database.db
    .update(phases)
    .set({ startsOn: day(-1) })
    .where(and(eq(phases.roundId, town.roundId), eq(phases.kind, "voting")));
  await verifyByCensus(database.db, scopeOf(town.municipality, userActor(town.residents[0])), {
    nationalId: people.online,
    birthDate: "1980-01-01",
  });
});
afterAll(() => database.close());

const path = () => `/m/${town.slug}/admin/rounds/${town.roundSlug}/paper`;
const params = () => ({ slug: town.slug, round: town.roundSlug });
const paperBallots = () =>
  database.db
    .select()
    .from(ballots)
    .where(and(eq(ballots.roundId, town.roundId), eq(ballots.channel, "paper")));

async function refusedWith(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PaperBallotsRefused) return error.problems;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("paper ballots", () => {
  it("staff enter one paper ballot by printed numbers; weight comes from the census class", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const page = await call(paperPage.loader, staff, staff.get(path()), params());
    expect(page.status).toBe(200);
    const sheet = await page.json();
    expect(
      sheet.sheets[0].proposals.map((p: { number: number; title: { en: string } }) => [p.number, p.title.en]),
    ).toEqual([
      [1, "Proposal 1"],
      [2, "Proposal 2"],
      [3, "Proposal 3"],
    ]);
    const r = await call(
      paperPage.action,
      staff,
      staff.post(path(), {
        intent: "one",
        nationalId: people.paper,
        birthDate: "1981-02-02",
        envelope: "north",
        choices: "1 ۳",
      }),
      params(),
    );
    expect(r.status).toBe(200);
    expect((await r.json()).notice).toBe("1 paper ballot entered.");
    const [row] = await paperBallots();
    expect(row).toMatchObject({ weight: 3, channel: "paper", current: true });
    expect(row.body).toEqual({ approved: [proposalIds[0], proposalIds[2]].sort() });
    const turnoutRows = await database.db
      .select()
      .from(turnout)
      .where(and(eq(turnout.roundId, town.roundId), eq(turnout.channel, "paper")));
    expect(turnoutRows.map((t) => [t.district, t.voterClass, t.voters])).toEqual([[town.district.north, "owner", 1]]);
    const [logged] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "ballot.paper")));
    expect(JSON.stringify(logged)).not.toContain(people.paper);
    expect(logged.target).toBe(`round:${town.roundSlug}`);
  });

  it("refuses a second paper ballot of the same person, and their online ballot afterwards", async () => {
    const problems = await refusedWith(
      enterPaperBallots(database.db, scopeOf(town.staff.municipality, userActor(town.staff.user)), {
        roundSlug: town.roundSlug,
        ballots: [{ line: null, nationalId: people.paper, birthDate: null, envelope: "north", choices: "2" }],
      }),
    );
    expect(problems.map((p) => [p.code, p.field])).toEqual([["already_voted_paper", "nationalId"]]);
    expect(await paperBallots()).toHaveLength(1);
  });

  it("refuses a paper ballot from someone who voted online, with a message naming it", async () => {
    const resident = await loggedIn(database.db, town.residents[0].email);
    const voteParams = { slug: town.slug, round: town.roundSlug, envelope: "north" };
    const cast = await call(
      votePage.action,
      resident,
      resident.post(`/m/${town.slug}/rounds/${town.roundSlug}/vote/north`, {
        intent: "cast",
        approved: proposalIds[1],
      }),
      voteParams,
    );
    expect(cast.status).toBe(200);
    const staff = await loggedIn(database.db, town.staff.user.email);
    const r = await call(
      paperPage.action,
      staff,
      staff.post(path(), { intent: "one", nationalId: people.online, envelope: "north", choices: "1" }),
      params(),
    );
    expect(r.status).toBe(400);
    const body = await r.json();
    expect(body.errors.nationalId).toBe("This person already voted online in this round; the paper ballot is refused.");
    expect(body.values.choices).toBe("1");
  });

  it("names the field of every refusal and stores nothing", async () => {
    const before = (await paperBallots()).length;
    const one = (b: Partial<{ nationalId: string; birthDate: string | null; envelope: string; choices: string }>) =>
      refusedWith(
        enterPaperBallots(database.db, scopeOf(town.staff.municipality, userActor(town.staff.user)), {
          roundSlug: town.roundSlug,
          ballots: [{ line: null, nationalId: people.batch1, birthDate: null, envelope: "north", choices: "1", ...b }],
        }),
      ).then((p) => p.map((x) => [x.code, x.field]));
    expect(await one({ nationalId: "123" })).toEqual([["id_format", "nationalId"]]);
    expect(await one({ nationalId: people.notInCensus })).toEqual([["not_in_census", "nationalId"]]);
    expect(await one({ birthDate: "1999-01-01" })).toEqual([["birth_date_mismatch", "birthDate"]]);
    expect(await one({ envelope: "nowhere" })).toEqual([["envelope_unknown", "envelope"]]);
    expect(await one({ nationalId: people.south })).toEqual([["wrong_district", "envelope"]]);
    expect(await one({ choices: "9" })).toEqual([["choice_unknown", "choices"]]);
    expect(await one({ choices: "1 2 3" })).toEqual([["invalid_ballot", "choices"]]);
    expect(await one({ envelope: "points", choices: "1:11" })).toEqual([["invalid_ballot", "choices"]]);
    expect(await one({ envelope: "points", choices: "1" })).toEqual([["choice_points", "choices"]]);
    expect((await paperBallots()).length).toBe(before);
  });

  it("a CSV is all or nothing: one bad line refuses the file with line numbers; a good file enters every ballot", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const leavesBefore = (await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId)))
      .length;
    const bad = [
      "national_id,birth_date,envelope,choices",
      `${people.batch1},1983-04-04,north,1 2`,
      `${people.batch2},,north,"1,2,3"`,
      `${people.batch1},,points,1:4`,
      `${people.batch1},,north,2`,
    ].join("\n");
    const refused = await call(
      paperPage.action,
      staff,
      upload(staff, path(), { intent: "file" }, { name: "p.csv", text: bad }),
      params(),
    );
    expect(refused.status).toBe(400);
    const body = await refused.json();
    expect(body.problems.map((p: { line: number }) => p.line)).toEqual([3, 5]);
    expect(body.problems[0].message).toMatch(/exceeds/);
    expect(body.problems[1].message).toMatch(/already voted on paper/);
    expect((await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId))).length).toBe(
      leavesBefore,
    );

    const good = [
      "national_id,birth_date,envelope,choices",
      `${people.batch1},1983-04-04,north,1 2`,
      `${people.batch2},,north,"2,3"`,
      `${people.batch1},,points,1:4`,
    ].join("\r\n");
    const ok = await call(
      paperPage.action,
      staff,
      upload(staff, path(), { intent: "file" }, { name: "p.csv", text: good }),
      params(),
    );
    expect(ok.status).toBe(200);
    expect((await ok.json()).notice).toBe("3 paper ballots entered.");
    expect((await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId))).length).toBe(
      leavesBefore + 3,
    );
    expect(await paperBallots()).toHaveLength(4);
  });

  it("refuses a file without the needed columns, naming the column", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const r = await call(
      paperPage.action,
      staff,
      upload(staff, path(), { intent: "file" }, { name: "p.csv", text: "national_id,envelope\n1,north\n" }),
      params(),
    );
    expect(r.status).toBe(400);
    expect((await r.json()).problems).toEqual([{ line: 1, message: "The header must name the column choices." }]);
  });

  it("is for staff only", async () => {
    const resident = await loggedIn(database.db, town.residents[1].email);
    expect((await call(paperPage.loader, resident, resident.get(path()), params())).status).toBe(403);
    const r = await call(
      paperPage.action,
      resident,
      resident.post(path(), { intent: "one", nationalId: people.batch2, envelope: "north", choices: "1" }),
      params(),
    );
    expect(r.status).toBe(403);
  });
});
