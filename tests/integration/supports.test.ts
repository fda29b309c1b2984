import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, proposalFollowers, proposalSupports, proposals } from "../../db/schema";
import { follow } from "../../app/services/following/followers.server";
import {
  mergeProposals,
  roundProposalList,
  setSupportRules,
  similarProposals,
  supportProposal,
  supportState,
  supportsForReview,
  withdrawSupport,
} from "../../app/services/proposals/supports.server";
import { readableProposal } from "../../app/services/proposals/comments.server";
import { findRound } from "../../app/services/rounds/rounds-admin.server";
import { RefusedError } from "../../app/services/errors.server";
import { observer, scopeOf, userActor } from "../../app/services/scope";
import { type Member, type Round, makeEnvelope, makeProposal, nationalId, verifyInPerson } from "../support/factories";
import { testDatabase } from "../support/db";
import { type Town, loggedIn, setupTown } from "./verification-setup";
import * as proposalPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal";
import * as proposePage from "../../app/routes/m.$slug.rounds.$round.propose";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
import * as reviewPage from "../../app/routes/m.$slug.admin.rounds.$round.proposals";
import { call } from "../support/requests";

let database: Database;
let town: Town;
let round: Round;
let admin: Member;
let staff: Member;
const ids: Record<string, string> = {};
// The proposals phase lasts from 20 days ago to tomorrow (voting opens in 2 days); review is voting's eve.
const duringProposals = new Date();

const scopeFor = (user: { id: string }) => scopeOf(town.municipality, userActor(user));
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    if (error instanceof RefusedError) return error.code;
    throw error;
  }
  return null;
};

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 4, votingInDays: 2 });
  admin = { ...town.admin, role: "admin" };
  staff = { ...town.staff, role: "staff" };
  round = (await findRound(database.db, town.admin, { slug: town.roundSlug })) as Round;
  const envelope = await makeEnvelope(database.db, {
    by: admin,
    round,
    slug: "city",
    name: { en: "City" },
    amount: 100_000,
  });
  // Residents 1–3 verified in person; resident 4 is not.
  for (const [i, r] of town.residents.slice(0, 3).entries())
    await verifyInPerson(database.db, {
      by: admin,
      user: r,
      person: { nationalId: nationalId(610_000_000 + i * 7), birthDate: "1980-01-01" },
      districtId: town.district.north,
    });
  const author = town.residents[0];
  const make = (title: { en?: string; fa?: string }, cost: number, status: "submitted" | "accepted" = "submitted") =>
    makeProposal(database.db, { by: staff, round, envelope, title, cost, author, status });
  ids.library = await make({ fa: "كتابخانه‌ي محله", en: "Neighbourhood library" }, 5_000);
  ids.library2 = await make({ fa: "کتابخانه محله ۲", en: "A library for the neighbourhood" }, 6_000);
  ids.benches = await make({ en: "Benches by the pond" }, 2_000, "accepted");
  ids.lights = await make({ en: "Street lights" }, 9_000, "accepted");
});
afterAll(() => database.close());

