/**
 * Script payloads typed into every kind of resident text — a proposal's title and description, a
 * comment, a survey answer — stay text: in the pages that show them (for the author, for other
 * people and for staff), and in the CSV export, where a formula is neutralised. In English, and in
 * Persian (chosen with the language switcher; right to left) with payloads that mix Persian words,
 * markup, `</textarea>`, `javascript:` links and bidi controls. Checked in Chromium: no dialog
 * opens, no injected element or script runs, and each text is shown exactly as it was typed.
 */
import fs from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, direction, formatNumber, translator } from "../../app/domain/i18n";
import { addDays } from "../../app/domain/rounds/rules";
import { appAndBrowserPerFile, logIn, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });

const PAYLOAD = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2;alert(2)</script>"><svg onload=alert(3)>`;
const FORMULA = '=HYPERLINK("http://evil.example","click")';
/** Right-to-left override, right-to-left isolate and their ends. */
const [RLO, PDF, RLI, PDI] = ["\u202E", "\u202C", "\u2067", "\u2069"];

/** What the resident types in each language, and the demo's texts they pick among (demo.server.ts). */
const cases: Record<
  Locale,
  { title: string; body: string; comment: string; answer: string; gym: string; bicycle: string; other: string }
> = {
  en: {
    title: PAYLOAD,
    body: PAYLOAD,
    comment: PAYLOAD,
    answer: `${FORMULA} ${PAYLOAD}`,
    gym: "Outdoor gym in Niloufar park",
    bicycle: "Bicycle",
    other: "Anything else we should know?",
  },
  fa: {
    title: `${RLO}پارک محله ${PAYLOAD}${PDF}`,
    body: `شرح طرح</textarea>${PAYLOAD} <a href="javascript:alert(4)">پیوند</a> javascript:alert(5) ${RLI}"><script>alert(6)</script>${PDI}`,
    comment: `نظر من: ${RLI}"><script>window.__pwned=2;alert(2)</script>${PDI}</textarea><img src=x onerror=alert(1)> <a href="javascript:alert(4)">اینجا</a>`,
    answer: `${FORMULA} ${RLO}</textarea>${PAYLOAD}${PDF} پاسخ فارسی javascript:alert(7)`,
    gym: "باشگاه ورزشی روباز در پارک نیلوفر",
    bicycle: "دوچرخه",
    other: "چیز دیگری هست که باید بدانیم؟",
  },
};

/** A logged-in page in the given language, chosen with the switcher; dialogs are recorded and dismissed. */
async function watched(email: string, locale: Locale) {
  const page = await (await env.browser.newContext({ locale: "en-GB", acceptDownloads: true })).newPage();
  page.setDefaultTimeout(15_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await logIn(page, env.app.url, email);
  await switchLanguage(page, locale);
  return { page, dialogs };
}

/**
 * Each text is shown exactly as typed by some element of the page (`shown`; with the direction its
 * element must have, where that is the page's or the text's own), in the page's language and
 * direction, and nothing it carries ran or became an element.
 */
async function inert(
  page: Page,
  dialogs: string[],
  where: string,
  locale: Locale,
  shown: { text: string; dir?: "rtl" | "ltr" }[],
) {
  await page.waitForLoadState("load");
  for (const { text, dir } of shown) {
    const holders = () =>
      page
        .locator("main")
        .evaluate(
          (main, text) =>
            [main, ...main.querySelectorAll("*")]
              .filter((e) => e.textContent === text)
              .map((e) => getComputedStyle(e).direction),
          text,
        );
    await expect.poll(holders, { message: `${where}: ${text}` }).not.toEqual([]);
    if (dir) expect(new Set(await holders()), `${where}: direction of ${text}`).toEqual(new Set([dir]));
  }
  expect(await page.locator("html").getAttribute("lang"), where).toBe(locale);
  expect(await page.locator("html").getAttribute("dir"), where).toBe(direction(locale));
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), where).toBeUndefined();
  expect(
    await page.locator('img[src="x"], [onerror], [onload], a[href^="javascript" i], main script').count(),
    where,
  ).toBe(0);
  expect(dialogs, where).toEqual([]);
}

const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());

/** Staff create a budgeting round taking proposals now (voting later), with one envelope "ideas". */
async function budgetingRound(staff: Page, slug: string, locale: Locale) {
  const t = translator(locale);
  const day = today();
  const [proposing, voting] = [t("phase.proposals"), t("phase.voting")];
  await staff.goto(`${env.app.url}/m/demo/admin/rounds`);
  await staff.getByLabel(t("rounds.slug")).fill(slug);
  await staff.getByLabel(t("rounds.titleEn")).fill(`Round ${slug}`);
  await staff.getByLabel(t("rounds.titleFa")).fill("ایده‌ها ۲۰۲۷");
  await staff.getByLabel(t("rounds.phaseStart", { phase: proposing })).fill(addDays(day, -1));
  await staff.getByLabel(t("rounds.phaseEnd", { phase: proposing })).fill(addDays(day, 10));
  await staff.getByLabel(t("rounds.phaseStart", { phase: voting })).fill(addDays(day, 11));
  await staff.getByLabel(t("rounds.phaseEnd", { phase: voting })).fill(addDays(day, 20));
  await staff.getByRole("button", { name: t("rounds.createSubmit") }).click();
  await staff.waitForURL(`${env.app.url}/m/demo/admin/rounds/${slug}`);
  await staff.goto(`${env.app.url}/m/demo/admin/rounds/${slug}/envelopes`);
  await staff.getByLabel(t("rounds.envelope.slug")).fill("ideas");
  await staff.getByLabel(t("rounds.envelope.nameEn")).fill("Ideas");
  await staff.getByLabel(t("rounds.envelope.amount", { currency: "IRR" })).fill("900000000");
  await staff.getByRole("button", { name: t("rounds.envelope.create") }).click();
  await expect.poll(() => staff.locator("details summary").first().textContent()).toContain("Ideas");
}

