/**
 * The map of a round's proposals (ADR 0035), in English and Persian, with JavaScript on and off: the
 * demo round page links to its map page, which shows the demo districts' outlines drawn on the server
 * and a numbered, linked point per placed proposal, with the same proposals listed beside; the round
 * page's filter is carried to the map page, which narrows both. Axe finds nothing on either page.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, translator } from "../../app/domain/i18n";
import { DEMO_POINTS } from "../../app/services/demo/demo-map.server";
import { appAndBrowserPerFile, expectAccessible, logIn, switchLanguage } from "../support/e2e-server";
import { IDEAS, addIdeasRound } from "../support/ideas-round";

const env = appAndBrowserPerFile({ beforeAll, afterAll }, { prepare: addIdeasRound });

const ROUND = "/m/demo/rounds/budget-1405";
const PLAYGROUND = { en: "Playground renovation in Laleh park", fa: "نوسازی زمین بازی پارک لاله" };
const NORTH = { en: "North district", fa: "منطقهٔ شمال" };
/** The north district's proposals with a point in the demo. */
const NORTH_PLACED = 6;

async function open(browser: Browser, locale: Locale, javaScriptEnabled: boolean): Promise<Page> {
  const page = await (await browser.newContext({ locale: "en-GB", javaScriptEnabled })).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${env.app.url}${ROUND}`);
  await switchLanguage(page, locale);
  return page;
}

async function expectMap(page: Page, locale: Locale, points: number) {
  const map = page.getByTestId("proposal-map");
  await map.waitFor();
  expect(await map.locator(".map-district path").count()).toBe(3);
  expect(await map.locator(".map-district text").allTextContents()).toContain(NORTH[locale]);
  const links = map.locator("a.map-point");
  expect(await links.count()).toBe(points);
  for (const href of await links.evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
    expect(href).toMatch(new RegExp(`^${ROUND}/proposals/[0-9a-f-]{36}$`));
  }
  // The list beside has the same proposals, in the same order as the numbers on the map.
  const listed = page.locator(".proposal-map-list ol li a");
  expect(await listed.count()).toBe(points);
  const titles = await map.locator("a.map-point title").allTextContents();
  const names = await listed.allTextContents();
  expect(titles.map((t) => t.replace(/^[^.]+\.\s/, ""))).toEqual(names);
}

describe.each([
  ["en", true],
  ["en", false],
  ["fa", true],
  ["fa", false],
] as const)("the round's map in %s, JavaScript %s", (locale, js) => {
  const t = translator(locale);

  it("shows the district outlines, every placed proposal as a linked point, and the list beside", async () => {
    const page = await open(env.browser, locale, js);
    // The round page links to the map; it does not draw it (nor repeat its links).
    expect(await page.getByTestId("proposal-map").count()).toBe(0);
    await page.getByRole("link", { name: t("map.pageLink"), exact: true }).click();
    await page.waitForURL((u) => u.pathname === `${ROUND}/map`);
    await expectMap(page, locale, Object.keys(DEMO_POINTS).length);
    expect(await page.locator(".proposal-map-list").textContent()).toContain(PLAYGROUND[locale]);
    await expectAccessible(page, `map page (${locale})`);
    // A point leads to its proposal.
    await page.getByTestId("proposal-map").locator("a.map-point").first().click();
    await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/);
    await page.context().close();
  });

  it("narrows the map with the list's filter, and the map page takes the same parameters", async () => {
    const page = await open(env.browser, locale, js);
    await page.getByLabel(t("rounds.filter.district"), { exact: true }).selectOption({ label: NORTH[locale] });
    await page.getByRole("button", { name: t("rounds.filter.apply"), exact: true }).click();
    await page.waitForURL(/district=/);
    await page.getByRole("link", { name: t("map.pageLink"), exact: true }).click();
    await page.waitForURL(/\/map\?.*district=/);
    await expectMap(page, locale, NORTH_PLACED);
    expect(await page.getByLabel(t("rounds.filter.district"), { exact: true }).inputValue()).not.toBe("");
    await expectAccessible(page, `map page, one district (${locale})`);
    await page.context().close();
  });
});

/** Where the picture of the districts writes a district's name: the spot to click for that district. */
async function labelSpot(locale: Locale, name: string): Promise<{ x: number; y: number }> {
  const svg = await (await fetch(`${env.app.url}/m/demo/districts.svg?lang=${locale}`)).text();
  const match = new RegExp(`<text x="([\\d.]+)" y="([\\d.]+)"[^>]*>${name}</text>`).exec(svg);
  if (!match) throw new Error(`no label ${name} in the districts picture`);
  return { x: Math.round(Number(match[1])), y: Math.round(Number(match[2])) };
}

describe.each([
  ["en", false],
  ["fa", false],
  ["en", true],
  ["fa", true],
] as const)("a proposal placed with a click on the districts map, in %s, JavaScript %s", (locale, js) => {
  const t = translator(locale);

  it("the author proposes, opens the point form from the round page, clicks inside north, and it is saved there", async () => {
    const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: js })).newPage();
    page.setDefaultTimeout(20_000);
    await logIn(page, env.app.url, locale === "en" ? "resident1@demo.shora.local" : "resident2@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/rounds/${IDEAS}/propose`);
    await switchLanguage(page, locale);
    const title = `${locale === "fa" ? "نیمکت‌های تازه" : "New benches"} ${js ? "js" : "html"}`;
    await page.getByLabel(t(locale === "fa" ? "rounds.proposal.titleFa" : "rounds.proposal.titleEn")).fill(title);
    await page
      .getByLabel(t(locale === "fa" ? "rounds.proposal.bodyFa" : "rounds.proposal.bodyEn"))
      .fill(locale === "fa" ? "چند نیمکت کنار خیابان." : "A few benches by the street.");
    await page.getByLabel(t("rounds.proposal.cost", { currency: "IRR" })).fill("1000000");
    await page.getByRole("button", { name: t("rounds.proposal.submit"), exact: true }).click();
    await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/);
    await page.goto(`${env.app.url}/m/demo/rounds/${IDEAS}`);
    await page
      .locator("li", { hasText: title })
      .getByRole("link", { name: t("map.point.link"), exact: true })
      .first()
      .click();
    await page.waitForURL(/\/point$/);
    expect(await page.getByTestId("current-point").textContent()).toBe(t("map.point.none"));
    const picture = page.getByRole("button", { name: t("map.pick.alt"), exact: true });
    await picture.click({ position: await labelSpot(locale, NORTH[locale]) });
    await page.waitForURL(/\/point\?saved=1$/);
    expect(await page.getByRole("status").textContent()).toBe(t("map.point.saved"));
    expect(await page.getByTestId("current-point").textContent()).toContain(NORTH[locale]);
    await expectAccessible(page, `point form after a click (${locale}, JavaScript ${js})`);
    await page.context().close();
  });
});
