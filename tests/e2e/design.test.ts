/**
 * The design system and the results page in plain words (ADR 0031), in a real browser: tables read
 * at a phone's width without cutting numbers or words, the tokens every page styles itself with,
 * the focus ring, and results that say in words what the rule is and why each proposal was or was
 * not funded, in English and in Persian. (The screenshots of the main pages at 390 px and 1280 px
 * are taken by tests/e2e/inclusion.test.ts into artifacts/screenshots/.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const RESULTS = "/m/demo/rounds/budget-1404/results";

async function open(locale: Locale, width: number, path = RESULTS) {
  const context = await env.browser.newContext({
    locale: locale === "fa" ? "fa-IR" : "en-GB",
    viewport: { width, height: 900 },
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${env.app.url}${path}`, { waitUntil: "load" });
  await page.locator(`html[lang="${locale}"]`).waitFor({ state: "attached" });
  return page;
}

describe("tables read well on a phone and on a desktop", () => {
  for (const locale of ["en", "fa"] as const)
    for (const width of [390, 1280])
      it(`never cut a number or a word mid-token, and never widen the page (${locale}, ${width} px)`, async () => {
        const page = await open(locale, width);
        const cells = await page.evaluate(() =>
          [...document.querySelectorAll("main th, main td")].map((cell) => {
            const style = getComputedStyle(cell);
            return {
              wrap: style.overflowWrap,
              breaks: style.wordBreak,
              num: cell.classList.contains("num"),
              white: style.whiteSpace,
            };
          }),
        );
        expect(cells.length).toBeGreaterThan(10);
        for (const c of cells) {
          expect(c.wrap).not.toBe("anywhere");
          expect(c.breaks).not.toBe("break-all");
          if (c.num) expect(c.white).toBe("nowrap");
        }
        // Each amount is on one line: its text is no taller than one line of the cell.
        const heights = await page.evaluate(() =>
          [...document.querySelectorAll("main td.num")].map((cell) => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const line = Number.parseFloat(getComputedStyle(cell).lineHeight);
            return { text: cell.textContent, lines: Math.round(range.getBoundingClientRect().height / line) };
          }),
        );
        for (const h of heights) expect(h, h.text ?? "").toMatchObject({ lines: 1 });
        // The page itself never scrolls sideways; wide tables scroll inside their own focusable box.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
        const boxes = await page.evaluate(() =>
          [...document.querySelectorAll("main table")].map((table) => {
            const box = table.parentElement as HTMLElement;
            return { scrolls: getComputedStyle(box).overflowX, focusable: box.tabIndex >= 0 };
          }),
        );
        for (const b of boxes) expect(b).toEqual({ scrolls: "auto", focusable: true });
        await page.context().close();
      });
});

describe("one small design system", () => {
  it("styles every page from tokens: type scale, spacing, colours, cards, badges, a focus ring", async () => {
    const page = await open("en", 1280, "/m/demo/rounds/budget-1404");
    const tokens = await page.evaluate(() => {
      const root = getComputedStyle(document.documentElement);
      return ["--text-sm", "--text-xl", "--space-2", "--space-5", "--accent", "--success", "--radius", "--focus"].map(
        (name) => [name, root.getPropertyValue(name).trim()],
      );
    });
    for (const [name, value] of tokens) expect(value, name).not.toBe("");
    // A heading uses the scale; a link focused by keyboard gets a visible ring.
    const h1 = await page.evaluate(() => getComputedStyle(document.querySelector("h1") as Element).fontSize);
    expect(Number.parseFloat(h1)).toBeGreaterThanOrEqual(26);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as Element);
      return { style: style.outlineStyle, width: Number.parseFloat(style.outlineWidth) };
    });
    expect(ring.style).toBe("solid");
    expect(ring.width).toBeGreaterThanOrEqual(2);
    await page.context().close();
  });
});

describe("results in plain words", () => {
  for (const locale of ["en", "fa"] as const)
    it(`names the rule, explains it and says why each proposal was or was not funded (${locale})`, async () => {
      const t = translator(locale);
      const page = await open(locale, 390);
      const main = (await page.locator("main").textContent()) ?? "";
      // No rule code, no price per unit without words.
      expect(main).not.toMatch(/mes\+greedy|ρ|per unit|Rule:/);
      const rule = (await page.getByTestId("rule").first().textContent()) ?? "";
      expect(rule).toContain(t("explain.ruleTitle"));
      expect(rule).toContain(t("explain.rule.mesGreedy"));
      expect(rule).toContain(t("explain.ruleText.shares"));
      expect(rule).toContain(t("explain.ruleText.completion"));
      // One reason per proposal in the table, each saying funded or not and why.
      const rows = await page.locator("main section table").first().locator("tbody tr").count();
      const reasons = await page.locator(".reason-list").first().locator("li").allTextContents();
      expect(reasons.length).toBe(rows);
      const funded = t("explain.why.shares", { step: "\u0000", payers: "\u0000" }).split("\u0000")[0];
      const fits = t("explain.why.fits", { step: "\u0000", left: "\u0000" }).split("\u0000")[0];
      const notFunded = t("explain.why.sharesShort").split(":")[0];
      for (const r of reasons) expect(r.includes(funded) || r.includes(fits) || r.includes(notFunded), r).toBe(true);
      expect(reasons.some((r) => r.includes(funded))).toBe(true);
      // What the ledger counts that the ballot count does not.
      const ledger = (await page.getByTestId("ledger").textContent()) ?? "";
      expect(ledger).toContain(t("explain.ledger", { size: "\u0000", root: "\u0000" }).split("\u0000")[2].slice(0, 40));
      expect(main).toContain(t("explain.ballots"));
      // Two fingerprints, two names.
      const names = await page.locator(".fingerprints dt").allTextContents();
      expect(names).toEqual([t("explain.bundleFingerprint"), t("explain.rulesFingerprint")]);
      const values = await page.locator(".fingerprints dd code").allTextContents();
      expect(values).toHaveLength(2);
      for (const v of values) expect(v).toMatch(/^[0-9a-f]{64}$/);
      expect(values[0]).not.toBe(values[1]);
      await expectAccessible(page, `results (${locale}, 390 px)`);
      await page.context().close();
    });
});
