import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, envelopes, phases, proposals, roundSecrets, rounds } from "../../db/schema";
import * as staffRounds from "../../app/routes/m.$slug.admin.rounds._index";
import * as staffRound from "../../app/routes/m.$slug.admin.rounds.$round._index";
import * as staffEnvelopes from "../../app/routes/m.$slug.admin.rounds.$round.envelopes";
import * as staffProposals from "../../app/routes/m.$slug.admin.rounds.$round.proposals";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
import * as propose from "../../app/routes/m.$slug.rounds.$round.propose";
import * as editProposal from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal_.edit";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { TestBrowser, call } from "../support/requests";
import { logInThroughForm } from "../support/log-in";
import { testDatabase, unique } from "../support/db";
import { makeMember, makeMunicipality, makeUser } from "../support/factories";

let database: Database;
let slug: string;
let municipalityId: string;
const PASSWORD = "rounds test password";
const today = dayIn("UTC");
const day = (n: number) => addDays(today, n);

async function loggedIn(email: string) {
  return logInThroughForm(database.db, { email, password: PASSWORD });
}

async function json(response: Response) {
  return JSON.parse(await response.text());
}

/** Phase fields of a round whose `current` phase includes today. */
function phaseFields(current: "proposals" | "review" | "voting") {
  const spans = {
    proposals: { proposals: [-5, 5], review: [6, 8], voting: [9, 20] },
    review: { proposals: [-10, -3], review: [-2, 4], voting: [5, 20] },
    voting: { proposals: [-20, -11], review: [-10, -1], voting: [0, 10] },
  }[current];
  const fields: Record<string, string> = {};
  for (const [kind, [a, b]] of Object.entries(spans)) {
    fields[`${kind}.startsOn`] = day(a);
    fields[`${kind}.endsOn`] = day(b);
  }
  return fields;
}

async function createRoundAs(staff: TestBrowser, roundSlug: string, current: "proposals" | "review" | "voting") {
  const response = await call(
    staffRounds.action,
    staff,
    staff.post(`/m/${slug}/admin/rounds`, {
      slug: roundSlug,
      kind: "budgeting",
      titleEn: `Budget ${roundSlug}`,
      titleFa: "بودجه",
      descriptionEn: "What the city builds next",
      ...phaseFields(current),
    }),
    { slug },
  );
  expect(response.status).toBe(302);
  return response;
}

async function addEnvelope(staff: TestBrowser, roundSlug: string, fields: Record<string, string> = {}) {
  return call(
    staffEnvelopes.action,
    staff,
    staff.post(`/m/${slug}/admin/rounds/${roundSlug}/envelopes`, {
      slug: "parks",
      nameEn: "Parks",
      amount: "1000000",
      ballotType: "approval",
      tallyRule: "mes",
      tallyCompletion: "on",
      ...fields,
    }),
    { slug, round: roundSlug },
  );
}

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("city");
  const town = await makeMunicipality(database.db, {
    slug,
    name: { en: "City" },
    admin: { displayName: "Ada Admin", password: PASSWORD },
  });
  municipalityId = town.municipality.id;
  await makeMember(database.db, { by: town.admin, email: `staff@${slug}.example`, password: PASSWORD });
  for (const who of ["resident", "neighbour"])
    await makeUser(database.db, { email: `${who}@${slug}.example`, password: PASSWORD });
});
afterAll(() => database.close());

