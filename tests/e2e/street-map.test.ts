/**
 * The street map of a round's map page (ADR 0035). The demo administrator sets a tile server in the
 * map settings (a refused http address first); then, in English and Persian with JavaScript, the map
 * page fetches Leaflet and the tiles (answered here by the test), draws a circle per placed proposal
 * opening a link to its page, shows the attribution, keeps the list, and the browser reports no
 * policy violation, axe nothing; the page's policy names the tile host, another municipality's does
 * not. Without JavaScript the drawing and the list stay and no tile is asked for. Cleared again, the
 * page fetches neither Leaflet nor tiles. The weights of the map page with and without are printed.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, translator } from "../../app/domain/i18n";
import { makeMunicipality } from "../support/factories";
import { appAndBrowserPerFile, expectAccessible, logIn, switchLanguage } from "../support/e2e-server";

const OTHER = "elsewhere";
const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    prepare: async (db) => {
      await makeMunicipality(db, { slug: OTHER, districts: ["centre"] });
    },
  },
);

const MAP = "/m/demo/rounds/budget-1405/map";
const TILES = "https://tiles.test/{z}/{x}/{y}.png";
const ATTRIBUTION = "© Tiles of the test <b>not bold</b>";
/** A 1×1 PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

interface Watched {
  context: BrowserContext;
  page: Page;
  tileRequests: string[];
  /** Every request of the page, by URL. */
  requests: string[];
  violations: string[];
  /** Compressed bytes received from this site, and from the tile server. */
  bytes: { own: number; tiles: number };
}

/** A fresh visitor (empty cache), tiles answered by the test, policy violations and bytes recorded. */
async function visitor(browser: Browser, javaScriptEnabled: boolean): Promise<Watched> {
  const context = await browser.newContext({ locale: "en-GB", javaScriptEnabled });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const watched: Watched = {
    context,
    page,
    tileRequests: [],
    requests: [],
    violations: [],
    bytes: { own: 0, tiles: 0 },
  };
  await context.route("https://tiles.test/**", (route) => {
    watched.tileRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: "image/png", body: PNG });
  });
  page.on("request", (r) => watched.requests.push(r.url()));
  // A script error (Leaflet's or ours) fails the test like a policy violation.
  page.on("pageerror", (e) => watched.violations.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(m.text())) watched.violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const urls = new Map<string, string>();
  cdp.on("Network.requestWillBeSent", (e: { requestId: string; request: { url: string } }) => {
    urls.set(e.requestId, e.request.url);
  });
  cdp.on("Network.loadingFinished", (e: { requestId: string; encodedDataLength: number }) => {
    const url = urls.get(e.requestId) ?? "";
    if (url.startsWith(env.app.url)) watched.bytes.own += e.encodedDataLength;
    else if (url.startsWith("https://tiles.test/")) watched.bytes.tiles += e.encodedDataLength;
  });
  return watched;
}

/** The map page in `locale` as a first visit: the language chosen, then the page loaded anew and weighed. */
async function openMap(w: Watched, locale: Locale) {
  await w.page.goto(`${env.app.url}${MAP}`);
  await switchLanguage(w.page, locale);
  await w.page.waitForLoadState("networkidle");
  w.tileRequests.length = 0;
  w.requests.length = 0;
  w.bytes.own = 0;
  w.bytes.tiles = 0;
  const response = await w.page.goto(`${env.app.url}${MAP}`, { waitUntil: "networkidle" });
  expect(response?.status()).toBe(200);
  expect(await w.page.locator("html").getAttribute("lang")).toBe(locale);
  return response?.headers()["content-security-policy"] ?? "";
}

const imgSrc = (policy: string) =>
  policy
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("img-src "));

/** Compressed bytes from this site of the map page's first visit, with and without a tile server. */
const weights: Record<"withTiles" | "withoutTiles", Partial<Record<Locale, number>>> = {
  withTiles: {},
  withoutTiles: {},
};
const kb = (n: number) => (n / 1024).toFixed(1);

async function setTiles(browser: Browser, tileUrl: string, attribution: string) {
  const context = await browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await logIn(page, env.app.url, "admin@demo.shora.local");
  await page.goto(`${env.app.url}/m/demo/admin/map`);
  const t = translator("en");
  const form = page.getByRole("form", { name: t("map.admin.tilesTitle") });
  await form.getByLabel(t("map.admin.tileUrl"), { exact: true }).fill(tileUrl);
  await form.getByLabel(t("map.admin.attribution"), { exact: true }).fill(attribution);
  await form.getByRole("button", { name: t("map.admin.tilesSave") }).click();
  return { context, page, t };
}

