import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import * as walkthroughPage from "../../app/routes/m.$slug.rounds.$round.results_.equal-shares";
import * as bundleFile from "../../app/routes/m.$slug.rounds.$round.bundle.$file";
import { formatMoney } from "../../app/domain/i18n";
import { dayIn } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";
import {
  castBallots,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  tallyAndPublish,
} from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
let slug: string;
let currency: string;
const ids: Record<string, string> = {};
const today = dayIn("UTC");
const votingDay = new Date(`${addDays(today, -3)}T12:00:00Z`);

// Budget 1000 and ballots weighing 10 in all: one share is 100. bench (300) is paid first by a and c,
// 75 a share; then neither park (its supporters hold 350 of 600) nor lights (250 of 400: c had spent
// 150 on bench) nor pool (200 of 900) can be paid from the shares, and completion funds park from the
// 700 left, leaving 100.
beforeAll(async () => {
  database = await testDatabase();
  slug = unique("shares");
  const db = database.db;
  const town = await makeMunicipality(db, { slug, name: { en: "Shares town" } });
  currency = town.municipality.currency;
  const round = await makeRound(db, {
    by: town.admin,
    slug: "r",
    title: { en: "R", fa: "دور" },
    description: { en: "" },
    spans: [
      ["voting", -5, -1],
      ["tallying", 0, 3],
    ],
  });
  const envelope = await makeEnvelope(db, {
    by: town.admin,
    round,
    slug: "all",
    name: { en: "All", fa: "همه" },
    amount: 1000,
    tallyRule: "mes",
    tallyCompletion: true,
  });
  for (const [name, fa, cost] of [
    ["park", "پارک", 600],
    ["bench", "نیمکت", 300],
    ["lights", "چراغ‌ها", 400],
    ["pool", "استخر", 900],
  ] as const)
    ids[name] = await makeProposal(db, {
      by: town.admin,
      round,
      envelope,
      title: { en: name, fa },
      body: { en: "" },
      cost,
    });
  const votes: [string, number, string[]][] = [
    ["a", 2, ["park", "bench"]],
    ["b", 2, ["park"]],
    ["c", 2, ["lights", "bench"]],
    ["d", 1, ["pool"]],
    ["e", 1, ["pool"]],
    ["f", 1, ["lights"]],
    ["g", 1, ["park", "lights"]],
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
  await tallyAndPublish(db, { by: town.admin, round });
});
afterAll(() => database.close());

function visitor(locale: "en" | "fa") {
  const browser = new TestBrowser(database.db);
  browser.cookies.set("shora_lang", locale);
  return browser;
}

async function open(locale: "en" | "fa", round = "r", town = slug) {
  const browser = visitor(locale);
  return call(walkthroughPage.loader, browser, browser.get(`/m/${town}/rounds/${round}/results/equal-shares`), {
    slug: town,
    round,
  });
}

describe("the Equal Shares walkthrough of a published round", () => {
  it("replays the published tally.json step by step, with every share and payment", async () => {
    const response = await open("en");
    expect(response.status).toBe(200);
    const { page } = JSON.parse(await response.text());
    const browser = visitor("en");
    const tallyJson = JSON.parse(
      await (await call(bundleFile.loader, browser, browser.get("/"), { slug, round: "r", file: "tally.json" })).text(),
    );
    const published = tallyJson.envelopes[0];
    const [envelope] = page.envelopes;
    expect(envelope.walk.consistent).toBe(true);
    expect(envelope.walk.steps.map((s: { project: string }) => s.project)).toEqual(published.selected);
    expect(published.selected).toEqual([ids.bench, ids.park]);
    expect(envelope.walk.share).toBe(100);
    expect(envelope.walk.steps[0]).toMatchObject({ phase: "mes", price: 75, payers: 4, fromShares: 300 });
    expect(envelope.walk.steps[1]).toMatchObject({ phase: "greedy", fromBudget: 600, leftInBudget: 100 });
    expect(envelope.walk.weights).toEqual([
      { weight: 2, ballots: 3 },
      { weight: 1, ballots: 4 },
    ]);
    const lights = envelope.walk.unfunded.find((u: { project: string }) => u.project === ids.lights);
    expect(lights).toMatchObject({
      supportersLeft: 250,
      needed: 150,
      spentOn: [{ project: ids.bench, amount: 150 }],
      leftAtTurn: 100,
    });
  });

  it("says in English and in Persian why a proposal was not funded, and what greedy would have done", async () => {
    for (const locale of ["en", "fa"] as const) {
      const { words } = JSON.parse(await (await open(locale)).text());
      const text = words.all;
      const money = (n: number) => formatMoney(locale, n, currency);
      const lights = text.unfunded.find((u: { id: string }) => u.id === ids.lights).text;
      const pool = text.unfunded.find((u: { id: string }) => u.id === ids.pool).text;
      if (locale === "en") {
        expect(lights).toContain(`lights (${money(400)}) needed ${money(150)} more from its supporters`);
        expect(lights).toContain(`who had spent their shares on bench (${money(150)})`);
        expect(lights).toContain(`only ${money(100)} remained at its turn`);
        expect(pool).toContain(`needed ${money(700)} more from its supporters: their shares together held only`);
        expect(text.steps[0]).toContain(`each share paid ${money(75)}`);
        expect(text.shares).toContain(`so one share is ${money(1000)} ÷ 10 = ${money(100)}`);
        expect(text.greedy).toBe("On these ballots the greedy rule would have funded the same proposals.");
      } else {
        expect(lights).toContain(`چراغ‌ها (${money(400)}) به ${money(150)} بیشتر از پشتیبانانش نیاز داشت`);
        expect(lights).toContain(`سهم خود را برای نیمکت (${money(150)}) خرج کرده بودند`);
        expect(text.steps[0]).toContain(`هر سهم ${money(75)} داد`);
        expect(text.shares).toContain("۱۰");
        expect(lights).not.toMatch(/[0-9]/);
      }
    }
  });

  it("is a 404 before publication and for another municipality's address", async () => {
    const db = database.db;
    const other = await makeMunicipality(db, { slug: unique("other") });
    await makeRound(db, { by: other.admin, slug: "r", phase: "voting" });
    expect((await open("en", "r", other.municipality.slug)).status).toBe(404);
    expect((await open("en", "nope")).status).toBe(404);
  });
});
