/**
 * The fixture kit (tests/support/factories) keeps its promises: a round is at the phase asked for in
 * the municipality's own day, proposals have the status and author asked for, a census row verifies
 * its resident, and a published round has funded proposals — all made by the product's services,
 * whose action log shows it.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, ballots, proposals, verifications } from "../../db/schema";
import { currentPhase, dayIn, phaseKinds } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";
import { roundForStaff } from "../../app/services/rounds/rounds-admin.server";
import {
  type Town,
  castBallots,
  censusRows,
  makeCensus,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  phasesAt,
  tallyAndPublish,
  verifyVoter,
} from "../support/factories";
import { testDatabase, unique } from "../support/db";

let database: Database;
let town: Town;

beforeAll(async () => {
  database = await testDatabase();
  // Tehran: its day differs from UTC's for three and a half hours, where a phase off by one would show.
  town = await makeMunicipality(database.db, { timeZone: "Asia/Tehran", districts: ["north", "south"] });
});
afterAll(() => database.close());

const phaseToday = async (slug: string) => {
  const view = await roundForStaff(database.db, town.admin, { slug });
  return currentPhase(view?.phases ?? [], dayIn(town.municipality.timeZone))?.kind ?? null;
};

describe("the fixture kit", () => {
  it("makes a round at each phase asked for, today in the municipality's time zone", async () => {
    for (const phase of phaseKinds.filter((k) => k !== "information")) {
      const round = await makeRound(database.db, { by: town.admin, phase });
      expect(await phaseToday(round.slug), phase).toBe(phase);
    }
    const consultation = await makeRound(database.db, { by: town.admin, kind: "consultation", phase: "information" });
    expect(await phaseToday(consultation.slug)).toBe("information");
    expect(() => phasesAt("consultation", "voting")).toThrow("a consultation round has no voting phase");
  });

  it("makes proposals with the status and author asked for, through the services that log them", async () => {
    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@kit.example` });
    const author = await makeUser(database.db, { email: `${unique("author")}@kit.example` });
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round, districtId: town.districts.south });
    const onBallot = await makeProposal(database.db, { by: staff, round, envelope, title: { en: "Staff" } });
    const submitted = await makeProposal(database.db, {
      by: staff,
      round,
      envelope,
      title: { en: "Submitted" },
      author,
      status: "submitted",
    });
    const accepted = await makeProposal(database.db, { by: staff, round, envelope, title: { en: "Accepted" }, author });
    const rows = await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(onBallot)).toMatchObject({ status: "accepted", authorId: staff.user.id });
    expect(byId.get(submitted)).toMatchObject({ status: "submitted", authorId: author.id, reviewedBy: null });
    expect(byId.get(accepted)).toMatchObject({ status: "accepted", authorId: author.id, reviewedBy: staff.user.id });
    expect(rows.every((r) => r.districtId === town.districts.south)).toBe(true);
    const logged = await database.db
      .select({ action: actionLog.action })
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.roundId, round.id)));
    expect(logged.map((l) => l.action).sort()).toEqual([
      "envelope.create",
      "proposal.create",
      "proposal.review",
      "round.create",
    ]);
  });

  it("verifies a resident from an imported census row, in that row's district and class", async () => {
    const people = censusRows({
      count: 4,
      first: 410_000_000,
      districts: ["north", "south"],
      classes: ["works-here", "resident"],
    });
    await makeCensus(database.db, { by: town.admin, rows: people });
    const resident = await makeUser(database.db, { email: `${unique("resident")}@kit.example` });
    await verifyVoter(database.db, { municipality: town.municipality, user: resident, person: people[1] });
    const [row] = await database.db.select().from(verifications).where(eq(verifications.userId, resident.id));
    expect(row).toMatchObject({ method: "census", districtId: town.districts.south, voterClass: "resident" });
    expect(row.revokedAt).toBeNull();
  });

  it("casts ballots in the voting days and publishes the round with its funded proposals (3 votes for the park, which fits; 2 for the pool, which no longer fits)", async () => {
    const today = dayIn(town.municipality.timeZone);
    const round = await makeRound(database.db, {
      by: town.admin,
      spans: [
        ["voting", -5, -1],
        ["tallying", 0, 3],
      ],
    });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 1_000 });
    const [park, pool] = [
      await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Park" }, cost: 600 }),
      await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Pool" }, cost: 900 }),
    ];
    await castBallots(database.db, {
      municipality: town.municipality,
      round,
      envelope,
      at: new Date(`${addDays(today, -3)}T12:00:00+03:30`),
      votes: [
        { identity: "a", body: { approved: [park] } },
        { identity: "b", body: { approved: [park] } },
        { identity: "c", body: { approved: [pool] } },
        { identity: "d", body: { approved: [pool] } },
        { identity: "e", body: { approved: [park] } },
      ],
    });
    expect(await database.db.select().from(ballots).where(eq(ballots.roundId, round.id))).toHaveLength(5);
    await tallyAndPublish(database.db, { by: town.admin, round });
    const statuses = await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id));
    expect(Object.fromEntries(statuses.map((p) => [p.title.en, p.status]))).toEqual({
      Park: "funded",
      Pool: "accepted",
    });
  });
});
