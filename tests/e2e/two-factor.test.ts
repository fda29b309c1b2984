/**
 * Two-factor sign-in in the browser with JavaScript off (ADR 0026): the demo staff member enrols on
 * the first log-in and types a code on the next; the demo administrator, enrolled by the seed, types
 * a code on a Persian page. The privacy notice is linked from the footer in both languages.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, direction, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible, finishLogIn, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

async function noScriptPage(): Promise<Page> {
  const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function password(page: Page, email: string, locale: Locale) {
  const t = translator(locale);
  await page.goto(`${env.app.url}/login`);
  if (locale !== "en") await switchLanguage(page, locale);
  await page.getByLabel(t("auth.email")).fill(email);
  await page.getByLabel(t("auth.password")).fill("shora-demo-2026");
  await page.getByRole("button", { name: t("auth.login.submit"), exact: true }).click();
}

describe("two-factor sign-in without JavaScript", () => {
  it("enrols the demo staff member at the first log-in, then asks for a code (en)", async () => {
    const page = await noScriptPage();
    const t = translator("en");
    await password(page, "staff@demo.shora.local", "en");
    await page.waitForURL((u) => u.pathname === "/account/security");
    expect(await page.locator("main h1").textContent()).toBe(t("security.title"));
    await finishLogIn(page, env.app.url, "staff@demo.shora.local");
    expect((await page.goto(`${env.app.url}/m/demo/admin`))?.status()).toBe(200);
    await page.goto(`${env.app.url}/account/security`);
    expect(await page.locator("main").textContent()).toContain(t("security.enrolled", { left: 10 }));

    await page.getByRole("button", { name: t("nav.logout"), exact: true }).click();
    await page.waitForURL(`${env.app.url}/`);
    await password(page, "staff@demo.shora.local", "en");
    await page.waitForURL((u) => u.search.includes("step=code"));
    expect(await page.locator("main h1").textContent()).toBe(t("security.signIn.title"));
    await page.getByLabel(t("security.code")).fill("000000");
    await page.getByRole("button", { name: t("security.signIn.submit"), exact: true }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain(t("security.error.bad_code"));
    await finishLogIn(page, env.app.url, "staff@demo.shora.local");
    expect((await page.goto(`${env.app.url}/m/demo/admin`))?.status()).toBe(200);
    await page.context().close();
  });

  it("asks the demo administrator for a code on a Persian page, right to left (fa)", async () => {
    const page = await noScriptPage();
    const t = translator("fa");
    await password(page, "admin@demo.shora.local", "fa");
    await page.waitForURL((u) => u.search.includes("step=code"));
    expect(await page.locator("html").getAttribute("dir")).toBe(direction("fa"));
    expect(await page.locator("main h1").textContent()).toBe(t("security.signIn.title"));
    await finishLogIn(page, env.app.url, "admin@demo.shora.local");
    expect((await page.goto(`${env.app.url}/m/demo/admin`))?.status()).toBe(200);
    await page.context().close();
  });
});

describe("privacy", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`the notice is linked from the footer and says what is stored (${locale})`, async () => {
      const t = translator(locale);
      const page = await noScriptPage();
      await page.goto(`${env.app.url}/`);
      if (locale !== "en") await switchLanguage(page, locale);
      await page
        .locator("footer")
        .getByRole("link", { name: t("privacy.footerLink"), exact: true })
        .click();
      await page.waitForURL(`${env.app.url}/privacy`);
      expect(await page.locator("main h1").textContent()).toBe(t("privacy.title"));
      expect(await page.locator("main").textContent()).toContain(t("privacy.ballots.body"));
      await page.context().close();
    });
  }
  it("the notice has no accessibility violations", async () => {
    const page = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    await page.goto(`${env.app.url}/privacy`);
    await expectAccessible(page, "privacy notice");
    await page.context().close();
  });
});
