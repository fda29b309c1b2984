/**
 * Every resident and observer journey with JavaScript off, in English and in Persian chosen with the
 * language switcher (right to left, Persian labels and messages, numbers and IDs typed in Persian
 * digits): sign up and verify by census or by a letter code staff issued, vote and check the receipt by
 * pasting its id; propose a project, edit it, withdraw it; report a comment; comment on and subscribe
 * to a funded project; and, logged out, open data, the action log, the implementation board and a
 * project's timeline, round eligibility, results and a receipt from the published bundle. Each step
 * checks what the page shows after the redirect, and where another page shows the stored outcome
 * (staff's view of a verification or a report, the resident's list of proposals), that page too.
 */
import { isolated } from "../../app/domain/accounts/names";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Locale,
  type MessageKey,
  type Params,
  direction,
  formatMoney,
  formatNumber,
  translator,
} from "../../app/domain/i18n";
import { censusPerson, solarHijri, typed } from "../support/census-people";
import { appAndBrowserPerFile, confirmAddressByMail, logIn, switchLanguage } from "../support/e2e-server";
import { IDEAS, addIdeasRound } from "../support/ideas-round";

const env = appAndBrowserPerFile({ beforeAll, afterAll }, { prepare: addIdeasRound });

/** What each language's journeys use: census rows (north district, class `resident`) and demo texts. */
const cases = {
  en: {
    censusRow: 21,
    north: "North district",
    ballot: ["Safe crossing near Hafez school", "Drinking fountains on the river walk"],
    points: ["Plant 2,000 street trees", "Recycling bins at every school"],
    resident: "resident1@demo.shora.local",
    flag: { proposal: "Bike lanes on Azadi street", comment: "Please keep the comments on the lanes themselves." },
    funded: { title: "Safe school routes", note: "Work is under way." },
    proposal: { title: "Shade over the Laleh park benches", edited: "Shade and water at Laleh park" },
  },
  fa: {
    censusRow: 27,
    north: "منطقهٔ شمال",
    ballot: ["گذرگاه ایمن کنار مدرسهٔ حافظ", "آب‌خوری در پیاده‌روی کنار رود"],
    points: ["کاشت ۲٬۰۰۰ درخت خیابانی", "سطل بازیافت در هر مدرسه"],
    resident: "resident2@demo.shora.local",
    flag: { proposal: "نیمکت و سایه‌بان در ایستگاه‌های اتوبوس", comment: "لطفاً دربارهٔ خود ایستگاه‌ها بنویسید." },
    funded: { title: "روشنایی تازه در پارک شهید", note: "پایان یافت و به روی همه باز شد." },
    proposal: { title: "سایه‌بان برای نیمکت‌های پارک لاله", edited: "سایه و آب در پارک لاله" },
  },
} as const;

/** A UI string as a pattern: the given values in place, anything for the other placeholders. */
function pattern(locale: Locale, key: MessageKey, params: Params = {}): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(
    literal(translator(locale)(key, params))
      .split(/\\\{\w+\\\}/)
      .join(".+?"),
  );
}

const text = async (page: Page, selector = "main") => (await page.locator(selector).first().textContent()) ?? "";

/** The page is in the language and direction chosen. */
async function expectLanguage(page: Page, locale: Locale) {
  expect(await page.locator("html").getAttribute("lang")).toBe(locale);
  expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
}

async function newPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** A visitor switches to the language, then creates an account on the sign-up page. */
async function signUp(page: Page, locale: Locale, name: string): Promise<string> {
  const t = translator(locale);
  const email = `nojs-${locale}-${randomBytes(4).toString("hex")}@example.org`;
  await page.goto(`${env.app.url}/signup`);
  await switchLanguage(page, locale);
  await page.getByLabel(t("auth.displayName")).fill(name);
  await page.getByLabel(t("auth.email")).fill(email);
  await page.getByLabel(t("auth.password")).fill("a long enough password");
  await page.getByRole("button", { name: t("auth.signup.submit") }).click();
  await page.waitForURL(`${env.app.url}/account`);
  await expectLanguage(page, locale);
  expect(await text(page)).toContain(t("account.signedInAs", { name: isolated(name) }));
  // Verification needs a confirmed address: the link arrives by mail (ADR 0025).
  await confirmAddressByMail(page, env.app.url, env.smtp, email);
  return email;
}

