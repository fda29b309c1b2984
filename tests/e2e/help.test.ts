/**
 * The help centre in the browser, JavaScript off (ADR 0037): every guide and the accessibility
 * statement open in English and in Persian, right to left, axe-clean, the Persian text not the English;
 * the help centre searches; help pages print without menus; every resident and staff page's help link
 * leads to a guide; an error page links to what to do next; staff write a local page that residents
 * then read in their language; a new resident gets from the home page to a cast ballot by the words of
 * the getting-started guide alone.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { helpGuides } from "../../app/domain/help/catalogue";
import { type Locale, direction, translator } from "../../app/domain/i18n";
import { censusPerson, solarHijri, typed } from "../support/census-people";
import { appAndBrowserPerFile, confirmAddressByMail, expectAccessible, logIn } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

async function noScript(locale: Locale): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({
    locale: locale === "fa" ? "fa-IR" : "en-GB",
    javaScriptEnabled: false,
  });
  await context.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

const mainText = async (page: Page) => ((await page.locator("main").textContent()) ?? "").replace(/\s+/g, " ");

describe("every guide, in both languages", () => {
  const texts: Record<Locale, Record<string, string>> = { en: {}, fa: {} };
  for (const locale of ["en", "fa"] as const) {
    it(`opens, reads right and passes axe (${locale})`, async () => {
      const { context, page } = await noScript(locale);
      const addresses = ["/help", "/accessibility", ...helpGuides.map((g) => `/help/${g.slug}`)];
      for (const address of addresses) {
        const response = await page.goto(`${env.app.url}${address}`);
        expect(response?.status(), address).toBe(200);
        expect(await page.locator("html").getAttribute("lang")).toBe(locale);
        expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
        const title = (await page.locator("main h1").textContent())?.trim() ?? "";
        expect(title, address).not.toBe("");
        texts[locale][address] = await mainText(page);
        // Ten Persian words in a row: Persian prose, not a Persian title over English text.
        if (locale === "fa") expect(texts[locale][address], address).toMatch(/(?:[\u0600-\u06ff\u200c]+[\s،]+){10}/);
        await expectAccessible(page, `${address} (${locale})`);
      }
      await context.close();
    });
  }

  it("has Persian text of its own on every page, never the English", () => {
    for (const [address, en] of Object.entries(texts.en)) {
      const fa = texts.fa[address];
      expect(fa, `${address} in Persian`).toBeTruthy();
      expect(fa, address).not.toBe(en);
      // No English paragraph carried over: the first sentence of the English page is not on the Persian one.
      expect(fa, address).not.toContain(en.slice(en.indexOf(" ") + 1, en.indexOf(" ") + 60));
    }
  });
});

describe("searching and printing", () => {
  it("finds guides by their words, in English and in Persian", async () => {
    for (const [locale, query, expected] of [
      ["en", "receipt", "/help/receipt"],
      ["fa", "رسید", "/help/receipt"],
      ["fa", "كد نامه", "/help/verify"],
    ] as const) {
      const t = translator(locale);
      const { context, page } = await noScript(locale);
      await page.goto(`${env.app.url}/help`);
      await page.getByLabel(t("help.search.label")).fill(query);
      await page.getByRole("button", { name: t("help.search.submit"), exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/help" && u.searchParams.get("q") === query);
      const results = page.locator(".help-results a");
      expect(await results.evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toContain(expected);
      await expectAccessible(page, `search ${query}`);
      await context.close();
    }
  });

  it("prints a guide without the menus, the help link or the search", async () => {
    const { context, page } = await noScript("en");
    await page.goto(`${env.app.url}/help/vote`);
    await page.emulateMedia({ media: "print" });
    for (const selector of [".site-header", ".site-footer", ".help-crumbs", ".help-print-note"])
      expect(await page.locator(selector).first().isVisible(), selector).toBe(false);
    expect(await page.locator("main h1").isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });
    expect(await page.locator(".site-header").isVisible()).toBe(true);
    await context.close();
  });
});

/** Pages of each kind of task, and the guide their help link must open. */
const residentPages: [string, string][] = [
  ["/", "/help/getting-started"],
  ["/signup", "/help/account"],
  ["/login", "/help/account"],
  ["/m/demo", "/help/getting-started"],
  ["/m/demo/rounds/budget-1405", "/help/getting-started"],
  ["/m/demo/rounds/budget-1405/results", "/help/results"],
  ["/m/demo/rounds/budget-1405/receipt", "/help/receipt"],
  ["/m/demo/rounds/budget-1405/implementation", "/help/follow"],
  ["/m/demo/log", "/help/verify-bundle"],
  ["/privacy", "/help/safe-use"],
];
const staffPages: [string, string][] = [
  ["/m/demo/admin", "/help/staff-round"],
  ["/m/demo/admin/moderation", "/help/staff-moderation"],
  ["/m/demo/admin/verifications", "/help/staff-census"],
  ["/m/demo/admin/rounds/budget-1405/paper", "/help/staff-census"],
];