describe("supports", () => {
  it("stay closed until staff open them, and the opening is in the action log", async () => {
    expect(
      await refusal(
        supportProposal(database.db, scopeFor(town.residents[1]), {
          roundSlug: town.roundSlug,
          proposalId: ids.library,
        }),
      ),
    ).toBe("supports_closed");
    // A submitted proposal is not public while supports are closed.
    expect(
      await readableProposal(database.db, scopeOf(town.municipality, observer), {
        roundSlug: town.roundSlug,
        proposalId: ids.library,
      }),
    ).toBeNull();
    await setSupportRules(database.db, town.staff, { roundSlug: town.roundSlug, open: true, threshold: 2 });
    const [logged] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "round.supports")));
    expect(logged.summary).toEqual({ before: { open: false, threshold: null }, after: { open: true, threshold: 2 } });
    const readable = await readableProposal(database.db, scopeOf(town.municipality, observer), {
      roundSlug: town.roundSlug,
      proposalId: ids.library,
    });
    expect(readable?.proposal.id).toBe(ids.library);
  });

  it("refuse a threshold that is not a whole number of at least one", async () => {
    expect(
      await refusal(setSupportRules(database.db, town.staff, { roundSlug: town.roundSlug, open: true, threshold: 0 })),
    ).toBe("support_threshold_invalid");
  });

  it("count one per person per proposal, only from verified residents", async () => {
    const [a, b, , unverified] = town.residents;
    const input = { roundSlug: town.roundSlug, proposalId: ids.library, now: duringProposals };
    await supportProposal(database.db, scopeFor(a), input);
    await supportProposal(database.db, scopeFor(a), input);
    await supportProposal(database.db, scopeFor(b), input);
    expect(await refusal(supportProposal(database.db, scopeFor(unverified), input))).toBe("support_not_eligible");
    const rows = await database.db.select().from(proposalSupports).where(eq(proposalSupports.proposalId, ids.library));
    expect(rows.map((r) => r.userId).sort()).toEqual([a.id, b.id].sort());
    const state = await supportState(database.db, scopeFor(a), input);
    expect(state).toMatchObject({ open: true, supports: 2, mine: true, eligible: true, threshold: 2, reached: true });
    // Supports are never written to the public action log.
    const log = JSON.stringify(
      await database.db.select().from(actionLog).where(eq(actionLog.municipalityId, town.municipality.id)),
    );
    expect(log).not.toContain(a.id);
  });

  it("can be withdrawn during the proposals phase, and the review queue shows who reached the threshold", async () => {
    const c = town.residents[2];
    const input = { roundSlug: town.roundSlug, proposalId: ids.benches, now: duringProposals };
    await supportProposal(database.db, scopeFor(c), input);
    expect((await supportState(database.db, scopeFor(c), input)).supports).toBe(1);
    await withdrawSupport(database.db, scopeFor(c), input);
    expect((await supportState(database.db, scopeFor(c), input)).mine).toBe(false);
    await supportProposal(database.db, scopeFor(c), input);
    const queue = await supportsForReview(database.db, town.staff, { roundSlug: town.roundSlug });
    expect(queue.threshold).toBe(2);
    expect(queue.counts[ids.library]).toBe(2);
    expect(queue.counts[ids.benches]).toBe(1);
    expect(queue.counts[ids.lights]).toBe(0);
  });

  it("cannot be withdrawn (or given) once the proposals phase is over: review has begun", async () => {
    const c = town.residents[2];
    const inVoting = new Date(Date.now() + 3 * 86_400_000);
    const input = { roundSlug: town.roundSlug, proposalId: ids.benches, now: inVoting };
    expect(await refusal(withdrawSupport(database.db, scopeFor(c), input))).toBe("supports_closed");
    expect(await refusal(supportProposal(database.db, scopeFor(c), input))).toBe("supports_closed");
    const [row] = await database.db
      .select()
      .from(proposalSupports)
      .where(and(eq(proposalSupports.proposalId, ids.benches), eq(proposalSupports.userId, c.id)));
    expect(row).toBeDefined();
  });
});

describe("similar proposals, search, sort and pages", () => {
  it("finds the Persian duplicate typed with Arabic letters and a zero-width non-joiner", async () => {
    const found = await similarProposals(database.db, town.staff, {
      roundSlug: town.roundSlug,
      title: "کتابخانه‌ی محله",
    });
    expect(found.map((f) => f.id).sort()).toEqual([ids.library, ids.library2].sort());
    expect(found.every((f) => f.supportable)).toBe(true);
    const english = await similarProposals(database.db, town.staff, {
      roundSlug: town.roundSlug,
      title: "benches at the pond",
    });
    expect(english.map((f) => f.id)).toEqual([ids.benches]);
  });

  it("searches, sorts by supports and cost, and pages the round's list", async () => {
    const list = (query: Record<string, unknown>) =>
      roundProposalList(database.db, scopeOf(town.municipality, observer), { roundSlug: town.roundSlug, query });
    expect((await list({})).total).toBe(4);
    expect((await list({ q: "كتابخانه" })).items.map((i) => i.id).sort()).toEqual([ids.library, ids.library2].sort());
    expect((await list({ sort: "supports" })).items.map((i) => i.id).slice(0, 2)).toEqual([ids.library, ids.benches]);
    expect((await list({ sort: "cost-asc" })).items.map((i) => i.cost)).toEqual([2_000, 5_000, 6_000, 9_000]);
    expect((await list({ sort: "cost-desc" })).items.map((i) => i.cost)).toEqual([9_000, 6_000, 5_000, 2_000]);
    expect((await list({ sort: "newest" })).items[0].id).toBe(ids.lights);
    expect(await list({ page: 7 })).toMatchObject({ page: 1, pages: 1 });
  });
});

