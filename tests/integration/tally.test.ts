import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { readKey, roundSecretName } from "../../db/keystore";
import { actionLog, type envelopes, phases, proposals, roundSecrets, tallies, users } from "../../db/schema";
import * as tallyPage from "../../app/routes/m.$slug.admin.rounds.$round.tally";
import { parsePb, writePb } from "../../app/domain/pbfile";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { tally } from "../../app/domain/tally";
import { envelopeElection, runRoundTally } from "../../app/services/tally/tally.server";
import { TestBrowser, call } from "../support/requests";
import { logInThroughForm } from "../support/log-in";
import { castBallots, makeEnvelope, makeMember, makeMunicipality, makeProposal, makeRound } from "../support/factories";
import { testDatabase, unique } from "../support/db";
import { userActor } from "../../app/services/scope";
import { roundScope } from "../support/scopes";

let database: Database;
let slug: string;
let municipalityId: string;
let roundId: string;
let envelope: typeof envelopes.$inferSelect;
const ids: Record<string, string> = {};
const today = dayIn("UTC");
const votingDay = new Date(`${addDays(today, -3)}T12:00:00Z`);

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("tally");
  const db = database.db;
  const town = await makeMunicipality(db, {
    slug,
    name: { en: "Tally town" },
    admin: { displayName: "Ada", password: "tally password 1" },
  });
  municipalityId = town.municipality.id;
  const staff = await makeMember(db, {
    by: town.admin,
    email: `staff@${slug}.example`,
    displayName: "Sam",
    password: "tally password 1",
  });
  const round = await makeRound(db, {
    by: town.admin,
    slug: "r",
    title: { en: "R" },
    description: { en: "" },
    spans: [
      ["voting", -5, -1],
      ["tallying", 0, 3],
    ],
  });
  roundId = round.id;
  envelope = await makeEnvelope(db, {
    by: town.admin,
    round,
    slug: "all",
    name: { en: "All" },
    amount: 1000,
    tallyRule: "mes",
    tallyCompletion: true,
  });
  for (const [name, cost] of [
    ["park", 600],
    ["bench", 300],
    ["lights", 400],
    ["pool", 900],
  ] as const)
    ids[name] = await makeProposal(db, { by: staff, round, envelope, title: { en: name }, body: { en: "" }, cost });
  // 3 voters of weight 2 (residents) and 4 of weight 1; one revotes.
  const votes: [string, number, string[]][] = [
    ["a", 2, ["park", "bench"]],
    ["b", 2, ["park"]],
    ["c", 2, ["lights", "bench"]],
    ["d", 1, ["pool"]],
    ["e", 1, ["pool"]],
    ["f", 1, ["bench"]],
    ["g", 1, ["park", "lights"]],
    ["f", 1, ["lights"]],
  ];
  await castBallots(db, {
    municipality: town.municipality,
    round,
    envelope,
    at: votingDay,
    votes: votes.map(([who, weight, picks]) => ({
      identity: who,
      weight,
      district: "d",
      voterClass: weight === 2 ? "resident" : "commuter",
      body: { approved: picks.map((p) => ids[p]) },
    })),
  });
});
afterAll(() => database.close());

