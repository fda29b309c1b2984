/**
 * Staff pages that residents' ballots and answers depend on work with JavaScript off: entering a
 * paper ballot (and being refused a second one for the same person) and adding a survey question.
 * In English, and in Persian chosen with the language switcher (right to left, Persian labels and
 * messages, the national ID and the choices typed in Persian digits).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, type MessageKey, direction, translator } from "../../app/domain/i18n";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { appAndBrowserPerFile, logIn, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

/** Per language: a person of the demo census (see demoCensusCsv) who has not voted — north district, resident — and the texts staff see and type. */
const cases: Record<Locale, { censusRow: number; north: string; prompt: { en: string; fa: string } }> = {
  en: {
    censusRow: 297,
    north: "North district",
    prompt: { en: "Where would you add a bus stop?", fa: "ایستگاه اتوبوس تازه کجا باشد؟" },
  },
  fa: {
    censusRow: 294,
    north: "منطقهٔ شمال",
    prompt: { en: "Which street needs a crossing?", fa: "کدام خیابان گذرگاه پیاده لازم دارد؟" },
  },
};

/** Digits as a Persian keyboard types them. */
const persianDigits = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d)));

/**
 * The page is in the language and direction chosen, its heading the string `key` of that language
 * (a translation of its own, not the key the server shows when the string is missing).
 */
async function inLanguage(page: Page, locale: Locale, key: MessageKey) {
  const heading = translator(locale)(key);
  expect(heading).not.toBe(key);
  if (locale !== "en") expect(heading).not.toBe(translator("en")(key));
  expect(await page.locator("html").getAttribute("lang")).toBe(locale);
  expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
  expect(await page.locator("main h1").textContent()).toContain(heading);
}

describe("staff pages without JavaScript", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`enter a paper ballot, are refused a second one for the same person, and add a survey question (${locale})`, async () => {
      const t = translator(locale);
      const { censusRow, north, prompt } = cases[locale];
      const typed = locale === "fa" ? persianDigits : (s: string) => s;
      const staff = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
      staff.setDefaultTimeout(15_000);
      await logIn(staff, env.app.url, "staff@demo.shora.local");
      await switchLanguage(staff, locale);
      const nationalId = withIranianCheckDigit(String(200_000_000 + censusRow * 37).padStart(9, "0"));
      const paper = `${env.app.url}/m/demo/admin/rounds/budget-1405/paper`;
      for (const attempt of [1, 2]) {
        await staff.goto(paper);
        await inLanguage(staff, locale, "paper.title");
        await staff.getByLabel(t("paper.nationalId"), { exact: true }).fill(typed(nationalId));
        await staff.getByLabel(t("paper.envelope")).selectOption({ label: north });
        await staff.getByLabel(t("paper.choices"), { exact: true }).fill(typed("1"));
        await staff.getByRole("button", { name: t("paper.submitOne"), exact: true }).click();
        if (attempt === 1)
          await expect.poll(() => staff.getByRole("status").textContent()).toContain(t("paper.done", { count: 1 }));
        else
          await expect
            .poll(() => staff.locator(".error-summary").textContent())
            .toContain(t("paper.error.already_voted_paper"));
        await inLanguage(staff, locale, "paper.title");
      }

      await staff.goto(`${env.app.url}/m/demo/admin/rounds/transport-1405/survey`);
      await inLanguage(staff, locale, "survey.manage");
      await staff.getByLabel(t("survey.kind"), { exact: true }).selectOption({ label: t("survey.kind.text") });
      await staff.getByLabel(t("survey.promptEn"), { exact: true }).fill(prompt.en);
      await staff.getByLabel(t("survey.promptFa"), { exact: true }).fill(prompt.fa);
      await staff.getByRole("button", { name: t("survey.addSubmit") }).click();
      await expect.poll(() => staff.getByRole("status").textContent()).toContain(t("survey.added"));
      await inLanguage(staff, locale, "survey.manage");
      expect(await staff.locator("main").textContent()).toContain(prompt[locale]);
    });
  }
});
