import { isolated } from "../../app/domain/accounts/names";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible, logIn as logInAs } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");
const fa = translator("fa");

const logIn = (page: Page, email: string) => logInAs(page, env.app.url, email);

async function toPersian(page: Page) {
  await page.getByLabel("Language").selectOption("fa");
  await page.getByRole("button", { name: "Change language" }).click();
  await expect.poll(() => page.locator("html").getAttribute("dir")).toBe("rtl");
}

describe("taking part in a consultation", () => {
  it("a resident comments and replies, another flags the comment, staff hide it with a reason (JavaScript off)", async () => {
    const reza = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
    reza.setDefaultTimeout(15_000);
    await logIn(reza, "resident1@demo.shora.local");
    // The round's list is paged: the resident searches it for the proposal.
    await reza.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent("Outdoor gym")}`);
    await reza.getByRole("link", { name: "Outdoor gym in Niloufar park", exact: true }).click();
    await expect.poll(() => reza.locator("h1").textContent()).toBe("Outdoor gym in Niloufar park");
    await reza.getByLabel(en("comments.body")).fill("Please add shade over the machines <script>alert(1)</script>");
    await reza.getByLabel(en("comments.stance")).selectOption("for");
    await reza.getByRole("button", { name: en("comments.submit") }).click();
    await expect.poll(() => reza.getByRole("status").textContent()).toContain(en("comments.posted"));
    // Typed text is shown as text, never run.
    await expect
      .poll(() => reza.locator("ol.comments li").first().textContent())
      .toContain("<script>alert(1)</script>");
    const mine = reza.locator("ol.comments > li").first();
    await mine.locator("summary", { hasText: en("comments.reply") }).click();
    await mine
      .getByLabel(en("comments.replyLabel", { author: isolated("Reza Resident") }))
      .fill("And a water fountain.");
    await mine.getByRole("button", { name: en("comments.replySubmit") }).click();
    await expect
      .poll(() => reza.locator("ol.comments li.depth-2").first().textContent())
      .toContain("And a water fountain.");
    await reza.context().close();

    const roya = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    await logIn(roya, "resident2@demo.shora.local");
    await roya.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent("Outdoor gym")}`);
    await roya.getByRole("link", { name: "Outdoor gym in Niloufar park", exact: true }).click();
    await expectAccessible(roya, "proposal with comments (en)");
    const target = roya.locator("ol.comments > li", { hasText: "Please add shade" });
    await target
      .locator("summary", { hasText: en("comments.flag") })
      .first()
      .click();
    await target.getByLabel(en("comments.flagReason")).first().fill("Contains a script tag");
    await target
      .getByRole("button", { name: en("comments.flag") })
      .first()
      .click();
    await expect.poll(() => roya.getByRole("status").textContent()).toContain(en("comments.flagDone"));
    await roya.context().close();

    const staff = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    await logIn(staff, "staff@demo.shora.local");
    await staff.goto(`${env.app.url}/m/demo/admin`);
    await staff.getByRole("link", { name: en("moderation.title") }).click();
    const report = staff.locator("article", { hasText: "Please add shade" });
    await expect.poll(() => report.textContent()).toContain("Contains a script tag");
    await expectAccessible(staff, "moderation queue (en)");
    await report.getByLabel(en("moderation.reason")).fill("Off topic code");
    await report.getByRole("button", { name: en("moderation.hide") }).click();
    await expect.poll(() => staff.getByRole("status").textContent()).toContain(en("moderation.hiddenDone"));
    await staff.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent("Outdoor gym")}`);
    await staff.getByRole("link", { name: "Outdoor gym in Niloufar park", exact: true }).first().click();
    await expect
      .poll(() => staff.locator("ol.comments").textContent())
      .toContain(en("comments.hidden", { reason: isolated("Off topic code") }));
    await toPersian(staff);
    await expectAccessible(staff, "proposal with comments (fa)");
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`a resident answers the survey in Persian, required questions enforced, then changes an answer (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
      const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled })).newPage();
      page.setDefaultTimeout(15_000);
      await logIn(page, javaScriptEnabled ? "resident2@demo.shora.local" : "resident1@demo.shora.local");
      await toPersian(page);
      await page.goto(`${env.app.url}/m/demo/rounds/transport-1405`);
      await page.getByRole("link", { name: fa("survey.link") }).click();
      await expect.poll(() => page.locator("h1").textContent()).toContain("چگونه در شهر جابه‌جا شویم؟");
      if (javaScriptEnabled) await expectAccessible(page, "survey (fa)");
      await page.getByLabel("دوچرخه", { exact: true }).check();
      await page.getByRole("button", { name: fa("survey.submit") }).click();
      // The 1–5 scale is required.
      await expect
        .poll(() => page.locator(".error-summary").textContent())
        .toContain(fa("survey.error.survey_required"));
      if (javaScriptEnabled) await expectAccessible(page, "survey with errors (fa)");
      await page.getByLabel("۴", { exact: true }).check();
      await page.getByLabel("مسیرهای ایمن دوچرخه").check();
      await page.getByLabel(/چیز دیگری هست/).fill("پارکینگ دوچرخه کنار مترو");
      await page.getByRole("button", { name: fa("survey.submit") }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain(fa("survey.saved"));
      await page.reload();
      expect(await page.getByLabel("۴", { exact: true }).isChecked()).toBe(true);
      await page.getByLabel("۲", { exact: true }).check();
      await page.getByRole("button", { name: fa("survey.submit") }).click();
      await expect.poll(() => page.getByRole("status").textContent()).toContain(fa("survey.saved"));
      await page.context().close();
    });
  }

  it("staff see the survey results and download them", async () => {
    const staff = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    await logIn(staff, "staff@demo.shora.local");
    await staff.goto(`${env.app.url}/m/demo/admin/rounds/transport-1405/survey`);
    // The staff member switched to Persian in the first journey; the account keeps it.
    await expect.poll(() => staff.locator("main").textContent()).toContain(fa("survey.respondents", { count: 2 }));
    const bikes = staff.locator("tr", { hasText: "دوچرخه" }).first();
    expect(await bikes.locator("td").first().textContent()).toBe("۲");
    await expectAccessible(staff, "survey results (fa)");
    const download = staff.waitForEvent("download");
    await staff.getByRole("link", { name: fa("survey.csv") }).click();
    const file = await (await download).path();
    const text = (await import("node:fs")).readFileSync(file, "utf8");
    expect(text).toContain("پارکینگ دوچرخه کنار مترو");
  });
});
