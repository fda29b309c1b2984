/**
 * Staff pages that residents' ballots and answers depend on work with JavaScript off: entering a
 * paper ballot (and being refused a second one for the same person) and adding a survey question.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { appAndBrowserPerFile, logIn } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");

describe("staff pages without JavaScript", () => {
  it("enter a paper ballot, are refused a second one for the same person, and add a survey question", async () => {
    const staff = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
    staff.setDefaultTimeout(15_000);
    await logIn(staff, env.app.url, "staff@demo.shora.local");
    // A person of the demo census (see demoCensusCsv) who has not voted: north district, resident.
    const nationalId = withIranianCheckDigit(String(200_000_000 + 297 * 37).padStart(9, "0"));
    const paper = `${env.app.url}/m/demo/admin/rounds/budget-1405/paper`;
    for (const attempt of [1, 2]) {
      await staff.goto(paper);
      await staff.getByLabel(en("paper.nationalId"), { exact: true }).fill(nationalId);
      await staff.getByLabel(en("paper.envelope")).selectOption({ label: "North district" });
      await staff.getByLabel(en("paper.choices"), { exact: true }).fill("1");
      await staff.getByRole("button", { name: en("paper.submitOne"), exact: true }).click();
      if (attempt === 1)
        await expect.poll(() => staff.getByRole("status").textContent()).toContain(en("paper.done", { count: "1" }));
      else
        await expect
          .poll(() => staff.locator(".error-summary").textContent())
          .toContain(en("paper.error.already_voted_paper"));
    }

    await staff.goto(`${env.app.url}/m/demo/admin/rounds/transport-1405/survey`);
    await staff.getByLabel(en("survey.kind")).selectOption({ label: en("survey.kind.text") });
    await staff.getByLabel(en("survey.promptEn")).fill("Where would you add a bus stop?");
    await staff.getByLabel(en("survey.promptFa")).fill("ایستگاه اتوبوس تازه کجا باشد؟");
    await staff.getByRole("button", { name: en("survey.addSubmit") }).click();
    await expect.poll(() => staff.getByRole("status").textContent()).toContain(en("survey.added"));
    expect(await staff.locator("main").textContent()).toContain("Where would you add a bus stop?");
  });
});
