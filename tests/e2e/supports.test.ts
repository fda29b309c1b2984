/**
 * Supports and similar proposals in the browser, in English and Persian, with JavaScript on and off
 * (ADR 0036): a resident starts writing a proposal, sees the similar one (while typing, or after
 * "check for similar"), supports it instead; staff merge two duplicates and the merged one's page
 * points to the kept one.
 */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/client";
import { envelopes, phases, proposals, rounds, users } from "../../db/schema";
import { type Locale, translator } from "../../app/domain/i18n";
import { dayIn } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import { scopeOf, userActor } from "../../app/services/scope";
import { verifyByCensus } from "../../app/services/verification/self-verification.server";
import { appAndBrowserPerFile, logIn, switchLanguage } from "../support/e2e-server";

const ROUND = "ideas-supports";
const ids = { library: randomUUID(), library2: randomUUID(), benches: randomUUID() };

async function prepare(db: Db) {
  const demo = await findMunicipality(db, "demo");
  if (!demo) throw new Error("no demo municipality");
  const today = dayIn(demo.timeZone, new Date());
  const roundId = randomUUID();
  const envelopeId = randomUUID();
  await db.insert(rounds).values({
    id: roundId,
    municipalityId: demo.id,
    slug: ROUND,
    kind: "budgeting",
    title: { en: "Ideas with supports", fa: "ایده‌ها با حمایت" },
    description: { en: "", fa: "" },
    supportsOpen: true,
    supportThreshold: 2,
  });
  await db.insert(phases).values([
    { id: randomUUID(), roundId, kind: "proposals", startsOn: addDays(today, -1), endsOn: addDays(today, 10) },
    { id: randomUUID(), roundId, kind: "voting", startsOn: addDays(today, 11), endsOn: addDays(today, 20) },
  ]);
  await db
    .insert(envelopes)
    .values({ id: envelopeId, roundId, slug: "culture", name: { en: "Culture", fa: "فرهنگ" }, amount: 900_000_000 });
  const row = (id: string, en: string, fa: string) => ({
    id,
    envelopeId,
    title: { en, fa },
    body: { en, fa },
    cost: 5_000_000,
    status: "accepted" as const,
  });
  await db
    .insert(proposals)
    .values([
      row(ids.library, "A public library in the neighbourhood", "کتابخانهٔ عمومی در محله"),
      row(ids.library2, "Neighbourhood public library", "کتابخانه عمومی محله"),
      row(ids.benches, "Benches by the river", "نیمکت کنار رود"),
    ]);
  // Both demo residents verified by the demo census (README), so they may support.
  for (const [email, nationalId, birthDate] of [
    ["resident1@demo.shora.local", "0499370899", "1985-03-21"],
    ["resident2@demo.shora.local", "0790419904", "1992-08-23"],
  ] as const) {
    const [user] = await db.select().from(users).where(eq(users.email, email));
    await verifyByCensus(db, scopeOf(demo, userActor(user)), { nationalId, birthDate });
  }
}

const env = appAndBrowserPerFile({ beforeAll, afterAll }, { prepare });

async function newPage(browser: Browser, js: boolean): Promise<Page> {
  const page = await (await browser.newContext({ locale: "en-GB", javaScriptEnabled: js })).newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

const journeys: { locale: Locale; js: boolean; resident: string; draft: string }[] = [
  { locale: "en", js: true, resident: "resident1@demo.shora.local", draft: "Library for the neighbourhood" },
  { locale: "fa", js: false, resident: "resident2@demo.shora.local", draft: "كتابخانه‌ي محله" },
];

describe("supports and similar proposals", () => {
  for (const j of journeys) {
    it(`${j.locale}, JavaScript ${j.js ? "on" : "off"}: finds a similar proposal while writing and supports it`, async () => {
      const t = translator(j.locale);
      const page = await newPage(env.browser, j.js);
      await logIn(page, env.app.url, j.resident);
      await page.goto(`${env.app.url}/m/demo/rounds/${ROUND}/propose`);
      await switchLanguage(page, j.locale);
      const field = j.locale === "fa" ? "titleFa" : "titleEn";
      await page.locator(`[name="${field}"]`).fill(j.draft);
      if (!j.js) await page.getByRole("button", { name: t("similar.check") }).click();
      const similar = page.locator("section.similar");
      await similar.getByRole("link").first().waitFor();
      const titles = await similar.getByRole("link").allTextContents();
      expect(titles.length).toBeGreaterThanOrEqual(1);
      expect(titles.join(" ")).toContain(j.locale === "fa" ? "کتابخانه" : "library");
      expect(titles.join(" ")).not.toContain(j.locale === "fa" ? "نیمکت" : "Benches");
      await similar
        .getByRole("button", { name: t("similar.support") })
        .first()
        .click();
      await page.getByText(t("supports.given")).waitFor();
      expect(await page.locator(".supports").textContent()).toContain(t("supports.yours"));
      // The round's list sorts by supports, in the URL.
      await page.goto(`${env.app.url}/m/demo/rounds/${ROUND}?sort=supports`);
      const first = page.locator("table.proposal-list tbody tr").first();
      expect(await first.textContent()).toMatch(j.locale === "fa" ? /کتابخانه/ : /library/i);
      await page.context().close();
    });
  }

  it("staff merge two duplicates; the merged page points to the kept one (fa, JavaScript off)", async () => {
    const t = translator("fa");
    const page = await newPage(env.browser, false);
    await logIn(page, env.app.url, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin/rounds/${ROUND}/proposals`);
    await switchLanguage(page, "fa");
    const form = page.locator(`form:has(input[name="proposalId"][value="${ids.library2}"]):has(input[value="merge"])`);
    // The merge form is in the proposal's review panel, closed until opened.
    await page.locator("details").filter({ has: form }).locator("summary").first().click();
    await form.locator("select").selectOption(ids.library);
    await form.getByRole("button", { name: t("merge.submit") }).click();
    await page.getByText(t("merge.done")).waitFor();
    await page.goto(`${env.app.url}/m/demo/rounds/${ROUND}/proposals/${ids.library2}`);
    const notice = page.locator(".merged-into");
    expect(await notice.textContent()).toContain(t("supports.mergedInto"));
    expect(await notice.getByRole("link").getAttribute("href")).toBe(
      `/m/demo/rounds/${ROUND}/proposals/${ids.library}`,
    );
    await page.context().close();
  });
});
