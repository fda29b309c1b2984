/**
 * Staff run a whole round in one sitting without JavaScript — open voting now, close voting now, run
 * the tally, publish — each after a confirmation page (ADR 0028), and an observer finds the results
 * from the round page the minute they are published; a logged-out visitor's "Vote" leads through the
 * login form back to the ballot. Staff also make a round from nothing in the browser (the round, its
 * voter class, its envelope with a ballot order, its proposals) and a resident's ballot lists the
 * proposals in that order. In English and in Persian.
 */
import { and, eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberships, municipalities, users } from "../../db/schema";
import { type Locale, translator } from "../../app/domain/i18n";
import { userActor } from "../../app/services/scope";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { addDays } from "../../app/domain/rounds/rules";
import { typedDay } from "../../app/domain/i18n/days";
import { DEMO_CENSUS_RESIDENTS } from "../../app/services/demo/demo-census.server";
import { solarHijri, typed } from "../support/census-people";
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
      await visitor
        .getByRole("link", { name: new RegExp(`^${t("vote.link")}`) })
        .first()
        .click();
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

  for (const locale of ["en", "fa"] as const) {
    it(`staff make a round from nothing, cheapest first; a resident votes in that order; staff publish (${locale})`, async () => {
      const t = translator(locale);
      const slug = `made-${locale}`;
      // A demo resident of the census (neither starts verified), whose voter class the round will name.
      const person = DEMO_CENSUS_RESIDENTS[locale === "en" ? 0 : 1];
      const admin = `${env.app.url}/m/demo/admin/rounds/${slug}`;
      const staff = await newPage();
      await logIn(staff, env.app.url, "admin@demo.shora.local");
      await switchLanguage(staff, locale);
      const status = () => staff.getByRole("status").textContent();

      // The round, with its phases typed in the page's calendar.
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());
      await staff.goto(`${env.app.url}/m/demo/admin/rounds`);
      await staff.getByLabel(t("rounds.slug"), { exact: true }).fill(slug);
      await staff.getByLabel(t("rounds.titleEn"), { exact: true }).fill(`Made in one sitting ${locale}`);
      await staff.getByLabel(t("rounds.titleFa"), { exact: true }).fill(`ساخته در یک نشست ${locale}`);
      const dates: [string, number, number][] = [
        [t("phase.proposals"), -1, 3],
        [t("phase.voting"), 4, 10],
        [t("phase.tallying"), 11, 12],
        [t("phase.published"), 13, 60],
      ];
      for (const [phase, from, to] of dates) {
        await staff
          .getByLabel(t("rounds.phaseStart", { phase }), { exact: true })
          .fill(typedDay(locale, addDays(today, from)));
        await staff
          .getByLabel(t("rounds.phaseEnd", { phase }), { exact: true })
          .fill(typedDay(locale, addDays(today, to)));
      }
      await staff.getByRole("button", { name: t("rounds.createSubmit"), exact: true }).click();
      await staff.waitForURL(admin);

      // Who may vote, and with what weight.
      await staff.goto(`${admin}/eligibility`);
      await staff.getByLabel(t("verification.eligibility.code"), { exact: true }).fill(person.voterClass);
      await staff.getByLabel(t("verification.eligibility.nameEn"), { exact: true }).fill("Resident");
      await staff.getByLabel(t("verification.eligibility.nameFa"), { exact: true }).fill("ساکن");
      await staff.getByLabel(t("verification.eligibility.weight"), { exact: true }).fill("1");
      await staff.getByRole("button", { name: t("verification.eligibility.saveClass"), exact: true }).click();
      await expect.poll(() => staff.locator("main").textContent()).toContain(locale === "fa" ? "ساکن" : "Resident");

      // An envelope whose ballot lists the cheapest proposals first.
      await staff.goto(`${admin}/envelopes`);
      await staff.getByLabel(t("rounds.envelope.slug"), { exact: true }).fill("all");
      await staff.getByLabel(t("rounds.envelope.nameEn"), { exact: true }).fill("Whole city");
      await staff.getByLabel(t("rounds.envelope.nameFa"), { exact: true }).fill("همهٔ شهر");
      await staff.getByLabel(t("rounds.envelope.amount", { currency: "IRR" }), { exact: true }).fill("10000");
      await staff.getByRole("button", { name: t("rounds.envelope.create"), exact: true }).click();
      await staff
        .locator("details summary", { hasText: "Whole city" })
        .or(staff.locator("details summary", { hasText: "همهٔ شهر" }))
        .first()
        .click();
      const order = staff.locator("#ballotOrder-all");
      await order.waitFor();
      expect(await order.inputValue()).toBe("random");
      await order.selectOption("cost");
      await staff.getByRole("button", { name: t("myballot.staff.order.save"), exact: true }).click();
      await expect.poll(() => staff.locator("#ballotOrder-all").inputValue()).toBe("cost");
      expect(await staff.getByRole("status").textContent()).toBe(t("myballot.staff.order.saved"));

      // Three proposals, entered by staff, the dearest first.
      const proposals = [
        { en: "Library roof", fa: "سقف کتابخانه", cost: "5000" },
        { en: "Bus shelter", fa: "ایستگاه اتوبوس", cost: "1000" },
        { en: "Park benches", fa: "نیمکت پارک", cost: "3000" },
      ];
      await staff.goto(`${admin}/proposals`);
      for (const p of proposals) {
        await staff.getByLabel(t("rounds.proposal.envelope"), { exact: true }).selectOption("all");
        await staff.getByLabel(t("rounds.proposal.titleEn"), { exact: true }).fill(p.en);
        await staff.getByLabel(t("rounds.proposal.titleFa"), { exact: true }).fill(p.fa);
        await staff.getByLabel(t("rounds.proposal.bodyEn"), { exact: true }).fill(`${p.en}, as the council plans it.`);
        await staff.getByLabel(t("rounds.proposal.cost", { currency: "IRR" }), { exact: true }).fill(p.cost);
        await staff.getByRole("button", { name: t("rounds.proposal.create"), exact: true }).click();
        await expect.poll(() => staff.locator("main table").textContent()).toContain(locale === "fa" ? p.fa : p.en);
      }

      // Voting opens now; the resident's ballot lists the proposals cheapest first.
      await staff.goto(admin);
      await pressAndConfirm(staff, locale, t("staff.openVoting"));
      await expect.poll(status).toContain(t("staff.done.open_voting"));
      const resident = await newPage();
      await logIn(resident, env.app.url, person.email);
      await switchLanguage(resident, locale);
      await resident.goto(`${env.app.url}/m/demo/verify`);
      await resident.getByLabel(t("verification.nationalId"), { exact: true }).fill(typed(locale, person.nationalId));
      await resident
        .getByLabel(t("verification.birthDate"), { exact: true })
        .fill(typed(locale, locale === "fa" ? solarHijri(person.birthDate) : person.birthDate));
      await resident.getByRole("button", { name: t("verification.match.submit"), exact: true }).click();
      await resident.waitForURL(/\/m\/demo\/verify\?done=1$/);
      await resident.goto(`${env.app.url}/m/demo/rounds/${slug}/vote/all`);
      const cards = resident.getByTestId("ballot-card");
      await expect.poll(() => cards.count()).toBe(3);
      const listed = (await cards.locator("label").allTextContents()).map((text) => text.split("—")[0].trim());
      expect(listed).toEqual(
        ["Bus shelter", "Park benches", "Library roof"].map((en) => {
          const p = proposals.find((x) => x.en === en) as (typeof proposals)[number];
          return locale === "fa" ? p.fa : p.en;
        }),
      );
      // The resident approves the two cheapest; staff close, count and publish; all three fit the envelope.
      for (const p of proposals.slice(1)) {
        await resident.getByLabel(new RegExp(locale === "fa" ? p.fa : p.en)).check();
      }
      await resident.getByRole("button", { name: t("vote.cast"), exact: true }).click();
      await expect.poll(() => resident.locator(".notice").first().textContent()).toContain(t("vote.cast.done"));
      await resident.context().close();

      await staff.goto(admin);
      await pressAndConfirm(staff, locale, t("staff.closeVoting"));
      await expect.poll(status).toContain(t("staff.done.close_voting"));
      await staff.goto(`${admin}/tally`);
      await pressAndConfirm(staff, locale, t("rounds.tally.run"));
      await expect.poll(() => staff.getByRole("status").count()).toBe(1);
      // The demo's witnesses follow every round of the municipality, this new one too: they cosign
      // the final checkpoint and the results are out.
      await pressAndConfirm(staff, locale, t("rounds.publish.submit"));
      await expect
        .poll(() => staff.getByRole("status").textContent())
        .toContain(t("rounds.publish.done", { count: 3 }));
      await staff.goto(`${env.app.url}/m/demo/rounds/${slug}`);
      await staff.getByRole("link", { name: t("rounds.results.link"), exact: true }).click();
      await staff.waitForURL(`${env.app.url}/m/demo/rounds/${slug}/results`);
      const results = (await staff.locator("main").textContent()) ?? "";
      for (const p of proposals) expect(results).toContain(locale === "fa" ? p.fa : p.en);
      await staff.context().close();
    });
  }
});