/** A demo account logs in and chooses the language. */
async function demoLogIn(page: Page, email: string, locale: Locale) {
  await logIn(page, env.app.url, email);
  await switchLanguage(page, locale);
}

/** The demo staff member, logged in once per language (JavaScript off too). */
const staffPages: Partial<Record<Locale, Page>> = {};
async function staffPage(locale: Locale): Promise<Page> {
  if (!staffPages[locale]) {
    const page = await newPage(env.browser);
    await demoLogIn(page, "staff@demo.shora.local", locale);
    staffPages[locale] = page;
  }
  return staffPages[locale] as Page;
}

/** The demo administrator: letter codes and the census are theirs (ADR 0019). */
const adminPages: Partial<Record<Locale, Page>> = {};
async function adminPage(locale: Locale): Promise<Page> {
  if (!adminPages[locale]) {
    const page = await newPage(env.browser);
    await demoLogIn(page, "admin@demo.shora.local", locale);
    adminPages[locale] = page;
  }
  return adminPages[locale] as Page;
}

/** Staff find a resident by email on the verifications page: their verification history. */
async function staffSeeVerification(locale: Locale, email: string): Promise<string> {
  const t = translator(locale);
  const staff = await staffPage(locale);
  await staff.goto(`${env.app.url}/m/demo/admin/verifications`);
  await staff.getByLabel(t("verification.staff.email")).fill(email);
  await staff.getByRole("button", { name: t("verification.staff.search.submit") }).click();
  await staff.waitForURL(/email=/);
  await expectLanguage(staff, locale);
  return text(staff, "[data-verification]");
}

