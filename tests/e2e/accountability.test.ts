import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectAccessible, appAndBrowserPerFile, logIn as logInAs } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const axe = expectAccessible;

const logIn = (page: Page, email: string) => logInAs(page, env.app.url, email);

describe("accountability journey", () => {
  it("staff post an update, a resident sees the progress bar move (en and fa), an observer reads the log", async () => {
    const resident = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    await logIn(resident, "resident1@demo.shora.local");
    await resident.goto(`${env.app.url}/m/demo/rounds/budget-1404/implementation`);
    const row = resident.locator("tr", { hasText: "Library reading garden" });
    expect(await row.locator("progress").getAttribute("value")).toBe("60");

    const staffContext = await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false });
    const staff = await staffContext.newPage();
    await logIn(staff, "staff@demo.shora.local");
    await staff.goto(`${env.app.url}/m/demo/admin/rounds/budget-1404/implementation`);
    const panel = staff.locator("details", { hasText: "Library reading garden" });
    await panel.locator("summary").click();
    await panel.getByLabel("Progress").fill("85");
    await panel.getByLabel("Spent so far").fill("1200000000");
    await panel.getByLabel("What happened").fill("Benches installed, planting next week.");
    await panel.getByRole("button", { name: "Post an update" }).click();
    await expect.poll(() => staff.getByRole("status").textContent()).toContain("Update posted");

    await resident.reload();
    expect(await row.locator("progress").getAttribute("value")).toBe("85");
    await resident.getByLabel("Language").selectOption("fa");
    await resident.getByRole("button", { name: "Change language" }).click();
    await expect.poll(() => resident.locator("html").getAttribute("dir")).toBe("rtl");
    const faRow = resident.locator("tr", { hasText: "باغ کتاب‌خوانی کتابخانه" });
    expect(await faRow.locator("progress").getAttribute("value")).toBe("85");
    expect(await faRow.textContent()).toContain("۸۵");
    await axe(resident, "implementation board (fa)");
    await faRow.getByRole("link").click();
    await expect.poll(() => resident.locator("main").textContent()).toContain("Benches installed, planting next week.");
    await axe(resident, "project timeline (fa)");

    const observer = await (await env.browser.newContext({ locale: "fa-IR" })).newPage();
    await observer.goto(`${env.app.url}/m/demo/log`);
    expect(await observer.locator("html").getAttribute("dir")).toBe("rtl");
    // Actions by their name in the page's language, in the table and the filter, never by code.
    expect(await observer.locator("table").textContent()).toContain("انتشار گزارش اجرا");
    expect(await observer.locator("table").textContent()).not.toContain("implementation.update");
    expect(await observer.locator("select[name=action]").textContent()).not.toMatch(/[a-z]+\.[a-z_]+/);
    await axe(observer, "action log (fa)");
    const download = await observer.request.get(`${env.app.url}/m/demo/action-log.jsonl`);
    expect(download.status()).toBe(200);
    expect((await download.text()).trim().split("\n").at(-1)).toContain('"action":"implementation.update"');
  });

  it("shows observers the published results of last year's round, in English and Persian, and their receipts page", async () => {
    for (const locale of ["en-GB", "fa-IR"]) {
      const page = await (await env.browser.newContext({ locale })).newPage();
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/results`);
      // The first table of the envelope: every proposal with its support and whether it was funded.
      const support = page.locator("section table").first();
      const rows = support.locator("tbody tr");
      expect(await rows.count()).toBe(6);
      const funded = await support.locator("tbody tr", { hasText: locale === "fa-IR" ? "تأمین‌شده" : "Funded" }).count();
      expect(funded).toBeGreaterThanOrEqual(4);
      // Why each proposal was or was not funded, in words (ADR 0031).
      expect(await page.locator(".reason-list li").count()).toBeGreaterThan(0);
      if (locale === "fa-IR") expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
      await axe(page, `results (${locale})`);
      const checkpoints = await page.request.get(`${env.app.url}/m/demo/rounds/budget-1404/checkpoints.json`);
      const body = await checkpoints.json();
      expect(body.checkpoints).toHaveLength(1);
      expect(body.publicKey).toContain("BEGIN PUBLIC KEY");
    }
  });
});
