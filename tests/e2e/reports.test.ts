/**
 * Residents' reports in the browser, JavaScript off, in English and in Persian (ADR 0039): the
 * municipality page links the reports and the figures, the figures page shows the demo desk's
 * months, a report about a funded project leads to the project's page, which lists it among its
 * open reports, and the staff dashboard links the desk.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, logIn } from "../support/e2e-server";

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

/** The demo's report 43 is still open and about a funded project (demo-reports.server.ts). */
const OPEN_PROJECT_REPORT = 43;

describe("the report pages are linked and the demo desk has figures", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`from the municipality page to the figures and to a project's open reports (${locale})`, async () => {
      const t = translator(locale);
      const { context, page } = await noScript(locale);
      await page.goto(`${env.app.url}/m/demo`);
      await expect(page.getByRole("link", { name: t("reports.title"), exact: true }).getAttribute("href")).resolves.toBe(
        "/m/demo/reports",
      );
      await page.getByRole("link", { name: t("reports.figures"), exact: true }).click();
      await page.waitForURL(/\/m\/demo\/reports\/figures$/);
      expect(await page.locator("main h1").textContent()).toBe(t("reports.figures"));
      // Several months with numbers in the received column (the first number cell of each row).
      const rows = await page.locator("main table tbody tr").count();
      expect(rows).toBeGreaterThanOrEqual(4);

      await page.goto(`${env.app.url}/m/demo/reports/${OPEN_PROJECT_REPORT}`);
      await page.locator("main dd a[href*='/implementation/']").first().click();
      await page.waitForURL(/\/implementation\/[^/]+$/);
      const section = page.locator("section.project-reports");
      expect(await section.locator("h2").textContent()).toBe(t("reports.projectReports"));
      const link = section.getByRole("link", { name: t("reports.number", { number: OPEN_PROJECT_REPORT }) });
      expect(await link.getAttribute("href")).toBe(`/m/demo/reports/${OPEN_PROJECT_REPORT}`);
      await context.close();
    });
  }

  it("the staff dashboard links the desk", async () => {
    const t = translator("en");
    const { context, page } = await noScript("en");
    await logIn(page, env.app.url, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin`);
    await page.getByRole("link", { name: t("reports.desk"), exact: true }).click();
    await page.waitForURL(/\/m\/demo\/admin\/reports$/);
    expect(await page.locator("main h1").textContent()).toBe(t("reports.desk"));
    await context.close();
  });
});