describe("staff: rounds and phases", () => {
  it("creates a round with phases and logs the action", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    const response = await createRoundAs(staff, "r-create", "proposals");
    expect(response.headers.get("location")).toBe(`/m/${slug}/admin/rounds/r-create`);
    const [round] = await database.db
      .select()
      .from(rounds)
      .where(and(eq(rounds.municipalityId, municipalityId), eq(rounds.slug, "r-create")));
    expect(round.title).toEqual({ en: "Budget r-create", fa: "بودجه" });
    const rows = await database.db.select().from(phases).where(eq(phases.roundId, round.id));
    expect(rows.map((p) => p.kind).sort()).toEqual(["proposals", "review", "voting"]);
    const log = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, municipalityId), eq(actionLog.target, "round:r-create")));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ action: "round.create", actorName: "staff" });
  });

  it("refuses overlapping or reversed phases with 400 naming the field, and writes nothing", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    const response = await call(
      staffRounds.action,
      staff,
      staff.post(`/m/${slug}/admin/rounds`, {
        slug: "r-bad",
        kind: "budgeting",
        titleEn: "Bad",
        "proposals.startsOn": day(0),
        "proposals.endsOn": day(10),
        "review.startsOn": day(10),
        "review.endsOn": day(12),
        "voting.startsOn": day(20),
        "voting.endsOn": day(15),
      }),
      { slug },
    );
    expect(response.status).toBe(400);
    const data = await json(response);
    expect(data.errors["voting.endsOn"]).toBe("The last day of Voting is before its first day.");
    expect(data.values.titleEn).toBe("Bad");
    const overlap = await call(
      staffRounds.action,
      staff,
      staff.post(`/m/${slug}/admin/rounds`, {
        slug: "r-bad",
        kind: "budgeting",
        titleEn: "Bad",
        ...phaseFields("proposals"),
        "review.startsOn": day(5),
      }),
      { slug },
    );
    expect(overlap.status).toBe(400);
    expect((await json(overlap)).errors["review.startsOn"]).toBe("Review must start after Proposals ends.");
    expect(await database.db.select().from(rounds).where(eq(rounds.slug, "r-bad"))).toHaveLength(0);
  });

  it("advances to the next phase now", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-advance", "proposals");
    const response = await call(staffRound.action, staff, staff.post("/", { intent: "advance" }), {
      slug,
      round: "r-advance",
    });
    expect(response.status).toBe(200);
    expect((await json(response)).notice).toBe("The round is now in the phase: Review.");
    const page = await json(await call(staffRound.loader, staff, staff.get("/"), { slug, round: "r-advance" }));
    expect(page.currentPhase).toBe("review");
    expect(page.values["proposals.endsOn"]).toBe(day(-1));
  });

  it("is closed to residents", async () => {
    const resident = await loggedIn(`resident@${slug}.example`);
    const response = await call(
      staffRounds.action,
      resident,
      resident.post("/", { slug: "r-x", kind: "budgeting", titleEn: "X", ...phaseFields("proposals") }),
      { slug },
    );
    expect(response.status).toBe(403);
    expect((await call(staffEnvelopes.loader, resident, resident.get("/"), { slug, round: "r-create" })).status).toBe(
      403,
    );
  });
});

