/**
 * Residents' reports in the browser, JavaScript off, in English and in Persian (ADR 0039): the
 * municipality page links the reports and the figures, the figures page shows the demo desk's
 * months, a report about a funded project leads to the project's page, which lists it among its
 * open reports, and the staff dashboard links the desk. A resident files a report with a photo,
 * staff acknowledge, answer and close it, the resident sees each step, and the figures count it.
 */
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, formatNumber, translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, logIn } from "../support/e2e-server";
import { hasMetadataTraces, photoWithGps } from "../support/media";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

/** A browser with JavaScript off in `locale`, logged in first (in English) when an account is given. */
async function noScript(locale: Locale, email?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({
    locale: locale === "fa" ? "fa-IR" : "en-GB",
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  if (email) {
    await context.addCookies([{ name: "shora_lang", value: "en", url: env.app.url }]);
    await logIn(page, env.app.url, email);
  }
  await context.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
  return { context, page };
}

interface MonthFigures {
  category: string;
  month: string;
  received: number;
  withinTarget: number;
  resolutionMedian: number | null;
}

/** The open figures of one category: its months (in the calendar of `locale`) and its open backlog. */
async function figuresOf(page: Page, locale: Locale, category: string) {
  const response = await page.request.get(
    `${env.app.url}/m/demo/reports/figures.json${locale === "fa" ? "?months=persian" : ""}`,
  );
  expect(response.status()).toBe(200);
  const body = (await response.json()) as {
    months: MonthFigures[];
    backlog: { category: string; open: number }[];
  };
  return {
    months: body.months.filter((m) => m.category === category),
    open: body.backlog.filter((b) => b.category === category).reduce((sum, b) => sum + b.open, 0),
  };
}

/** The demo's report 43 is still open and about a funded project (demo-reports.server.ts). */
const OPEN_PROJECT_REPORT = 43;

describe("the report pages are linked and the demo desk has figures", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`from the municipality page to the figures and to a project's open reports (${locale})`, async () => {
      const t = translator(locale);
      const { context, page } = await noScript(locale);
      await page.goto(`${env.app.url}/m/demo`);
      await expect(
        page.getByRole("link", { name: t("reports.title"), exact: true }).getAttribute("href"),
      ).resolves.toBe("/m/demo/reports");
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

describe("a report from the resident's photo to the council's answer", () => {
  const residents = { en: "resident1@demo.shora.local", fa: "resident2@demo.shora.local" } as const;
  for (const locale of ["en", "fa"] as const) {
    it(`is filed, acknowledged, answered and closed, each step seen by the resident, and counted (${locale})`, async () => {
      const t = translator(locale);
      const resident = await noScript(locale, residents[locale]);
      const staff = await noScript(locale, "staff@demo.shora.local");
      const before = await figuresOf(resident.page, locale, "lights");

      // Filing, with a photo that carries the camera's GPS position.
      await resident.page.goto(`${env.app.url}/m/demo/reports/new`);
      expect(await resident.page.locator("main h1").textContent()).toBe(t("reports.fileTitle"));
      const category = resident.page.getByLabel(t("reports.category"), { exact: true });
      await category.selectOption("lights");
      const categoryName = (await category.locator("option:checked").textContent()) ?? "";
      const description = locale === "fa" ? "چراغ کوچهٔ بنفشه سه شب است خاموش است." : "The lamp on Violet Lane is out.";
      await resident.page.getByLabel(t("reports.description"), { exact: true }).fill(description);
      await resident.page.getByLabel(t("reports.photos"), { exact: true }).setInputFiles({
        name: "lamp.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.from(await photoWithGps()),
      });
      await resident.page.getByRole("button", { name: t("reports.submit"), exact: true }).click();
      await resident.page.waitForURL(/\/m\/demo\/reports\/\d+\?filed=1$/);
      const number = Number(/\/reports\/(\d+)/.exec(resident.page.url())?.[1]);
      const status = resident.page.getByRole("status");
      expect(await status.textContent()).toBe(t("reports.filed", { number }));
      const reportPath = `/m/demo/reports/${number}`;
      const statusShown = () => resident.page.locator("main dd[data-status]").textContent();
      expect(await statusShown()).toBe(t("reports.status.open"));
      expect(await resident.page.locator(".report-description").textContent()).toBe(description);
      // The photo is shown with its text alternative, and it kept no trace of where it was taken.
      const photo = resident.page.locator(".media-gallery img").first();
      expect(await photo.getAttribute("alt")).toBe(t("reports.photo", { n: 1 }));
      const served = await resident.page.request.get(
        new URL((await photo.getAttribute("src")) ?? "", env.app.url).href,
      );
      expect(served.status()).toBe(200);
      expect(hasMetadataTraces(new Uint8Array(await served.body()))).toBe(false);
      // The resident's own list of reports holds it.
      await resident.page.goto(`${env.app.url}/m/demo/reports`);
      const mine = resident.page.getByRole("table", { name: t("reports.mine"), exact: true });
      expect(await mine.getByRole("link", { name: t("reports.number", { number }) }).getAttribute("href")).toBe(
        reportPath,
      );

      const filed = await figuresOf(resident.page, locale, "lights");
      const month = filed.months.at(-1) as MonthFigures;
      const monthBefore = before.months.find((m) => m.month === month.month);
      expect(month.received).toBe((monthBefore?.received ?? 0) + 1);
      expect(filed.open).toBe(before.open + 1);

      // Staff acknowledge it; the resident sees the new status and its step in the history.
      const desk = staff.page;
      await desk.goto(`${env.app.url}/m/demo/admin/reports/${number}`);
      expect(await desk.locator("main h1").textContent()).toBe(t("reports.number", { number }));
      await desk.getByLabel(t("reports.status"), { exact: true }).selectOption("acknowledged");
      await desk.getByRole("button", { name: t("reports.save"), exact: true }).click();
      expect(await desk.getByRole("status").textContent()).toBe(t("reports.done.status"));
      await resident.page.goto(`${env.app.url}${reportPath}`);
      expect(await statusShown()).toBe(t("reports.status.acknowledged"));
      const history = resident.page.locator(".report-history");
      expect(await history.textContent()).toContain(
        t("reports.event.status", { status: t("reports.status.acknowledged") }),
      );

      // A public reply reaches the resident's page; a note for staff only does not.
      const answer = locale === "fa" ? "گروه روشنایی فردا سر می‌زند." : "The lighting crew will visit tomorrow.";
      const internal = locale === "fa" ? "یادداشت داخلی: لامپ ۱۲ ولت" : "Internal note: 12 V lamp";
      await desk.getByLabel(t("reports.replyBody"), { exact: true }).fill(answer);
      await desk.getByRole("button", { name: t("reports.reply"), exact: true }).click();
      expect(await desk.getByRole("status").textContent()).toBe(t("reports.done.reply"));
      await desk.getByLabel(t("reports.replyBody"), { exact: true }).fill(internal);
      await desk.getByLabel(t("reports.replyPrivate"), { exact: true }).check();
      await desk.getByRole("button", { name: t("reports.reply"), exact: true }).click();
      expect(await desk.locator("main ol").last().textContent()).toContain(internal);
      await resident.page.goto(`${env.app.url}${reportPath}`);
      expect(await history.textContent()).toContain(answer);
      expect(await resident.page.content()).not.toContain(internal);

      // Closed with a resolution: the resident reads it, and the figures count the answer.
      const resolution = locale === "fa" ? "لامپ عوض شد." : "The lamp was replaced.";
      await desk.getByLabel(t("reports.status"), { exact: true }).selectOption("closed");
      await desk.getByLabel(t("reports.resolution"), { exact: true }).fill(resolution);
      await desk.getByRole("button", { name: t("reports.save"), exact: true }).click();
      expect(await desk.getByRole("status").textContent()).toBe(t("reports.done.status"));
      await resident.page.goto(`${env.app.url}${reportPath}`);
      expect(await statusShown()).toBe(t("reports.status.closed"));
      expect(await resident.page.locator("main dl").textContent()).toContain(resolution);

      const closed = await figuresOf(resident.page, locale, "lights");
      const monthClosed = closed.months.find((m) => m.month === month.month) as MonthFigures;
      expect(monthClosed.received).toBe(month.received);
      expect(monthClosed.withinTarget).toBe(month.withinTarget + 1);
      expect(monthClosed.resolutionMedian).not.toBeNull();
      expect(closed.open).toBe(filed.open - 1);
      // The public figures page shows the month's count in the page's own language and calendar.
      await resident.page.goto(`${env.app.url}/m/demo/reports/figures`);
      const table = resident.page.getByRole("table", { name: categoryName, exact: true });
      const row = table.locator(`tr[data-month="${month.month}"]`);
      expect(await row.locator("td").first().textContent()).toBe(formatNumber(locale, monthClosed.received));

      await resident.context.close();
      await staff.context.close();
    });
  }
});
