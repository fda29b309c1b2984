/**
 * Staff run a whole round in one sitting without JavaScript — open voting now, close voting now, run
 * the tally, publish — each after a confirmation page (ADR 0028), and an observer finds the results
 * from the round page the minute they are published; a logged-out visitor's "Vote" leads through the
 * login form back to the ballot. In English and in Persian.
 */
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, municipalities, users } from "../../db/schema";
import { type Locale, translator } from "../../app/domain/i18n";
import { userActor } from "../../app/services/scope";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { makeEnvelope, makeProposal, makeRound } from "../support/factories";
import type { Member } from "../support/factories";
import { appAndBrowserPerFile, logIn, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    prepare: async (db) => {
      const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
      const [admin] = await db.select().from(users).where(eq(users.email, "admin@demo.shora.local"));
      const [membership] = await db
        .select()
        .from(memberships)
        .where(and(eq(memberships.userId, admin.id), eq(memberships.municipalityId, municipality.id)));
      expect(membership.role).toBe("admin");
      const by: Member = {
        user: {
          id: admin.id,
          email: admin.email,
          displayName: admin.displayName,
          locale: municipality.defaultLocale,
          isPlatformAdmin: false,
        },
        municipality,
        role: "admin",
        actor: userActor({ id: admin.id }),
      };
      for (const locale of ["en", "fa"]) {
        // Review began today: dated phases alone would keep the round there until tomorrow.
        const round = await makeRound(db, {
          by,
          slug: `sitting-${locale}`,
          phase: "review",
          title: { en: `One sitting ${locale}`, fa: `یک نشست ${locale}` },
        });
        const envelope = await makeEnvelope(db, { by, round, amount: 10_000, name: { en: "City", fa: "شهر" } });
        await makeProposal(db, { by, round, envelope, title: { en: "Trees", fa: "درخت" }, cost: 3_000 });
      }
    },
  },
);

async function newPage(javaScriptEnabled = false): Promise<Page> {
  const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled })).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Presses a control, is shown its confirmation (nothing done yet), and confirms it. */
async function pressAndConfirm(page: Page, locale: Locale, button: string) {
  const t = translator(locale);
  await page.getByRole("button", { name: button, exact: true }).click();
  await expect.poll(() => page.getByRole("button", { name: t("staff.confirm.yes") }).count()).toBe(1);
  await page.getByRole("button", { name: t("staff.confirm.yes") }).click();
}

describe("a round in one sitting", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`opens and closes voting, tallies, publishes; an observer finds the results at once (${locale})`, async () => {
      const t = translator(locale);
      const staff = await newPage();
      await logIn(staff, env.app.url, "admin@demo.shora.local");
      await switchLanguage(staff, locale);
      const admin = `${env.app.url}/m/demo/admin/rounds/sitting-${locale}`;
      await staff.goto(admin);
      await pressAndConfirm(staff, locale, t("staff.openVoting"));
      await expect.poll(() => staff.getByRole("status").textContent()).toContain(t("staff.done.open_voting"));
      await pressAndConfirm(staff, locale, t("staff.closeVoting"));
      await expect.poll(() => staff.getByRole("status").textContent()).toContain(t("staff.done.close_voting"));
      // A refused change keeps the round's form filled.
      expect(await staff.getByLabel(t("rounds.titleEn"), { exact: true }).inputValue()).toBe(`One sitting ${locale}`);

      await staff.goto(`${admin}/tally`);
      await pressAndConfirm(staff, locale, t("rounds.tally.run"));
      await expect.poll(() => staff.getByRole("status").count()).toBe(1);
      await staff.getByRole("button", { name: t("rounds.publish.submit"), exact: true }).click();
      // Publishing cannot be undone: the page asks first, and nothing is published until confirmed.
      await expect.poll(() => staff.locator("main").textContent()).toContain(t("staff.confirm.publish"));
      await staff.getByRole("button", { name: t("staff.confirm.yes") }).click();
      await expect.poll(() => staff.getByRole("status").count()).toBe(1);
      await staff.goto(`${admin}/tally`);
      expect(await staff.getByRole("button", { name: t("rounds.tally.run"), exact: true }).count()).toBe(0);
      expect(await staff.getByRole("button", { name: t("rounds.publish.submit"), exact: true }).count()).toBe(0);

      const observer = await newPage();
      await observer.goto(`${env.app.url}/m/demo/rounds/sitting-${locale}`);
      await switchLanguage(observer, locale);
      await observer.getByRole("link", { name: t("rounds.results.link"), exact: true }).click();
      await observer.waitForURL(`${env.app.url}/m/demo/rounds/sitting-${locale}/results`);
      expect(await observer.locator("main h1").textContent()).toContain(t("rounds.results.title"));
    });
  }

  for (const locale of ["en", "fa"] as const) {
    it(`sends a logged-out voter to log in and back to the ballot (${locale})`, async () => {
      const t = translator(locale);
      const visitor = await newPage();
      await visitor.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      await switchLanguage(visitor, locale);
      await visitor.getByRole("link", { name: new RegExp(`^${t("vote.link")}`) }).first().click();
      await visitor.waitForURL(/\/login\?next=/);
      await visitor.getByLabel(t("auth.email"), { exact: true }).fill("resident1@demo.shora.local");
      await visitor.getByLabel(t("auth.password"), { exact: true }).fill("shora-demo-2026");
      await visitor.getByRole("button", { name: t("auth.login.submit"), exact: true }).click();
      await visitor.waitForURL(/\/m\/demo\/rounds\/budget-1405\/vote\//);
    });
  }

  it("paper entry starts empty for the next voter, with JavaScript, and lists the proposal numbers", async () => {
    const t = translator("en");
    const staff = await newPage(true);
    await logIn(staff, env.app.url, "staff@demo.shora.local");
    await staff.goto(`${env.app.url}/m/demo/admin/rounds/budget-1405/paper`);
    // The numbers to type are next to the choices field.
    expect(await staff.locator(".paper-numbers").textContent()).toContain(t("staff.paper.numbers"));
    const nationalId = withIranianCheckDigit(String(200_000_000 + 291 * 37).padStart(9, "0"));
    await staff.getByLabel(t("paper.nationalId"), { exact: true }).fill(nationalId);
    await staff.getByLabel(t("paper.envelope")).selectOption({ label: "North district" });
    await staff.getByLabel(t("paper.choices"), { exact: true }).fill("1");
    await staff.getByRole("button", { name: t("paper.submitOne"), exact: true }).click();
    await staff.locator('[role="status"], .error-summary').first().waitFor();
    expect(await staff.locator('[role="status"], .error-summary').first().textContent()).toContain(
      t("paper.done", { count: 1 }),
    );
    expect(await staff.getByLabel(t("paper.nationalId"), { exact: true }).inputValue()).toBe("");
    expect(await staff.getByLabel(t("paper.birthDate"), { exact: true }).inputValue()).toBe("");
    expect(await staff.getByLabel(t("paper.choices"), { exact: true }).inputValue()).toBe("");
  });
});
