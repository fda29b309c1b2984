/**
 * Impersonation in the browser (ADR 0015): a council staff member's comment carries the badge and a
 * resident's does not, in English and Persian; a name with a direction override is refused at sign-up.
 * The forms are used with JavaScript off, as the plainest browser sends them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible, logIn, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");
const fa = translator("fa");
const PROPOSAL = "Outdoor gym in Niloufar park";

async function comment(email: string, text: string, javaScriptEnabled = false) {
  const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled })).newPage();
  page.setDefaultTimeout(15_000);
  await logIn(page, env.app.url, email);
  // The round's list is paged: the resident searches it for the proposal.
  await page.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent(PROPOSAL)}`);
  await page.getByRole("link", { name: PROPOSAL, exact: true }).first().click();
  await page.getByLabel(en("comments.body")).fill(text);
  await page.getByRole("button", { name: en("comments.submit") }).click();
  await expect.poll(() => page.getByRole("status").textContent()).toContain(en("comments.posted"));
  return page;
}

describe("who speaks for the council", () => {
  it("shows the staff badge on a staff comment only, in English and Persian", async () => {
    await (await comment("resident1@demo.shora.local", "Council staff: this is decided already.")).context().close();
    // With JavaScript here: the accessibility check runs in the page.
    const page = await comment("staff@demo.shora.local", "We will review the location this month.", true);
    const staffComment = page.locator("ol.comments > li", { hasText: "We will review the location" });
    const residentComment = page.locator("ol.comments > li", { hasText: "this is decided already" });
    await expect.poll(() => staffComment.locator(".badge-official").textContent()).toBe(en("comments.badge.staff"));
    expect(await residentComment.locator(".badge-official").count()).toBe(0);
    // The badge is text in the comment's heading line, so screen readers read it with the name.
    expect(await staffComment.locator(".comment-meta").textContent()).toContain(en("comments.badge.staff"));
    await expectAccessible(page, "proposal with a staff comment (en)");
    await switchLanguage(page, "fa");
    await expect.poll(() => staffComment.locator(".badge-official").textContent()).toBe(fa("comments.badge.staff"));
    expect(await residentComment.locator(".badge-official").count()).toBe(0);
    await expectAccessible(page, "proposal with a staff comment (fa)");
    await page.context().close();
  });

  for (const locale of ["en", "fa"] as const) {
    it(`refuses a name with a right-to-left override at sign-up, naming the field (${locale})`, async () => {
      const t = translator(locale);
      const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${env.app.url}/signup`);
      if (locale === "fa") await switchLanguage(page, "fa");
      await page.getByLabel(t("auth.displayName")).fill("Council\u202e ffats");
      await page.getByLabel(t("auth.email")).fill(`rlo-${locale}-${Date.now()}@example.org`);
      await page.getByLabel(t("auth.password")).fill("long enough password");
      await page.getByRole("button", { name: t("auth.signup.submit") }).click();
      const message = t("field.nameCharacters", { field: t("auth.displayName") });
      await expect.poll(() => page.locator(".error-summary").textContent()).toContain(message);
      expect(page.url()).toBe(`${env.app.url}/signup`);
      await page.context().close();
    });
  }
});