describe("resident and observer journeys without JavaScript", () => {
  for (const locale of ["en", "fa"] as const) {
    const t = translator(locale);
    const c = cases[locale];
    const money = (n: number) => formatMoney(locale, n, "IRR");

    it(`a new resident signs up, verifies by census, votes in two envelopes, pastes the ballot id to check the receipt and downloads it (${locale})`, async () => {
      const page = await newPage(env.browser);
      const email = await signUp(page, locale, locale === "fa" ? "مریم نمونه" : "Mary Sample");
      await page.goto(`${env.app.url}/m/demo`);
      await page.getByRole("link", { name: t("verification.title") }).click();
      expect(await text(page)).toContain(t("verification.status.not"));
      // Census match, the ID and (in Persian) the Solar Hijri birth date in the visitor's digits.
      const person = censusPerson(c.censusRow);
      await page.getByLabel(t("verification.nationalId"), { exact: true }).fill(typed(locale, person.id));
      await page
        .getByLabel(t("verification.birthDate"), { exact: true })
        .fill(typed(locale, locale === "fa" ? solarHijri(person.birthDate) : person.birthDate));
      await page.getByRole("button", { name: t("verification.match.submit"), exact: true }).click();
      await page.waitForURL(/\/m\/demo\/verify\?done=1$/);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=status]")).toBe(t("verification.done"));
      expect(await text(page, "[data-testid=verification-status]")).toBe(
        t("verification.status.verified", {
          district: isolated(c.north),
          voterClass: isolated(locale === "fa" ? "ساکن" : "Resident"),
        }),
      );
      expect(await text(page)).toMatch(
        pattern(locale, "verification.status.method", { method: t("verification.method.census") }),
      );
      // The round's weight for this resident, in the page's digits.
      const standing = page.locator("tr", {
        hasText: locale === "fa" ? "بودجهٔ مشارکتی ۱۴۰۵" : "Participatory budget 1405",
      });
      expect(await standing.locator("td").nth(1).textContent()).toContain(formatNumber(locale, 2));
      expect(await staffSeeVerification(locale, email)).toContain(t("verification.method.census"));

      // Approval ballot in the north envelope.
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      await page.getByRole("link", { name: `${t("vote.link")}: ${c.north}` }).click();
      expect(await text(page)).toContain(t("vote.weight", { weight: 2 }));
      for (const title of c.ballot) await page.getByLabel(title, { exact: false }).check();
      await page.getByRole("button", { name: t("vote.cast") }).click();
      await expect.poll(() => text(page, ".notice")).toContain(t("vote.cast.done"));
      const ballotId = (await text(page, ".notice code")).trim();
      expect(ballotId).toMatch(/^[0-9a-f]{32}$/);
      expect(await text(page, ".notice")).toMatch(pattern(locale, "vote.receipt.leaf"));

      // Points typed in the visitor's digits: saved, shown again, then cast.
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      const green = locale === "fa" ? "شهر سبز (همهٔ منطقه‌ها)" : "Green city (all districts)";
      await page.getByRole("link", { name: `${t("vote.link")}: ${green}` }).click();
      const points = (title: string) => page.getByLabel(t("vote.pointsFor", { title }), { exact: false });
      await points(c.points[0]).fill(typed(locale, "6"));
      await points(c.points[1]).fill(typed(locale, "3"));
      await page.getByRole("button", { name: t("vote.save") }).click();
      await expect.poll(() => text(page, ".notice")).toContain(t("vote.saved"));
      await page.reload();
      expect(await points(c.points[0]).inputValue()).toBe("6");
      expect(await text(page, "form [role=status]")).toBe(
        t("vote.points", { used: formatNumber(locale, 9), max: formatNumber(locale, 10) }),
      );
      await page.getByRole("button", { name: t("vote.cast") }).click();
      await expect.poll(() => text(page, ".notice")).toContain(t("vote.cast.done"));

      // The receipt check, as anyone would: the round's link, the id pasted into the form.
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      await page.getByRole("link", { name: t("rounds.receipt.title") }).click();
      await page.getByLabel(t("rounds.receipt.ballotId")).fill(ballotId);
      await page.getByRole("button", { name: t("rounds.receipt.check") }).click();
      await page.waitForURL(/receipt\?ballot=/);
      await expectLanguage(page, locale);
      // In the ledger: awaiting the next signed checkpoint, or in one already.
      const status = await text(page, "section[role=status]");
      const recorded = [pattern(locale, "rounds.receipt.pending"), pattern(locale, "rounds.receipt.included")];
      expect(status).toMatch(new RegExp(recorded.map((r) => r.source).join("|")));
      // During voting the check never says whether the ballot still counts (ADR 0017).
      expect(status).toContain(t("rounds.receipt.statusLater"));
      const download = page.waitForEvent("download");
      await page.getByRole("link", { name: t("rounds.receipt.download") }).click();
      const receipt = JSON.parse(fs.readFileSync(await (await download).path(), "utf8"));
      expect(receipt).toMatchObject({ version: 2, ballotId, leaf: { ballotId } });
      expect(receipt).not.toHaveProperty("status");
      // A mistyped id is not found, and says so.
      await page.getByLabel(t("rounds.receipt.ballotId")).fill(`${ballotId.slice(0, 31)}x`);
      await page.getByRole("button", { name: t("rounds.receipt.check") }).click();
      await expect.poll(() => text(page, "[role=status]")).toBe(t("rounds.receipt.notFound"));
      await page.context().close();
    });

    it(`the administrator issues a letter code as a CSV (staff are not offered the form), and a new resident verifies with it (${locale})`, async () => {
      const clerk = await staffPage(locale);
      await clerk.goto(`${env.app.url}/m/demo/admin/verifications`);
      await expectLanguage(clerk, locale);
      expect(await clerk.locator("#letters-limit").count()).toBe(0);
      const staff = await adminPage(locale);
      await staff.goto(`${env.app.url}/m/demo/admin/verifications`);
      await staff.getByLabel(t("verification.census.district")).selectOption({ label: c.north });
      await staff.getByLabel(t("verification.letters.validDays")).fill("30");
      await staff.getByLabel(t("verification.letters.limit")).fill("1");
      const download = staff.waitForEvent("download");
      await staff.getByRole("button", { name: t("verification.letters.submit") }).click();
      const csv = fs
        .readFileSync(await (await download).path(), "utf8")
        .trim()
        .split("\n");
      expect(csv[0]).toBe("census_line,district,voter_class,code,expires_on");
      expect(csv).toHaveLength(2);
      const [, district, voterClass, code] = csv[1].split(",");
      expect(district).toBe("north");
      expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

      const page = await newPage(env.browser);
      const email = await signUp(page, locale, locale === "fa" ? "نامه‌دار" : "Letter Holder");
      await page.goto(`${env.app.url}/m/demo/verify`);
      // A wrong code first: refused, the field named, nothing verified.
      await page.getByLabel(t("verification.code"), { exact: true }).fill("0000-0000-0000");
      await page.getByRole("button", { name: t("verification.letter.submit") }).click();
      await expect.poll(() => text(page, ".error-summary")).toMatch(pattern(locale, "verification.error.code_unknown"));
      expect(await text(page, "[data-testid=verification-status]")).toBe(t("verification.status.not"));
      // Typed as on the letter, in lower case with spaces.
      await page.getByLabel(t("verification.code"), { exact: true }).fill(code.toLowerCase().replace(/-/g, " "));
      await page.getByRole("button", { name: t("verification.letter.submit") }).click();
      await page.waitForURL(/\/m\/demo\/verify\?done=1$/);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=status]")).toBe(t("verification.done"));
      // The voter class by its name in the page's language, never its code.
      const status = await text(page, "[data-testid=verification-status]");
      const [before, after] = t("verification.status.verified", {
        district: isolated(c.north),
        voterClass: isolated("\u0000"),
      }).split(
        "\u0000",
      );
      expect(status.startsWith(before) && status.endsWith(after), status).toBe(true);
      expect(status).not.toContain(voterClass);
      expect(await text(page)).toMatch(
        pattern(locale, "verification.status.method", { method: t("verification.method.letter") }),
      );
      await page.context().close();
      const history = await staffSeeVerification(locale, email);
      expect(history).toContain(t("verification.method.letter"));
      expect(history).toContain(c.north);
      expect(history).toContain(t("verification.staff.active"));
    });

    it(`a resident proposes a project with the cost in their digits, edits it and withdraws it (${locale})`, async () => {
      const page = await newPage(env.browser);
      await demoLogIn(page, c.resident, locale);
      const round = `${env.app.url}/m/demo/rounds/${IDEAS}`;
      await page.goto(round);
      await page.getByRole("link", { name: t("rounds.proposal.submit") }).click();
      await page.waitForURL(/\/propose$/);
      const lang = locale === "fa" ? "Fa" : "En";
      const title = page.getByLabel(t(`rounds.proposal.title${lang}`));
      const body = page.getByLabel(t(`rounds.proposal.body${lang}`));
      const cost = page.getByLabel(t("rounds.proposal.cost", { currency: "IRR" }));
      // No cost: refused with the field named, what was typed kept.
      await title.fill(c.proposal.title);
      await body.fill(locale === "fa" ? "سایه برای تابستان." : "Shade for the summer.");
      await page.getByRole("button", { name: t("rounds.proposal.submit") }).click();
      await expect.poll(() => text(page, ".error-summary")).toContain(t("round.cost"));
      expect(await title.inputValue()).toBe(c.proposal.title);
      await cost.fill(typed(locale, "45000000"));
      await page.getByRole("button", { name: t("rounds.proposal.submit") }).click();
      await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/);
      await expectLanguage(page, locale);
      expect(await text(page, "h1")).toBe(c.proposal.title);
      expect(await text(page)).toContain(t("proposal.cost", { cost: money(45_000_000) }));
      expect(await text(page)).toContain(t("rounds.proposal.status.submitted"));

      await page.goto(round);
      const mine = page.locator("#mine + ul li", { hasText: c.proposal.title });
      expect(await mine.textContent()).toContain(t("rounds.proposal.status.submitted"));
      await mine.getByRole("link", { name: t("rounds.edit") }).click();
      await page.waitForURL(/\/edit$/);
      expect(await cost.inputValue()).toBe("45000000");
      await title.fill(c.proposal.edited);
      await cost.fill(typed(locale, "52000000"));
      await page.getByRole("button", { name: t("rounds.proposal.save") }).click();
      await page.waitForURL(/\/proposals\/[0-9a-f-]{36}$/);
      expect(await text(page, "h1")).toBe(c.proposal.edited);
      expect(await text(page)).toContain(t("proposal.cost", { cost: money(52_000_000) }));

      await page.goto(round);
      await page
        .locator("#mine + ul li", { hasText: c.proposal.edited })
        .getByRole("link", { name: t("rounds.edit") })
        .click();
      await page.getByRole("button", { name: t("rounds.proposal.withdraw") }).click();
      await page.waitForURL(round);
      const withdrawn = page.locator("#mine + ul li", { hasText: c.proposal.edited });
      expect(await withdrawn.textContent()).toContain(t("rounds.proposal.status.withdrawn"));
      expect(await withdrawn.getByRole("link", { name: t("rounds.edit") }).count()).toBe(0);
      await page.context().close();
    });

    it(`a resident reports a comment and staff see the report in the moderation queue (${locale})`, async () => {
      // Staff write the comment (staff have accounts like anyone), on a proposal of the open round,
      // found by searching its paged list (the order of the list is the reader's own).
      const staff = await staffPage(locale);
      await staff.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent(c.flag.proposal)}`);
      await staff.getByRole("link", { name: c.flag.proposal, exact: true }).first().click();
      await staff.getByLabel(t("comments.body"), { exact: true }).fill(c.flag.comment);
      await staff.getByRole("button", { name: t("comments.submit") }).click();
      await expect.poll(() => text(staff, "[role=status]")).toContain(t("comments.posted"));

      const page = await newPage(env.browser);
      await demoLogIn(page, c.resident, locale);
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent(c.flag.proposal)}`);
      await page.getByRole("link", { name: c.flag.proposal, exact: true }).first().click();
      const comment = () => page.locator("ol.comments > li", { hasText: c.flag.comment }).first();
      await comment()
        .locator("summary", { hasText: t("comments.flag") })
        .click();
      const reason = `Off topic (${locale})`;
      await comment().getByLabel(t("comments.flagReason")).fill(reason);
      await comment()
        .getByRole("button", { name: t("comments.flag") })
        .click();
      await expect.poll(() => text(page, "[role=status]")).toContain(t("comments.flagDone"));
      await expectLanguage(page, locale);
      expect(await comment().textContent()).toContain(t("comments.flagged"));
      await page.context().close();

      await staff.goto(`${env.app.url}/m/demo/admin/moderation`);
      const report = staff.locator("article", { hasText: c.flag.comment });
      expect(await report.textContent()).toContain(reason);
    });

    it(`a resident comments on a funded project's update and subscribes to it (${locale})`, async () => {
      const page = await newPage(env.browser);
      await demoLogIn(page, c.resident, locale);
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/implementation`);
      await page.getByRole("link", { name: c.funded.title }).click();
      await page.waitForURL(/\/implementation\/[0-9a-f-]{36}$/);
      expect(await text(page, "h1")).toBe(c.funded.title);
      await page.getByRole("button", { name: t("implementation.subscribe") }).click();
      await expect.poll(() => text(page)).toContain(t("implementation.subscribed"));
      await page.reload();
      expect(await page.getByRole("button", { name: t("implementation.unsubscribe") }).count()).toBe(1);

      const update = page.locator("ol.card-list > li", { hasText: c.funded.note });
      // An empty comment: refused, the field named.
      await update.getByRole("button", { name: t("implementation.comments.post") }).click();
      await expect
        .poll(() => text(page, ".field-error"))
        .toBe(t("field.required", { field: t("implementation.comments.body") }));
      const said = locale === "fa" ? "کی تمام می‌شود؟" : "When will it be finished?";
      await update.getByLabel(t("implementation.comments.add")).fill(said);
      await update.getByRole("button", { name: t("implementation.comments.post") }).click();
      await expect.poll(() => text(page, ".update-comments")).toContain(said);
      await expectLanguage(page, locale);
      expect(await text(page, ".update-comments li")).toContain(locale === "fa" ? "Roya Resident" : "Reza Resident");
      await page.context().close();
    });

    it(`an observer reads open data, results, the action log, the implementation board and a timeline, eligibility, and checks a published receipt (${locale})`, async () => {
      const page = await newPage(env.browser);
      await page.goto(`${env.app.url}/m/demo`);
      await switchLanguage(page, locale);
      const past = locale === "fa" ? "بودجهٔ مشارکتی ۱۴۰۴" : "Participatory budget 1404";

      await page.getByRole("link", { name: t("openData.title") }).click();
      expect(await text(page, "h1")).toBe(t("openData.title"));
      const row = page.locator("tr", { hasText: past });
      await row.getByRole("link", { name: t("openData.results") }).click();
      await page.waitForURL(/budget-1404\/results$/);
      await expectLanguage(page, locale);
      expect(await text(page, "h1")).toBe(`${t("rounds.results.title")} — ${past}`);
      const support = page.locator("section table").first();
      expect(await support.locator("tbody tr").count()).toBe(6);
      expect(await support.locator("tbody tr", { hasText: t("rounds.results.selected") }).count()).toBeGreaterThan(0);

      await page.goto(`${env.app.url}/m/demo`);
      await page.getByRole("link", { name: t("actionLog.link") }).click();
      expect(await text(page, "h1")).toBe(t("actionLog.title"));
      await page.getByLabel(t("actionLog.round")).selectOption({ label: past });
      await page.getByLabel(t("actionLog.action")).selectOption("round.publish");
      await page.getByRole("button", { name: t("actionLog.apply") }).click();
      await page.waitForURL(/action=round.publish/);
      expect(await text(page, "main > [role=status]")).toBe(t("actionLog.count", { count: 1 }));
      expect(await page.locator("tbody tr").count()).toBe(1);
      expect(await text(page, "tbody tr")).toContain(t("actionLog.name.round.publish"));

      await page.goto(`${env.app.url}/m/demo/rounds/budget-1404`);
      await page.getByRole("link", { name: t("implementation.board") }).click();
      expect(await text(page, "h1")).toBe(t("implementation.title"));
      expect(await page.locator("table tbody tr").count()).toBe(4);
      await page.getByRole("link", { name: c.funded.title }).click();
      expect(await text(page, "h1")).toBe(c.funded.title);
      expect(await text(page)).toContain(c.funded.note);
      expect(await page.getByRole("link", { name: t("implementation.loginToSubscribe") }).count()).toBe(1);

      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405/eligibility`);
      await expectLanguage(page, locale);
      expect(await text(page, "[data-testid=eligibility-verdict]")).toBe(t("verification.mine.no"));
      expect(await text(page)).toContain(t("verification.mine.not_verified"));
      // Each class's weight, in the page's digits.
      expect(await text(page)).toContain(`${locale === "fa" ? "ساکن" : "Resident"}: ${formatNumber(locale, 2)}`);

      // A ballot of the published ledger, pasted into the round's receipt check.
      const lines = (
        await (await page.request.get(`${env.app.url}/m/demo/rounds/budget-1404/bundle/ballots.jsonl`)).text()
      )
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).leaf as { ballotId: string | null; supersedes: string | null });
      const published = lines.find((l) => l.ballotId)?.ballotId as string;
      const successor = lines.find((l) => l.supersedes === published);
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1404`);
      await page.getByRole("link", { name: t("rounds.receipt.title") }).click();
      await page.getByLabel(t("rounds.receipt.ballotId")).fill(published);
      await page.getByRole("button", { name: t("rounds.receipt.check") }).click();
      await page.waitForURL(/receipt\?ballot=/);
      const status = await text(page, "section[role=status]");
      expect(status).toMatch(pattern(locale, "rounds.receipt.included", { size: lines.length }));
      // Published: what became of the ballot (counted, replaced by a later one, or withdrawn).
      const fate = !successor
        ? "rounds.receipt.current"
        : successor.ballotId
          ? "rounds.receipt.superseded"
          : "rounds.receipt.withdrawn";
      expect(status).toMatch(pattern(locale, fate));
      await page.context().close();
    });
  }
});