describe("running a round's tally", () => {
  it("counts the current weighted ballots with the envelope's rule, the same as the engine on the exported file", async () => {
    const staff = {
      user: {
        id: (
          await database.db
            .select()
            .from(users)
            .where(eq(users.email, `staff@${slug}.example`))
        )[0].id,
        displayName: "Sam",
      },
      municipality: { id: municipalityId, slug, timeZone: "UTC" },
    };
    const scope = await roundScope(database.db, roundId, userActor(staff.user));
    const outcome = await runRoundTally(database.db, scope, { roundSlug: "r" });
    const election = await envelopeElection(database.db, scope, { envelope, roundSlug: "r" });
    expect(election.ballots).toHaveLength(7); // the superseded ballot is not counted
    expect(election.ballots.reduce((s, b) => s + b.weight, 0)).toBe(10);
    // The published .pb form gives the same outcome when re-read by an observer.
    const reread = parsePb(writePb(election));
    const expected = tally(reread, { rule: "mes+greedy", tieBreak: "cost-votes-seed", seed: outcome.seed });
    expect(outcome.outcomes).toEqual([{ envelope: "all", rule: "mes+greedy", selected: expected.selected }]);
    expect(expected.selected.length).toBeGreaterThan(0);
    const rows = await database.db.select().from(tallies).where(eq(tallies.roundId, roundId));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      ballots: 7,
      voters: 10,
      ledgerSize: 8,
      rule: "mes+greedy",
      selected: expected.selected,
    });
    const log = await database.db.select().from(actionLog).where(eq(actionLog.action, "tally.run"));
    expect(log.filter((l) => l.municipalityId === municipalityId)).toHaveLength(1);
  });

  it("publishes: final checkpoint, voter-key secret destroyed, winners funded, results public; only once", async () => {
    const { publishRound } = await import("../../app/services/tally/publish.server");
    const resultsPage = await import("../../app/routes/m.$slug.rounds.$round.results");
    const staffId = (
      await database.db
        .select()
        .from(users)
        .where(eq(users.email, `staff@${slug}.example`))
    )[0].id;
    const access = await roundScope(database.db, roundId, userActor({ id: staffId }));
    const observer = new TestBrowser(database.db);
    const before = JSON.parse(
      await (await call(resultsPage.loader, observer, observer.get("/"), { slug, round: "r" })).text(),
    );
    expect(before.results).toBeNull();
    const published = await publishRound(database.db, access, { roundSlug: "r" });
    const [latest] = await database.db.select().from(tallies).where(eq(tallies.roundId, roundId));
    expect(published.funded).toEqual(latest.selected);
    const [secret] = await database.db.select().from(roundSecrets).where(eq(roundSecrets.roundId, roundId));
    expect(readKey(roundSecretName(roundId))).toBeNull();
    expect(secret.destroyedAt).not.toBeNull();
    const statuses = await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id));
    expect(
      statuses
        .filter((p) => p.status === "funded")
        .map((p) => p.id)
        .sort(),
    ).toEqual([...latest.selected].sort());
    const page = JSON.parse(
      await (await call(resultsPage.loader, observer, observer.get("/"), { slug, round: "r" })).text(),
    );
    expect(page.results.envelopes[0].proposals.filter((p: { selected: boolean }) => p.selected)).toHaveLength(
      latest.selected.length,
    );
    expect(page.results.envelopes[0].ballots).toBe(7);
    expect(page.results.finalCheckpoint.treeSize).toBe(8);
    await expect(publishRound(database.db, access, { roundSlug: "r" })).rejects.toMatchObject({
      code: "already_published",
    });
    const log = await database.db.select().from(actionLog).where(eq(actionLog.action, "round.publish"));
    expect(log.filter((l) => l.municipalityId === municipalityId)).toHaveLength(1);
  });

  it("shows staff the outcome and trace, and refuses to run outside the tallying phase", async () => {
    const browser = await logInThroughForm(database.db, {
      email: `staff@${slug}.example`,
      password: "tally password 1",
    });
    const page = JSON.parse(
      await (await call(tallyPage.loader, browser, browser.get("/"), { slug, round: "r" })).text(),
    );
    expect(page.envelopes[0].tally.selected.length).toBeGreaterThan(0);
    expect(page.envelopes[0].tally.trace[0]).toMatchObject({ step: 1, phase: "mes" });
    expect(page.envelopes[0].stale).toBe(false);
    const turnoutPage = await import("../../app/routes/m.$slug.admin.rounds.$round.turnout");
    const turnout = JSON.parse(
      await (await call(turnoutPage.loader, browser, browser.get("/"), { slug, round: "r" })).text(),
    );
    // 7 people voted (one of them twice): turnout counts people, by class, never ballots or choices.
    expect(turnout.rows.reduce((s: number, r: { voters: number }) => s + r.voters, 0)).toBe(7);
    expect(turnout.rows.map((r: { voterClass: string; voters: number }) => [r.voterClass, r.voters]).sort()).toEqual([
      ["commuter", 4],
      ["resident", 3],
    ]);
    expect(JSON.stringify(turnout)).not.toContain(ids.park);
    await database.db
      .update(phases)
      .set({ startsOn: addDays(today, 1), endsOn: addDays(today, 3) })
      .where(and(eq(phases.kind, "tallying"), eq(phases.roundId, roundId)));
    const refused = await call(tallyPage.action, browser, browser.post("/", { confirmed: "yes" }), { slug, round: "r" });
    expect(refused.status).toBe(409);
    expect(JSON.parse(await refused.text()).errors.form).toBe(
      "The tally can run only in the tallying phase, after voting has closed.",
    );
  });
});