describe("staff: envelopes and the freeze", () => {
  it("validates impossible envelopes with messages", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-env", "proposals");
    const zero = await addEnvelope(staff, "r-env", { amount: "0" });
    expect(zero.status).toBe(400);
    expect((await json(zero)).errors.amount).toBe("The amount must be more than zero.");
    const minMax = await addEnvelope(staff, "r-env", { minProjects: "4", maxProjects: "2" });
    expect((await json(minMax)).errors.minProjects).toBe("The minimum is larger than the maximum.");
    const k = await addEnvelope(staff, "r-env", { ballotType: "k-approval" });
    expect((await json(k)).errors.maxProjects).toBe(
      "A k-approval ballot needs k, the most proposals a ballot may choose.",
    );
    const ok = await addEnvelope(staff, "r-env");
    expect(ok.status).toBe(200);
    const rows = await database.db
      .select()
      .from(envelopes)
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .where(and(eq(rounds.slug, "r-env"), eq(rounds.municipalityId, municipalityId)));
    expect(rows).toHaveLength(1);
    expect(rows[0].envelopes).toMatchObject({ amount: 1000000, tallyRule: "mes", tallyCompletion: true });
  });

  it("refuses every change to envelopes and proposals once voting has opened", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-frozen", "proposals");
    expect((await addEnvelope(staff, "r-frozen")).status).toBe(200);
    // Move voting to today: the rules freeze.
    const [round] = await database.db
      .select()
      .from(rounds)
      .where(and(eq(rounds.slug, "r-frozen"), eq(rounds.municipalityId, municipalityId)));
    await database.db.delete(phases).where(eq(phases.roundId, round.id));
    await database.db
      .insert(phases)
      .values({ id: randomUUID(), roundId: round.id, kind: "voting", startsOn: day(0), endsOn: day(5) });
    const change = await addEnvelope(staff, "r-frozen", { originalSlug: "parks", amount: "5" });
    expect(change.status).toBe(409);
    expect((await json(change)).errors.form).toBe(
      "Voting has opened: the Envelopes of this round can no longer be changed.",
    );
    const remove = await call(
      staffEnvelopes.action,
      staff,
      staff.post("/", { intent: "delete", originalSlug: "parks" }),
      { slug, round: "r-frozen" },
    );
    expect(remove.status).toBe(409);
    const create = await call(
      staffProposals.action,
      staff,
      staff.post("/", { intent: "create", envelopeSlug: "parks", titleEn: "Late", bodyEn: "Too late", cost: "10" }),
      { slug, round: "r-frozen" },
    );
    expect(create.status).toBe(409);
    const [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.roundId, round.id));
    expect(envelope.amount).toBe(1000000);
    expect(await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id))).toHaveLength(0);
  });
});

describe("a published round", () => {
  it("keeps its title, description and dates: the signed bundle carries them", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-published", "voting");
    const [round] = await database.db
      .select()
      .from(rounds)
      .where(and(eq(rounds.slug, "r-published"), eq(rounds.municipalityId, municipalityId)));
    const edit = (titleEn: string) =>
      call(
        staffRound.action,
        staff,
        staff.post("/", {
          intent: "save",
          titleEn,
          titleFa: "بودجه",
          descriptionEn: "What the city builds next",
          ...phaseFields("voting"),
        }),
        { slug, round: "r-published" },
      );
    // Before publication a text can still be corrected…
    expect((await edit("Budget, corrected")).status).toBe(200);
    // …after it (the round's secret destroyed, as publishRound does), nothing changes.
    await database.db.insert(roundSecrets).values({ roundId: round.id, destroyedAt: new Date() });
    const refused = await edit("Budget, rewritten after the results");
    expect(refused.status).toBe(409);
    expect((await json(refused)).errors.form).toBe(
      "The results of this round are published: its title, description and dates can no longer be changed.",
    );
    const [after] = await database.db.select().from(rounds).where(eq(rounds.id, round.id));
    expect(after.title).toMatchObject({ en: "Budget, corrected" });
    // The staff page says so instead of offering the forms.
    const page = await call(staffRound.loader, staff, staff.get(`/m/${slug}/admin/rounds/r-published`), {
      slug,
      round: "r-published",
    });
    expect(await json(page)).toMatchObject({ published: true });
  });
});

