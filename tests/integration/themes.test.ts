/**
 * Themes of a round (ADR 0032): staff define them on the envelopes page, a proposal carries one (staff
 * on create and review, the resident on the propose form), the ballot page filters by theme and
 * district without changing the per-voter order, and round.json carries each proposal's theme.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, proposals, roundThemes } from "../../db/schema";
import * as envelopesPage from "../../app/routes/m.$slug.admin.rounds.$round.envelopes";
import * as staffProposals from "../../app/routes/m.$slug.admin.rounds.$round.proposals";
import * as vote from "../../app/routes/m.$slug.rounds.$round.vote.$envelope";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
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
import { TestBrowser, call } from "../support/requests";
import { privateDatabase, unique } from "../support/db";
import { matchesFilter } from "../../app/domain/ballots/basket";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { observer, scopeOf } from "../../app/services/scope";
import { seedDemo } from "../../app/services/demo/demo.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";

let database: Database;
let drop: () => Promise<void>;
let admin: Member;
let round: Round;
let slug: string;
let voter: SessionUser;
let north: string;
let south: string;
const p: string[] = [];
const themes = new Map<string, string>();

beforeAll(async () => {
  // The demo has one slug: on PostgreSQL its own database, so no other file's demo (and key store) is met.
  ({ database, drop } = await privateDatabase());
  const { db } = database;
  slug = unique("themes");
  const town = await makeMunicipality(db, {
    slug,
    districts: [
      { code: "north", name: { en: "North", fa: "شمال" } },
      { code: "south", name: { en: "South", fa: "جنوب" } },
    ],
  });
  admin = town.admin;
  north = town.districts.north;
  south = town.districts.south;
  round = await makeRound(db, { by: admin, slug: "budget", phase: "voting" });
  const envelope = await makeEnvelope(db, { by: admin, round, slug: "city", amount: 10_000 });
  // Staff add the themes on the round's envelopes page.
  const staff = await signIn(db, admin.user as SessionUser);
  const where = `/m/${slug}/admin/rounds/budget/envelopes`;
  const params = { slug, round: "budget" };
  for (const [themeSlug, en, fa] of [
    ["parks", "Parks", "پارک‌ها"],
    ["streets", "Streets", "خیابان‌ها"],
  ]) {
    const response = await call(
      envelopesPage.action,
      staff,
      staff.post(where, { intent: "theme", themeSlug, themeNameEn: en, themeNameFa: fa }),
      params,
    );
    expect(response.status).toBe(200);
  }
  for (const row of await db.select().from(roundThemes).where(eq(roundThemes.roundId, round.id)))
    themes.set(row.slug, row.id);
  for (let i = 0; i < 6; i++)
    p.push(
      await makeProposal(db, {
        by: admin,
        round,
        envelope,
        title: { en: `Proposal ${i}`, fa: `طرح ${i}` },
        cost: 1_000 + i * 100,
        districtId: i % 2 ? south : north,
        themeId: i < 3 ? themes.get("parks") : themes.get("streets"),
      }),
    );
  const people = censusRows({ count: 1, first: 600_000_000, districts: ["north"] });
  await makeCensus(db, { by: admin, rows: people });
  voter = (await makeUser(db, { email: `voter@${slug}.example` })) as SessionUser;
  await verifyVoter(db, { municipality: town.municipality, user: voter, person: people[0] });
});

afterAll(() => drop?.());

async function ballotPage(query = "") {
  const browser = await signIn(database.db, voter);
  const response = await call(vote.loader, browser, browser.get(`/m/${slug}/rounds/budget/vote/city${query}`), {
    slug,
    round: "budget",
    envelope: "city",
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe("themes", () => {
  it("staff define themes on the round's envelopes page, logged in the action log", async () => {
    expect([...themes.keys()].sort()).toEqual(["parks", "streets"]);
    const logged = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, admin.municipality.id), eq(actionLog.action, "theme.create")));
    expect(logged).toHaveLength(2);
    const staff = await signIn(database.db, admin.user as SessionUser);
    const page = await (
      await call(envelopesPage.loader, staff, staff.get(`/m/${slug}/admin/rounds/budget/envelopes`), {
        slug,
        round: "budget",
      })
    ).json();
    expect(page.themes.map((t: { name: { fa: string } }) => t.name.fa)).toEqual(["پارک‌ها", "خیابان‌ها"]);
  });

  it("a theme without a name in either language is refused, naming the field", async () => {
    const staff = await signIn(database.db, admin.user as SessionUser);
    const response = await call(
      envelopesPage.action,
      staff,
      staff.post(`/m/${slug}/admin/rounds/budget/envelopes`, { intent: "theme", themeSlug: "empty" }),
      { slug, round: "budget" },
    );
    expect(response.status).toBe(400);
    expect(Object.keys((await response.json()).errors)).toContain("themeNameEn");
  });

  it("a proposal's theme must be one of the round's themes", async () => {
    const staff = await signIn(database.db, admin.user as SessionUser);
    const response = await call(
      staffProposals.action,
      staff,
      staff.post(`/m/${slug}/admin/rounds/budget/proposals`, {
        intent: "create",
        envelopeSlug: "city",
        titleEn: "Elsewhere",
        bodyEn: "A theme of another round",
        cost: "100",
        themeId: "not-a-theme",
      }),
      { slug, round: "budget" },
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const rows = await database.db.select().from(proposals).where(eq(proposals.id, "not-a-theme"));
    expect(rows).toHaveLength(0);
  });

  it("the ballot page shows each card's theme and filters by theme and district, keeping the voter's order", async () => {
    const all = await ballotPage();
    expect(all.themes.map((t: { id: string }) => t.id).sort()).toEqual([...themes.values()].sort());
    const card = all.proposals.find((x: { id: string }) => x.id === p[0]);
    expect(card.theme).toEqual({ en: "Parks", fa: "پارک‌ها" });
    const parks = await ballotPage(`?theme=${themes.get("parks")}&district=${south}`);
    expect(parks.filter).toEqual({ theme: themes.get("parks"), district: south });
    // The same proposals in the same order: the filter only hides cards.
    expect(parks.proposals.map((x: { id: string }) => x.id)).toEqual(all.proposals.map((x: { id: string }) => x.id));
    const shown = parks.proposals.filter((x: { districtId: string; themeId: string }) =>
      matchesFilter(x, parks.filter),
    );
    expect(shown.map((x: { id: string }) => x.id)).toEqual([p[1]]);
  });

  it("a ballot cast from a filtered page keeps choices the filter hides", async () => {
    const browser = await signIn(database.db, voter);
    const body = new URLSearchParams([
      ["intent", "cast"],
      ["approved", p[0]],
      ["approved", p[4]],
      ["_csrf", "t".repeat(32)],
    ]);
    const response = await call(
      vote.action,
      browser,
      new Request(`http://localhost/m/${slug}/rounds/budget/vote/city?theme=${themes.get("parks")}`, {
        method: "POST",
        headers: { cookie: browser.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
        body,
      }),
      { slug, round: "budget", envelope: "city" },
    );
    expect(response.status).toBe(200);
    expect((await ballotPage(`?theme=${themes.get("parks")}`)).basket).toEqual({ approved: [p[0], p[4]].sort() });
  });

  it("the round page shows each proposal's theme", async () => {
    const browser = new TestBrowser(database.db);
    const response = await call(roundPage.loader, browser, browser.get(`/m/${slug}/rounds/budget`), {
      slug,
      round: "budget",
    });
    const data = await response.json();
    const row = data.envelopes[0].proposals.find((x: { id: string }) => x.id === p[5]);
    expect(row.theme).toEqual({ en: "Streets", fa: "خیابان‌ها" });
  });

  it("round.json carries each proposal's theme (the demo's published round)", async () => {
    const { db } = database;
    await seedDemo(db, { now: new Date() });
    const municipality = await findMunicipality(db, "demo");
    if (!municipality) throw new Error("no demo municipality");
    const bundle = await roundBundle(db, scopeOf(municipality, observer), { roundSlug: "budget-1404" });
    const file = bundle?.files.find((f) => f.name === "round.json");
    const roundJson = JSON.parse(file?.bytes.toString("utf8") ?? "{}");
    const doc = roundJson.proposals.find((x: { title: { en: string } }) => x.title.en === "Library reading garden");
    expect(doc.theme).toEqual({ slug: "green", name: { en: "Parks and nature", fa: "پارک و طبیعت" } });
    expect(roundJson.proposals.every((x: { theme?: unknown }) => x.theme)).toBe(true);
  });
});