describe("the street map of a round's map page", () => {
  it("is refused over http with the field named and what was typed kept, then saved over https", async () => {
    const { context, page, t } = await setTiles(env.browser, "http://tiles.test/{z}/{x}/{y}.png", ATTRIBUTION);
    await page.getByRole("alert").waitFor();
    expect(await page.getByRole("alert").textContent()).toContain(t("map.error.tile_url"));
    const field = page.getByLabel(t("map.admin.tileUrl"), { exact: true });
    expect(await field.inputValue()).toBe("http://tiles.test/{z}/{x}/{y}.png");
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    await field.fill(TILES);
    await page.getByRole("button", { name: t("map.admin.tilesSave") }).click();
    await page
      .getByRole("status")
      .filter({ hasText: t("map.admin.tilesSaved") })
      .waitFor();
    expect(await page.getByLabel(t("map.admin.tileUrl"), { exact: true }).inputValue()).toBe(TILES);
    await expectAccessible(page, "map settings with a street map");
    await context.close();
  });

  describe.each(["en", "fa"] as const)("in %s, with JavaScript", (locale) => {
    it("loads the tiles, draws a linked circle per placed proposal and the attribution, keeps the list", async () => {
      const w = await visitor(env.browser, true);
      const policy = await openMap(w, locale);
      expect(imgSrc(policy)).toBe("img-src 'self' data: https://tiles.test");
      const street = w.page.getByTestId("street-map");
      await street.waitFor();
      expect(await street.getAttribute("dir")).toBe("ltr");
      expect(await street.getAttribute("aria-label")).toBe(translator(locale)("map.street.label"));
      // The tiles were asked for and shown.
      await street.locator("img.leaflet-tile-loaded").first().waitFor();
      await w.page.waitForLoadState("networkidle");
      weights.withTiles[locale] = w.bytes.own;
      expect(w.tileRequests.length).toBeGreaterThan(0);
      for (const url of w.tileRequests) expect(url).toMatch(/^https:\/\/tiles\.test\/\d+\/\d+\/\d+\.png$/);
      // The attribution, as text (not markup).
      expect(await street.locator(".leaflet-control-attribution").textContent()).toContain(ATTRIBUTION);
      // The drawing gives way to the street map; the list stays, with the same proposals as the circles.
      expect(await w.page.getByTestId("proposal-map").isVisible()).toBe(false);
      const listed = w.page.locator(".proposal-map-list ol li a");
      const listedHrefs = await listed.evaluateAll((as) => as.map((a) => a.getAttribute("href")));
      const circles = street.locator("path.street-map-point");
      expect(listedHrefs.length).toBeGreaterThan(0);
      expect(await circles.count()).toBe(listedHrefs.length);
      const opened: string[] = [];
      for (let i = 0; i < listedHrefs.length; i++) {
        await circles.nth(i).dispatchEvent("click");
        const link = street.locator(".leaflet-popup-content a");
        await link.waitFor();
        opened.push((await link.getAttribute("href")) ?? "");
        expect(await link.textContent()).toMatch(/^[0-9۰-۹]+\. \S/);
        if (i < listedHrefs.length - 1) {
          await street.locator(".leaflet-popup-close-button").click();
          await street.locator(".leaflet-popup").waitFor({ state: "detached" });
        }
      }
      expect([...opened].sort()).toEqual([...listedHrefs].sort());
      // A circle's link leads to its proposal's page.
      await street.locator(".leaflet-popup-content a").click();
      await w.page.waitForURL(`${env.app.url}${opened.at(-1)}`);
      await w.page.goBack();
      await street.locator("img.leaflet-tile-loaded").first().waitFor();
      expect(w.violations).toEqual([]);
      await expectAccessible(w.page, `street map (${locale})`);
      await w.context.close();
    });
  });

  it("allows the tile host on the pages of that municipality only", async () => {
    const w = await visitor(env.browser, true);
    const response = await w.page.goto(`${env.app.url}/m/${OTHER}`);
    expect(imgSrc(response?.headers()["content-security-policy"] ?? "")).toBe("img-src 'self' data:");
    const home = await w.page.goto(`${env.app.url}/`);
    expect(imgSrc(home?.headers()["content-security-policy"] ?? "")).toBe("img-src 'self' data:");
    await w.context.close();
  });

  describe.each(["en", "fa"] as const)("in %s, without JavaScript", (locale) => {
    it("shows the drawing and the list and asks for no tile", async () => {
      const w = await visitor(env.browser, false);
      await openMap(w, locale);
      const drawing = w.page.getByTestId("proposal-map");
      expect(await drawing.isVisible()).toBe(true);
      const points = await drawing.locator("a.map-point").count();
      expect(points).toBeGreaterThan(0);
      expect(await w.page.locator(".proposal-map-list ol li a").count()).toBe(points);
      expect(await w.page.getByTestId("street-map").count()).toBe(0);
      expect(w.tileRequests).toEqual([]);
      expect(w.requests.filter((u) => /street-map|leaflet/.test(u))).toEqual([]);
      await w.context.close();
    });
  });

  it("once cleared, fetches neither Leaflet nor tiles, and the policy names no tile host", async () => {
    const { context, page, t } = await setTiles(env.browser, "", "");
    await page
      .getByRole("status")
      .filter({ hasText: t("map.admin.tilesCleared") })
      .waitFor();
    await context.close();
    for (const locale of ["en", "fa"] as const) {
      const w = await visitor(env.browser, true);
      const policy = await openMap(w, locale);
      expect(imgSrc(policy)).toBe("img-src 'self' data:");
      expect(await w.page.getByTestId("proposal-map").isVisible()).toBe(true);
      expect(await w.page.getByTestId("street-map").count()).toBe(0);
      expect(w.tileRequests).toEqual([]);
      expect(w.requests.filter((u) => /street-map|leaflet/.test(u))).toEqual([]);
      expect(w.violations).toEqual([]);
      weights.withoutTiles[locale] = w.bytes.own;
      await w.context.close();
    }
    const line = (k: keyof typeof weights) => `en ${kb(weights[k].en ?? 0)} KB, fa ${kb(weights[k].fa ?? 0)} KB`;
    console.log(
      [
        "Map page, first visit, compressed bytes from this site (not logged in):",
        `  with a tile server (after hydration, Leaflet included): ${line("withTiles")}`,
        `  without a tile server:                                   ${line("withoutTiles")}`,
      ].join("\n"),
    );
    // Leaflet, its stylesheet and ours come on top only where a tile server is set, and stay small.
    for (const locale of ["en", "fa"] as const) {
      const extra = (weights.withTiles[locale] ?? 0) - (weights.withoutTiles[locale] ?? 0);
      expect(extra, `street map's own weight (${locale})`).toBeGreaterThan(20 * 1024);
      expect(extra, `street map's own weight (${locale})`).toBeLessThan(50 * 1024);
    }
  });
});
