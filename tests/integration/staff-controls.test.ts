/**
 * Staff controls that fit a working day (ADR 0028): open voting now, close voting now, run the tally
 * and publish, each behind a server-side confirmation, logged, in one sitting; publication moves the
 * round to its published phase at once; a refused phase change keeps the round's form filled.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, phases } from "../../db/schema";
import * as staffRound from "../../app/routes/m.$slug.admin.rounds.$round._index";
import * as staffTally from "../../app/routes/m.$slug.admin.rounds.$round.tally";
import * as staffProposals from "../../app/routes/m.$slug.admin.rounds.$round.proposals";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
import * as resultsPage from "../../app/routes/m.$slug.rounds.$round.results";
import { BallotRefused } from "../../app/services/ballots/ballots.server";
import { testDatabase } from "../support/db";
import type { TestBrowser } from "../support/requests";
import { call } from "../support/requests";
import {
  castBallots,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  signIn,
  tallyAndPublish,
} from "../support/factories";
import { unique } from "../support/unique";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

async function body(response: Response) {
  return JSON.parse(await response.text());
}

async function setup(phase: "review" | "tallying") {
  const town = await makeMunicipality(database.db, { districts: ["north"] });
  const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@town.example` });
  const round =
    phase === "review"
      ? await makeRound(database.db, { by: town.admin, phase: "review", title: { en: "Parks 1405" } })
      : await makeRound(database.db, {
          by: town.admin,
          spans: [
            ["proposals", -20, -11],
            ["voting", -10, -1],
            ["tallying", 0, 5],
            ["published", 6, 20],
          ],
        });
  const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 10_000 });
  const proposal = await makeProposal(database.db, { by: staff, round, envelope, title: { en: "Trees" }, cost: 3_000 });
  const params = { slug: town.municipality.slug, round: round.slug };
  return {
    town,
    round,
    envelope,
    proposal,
    params,
    staff: await signIn(database.db, staff.user),
    admin: await signIn(database.db, town.admin.user),
  };
}

const phaseOf = async (b: TestBrowser, params: Record<string, string>) =>
  (await body(await call(staffRound.loader, b, b.get("/"), params))).currentPhase;

const logged = async (roundId: string, action: string) =>
  database.db
    .select()
    .from(actionLog)
    .where(and(eq(actionLog.roundId, roundId), eq(actionLog.action, action)));

describe("a whole round in one sitting", () => {
  it("opens voting, closes it, tallies and publishes today, each after a confirmation and logged", async () => {
    const t = await setup("review");
    // Review began today: dated phases alone would keep the round there until tomorrow.
    expect(await phaseOf(t.staff, t.params)).toBe("review");

    // The first press only asks: nothing changes.
    const ask = await call(staffRound.action, t.staff, t.staff.post("/", { intent: "open_voting" }), t.params);
    expect(ask.status).toBe(200);
    expect((await body(ask)).confirm).toBe("open_voting");
    expect(await phaseOf(t.staff, t.params)).toBe("review");
    expect(await logged(t.round.id, "round.open_voting")).toHaveLength(0);

    const open = await call(
      staffRound.action,
      t.staff,
      t.staff.post("/", { intent: "open_voting", confirmed: "yes" }),
      t.params,
    );
    expect(open.status).toBe(200);
    expect((await body(open)).notice).toBe("Voting is open from now.");
    expect(await phaseOf(t.staff, t.params)).toBe("voting");
    expect(await logged(t.round.id, "round.open_voting")).toHaveLength(1);

    await castBallots(database.db, {
      municipality: t.town.municipality,
      round: t.round,
      envelope: t.envelope,
      votes: [{ identity: "v1", body: { approved: [t.proposal] } }],
    });

    const close = await call(
      staffRound.action,
      t.staff,
      t.staff.post("/", { intent: "close_voting", confirmed: "yes" }),
      t.params,
    );
    expect((await body(close)).notice).toBe("Voting is closed. Tallying has started.");
    expect(await phaseOf(t.staff, t.params)).toBe("tallying");
    expect(await logged(t.round.id, "round.close_voting")).toHaveLength(1);
    // The day's ballot stays inside the voting window; no ballot is taken after the close.
    const [voting] = await database.db
      .select()
      .from(phases)
      .where(and(eq(phases.roundId, t.round.id), eq(phases.kind, "voting")));
    expect(voting.closedAt).not.toBeNull();
    await expect(
      castBallots(database.db, {
        municipality: t.town.municipality,
        round: t.round,
        envelope: t.envelope,
        votes: [{ identity: "v2", body: { approved: [t.proposal] } }],
      }),
    ).rejects.toBeInstanceOf(BallotRefused);

    // Voting never reopens; the refusal keeps the round's form as saved (never blanks).
    const reopen = await call(
      staffRound.action,
      t.staff,
      t.staff.post("/", { intent: "open_voting", confirmed: "yes" }),
      t.params,
    );
    expect(reopen.status).toBe(409);
    const refused = await body(reopen);
    expect(Object.values(refused.errors).join(" ")).toContain("never reopens");
    expect(refused.values.titleEn).toBe("Parks 1405");
    expect(refused.values["voting.startsOn"]).toBe(voting.startsOn);

    const askTally = await call(staffTally.action, t.staff, t.staff.post("/", {}), t.params);
    expect((await body(askTally)).confirm).toBe("tally");
    expect(await logged(t.round.id, "tally.run")).toHaveLength(0);
    const tallied = await call(staffTally.action, t.staff, t.staff.post("/", { confirmed: "yes" }), t.params);
    expect((await body(tallied)).ballots).toBe(1);

    // Advancing by dates never reaches the published phase without the results.
    const advance = await call(staffRound.action, t.staff, t.staff.post("/", { intent: "advance" }), t.params);
    expect(advance.status).toBe(409);
    expect(await phaseOf(t.staff, t.params)).toBe("tallying");

    const askPublish = await call(staffTally.action, t.admin, t.admin.post("/", { intent: "publish" }), t.params);
    expect((await body(askPublish)).confirm).toBe("publish");
    expect(await logged(t.round.id, "round.publish")).toHaveLength(0);
    const published = await call(
      staffTally.action,
      t.admin,
      t.admin.post("/", { intent: "publish", confirmed: "yes" }),
      t.params,
    );
    expect((await body(published)).funded).toBe(1);

    // The minute results are published, the round is in its published phase with its results.
    const observer = await signIn(database.db, null);
    const page = await body(await call(roundPage.loader, observer, observer.get("/"), t.params));
    expect(page.currentPhase).toBe("published");
    const results = await call(resultsPage.loader, observer, observer.get("/"), t.params);
    expect(results.status).toBe(200);
    // The tally page no longer offers to run or publish.
    expect((await body(await call(staffTally.loader, t.staff, t.staff.get("/"), t.params))).published).toBe(true);
  });
});

describe("publication", () => {
  it("moves the round to its published phase at once, even on tallying's first day", async () => {
    const t = await setup("tallying");
    await castBallots(database.db, {
      municipality: t.town.municipality,
      round: t.round,
      envelope: t.envelope,
      votes: [{ identity: "v1", body: { approved: [t.proposal] } }],
      at: new Date(Date.now() - 2 * 86_400_000),
    });
    await tallyAndPublish(database.db, { by: t.town.admin, round: t.round });
    const observer = await signIn(database.db, null);
    const page = await body(await call(roundPage.loader, observer, observer.get("/"), t.params));
    expect(page.currentPhase).toBe("published");
  });
});

describe("proposals over their envelope, reviews", () => {
  it("warns about a proposal costing more than its envelope, says a review was saved, shows the note again", async () => {
    const t = await setup("review");
    const created = await call(
      staffProposals.action,
      t.staff,
      t.staff.post("/", { intent: "create", envelopeSlug: "city", titleEn: "Stadium", bodyEn: "Big", cost: "20000" }),
      t.params,
    );
    expect(created.status).toBe(200);
    expect((await body(created)).warning).toContain("costs more than its envelope");
    const list = await body(await call(staffProposals.loader, t.staff, t.staff.get("/"), t.params));
    const stadium = list.proposals.find((p: { title: { en: string } }) => p.title.en === "Stadium");
    const trees = list.proposals.find((p: { title: { en: string } }) => p.title.en === "Trees");
    expect([stadium.overEnvelope, trees.overEnvelope]).toEqual([true, false]);

    const reviewed = await call(
      staffProposals.action,
      t.staff,
      t.staff.post("/", { intent: "accept", proposalId: trees.id, cost: "4000", feasibilityNote: "Needs a permit" }),
      t.params,
    );
    expect((await body(reviewed)).notice).toBe("Review saved.");
    const again = await body(await call(staffProposals.loader, t.staff, t.staff.get("/"), t.params));
    expect(again.proposals.find((p: { id: string }) => p.id === trees.id).feasibilityNote).toBe("Needs a permit");
  });
});