describe("proposals: residents submit, staff review", () => {
  it("lets a resident submit during the proposals phase, edit while awaiting review, and hides it from the public until accepted", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-prop", "proposals");
    await addEnvelope(staff, "r-prop");
    const resident = await loggedIn(`resident@${slug}.example`);
    const bad = await call(
      propose.action,
      resident,
      resident.post("/", { envelopeSlug: "parks", titleEn: "", bodyEn: "x", cost: "-5" }),
      { slug, round: "r-prop" },
    );
    expect(bad.status).toBe(400);
    const badData = await json(bad);
    expect(badData.errors.cost).toBe("Cost must be at least 1.");
    const sent = await call(
      propose.action,
      resident,
      resident.post("/", {
        envelopeSlug: "parks",
        titleEn: "Bench <b>by</b> the pond",
        titleFa: "نیمکت کنار برکه",
        bodyEn: "Two benches",
        cost: "5000",
        location: "Pond",
      }),
      { slug, round: "r-prop" },
    );
    expect(sent.status).toBe(302);
    const id = (sent.headers.get("location") ?? "").split("/").pop() ?? "";
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, id));
    expect(row).toMatchObject({
      status: "submitted",
      cost: 5000,
      location: "Pond",
      title: { en: "Bench <b>by</b> the pond", fa: "نیمکت کنار برکه" },
    });

    const observer = new TestBrowser(database.db);
    const publicPage = await json(
      await call(roundPage.loader, observer, observer.get(`/m/${slug}/rounds/r-prop`), { slug, round: "r-prop" }),
    );
    expect(publicPage.proposalCount).toBe(0);
    const authorPage = await json(
      await call(roundPage.loader, resident, resident.get(`/m/${slug}/rounds/r-prop`), { slug, round: "r-prop" }),
    );
    expect(authorPage.mine).toEqual([{ id, title: row.title, status: "submitted" }]);

    const neighbour = await loggedIn(`neighbour@${slug}.example`);
    const foreign = await call(
      editProposal.action,
      neighbour,
      neighbour.post("/", { intent: "save", envelopeSlug: "parks", titleEn: "Mine now", bodyEn: "x", cost: "1" }),
      { slug, round: "r-prop", proposal: id },
    );
    expect(foreign.status).toBe(403);
    const edited = await call(
      editProposal.action,
      resident,
      resident.post("/", {
        intent: "save",
        envelopeSlug: "parks",
        titleEn: "Three benches",
        bodyEn: "Three",
        cost: "7000",
      }),
      { slug, round: "r-prop", proposal: id },
    );
    expect(edited.status).toBe(302);

    // Staff accept with a final cost: now it is public.
    const accepted = await call(
      staffProposals.action,
      staff,
      staff.post("/", { intent: "accept", proposalId: id, cost: "8000", feasibilityNote: "Feasible" }),
      { slug, round: "r-prop" },
    );
    expect(accepted.status).toBe(200);
    const after = await json(
      await call(roundPage.loader, observer, observer.get(`/m/${slug}/rounds/r-prop`), { slug, round: "r-prop" }),
    );
    expect(after.proposalCount).toBe(1);
    expect(after.envelopes[0].proposals[0]).toMatchObject({
      id,
      cost: 8000,
      status: "accepted",
      title: { en: "Three benches" },
    });
    // Once accepted, the author can no longer edit it.
    const late = await call(
      editProposal.action,
      resident,
      resident.post("/", { intent: "save", envelopeSlug: "parks", titleEn: "Again", bodyEn: "x", cost: "1" }),
      { slug, round: "r-prop", proposal: id },
    );
    expect(late.status).toBe(409);
    const log = await database.db
      .select()
      .from(actionLog)
      .where(eq(actionLog.target, `proposal:${id}`));
    expect(log.map((l) => l.action)).toEqual(["proposal.review"]);
  });

  it("requires a reason to reject, shows it, and posts official responses", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-review", "proposals");
    await addEnvelope(staff, "r-review");
    const resident = await loggedIn(`resident@${slug}.example`);
    const sent = await call(
      propose.action,
      resident,
      resident.post("/", { envelopeSlug: "parks", titleEn: "Fountain", bodyEn: "Gold fountain", cost: "900000" }),
      { slug, round: "r-review" },
    );
    const id = (sent.headers.get("location") ?? "").split("/").pop() ?? "";
    const noReason = await call(
      staffProposals.action,
      staff,
      staff.post("/", { intent: "reject", proposalId: id, reason: " " }),
      { slug, round: "r-review" },
    );
    expect(noReason.status).toBe(400);
    expect((await json(noReason)).errors.reason).toBe("Reason for rejection is required.");
    expect((await database.db.select().from(proposals).where(eq(proposals.id, id)))[0].status).toBe("submitted");
    const rejected = await call(
      staffProposals.action,
      staff,
      staff.post("/", { intent: "reject", proposalId: id, reason: "Too costly for the envelope" }),
      { slug, round: "r-review" },
    );
    expect(rejected.status).toBe(200);
    const respond = await call(
      staffProposals.action,
      staff,
      staff.post("/", { intent: "respond", proposalId: id, response: "We will look at water features next year." }),
      { slug, round: "r-review" },
    );
    expect(respond.status).toBe(200);
    const [row] = await database.db.select().from(proposals).where(eq(proposals.id, id));
    expect(row).toMatchObject({
      status: "rejected",
      rejectionReason: "Too costly for the envelope",
      officialResponse: "We will look at water features next year.",
    });
    const observer = new TestBrowser(database.db);
    const page = await json(
      await call(roundPage.loader, observer, observer.get(`/m/${slug}/rounds/r-review?status=rejected`), {
        slug,
        round: "r-review",
      }),
    );
    expect(page.envelopes[0].proposals.map((p: { id: string }) => p.id)).toEqual([id]);
  });

  it("refuses submissions outside the proposals phase and lets the author withdraw", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-closed", "review");
    await addEnvelope(staff, "r-closed");
    const resident = await loggedIn(`resident@${slug}.example`);
    const closed = await call(
      propose.action,
      resident,
      resident.post("/", { envelopeSlug: "parks", titleEn: "Late idea", bodyEn: "x", cost: "10" }),
      { slug, round: "r-closed" },
    );
    expect(closed.status).toBe(409);
    expect((await json(closed)).errors.form).toBe("Proposals can be submitted only during the proposals phase.");

    await createRoundAs(staff, "r-withdraw", "proposals");
    await addEnvelope(staff, "r-withdraw");
    const sent = await call(
      propose.action,
      resident,
      resident.post("/", { envelopeSlug: "parks", titleEn: "Idea", bodyEn: "x", cost: "10" }),
      { slug, round: "r-withdraw" },
    );
    const id = (sent.headers.get("location") ?? "").split("/").pop() ?? "";
    const withdrawn = await call(editProposal.action, resident, resident.post("/", { intent: "withdraw" }), {
      slug,
      round: "r-withdraw",
      proposal: id,
    });
    expect(withdrawn.status).toBe(302);
    expect((await database.db.select().from(proposals).where(eq(proposals.id, id)))[0].status).toBe("withdrawn");
  });

  it("filters the public list by envelope, district, status and text", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    await createRoundAs(staff, "r-filter", "proposals");
    await addEnvelope(staff, "r-filter");
    await addEnvelope(staff, "r-filter", { slug: "streets", nameEn: "Streets" });
    for (const [envelopeSlug, titleEn] of [
      ["parks", "Tree planting"],
      ["parks", "Skate park"],
      ["streets", "Tree-lined street"],
    ]) {
      const r = await call(
        staffProposals.action,
        staff,
        staff.post("/", { intent: "create", envelopeSlug, titleEn, bodyEn: "Body 100%", cost: "100" }),
        { slug, round: "r-filter" },
      );
      expect(r.status).toBe(200);
    }
    const observer = new TestBrowser(database.db);
    const get = async (query: string) =>
      json(
        await call(roundPage.loader, observer, observer.get(`/m/${slug}/rounds/r-filter?${query}`), {
          slug,
          round: "r-filter",
        }),
      );
    expect((await get("")).proposalCount).toBe(3);
    expect((await get("q=tree")).proposalCount).toBe(2);
    expect((await get("q=tree&envelope=streets")).proposalCount).toBe(1);
    expect((await get("q=100%25")).proposalCount).toBe(3);
    expect((await get("q=nothing-like-this")).proposalCount).toBe(0);
    expect((await get("status=funded")).proposalCount).toBe(0);
  });
});
