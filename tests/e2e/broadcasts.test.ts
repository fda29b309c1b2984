/**
 * Staff write to residents in the browser, JavaScript off, from an English and from a Persian page
 * (ADR 0041): they check who gets it, send, and each verified resident's mail arrives in their own
 * language (right to left for Persian), with a one-click unsubscribe; the page lists what was sent.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, direction, translator } from "../../app/domain/i18n";
import { DEMO_CENSUS_RESIDENTS } from "../../app/services/demo/demo-census.server";
import { solarHijri, typed } from "../support/census-people";
import { appAndBrowserPerFile, expectAccessible, logIn, switchLanguage } from "../support/e2e-server";
import { headerOf } from "../support/mail";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

async function newPage(): Promise<Page> {
  const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** A demo resident of the census chooses a language (their messages' too) and verifies. */
async function verifiedResident(locale: Locale) {
  const t = translator(locale);
  const person = DEMO_CENSUS_RESIDENTS[locale === "en" ? 0 : 1];
  const page = await newPage();
  await logIn(page, env.app.url, person.email);
  await switchLanguage(page, locale);
  await page.goto(`${env.app.url}/m/demo/verify`);
  await page.getByLabel(t("verification.nationalId"), { exact: true }).fill(typed(locale, person.nationalId));
  await page
    .getByLabel(t("verification.birthDate"), { exact: true })
    .fill(typed(locale, locale === "fa" ? solarHijri(person.birthDate) : person.birthDate));
  await page.getByRole("button", { name: t("verification.match.submit"), exact: true }).click();
  await page.waitForURL(/\/m\/demo\/verify\?done=1$/);
  return person.email;
}

/** The mails with this subject that reached the address, waiting for the delivery worker. */
async function mailsWithSubject(email: string, subject: string) {
  await expect
    .poll(() => env.smtp.to(email).filter((m) => m.subject === subject).length, { timeout: 30_000 })
    .toBeGreaterThan(0);
  return env.smtp.to(email).filter((m) => m.subject === subject);
}

describe("writing to residents without JavaScript", () => {
  it("reaches each verified resident in their language, from an English and from a Persian page", async () => {
    const english = await verifiedResident("en");
    const persian = await verifiedResident("fa");
    for (const locale of ["en", "fa"] as const) {
      const t = translator(locale);
      const subject = { en: `Council meeting (${locale} page)`, fa: `جلسهٔ شورا (صفحهٔ ${locale})` };
      const staff = await newPage();
      await logIn(staff, env.app.url, "staff@demo.shora.local");
      await switchLanguage(staff, locale);
      await staff.goto(`${env.app.url}/m/demo/admin`);
      await staff.getByRole("link", { name: t("broadcast.title"), exact: true }).click();
      expect(await staff.locator("main h1").textContent()).toBe(t("broadcast.title"));
      expect(await staff.locator("html").getAttribute("dir")).toBe(direction(locale));
      await staff.getByLabel(t("broadcast.audience"), { exact: true }).selectOption({
        label: t("broadcast.audience.verified"),
      });
      await staff.getByLabel(t("broadcast.subjectEn"), { exact: true }).fill(subject.en);
      await staff.getByLabel(t("broadcast.subjectFa"), { exact: true }).fill(subject.fa);
      await staff
        .getByLabel(t("broadcast.bodyEn"), { exact: true })
        .fill("The council meets on Monday.\n\nAll welcome.");
      await staff.getByLabel(t("broadcast.bodyFa"), { exact: true }).fill("شورا دوشنبه تشکیل جلسه می‌دهد.");
      // Nothing to send before the audience is counted.
      expect(await staff.getByRole("button", { name: t("broadcast.send", { count: 2 }) }).count()).toBe(0);
      await staff.getByRole("button", { name: t("broadcast.check"), exact: true }).click();
      await expect.poll(() => staff.getByRole("status").first().textContent()).toBe(t("broadcast.ready", { count: 2 }));
      if (locale === "fa") await expectAccessible(staff, "broadcast page, fa");
      await staff.getByRole("button", { name: t("broadcast.send", { count: 2 }), exact: true }).click();
      await expect.poll(() => staff.getByRole("status").first().textContent()).toBe(t("broadcast.sent", { count: 2 }));
      await expect
        .poll(() => staff.locator("main table").textContent())
        .toContain(locale === "fa" ? subject.fa : subject.en);

      const [toEnglish] = await mailsWithSubject(english, subject.en);
      expect(toEnglish.text).toContain("All welcome.");
      expect(headerOf(toEnglish, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
      const [toPersian] = await mailsWithSubject(persian, subject.fa);
      expect(toPersian.html).toContain('dir="rtl"');
      expect(toPersian.text).toContain("شورا دوشنبه تشکیل جلسه می‌دهد.");
      expect(env.smtp.to(persian).filter((m) => m.subject === subject.en)).toHaveLength(0);
    }
  });
});