describe("merging duplicates", () => {
  it("moves supports (one per person), withdraws the duplicate, points it to the kept one, logs it", async () => {
    const [a, , c] = town.residents;
    await supportProposal(database.db, scopeFor(a), {
      roundSlug: town.roundSlug,
      proposalId: ids.library2,
      now: duringProposals,
    });
    await supportProposal(database.db, scopeFor(c), {
      roundSlug: town.roundSlug,
      proposalId: ids.library2,
      now: duringProposals,
    });
    // Followers move with the supports: c follows the duplicate, a follows both.
    await follow(database.db, { proposalId: ids.library2, userId: c.id });
    await follow(database.db, { proposalId: ids.library2, userId: a.id });
    await follow(database.db, { proposalId: ids.library, userId: a.id });
    await mergeProposals(database.db, town.staff, {
      roundSlug: town.roundSlug,
      fromProposalId: ids.library2,
      intoProposalId: ids.library,
      now: duringProposals,
    });
    const kept = await database.db.select().from(proposalSupports).where(eq(proposalSupports.proposalId, ids.library));
    expect(kept.map((r) => r.userId).sort()).toEqual([a.id, town.residents[1].id, c.id].sort());
    expect(
      await database.db.select().from(proposalSupports).where(eq(proposalSupports.proposalId, ids.library2)),
    ).toEqual([]);
    const followersOf = async (proposalId: string) =>
      (await database.db.select().from(proposalFollowers).where(eq(proposalFollowers.proposalId, proposalId)))
        .map((r) => r.userId)
        .sort();
    expect(await followersOf(ids.library2)).toEqual([]);
    expect((await followersOf(ids.library)).filter((u) => u === a.id || u === c.id)).toEqual([a.id, c.id].sort());
    const [merged] = await database.db.select().from(proposals).where(eq(proposals.id, ids.library2));
    expect(merged).toMatchObject({ status: "withdrawn", mergedIntoId: ids.library });
    const [entry] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "proposal.merge")));
    expect(entry.target).toBe(`proposal:${ids.library2}`);
    expect(entry.summary).toEqual({
      before: { status: "submitted", supports: 2 },
      after: { status: "withdrawn", mergedInto: `proposal:${ids.library}` },
    });
    // Anyone can read the merged one's page, which points to the kept proposal.
    const state = await supportState(database.db, scopeOf(town.municipality, observer), {
      roundSlug: town.roundSlug,
      proposalId: ids.library2,
    });
    expect(state.mergedInto?.id).toBe(ids.library);
    expect(state.open).toBe(false);
    expect(
      await readableProposal(database.db, scopeOf(town.municipality, observer), {
        roundSlug: town.roundSlug,
        proposalId: ids.library2,
      }),
    ).not.toBeNull();
    // It leaves the list, and cannot be supported or merged again.
    const list = await roundProposalList(database.db, scopeOf(town.municipality, observer), {
      roundSlug: town.roundSlug,
      query: {},
    });
    expect(list.items.map((i) => i.id)).not.toContain(ids.library2);
    expect(
      await refusal(supportProposal(database.db, scopeFor(a), { roundSlug: town.roundSlug, proposalId: ids.library2 })),
    ).toBe("supports_closed");
    expect(
      await refusal(
        mergeProposals(database.db, town.staff, {
          roundSlug: town.roundSlug,
          fromProposalId: ids.library2,
          intoProposalId: ids.lights,
        }),
      ),
    ).toBe("merge_not_mergeable");
    expect(
      await refusal(
        mergeProposals(database.db, town.staff, {
          roundSlug: town.roundSlug,
          fromProposalId: ids.lights,
          intoProposalId: ids.lights,
        }),
      ),
    ).toBe("merge_same");
  });

  it("is refused once voting opened", async () => {
    expect(
      await refusal(
        mergeProposals(database.db, town.staff, {
          roundSlug: town.roundSlug,
          fromProposalId: ids.lights,
          intoProposalId: ids.benches,
          now: new Date(Date.now() + 3 * 86_400_000),
        }),
      ),
    ).toBe("merge_frozen");
  });

  it("keeps another municipality's proposals out of reach", async () => {
    const other = await setupTown(database.db, { residents: 1 });
    expect(
      await refusal(
        mergeProposals(database.db, other.staff, {
          roundSlug: other.roundSlug,
          fromProposalId: ids.lights,
          intoProposalId: ids.benches,
        }),
      ),
    ).toBe("support_proposal_not_found");
  });
});