async function followHelpLink(page: Page, address: string, guide: string, locale: Locale) {
  const response = await page.goto(`${env.app.url}${address}`);
  expect(response?.status(), address).toBe(200);
  const link = page.getByRole("link", { name: translator(locale)("help.link"), exact: true });
  expect(await link.count(), `${address} has one help link`).toBe(1);
  await link.click();
  await page.waitForURL((u) => u.pathname === guide);
  expect((await page.locator("main h1").textContent())?.trim(), `${address} → ${guide}`).not.toBe("");
}

describe("help where it is needed", () => {
  it("links every resident page to the guide for its task", async () => {
    for (const locale of ["en", "fa"] as const) {
      const { context, page } = await noScript(locale);
      for (const [address, guide] of residentPages) await followHelpLink(page, address, guide, locale);
      await context.close();
    }
  });

  it("links every staff page to the staff guides", async () => {
    const { context, page } = await noScript("en");
    await logIn(page, env.app.url, "staff@demo.shora.local");
    for (const [address, guide] of staffPages) await followHelpLink(page, address, guide, "en");
    await context.close();
  });

  it("sends an error page's reader to what to do next", async () => {
    for (const locale of ["en", "fa"] as const) {
      const t = translator(locale);
      const { context, page } = await noScript(locale);
      const response = await page.goto(`${env.app.url}/no-such-page`);
      expect(response?.status()).toBe(404);
      await page.getByRole("link", { name: t("help.nextStepLink"), exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/help/problems" && u.hash === "#page-not-found");
      expect(await page.locator("#page-not-found").count()).toBe(1);
      // The old address of a FAQ leads to the questions.
      await page.goto(`${env.app.url}/faq`);
      expect(new URL(page.url()).pathname).toBe("/help/faq");
      await context.close();
    }
  });
});

describe("a municipality's own pages", () => {
  it("are written by staff without JavaScript and read by residents in their language", async () => {
    const t = translator("en");
    const { context, page } = await noScript("en");
    // A resident may not open the editor.
    expect((await page.goto(`${env.app.url}/m/demo/admin/help`))?.status()).toBe(403);
    await logIn(page, env.app.url, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin/help`);
    await expectAccessible(page, "local help editor");
    await page.getByLabel(t("help.admin.slug")).fill("council-office");
    await page.getByLabel(t("help.admin.titleEn")).fill("The council office");
    await page.getByLabel(t("help.admin.titleFa")).fill("دفتر شورا");
    await page.getByLabel(t("help.admin.bodyEn")).fill("## Where\n\nMain street 1, <b>desk 3</b>.\n\n- Open mornings");
    await page.getByLabel(t("help.admin.bodyFa")).fill("## کجا\n\nخیابان اصلی، میز ۳.\n\n- صبح‌ها باز است");
    await page.getByRole("button", { name: t("help.admin.save"), exact: true }).click();
    await expect
      .poll(() => page.locator("main").textContent())
      .toContain(t("help.admin.saved", { title: "The council office" }));
    // Changing it.
    await page.getByRole("link", { name: t("help.admin.change"), exact: true }).click();
    await page.getByLabel(t("help.admin.titleEn")).fill("The council's office");
    await page.getByRole("button", { name: t("help.admin.save"), exact: true }).click();
    await expect
      .poll(() => page.locator("main").textContent())
      .toContain(t("help.admin.saved", { title: "The council's office" }));
    await context.close();

    for (const locale of ["en", "fa"] as const) {
      const reader = await noScript(locale);
      await reader.page.goto(`${env.app.url}/m/demo/help`);
      const link = reader.page.getByRole("link", { name: locale === "en" ? "The council's office" : "دفتر شورا" });
      await link.click();
      await reader.page.waitForURL((u) => u.pathname === "/m/demo/help/council-office");
      const text = await mainText(reader.page);
      if (locale === "en") expect(text).toContain("Main street 1, <b>desk 3</b>.");
      else expect(text).toContain("خیابان اصلی، میز ۳.");
      expect(await reader.page.locator("main b").count()).toBe(0);
      await expectAccessible(reader.page, `local help page (${locale})`);
      await reader.context.close();
    }
  });
});

describe("a first vote with the help centre alone", () => {
  // Census people of the north district no other test of this file uses.
  for (const [locale, row] of [
    ["en", 21],
    ["fa", 27],
  ] as const) {
    it(`takes a new resident from the home page to a cast ballot by the getting-started guide's words (${locale}, no JavaScript)`, async () => {
      const t = translator(locale);
      const { context, page } = await noScript(locale);
      await page.goto(`${env.app.url}/`);
      await page.getByRole("link", { name: t("help.footerLink"), exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/help");
      await page.locator('main a[href="/help/getting-started"]').first().click();
      await page.waitForURL((u) => u.pathname === "/help/getting-started");
      // Six steps; after each step's own title, the bold words are the names of what to press.
      const steps = page.locator("main ol").first().locator(":scope > li");
      expect(await steps.count()).toBe(6);
      const named = async (n: number) => (await steps.nth(n).locator("strong").allTextContents()).slice(1);
      const [signUp] = await named(1);
      const [verifyPage] = await named(2);
      const [voteLink, castButton] = await named(4);
      for (const word of [signUp, verifyPage, voteLink, castButton]) expect(word, "a name to press").toBeTruthy();

      // 1. The home page, then the municipality.
      await steps.nth(0).locator('a[href="/"]').click();
      await page.waitForURL(`${env.app.url}/`);
      await page.locator('main a[href="/m/demo"]').first().click();
      await page.waitForURL((u) => u.pathname === "/m/demo");
      // 2. An account, and the address confirmed by the mail's link.
      await page.getByRole("link", { name: signUp, exact: true }).click();
      const email = `guided-${locale}-${Date.now()}@example.org`;
      await page.getByLabel(t("auth.displayName")).fill(locale === "fa" ? "نرگس تازه‌وارد" : "Nora Newcomer");
      await page.getByLabel(t("auth.email")).fill(email);
      await page.getByLabel(t("auth.password")).fill("a long enough password");
      await page.getByRole("button", { name: t("auth.signup.submit") }).click();
      await page.waitForURL((u) => u.pathname === "/account");
      await confirmAddressByMail(page, env.app.url, env.smtp, email);
      // 3. The municipality's verification page: the census.
      await page.goto(`${env.app.url}/m/demo`);
      await page.getByRole("link", { name: verifyPage, exact: true }).click();
      await page.waitForURL((u) => u.pathname === "/m/demo/verify");
      const person = censusPerson(row);
      await page.getByLabel(t("verification.nationalId"), { exact: true }).fill(typed(locale, person.id));
      await page
        .getByLabel(t("verification.birthDate"), { exact: true })
        .fill(typed(locale, locale === "fa" ? solarHijri(person.birthDate) : person.birthDate));
      await page.getByRole("button", { name: t("verification.match.submit"), exact: true }).click();
      await page.waitForURL(/\/m\/demo\/verify\?done=1$/);
      // 4–5. The round, the envelope's vote link, proposals chosen, the ballot cast.
      await page.goto(`${env.app.url}/m/demo`);
      await page.locator('main a[href="/m/demo/rounds/budget-1405"]').first().click();
      const north = locale === "fa" ? "منطقهٔ شمال" : "North district";
      await page.getByRole("link", { name: `${voteLink}: ${north}`, exact: true }).click();
      await page.locator("main input[type=checkbox]").first().check();
      await page.getByRole("button", { name: castButton, exact: true }).click();
      // 6. The ballot ID to keep.
      await expect.poll(() => page.locator(".notice").first().textContent()).toContain(t("vote.cast.done"));
      expect(((await page.locator(".notice code").first().textContent()) ?? "").trim()).toMatch(/^[0-9a-f]{32}$/);
      await context.close();
    });
  }
});