/** A resident submits a proposal with the hostile title and description, in the fields of their language. */
async function hostileProposal(resident: Page, slug: string, locale: Locale) {
  const t = translator(locale);
  const { title, body } = cases[locale];
  await resident.goto(`${env.app.url}/m/demo/rounds/${slug}`);
  await resident.getByRole("link", { name: t("rounds.proposal.submit"), exact: true }).click();
  await resident.waitForURL(/\/propose$/);
  const fa = locale === "fa";
  await resident.getByLabel(t(fa ? "rounds.proposal.titleFa" : "rounds.proposal.titleEn")).fill(title);
  await resident.getByLabel(t(fa ? "rounds.proposal.bodyFa" : "rounds.proposal.bodyEn")).fill(body);
  await resident.getByLabel(t("rounds.proposal.cost", { currency: "IRR" })).fill("1000000");
  await resident.getByRole("button", { name: t("rounds.proposal.submit"), exact: true }).click();
  await resident.waitForURL(/\/proposals\//);
}

describe("hostile text is inert everywhere it is shown", () => {
  for (const locale of ["en", "fa"] as const) {
    it(`in a proposal, a comment and a survey answer, for residents and staff, and in the CSV export (${locale})`, async () => {
      const t = translator(locale);
      const typed = cases[locale];
      const dir = direction(locale);
      const slug = `ideas-2027-${locale}`;
      // A budgeting round taking proposals, with an envelope.
      const { page: staff, dialogs: staffDialogs } = await watched("staff@demo.shora.local", locale);
      await budgetingRound(staff, slug, locale);

      // A proposal whose title and description are the payload; its author is sent to its page.
      const { page: resident, dialogs } = await watched("resident1@demo.shora.local", locale);
      await hostileProposal(resident, slug, locale);
      const proposal = [
        { text: typed.title, dir },
        { text: typed.body, dir },
      ];
      await inert(resident, dialogs, "the author's proposal page", locale, proposal);
      const proposalUrl = resident.url();
      await resident.goto(`${env.app.url}/m/demo/rounds/${slug}`);
      await inert(resident, dialogs, "the round page listing the author's proposal", locale, [proposal[0]]);

      // A comment that is the payload, on a proposal everybody sees; the author's edit box holds it too.
      // The round's list is paged: the resident searches it for the proposal.
      await resident.goto(`${env.app.url}/m/demo/rounds/budget-1405?q=${encodeURIComponent(typed.gym)}`);
      await resident.getByRole("link", { name: typed.gym, exact: true }).click();
      await resident.waitForURL(/\/proposals\//);
      const publicUrl = resident.url();
      await resident.getByLabel(t("comments.body"), { exact: true }).fill(typed.comment);
      await resident.getByRole("button", { name: t("comments.submit") }).click();
      await expect.poll(() => resident.getByRole("status").textContent()).toContain(t("comments.posted"));
      await inert(resident, dialogs, "the proposal page with the comment", locale, [{ text: typed.comment, dir }]);
      const editBoxes = resident.locator('textarea[id^="edit-"]');
      expect(await editBoxes.evaluateAll((boxes) => boxes.map((b) => (b as HTMLTextAreaElement).value))).toContain(
        typed.comment,
      );

      // A survey answer that is the payload after a spreadsheet formula; the form shows it again.
      await resident.goto(`${env.app.url}/m/demo/rounds/transport-1405/survey`);
      await resident.getByLabel(typed.bicycle, { exact: true }).check();
      await resident.getByLabel(formatNumber(locale, 4), { exact: true }).check();
      await resident.getByLabel(typed.other).fill(typed.answer);
      await resident.getByRole("button", { name: t("survey.submit") }).click();
      await expect.poll(() => resident.getByRole("status").textContent()).toContain(t("survey.saved"));
      await inert(resident, dialogs, "the survey with the answer kept", locale, [{ text: typed.answer }]);
      expect(await resident.getByLabel(typed.other).inputValue()).toBe(typed.answer);
      await resident.context().close();

      // Staff review the proposal, read the comment and the survey results; the CSV keeps the text, not the formula.
      await staff.goto(`${env.app.url}/m/demo/admin/rounds/${slug}/proposals`);
      await inert(staff, staffDialogs, "staff's proposal review", locale, proposal);
      await staff.goto(publicUrl);
      await inert(staff, staffDialogs, "the comment seen by another person", locale, [{ text: typed.comment, dir }]);
      // A proposal awaiting review is its author's alone.
      expect((await staff.goto(proposalUrl))?.status()).toBe(404);
      await staff.goto(`${env.app.url}/m/demo/admin/rounds/transport-1405/survey`);
      await inert(staff, staffDialogs, "survey results", locale, [{ text: typed.answer }]);
      const download = staff.waitForEvent("download");
      await staff.getByRole("link", { name: t("survey.csv") }).click();
      const csv = fs.readFileSync(await (await download).path(), "utf8");
      // The question in the staff member's language heads its column; the answer is one quoted cell,
      // as typed but for the apostrophe that keeps a spreadsheet from reading it as a formula.
      expect(csv.split("\n")[0]).toContain(typed.other);
      expect(csv).toContain(`"'${typed.answer.replace(/"/g, '""')}"`);
      expect(csv).not.toMatch(/(^|,)"?=HYPERLINK/m);
      await staff.context().close();
    });
  }
});