describe("the pages (HTTP, no JavaScript)", () => {
  it("a resident finds a similar proposal from the propose form, supports it and withdraws", async () => {
    const other = await setupTown(database.db, { residents: 1, votingInDays: 2 });
    const otherRound = (await findRound(database.db, other.admin, { slug: other.roundSlug })) as Round;
    const env = await makeEnvelope(database.db, {
      by: { ...other.admin, role: "admin" },
      round: otherRound,
      slug: "parks",
      name: { en: "Parks" },
      amount: 50_000,
    });
    const shade = await makeProposal(database.db, {
      by: { ...other.staff, role: "staff" },
      round: otherRound,
      envelope: env,
      title: { en: "Shade trees in the park", fa: "درختان سایه‌دار در پارک" },
      cost: 900,
    });
    const [resident] = other.residents;
    await verifyInPerson(database.db, {
      by: { ...other.admin, role: "admin" },
      user: resident,
      person: { nationalId: nationalId(620_000_000), birthDate: "1980-01-01" },
      districtId: other.district.south,
    });
    const staffBrowser = await loggedIn(database.db, other.staff.user.email);
    const staffParams = { slug: other.slug, round: other.roundSlug };
    const opened = await call(
      reviewPage.action,
      staffBrowser,
      staffBrowser.post("/", { intent: "supports", open: "on", threshold: "۲" }),
      staffParams,
    );
    expect(opened.status).toBe(200);
    const bad = await call(
      reviewPage.action,
      staffBrowser,
      staffBrowser.post("/", { intent: "supports", open: "on", threshold: "0" }),
      staffParams,
    );
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Record<string, string> }).errors.threshold).toBeTruthy();

    const browser = await loggedIn(database.db, resident.email);
    const params = { slug: other.slug, round: other.roundSlug };
    // Without JavaScript: "check for similar" posts the form and gets it back with the list.
    const checked = await call(
      proposePage.action,
      browser,
      browser.post("/", {
        intent: "similar",
        envelopeSlug: "parks",
        titleFa: "درختان سايه دار پارك",
        bodyFa: "",
        cost: "",
      }),
      params,
    );
    expect(checked.status).toBe(200);
    const back = (await checked.json()) as {
      values: Record<string, string>;
      similar: { id: string; supportable: boolean }[];
    };
    expect(back.values.titleFa).toBe("درختان سايه دار پارك");
    expect(back.similar).toEqual([expect.objectContaining({ id: shade, supportable: true })]);
    // With JavaScript the same list comes from the loader while typing.
    const typed = await call(
      proposePage.loader,
      browser,
      browser.get(`/?similarTitle=${encodeURIComponent("shade trees")}`),
      params,
    );
    expect(((await typed.json()) as { similar: { id: string }[] }).similar.map((x) => x.id)).toEqual([shade]);

    const page = { ...params, proposal: shade };
    const given = await call(proposalPage.action, browser, browser.post("/", { intent: "support" }), page);
    expect(given.status).toBe(200);
    expect(((await given.json()) as { supportNotice: string }).supportNotice).toBe("Your support is recorded.");
    const shown = (await (await call(proposalPage.loader, browser, browser.get("/"), page)).json()) as {
      supports: { supports: number; mine: boolean; threshold: number };
    };
    expect(shown.supports).toMatchObject({ supports: 1, mine: true, threshold: 2 });
    const listed = (await (
      await call(roundPage.loader, browser, browser.get("/?sort=supports&page=1"), params)
    ).json()) as {
      list: { items: { id: string; supports: number }[]; sort: string };
    };
    expect(listed.list.sort).toBe("supports");
    expect(listed.list.items[0]).toMatchObject({ id: shade, supports: 1 });
    const withdrawn = await call(proposalPage.action, browser, browser.post("/", { intent: "unsupport" }), page);
    expect(((await withdrawn.json()) as { supportNotice: string }).supportNotice).toBe("Your support is withdrawn.");
    // The unverified staff member of another town cannot support here: 403 with the reason.
    const stranger = await loggedIn(database.db, town.residents[3].email);
    const refused = await call(proposalPage.action, stranger, stranger.post("/", { intent: "support" }), page);
    expect(refused.status).toBe(403);
  });
});
