/**
 * The inclusion audit. Every page route of the app (every file in app/routes with a page, not the
 * resource routes that return files) is opened in English and in Persian, by the role that can see
 * it and in the states worth seeing (a form with its errors, a cast ballot…), and axe checks it
 * against WCAG 2.0, 2.1 and 2.2 A and AA and its best practices; a route with no entry here fails
 * the run. The main pages are photographed at a phone width (390 px) and a desktop width (1280 px)
 * into artifacts/screenshots/ (emptied first), and mirror in Persian: the brand at the right edge,
 * the navigation from right to left, the main heading's text starting at the right. Nothing is wider
 * than the screen. Every resident page, opened by a logged-in resident with an empty cache, transfers
 * under 100 KB compressed; the figures are printed. The one exception is chart.js (~60 KB), which the
 * results pages fetch after hydration, once the page and its tables are usable: it is weighed apart,
 * and must not be announced by the page itself (ADR 0011).
 */
import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, type Translator, direction, translator } from "../../app/domain/i18n";
import { addDays } from "../../app/domain/rounds/rules";
import { appAndBrowserPerFile, axeViolations, finishLogIn, logIn as logInInEnglish } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
/** A budgeting round taking proposals today (the demo's own rounds are past that phase), made by staff. */
const IDEAS = "ideas-1406";
const out = path.resolve(import.meta.dirname, "../../artifacts/screenshots");

/** The files the chart component imports after hydration (chart.js and its React wrapper), read from the build. */
function deferredChartFiles(): string[] {
  const assets = path.resolve(import.meta.dirname, "../../build/client/assets");
  const component = fs.readdirSync(assets).find((f) => /^BarChart-[\w-]+\.js$/.test(f));
  if (!component) throw new Error("no BarChart chunk in build/client/assets: run `npm run build`");
  const source = fs.readFileSync(path.join(assets, component), "utf8");
  return [...source.matchAll(/import\("\.\/([^"]+)"\)/g)].map((m) => m[1]);
}
const chartFiles = deferredChartFiles();
/** Compressed bytes of the deferred chart library, per language, on the results page. */
const chartWeights: Partial<Record<Locale, number>> = {};
const routesDir = path.resolve(import.meta.dirname, "../../app/routes");

type Role = "visitor" | "resident" | "staff" | "admin" | "platform";
const accounts: Record<Role, Record<Locale, string | null>> = {
  visitor: { en: null, fa: null },
  // Each language has its own resident (Reza in the north, Roya in the south): both verify and vote.
  resident: { en: "resident1@demo.shora.local", fa: "resident2@demo.shora.local" },
  staff: { en: "staff@demo.shora.local", fa: "staff@demo.shora.local" },
  // The census and council members are the administrator's (ADR 0019).
  admin: { en: "admin@demo.shora.local", fa: "admin@demo.shora.local" },
  platform: { en: "platform@demo.shora.local", fa: "platform@demo.shora.local" },
};
/** Residents and visitors are audited on a phone, staff on a desktop. */
const auditWidth: Record<Role, number> = { visitor: 390, resident: 390, staff: 1280, admin: 1280, platform: 1280 };

/** What an entry's path and actions get: the page, its language, and what earlier entries found. */
interface Scope {
  page: Page;
  locale: Locale;
  t: Translator;
  base: string;
  found: Map<string, string>;
}

interface Audit {
  /** The file in app/routes that renders this page. */
  route: string;
  role: Role;
  path: (s: Scope) => string | Promise<string>;
  status?: number;
  /** Further states of the same page (or where its form leads), each audited after its action. */
  states?: { name: string; act: (s: Scope) => Promise<void> }[];
  /**
   * The page is audited only in its states: a form shown again with its errors has everything the
   * empty form has, and the errors.
   */
  statesOnly?: boolean;
  /** A resident page whose transfer is weighed (name in the table). */
  weigh?: string;
  /** A main page photographed at both widths (file name). */
  screenshot?: string;
}

/** A demo proposal, by its title in the page's language. */
const PLAYGROUND = { en: "Playground renovation in Laleh park", fa: "نوسازی زمین بازی پارک لاله" };
/** What each language's resident says about it (staff report that comment). */
const COMMENT = { en: "Shade over the benches, please.", fa: "لطفاً روی نیمکت‌ها سایه‌بان بگذارید." };
const CENSUS = {
  en: { envelope: "north", nationalId: "0499370899", birthDate: "1985-03-21" },
  fa: { envelope: "south", nationalId: "۰۷۹۰۴۱۹۹۰۴", birthDate: "۱۳۷۱-۰۶-۰۱" },
};

const submit = (s: Scope, name: string) => s.page.getByRole("button", { name, exact: true }).first().click();
const errorsShown = (s: Scope) => s.page.locator(".error-summary").first().waitFor();
const hrefOf = async (s: Scope, from: string, linkText: string) => {
  await s.page.goto(`${s.base}${from}`);
  const href = await s.page.getByRole("link", { name: linkText, exact: true }).first().getAttribute("href");
  expect(href, `a link named ${linkText} on ${from}`).toBeTruthy();
  return href as string;
};

/** In order: later entries use what earlier ones did (the verified resident votes, staff see the report). */
const audits: Audit[] = [
  { route: "$.tsx", role: "visitor", path: () => "/no/such/page", status: 404 },
  { route: "_index.tsx", role: "visitor", path: () => "/" },
  {
    route: "login.tsx",
    role: "visitor",
    path: () => "/login",
    statesOnly: true,
    states: [
      {
        name: "wrong password",
        act: async (s) => {
          await s.page.getByLabel(s.t("auth.email")).fill("resident1@demo.shora.local");
          await s.page.getByLabel(s.t("auth.password")).fill("not the password");
          await submit(s, s.t("auth.login.submit"));
          await s.page.getByRole("alert").waitFor();
        },
      },
    ],
  },
  {
    route: "signup.tsx",
    role: "visitor",
    path: () => "/signup",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.getByLabel(s.t("auth.password")).fill("short");
          await submit(s, s.t("auth.signup.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  // The pages of the mailed links (ADR 0025): a link that is no longer (or never was) valid says so.
  { route: "forgot-password.tsx", role: "visitor", path: () => "/forgot-password" },
  { route: "reset-password.$token.tsx", role: "visitor", path: () => "/reset-password/no-such-token", status: 404 },
  { route: "confirm.$token.tsx", role: "visitor", path: () => "/confirm/no-such-token", status: 404 },
  // Without a provider answering, the e-ID pages show their refusal (the full journey is in eid.test.ts).
  {
    route: "auth.eid_.callback.tsx",
    role: "visitor",
    path: () => "/auth/eid/callback?shora_error=cancelled",
    status: 400,
  },
  { route: "auth.eid_.link.tsx", role: "visitor", path: () => "/auth/eid/link", status: 400 },
  { route: "unsubscribe.$token.tsx", role: "visitor", path: () => "/unsubscribe/no-such-token", status: 404 },
  { route: "m.$slug.log.tsx", role: "visitor", path: () => "/m/demo/log" },
  { route: "m.$slug.open-data.tsx", role: "visitor", path: () => "/m/demo/open-data" },
  {
    route: "m.$slug.rounds.$round.implementation._index.tsx",
    role: "visitor",
    path: () => "/m/demo/rounds/budget-1404/implementation",
  },
  {
    route: "m.$slug.rounds.$round.implementation.$proposal.tsx",
    role: "visitor",
    path: (s) =>
      hrefOf(
        s,
        "/m/demo/rounds/budget-1404/implementation",
        s.locale === "fa" ? "باغ کتاب‌خوانی کتابخانه" : "Library reading garden",
      ),
  },
  // Residents' reports (ADR 0039): the demo desk's seeded reports; number 3 is about a funded project.
  { route: "m.$slug.reports.$number._index.tsx", role: "visitor", path: () => "/m/demo/reports/3" },
  { route: "m.$slug.reports.figures.tsx", role: "visitor", path: () => "/m/demo/reports/figures" },

  {
    route: "m.$slug.verify.tsx",
    role: "resident",
    path: () => "/m/demo/verify",
    weigh: "verify",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.getByLabel(s.t("verification.nationalId"), { exact: true }).fill("123");
          await submit(s, s.t("verification.match.submit"));
          await errorsShown(s);
        },
      },
      {
        name: "verified",
        act: async (s) => {
          await s.page.getByLabel(s.t("verification.nationalId"), { exact: true }).fill(CENSUS[s.locale].nationalId);
          await s.page.getByLabel(s.t("verification.birthDate"), { exact: true }).fill(CENSUS[s.locale].birthDate);
          await submit(s, s.t("verification.match.submit"));
          await s.page.getByText(s.t("verification.done")).waitFor();
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.eligibility.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/budget-1405/eligibility",
  },
  {
    route: "m.$slug.rounds.$round.vote.$envelope.tsx",
    role: "resident",
    path: (s) => `/m/demo/rounds/budget-1405/vote/${CENSUS[s.locale].envelope}`,
    weigh: "vote basket",
    screenshot: "vote",
    statesOnly: true,
    states: [
      {
        name: "over the amount",
        act: async (s) => {
          for (const box of await s.page.locator("main input[type=checkbox]").all()) await box.check();
          await submit(s, s.t("vote.cast"));
          await errorsShown(s);
        },
      },
      {
        name: "cast",
        act: async (s) => {
          await s.page.goto(`${s.base}/m/demo/rounds/budget-1405/vote/${CENSUS[s.locale].envelope}`);
          await s.page.locator("main input[type=checkbox]").first().check();
          await submit(s, s.t("vote.cast"));
          const ballot = await s.page.locator(".notice code").first().textContent();
          expect(ballot).toMatch(/^[0-9a-f]{32}$/);
          s.found.set("ballot", ballot as string);
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.receipt.tsx",
    role: "resident",
    path: (s) => `/m/demo/rounds/budget-1405/receipt?ballot=${s.found.get("ballot")}`,
    weigh: "receipt",
    screenshot: "receipt",
  },
  {
    route: "m.$slug.rounds.$round.propose.tsx",
    role: "resident",
    path: () => `/m/demo/rounds/${IDEAS}/propose`,
    weigh: "propose",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await submit(s, s.t("rounds.proposal.submit"));
          await errorsShown(s);
        },
      },
      {
        name: "submitted (the new proposal's page)",
        act: async (s) => {
          await s.page.locator("#field-titleEn").fill("Shade over the sandpit");
          await s.page.locator("#field-titleFa").fill("سایه‌بان روی شن‌بازی");
          await s.page.locator("#field-bodyEn").fill("Sails over the sandpit in the park.");
          await s.page.locator("#field-cost").fill("120000000");
          await submit(s, s.t("rounds.proposal.submit"));
          await s.page.waitForURL(/\/proposals\/[^/]+$/);
          s.found.set("proposal", new URL(s.page.url()).pathname);
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx",
    role: "resident",
    path: (s) => `${s.found.get("proposal")}/edit`,
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.locator("#field-titleEn").fill("");
          await s.page.locator("#field-titleFa").fill("");
          await s.page.locator("#field-cost").fill("-5");
          await submit(s, s.t("rounds.proposal.save"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.proposals.$proposal_.point.tsx",
    role: "resident",
    path: (s) => `${s.found.get("proposal")}/point`,
    weigh: "point",
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.getByLabel(s.t("map.point.lat"), { exact: true }).fill("95");
          await s.page.getByLabel(s.t("map.point.lon"), { exact: true }).fill("51.35");
          await submit(s, s.t("map.point.save"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.map.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/budget-1405/map",
    weigh: "map",
  },
  {
    route: "m.$slug.rounds.$round.proposals.$proposal.tsx",
    role: "resident",
    path: (s) => hrefOf(s, "/m/demo/rounds/budget-1405", PLAYGROUND[s.locale]),
    weigh: "proposal",
    screenshot: "proposal",
    statesOnly: true,
    states: [
      {
        name: "commented",
        act: async (s) => {
          await s.page.getByLabel(s.t("comments.body")).fill(COMMENT[s.locale]);
          await s.page.getByLabel(s.t("comments.stance")).selectOption("for");
          await submit(s, s.t("comments.submit"));
          await s.page.getByText(s.t("comments.posted")).waitFor();
        },
      },
    ],
  },
  {
    route: "m.$slug.rounds.$round.survey.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/transport-1405/survey",
    weigh: "survey",
    screenshot: "survey",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await submit(s, s.t("survey.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  { route: "account.tsx", role: "resident", path: () => "/account", weigh: "account" },
  // Two-factor sign-in and one's own data (ADR 0026): the staff account is enrolled by its log-in.
  { route: "account_.security.tsx", role: "staff", path: () => "/account/security" },
  { route: "account_.privacy.tsx", role: "resident", path: () => "/account/privacy" },
  { route: "account_.notifications.tsx", role: "resident", path: () => "/account/notifications" },
  { route: "account_.phone.tsx", role: "resident", path: () => "/account/phone" },
  { route: "account_.following.tsx", role: "resident", path: () => "/account/following" },
  { route: "privacy.tsx", role: "visitor", path: () => "/privacy" },
  // The help centre (ADR 0037); tests/e2e/help.test.ts opens every guide.
  { route: "help._index.tsx", role: "resident", path: () => "/help?q=receipt", weigh: "help" },
  { route: "help.$page.tsx", role: "resident", path: () => "/help/verify-bundle", weigh: "help guide" },
  { route: "accessibility.tsx", role: "visitor", path: () => "/accessibility" },
  { route: "m.$slug.help._index.tsx", role: "resident", path: () => "/m/demo/help", weigh: "municipality help" },
  { route: "m.$slug.reports._index.tsx", role: "resident", path: () => "/m/demo/reports", weigh: "reports" },
  {
    route: "m.$slug.reports.new.tsx",
    role: "resident",
    path: () => "/m/demo/reports/new",
    weigh: "file a report",
    states: [
      {
        name: "errors",
        act: async (s) => {
          await submit(s, s.t("reports.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  { route: "m.$slug.help.$page.tsx", role: "visitor", path: () => "/m/demo/help/no-such-page", status: 404 },
  { route: "m.$slug.admin.help.tsx", role: "staff", path: () => "/m/demo/admin/help" },
  {
    route: "account_.participation.tsx",
    role: "resident",
    path: () => "/account/participation",
    weigh: "participation",
  },
  {
    route: "m.$slug.rounds.$round.results.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/budget-1404/results",
    weigh: "results",
    screenshot: "results",
  },
  // The Equal Shares walkthrough of the demo's published round (ADR 0032).
  {
    route: "m.$slug.rounds.$round.results_.equal-shares.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/budget-1404/results/equal-shares",
  },
  {
    route: "m.$slug.rounds.$round._index.tsx",
    role: "resident",
    path: () => "/m/demo/rounds/budget-1405",
    weigh: "round",
    screenshot: "round",
  },
  {
    route: "m.$slug._index.tsx",
    role: "resident",
    path: () => "/m/demo",
    weigh: "municipality",
    screenshot: "municipality",
  },
  { route: "_index.tsx", role: "resident", path: () => "/", weigh: "home", screenshot: "home" },

  { route: "m.$slug.admin._index.tsx", role: "staff", path: () => "/m/demo/admin" },
  {
    route: "m.$slug.admin.map.tsx",
    role: "staff",
    path: () => "/m/demo/admin/map",
    states: [
      {
        name: "a districts file refused",
        act: async (s) => {
          await s.page
            .locator("#field-file-districts")
            .setInputFiles(path.resolve(import.meta.dirname, "../fixtures/geo/bowtie.geojson"));
          await s.page
            .getByRole("button", { name: s.t("map.admin.upload"), exact: true })
            .first()
            .click();
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.admin.moderation.tsx",
    role: "staff",
    // The resident's comment reported first: the queue has something in it.
    path: async (s) => {
      await s.page.goto(`${s.base}${await hrefOf(s, "/m/demo/rounds/budget-1405", PLAYGROUND[s.locale])}`);
      const flag = s.page
        .locator("ol.comments > li", { hasText: COMMENT[s.locale] })
        .locator("details", { has: s.page.locator("summary", { hasText: s.t("comments.flag") }) });
      await flag.locator("summary").click();
      await flag.getByLabel(s.t("comments.flagReason")).fill("Off topic");
      await flag.getByRole("button", { name: s.t("comments.flag") }).click();
      await s.page.getByText(s.t("comments.flagDone")).waitFor();
      return "/m/demo/admin/moderation";
    },
  },
  {
    route: "m.$slug.admin.census.tsx",
    role: "admin",
    path: () => "/m/demo/admin/census",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.locator("#field-idScheme").selectOption("pattern");
          await s.page.locator("#field-idPattern").fill("(");
          await submit(s, s.t("verification.census.scheme.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.admin.verifications.tsx",
    role: "staff",
    path: (s) => `/m/demo/admin/verifications?email=${accounts.resident[s.locale]}`,
  },
  { route: "m.$slug.admin.outbox.tsx", role: "staff", path: () => "/m/demo/admin/outbox" },
  { route: "m.$slug.admin.broadcasts.tsx", role: "staff", path: () => "/m/demo/admin/broadcasts" },
  {
    route: "m.$slug.admin.staff.tsx",
    role: "admin",
    path: () => "/m/demo/admin/staff",
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.locator("#field-email").fill("nobody@example.org");
          await submit(s, s.t("members.add.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  { route: "m.$slug.admin.webhooks.tsx", role: "admin", path: () => "/m/demo/admin/webhooks" },
  { route: "m.$slug.admin.eid.tsx", role: "admin", path: () => "/m/demo/admin/eid" },
  {
    route: "m.$slug.admin.witnesses.tsx",
    role: "admin",
    path: () => "/m/demo/admin/witnesses",
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.locator("#field-vkey").fill("not a key");
          await s.page.locator("#field-url").fill("https://witness.example");
          await submit(s, s.t("witnesses.add.submit"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.admin.rounds._index.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await submit(s, s.t("rounds.createSubmit"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.admin.rounds.$round._index.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1405",
    screenshot: "staff-round",
  },
  {
    route: "m.$slug.admin.rounds.$round.envelopes.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1405/envelopes",
  },
  {
    route: "m.$slug.admin.rounds.$round.proposals.tsx",
    role: "staff",
    path: () => `/m/demo/admin/rounds/${IDEAS}/proposals`,
  },
  {
    route: "m.$slug.admin.rounds.$round.eligibility.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1405/eligibility",
  },
  {
    route: "m.$slug.admin.rounds.$round.turnout.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1404/turnout",
  },
  {
    route: "m.$slug.admin.rounds.$round.paper.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1405/paper",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await s.page.locator("#field-nationalId").fill("12");
          await s.page.locator("#field-choices").fill("no such proposal");
          await submit(s, s.t("paper.submitOne"));
          await errorsShown(s);
        },
      },
    ],
  },
  {
    route: "m.$slug.admin.rounds.$round.survey.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/transport-1405/survey",
  },
  {
    route: "m.$slug.admin.rounds.$round.tally.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1404/tally",
  },
  {
    route: "m.$slug.admin.rounds.$round.implementation.tsx",
    role: "staff",
    path: () => "/m/demo/admin/rounds/budget-1404/implementation",
  },
  { route: "m.$slug.admin.reports._index.tsx", role: "staff", path: () => "/m/demo/admin/reports" },
  { route: "m.$slug.admin.reports.$number.tsx", role: "staff", path: () => "/m/demo/admin/reports/44" },

  {
    route: "admin._index.tsx",
    role: "platform",
    path: () => "/admin",
    statesOnly: true,
    states: [
      {
        name: "errors",
        act: async (s) => {
          await submit(s, s.t("platform.create"));
          await errorsShown(s);
        },
      },
    ],
  },
  { route: "admin.mail.tsx", role: "platform", path: () => "/admin/mail" },
];

/** The page routes: route modules with a default export (the others are resource routes returning files). */
function pageRoutes(): string[] {
  return fs
    .readdirSync(routesDir)
    .filter((f) => /^export default /m.test(fs.readFileSync(path.join(routesDir, f), "utf8")))
    .sort();
}

async function logIn(page: Page, base: string, email: string, t: Translator) {
  await page.goto(`${base}/login`);
  await page.getByLabel(t("auth.email")).fill(email);
  await page.getByLabel(t("auth.password")).fill("shora-demo-2026");
  await submit({ page } as Scope, t("auth.login.submit"));
  await finishLogIn(page, base, email);
}

/**
 * Where the header and the main heading sit: in Persian the brand is at the right edge, the
 * navigation runs from right to left and the heading's first line ends at the right; in English the
 * reverse. Also that nothing is wider than the screen.
 */
async function expectMirrored(page: Page, locale: Locale, width: number, label: string) {
  const m = await page.evaluate(() => {
    const box = (el: Element | null) => {
      const r = el?.getBoundingClientRect();
      return r ? { left: r.left, right: r.right } : null;
    };
    const heading = document.querySelector("main h1");
    const range = document.createRange();
    if (heading) range.selectNodeContents(heading);
    // The heading's first line: every piece of text (a run of digits is a piece of its own) level
    // with the first one.
    const pieces = [...range.getClientRects()];
    const middle = pieces.length ? pieces[0].top + pieces[0].height / 2 : 0;
    const first = pieces.filter((r) => r.top <= middle && r.bottom >= middle);
    const line = first.length
      ? { left: Math.min(...first.map((r) => r.left)), right: Math.max(...first.map((r) => r.right)) }
      : null;
    const items = document.querySelectorAll(".site-header nav li");
    return {
      dir: document.documentElement.dir,
      brand: box(document.querySelector(".brand a")),
      firstItem: box(items[0]),
      lastItem: box(items[items.length - 1]),
      heading: box(heading),
      headingLine: line,
      scrollWidth: document.documentElement.scrollWidth,
    };
  });
  const at = `${label} at ${width} px`;
  expect(m.dir, at).toBe(direction(locale));
  expect(m.scrollWidth, `${at}: nothing wider than the screen`).toBeLessThanOrEqual(width + 1);
  for (const part of ["brand", "firstItem", "lastItem", "heading", "headingLine"] as const)
    expect(m[part], `${at}: ${part}`).not.toBeNull();
  const { brand, firstItem, lastItem, heading, headingLine } = m as Required<{
    [K in keyof typeof m]: NonNullable<(typeof m)[K]>;
  }>;
  // The header's padding is 1rem: the brand starts 16 px from the edge it belongs to.
  if (locale === "fa") {
    expect(width - brand.right, `${at}: the brand at the right edge`).toBeLessThan(24);
    expect(brand.left, `${at}: the brand at the right edge`).toBeGreaterThan(width / 2);
    expect(firstItem.left, `${at}: the first menu item right of the last`).toBeGreaterThan(lastItem.left);
    expect(heading.right - headingLine.right, `${at}: the heading starts at the right`).toBeLessThan(2);
  } else {
    expect(brand.left, `${at}: the brand at the left edge`).toBeLessThan(24);
    expect(brand.right, `${at}: the brand at the left edge`).toBeLessThan(width / 2);
    expect(firstItem.left, `${at}: the first menu item left of the last`).toBeLessThan(lastItem.left);
    expect(headingLine.left - heading.left, `${at}: the heading starts at the left`).toBeLessThan(2);
  }
}

const screenshotNames = [...new Set(audits.flatMap((a) => (a.screenshot ? [a.screenshot] : [])))];
const weighed = [...new Set(audits.flatMap((a) => (a.weigh ? [a.weigh] : [])))];
/** Compressed bytes per weighed page and language. */
const weights = new Map<string, Partial<Record<Locale, number>>>();
/** Proposal and report photos a weighed page loaded (lazily, so those in view), weighed apart (ADR 0011). */
const photoWeights = new Map<string, Partial<Record<Locale, number>>>();

/** Staff open a round for proposals from yesterday on, with one envelope, as in the staff pages. */
async function openIdeasRound() {
  const context = await env.browser.newContext({ locale: "en-GB" });
  const page = await context.newPage();
  await logInInEnglish(page, env.app.url, "staff@demo.shora.local");
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());
  await page.goto(`${env.app.url}/m/demo/admin/rounds`);
  const fields: Record<string, string> = {
    slug: IDEAS,
    titleEn: "Ideas for 1406",
    titleFa: "ایده‌ها برای ۱۴۰۶",
    "proposals.startsOn": addDays(today, -1),
    "proposals.endsOn": addDays(today, 20),
    "voting.startsOn": addDays(today, 21),
    "voting.endsOn": addDays(today, 30),
  };
  for (const [name, value] of Object.entries(fields)) await page.locator(`[name="${name}"]`).fill(value);
  await page.getByRole("button", { name: "Create round" }).click();
  await page.waitForURL(`${env.app.url}/m/demo/admin/rounds/${IDEAS}`);
  await page.goto(`${env.app.url}/m/demo/admin/rounds/${IDEAS}/envelopes`);
  await page.locator('[name="slug"]').fill("parks");
  await page.locator('[name="nameEn"]').fill("Parks");
  await page.locator('[name="nameFa"]').fill("پارک‌ها");
  await page.locator('[name="amount"]').fill("900000000");
  await page.getByRole("button", { name: "Add envelope" }).click();
  await page.locator("details summary", { hasText: "Parks" }).waitFor();
  await context.close();
}

describe("inclusion audit", () => {
  beforeAll(async () => {
    // Only this run's pictures count.
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    await openIdeasRound();
  });

  it("has an entry for every page route in app/routes", () => {
    const pages = pageRoutes();
    expect(pages.length).toBeGreaterThanOrEqual(36);
    expect([...new Set(audits.map((a) => a.route))].sort()).toEqual(pages);
    // Every resident page the budget names is weighed, every main page photographed.
    expect(weighed.sort()).toEqual(
      [
        "account",
        "file a report",
        "help",
        "help guide",
        "home",
        "map",
        "municipality help",
        "municipality",
        "participation",
        "point",
        "proposal",
        "propose",
        "receipt",
        "reports",
        "results",
        "round",
        "survey",
        "verify",
        "vote basket",
      ].sort(),
    );
    expect(screenshotNames.length).toBe(9);
  });

  for (const locale of ["en", "fa"] as const) {
    // The two languages at once (one resident each): the browser and the server wait on each other.
    it.concurrent(`audits every page in ${locale}: axe, mirroring, screenshots and the resident's transfer`, {
      timeout: 360_000,
    }, async () => {
      const t = translator(locale);
      const base = env.app.url;
      const found = new Map<string, string>();
      const violations: string[] = [];
      const audited = new Set<string>();
      for (const role of ["visitor", "resident", "staff", "admin", "platform"] as const) {
        const width = auditWidth[role];
        const context: BrowserContext = await env.browser.newContext({
          locale: locale === "fa" ? "fa-IR" : "en-GB",
          viewport: { width, height: 900 },
        });
        // The switcher's cookie: the demo accounts themselves prefer English.
        await context.addCookies([{ name: "shora_lang", value: locale, url: base }]);
        const page = await context.newPage();
        page.setDefaultTimeout(15_000);
        const account = accounts[role][locale];
        if (account) await logIn(page, base, account, t);
        // The resident's pages as on a first visit: nothing from the cache; every response's
        // compressed size as the browser received it.
        let bytes = 0;
        let chartBytes = 0;
        let photoBytes = 0;
        if (role === "resident") {
          const cdp = await context.newCDPSession(page);
          await cdp.send("Network.enable");
          await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
          const urls = new Map<string, string>();
          cdp.on("Network.requestWillBeSent", (e: { requestId: string; request: { url: string } }) => {
            urls.set(e.requestId, e.request.url);
          });
          cdp.on("Network.loadingFinished", (e: { requestId: string; encodedDataLength: number }) => {
            const url = urls.get(e.requestId) ?? "";
            const file = url.split("/").pop() ?? "";
            if (chartFiles.includes(file)) chartBytes += e.encodedDataLength;
            else if (/\/m\/[^/]+\/media\//.test(new URL(url, base).pathname)) photoBytes += e.encodedDataLength;
            else bytes += e.encodedDataLength;
          });
        }
        const scope: Scope = { page, locale, t, base, found };
        for (const audit of audits.filter((a) => a.role === role)) {
          const where = await audit.path(scope);
          const label = `${audit.route} (${locale}, ${role})`;
          // Nothing of the page before (or of the way here) still arriving is counted.
          if (audit.weigh) await page.waitForLoadState("networkidle");
          bytes = 0;
          chartBytes = 0;
          photoBytes = 0;
          // A weighed or photographed page with everything it loads (charts); the others as soon as they are there.
          const response = await page.goto(`${base}${where}`, {
            waitUntil: audit.weigh || audit.screenshot ? "networkidle" : "load",
          });
          expect(response?.status(), `${label}: ${where}`).toBe(audit.status ?? 200);
          expect(await page.locator("html").getAttribute("lang"), label).toBe(locale);
          if (audit.weigh) {
            weights.set(audit.weigh, { ...weights.get(audit.weigh), [locale]: bytes });
            photoWeights.set(audit.weigh, { ...photoWeights.get(audit.weigh), [locale]: photoBytes });
          }
          if (audit.weigh === "results") {
            chartWeights[locale] = chartBytes;
            // Fetched after hydration, never announced by the page (no preload of chart.js in its HTML).
            const html = await response?.text();
            for (const file of chartFiles) expect(html, `${label}: ${file} announced`).not.toContain(file);
          }
          if (!audit.statesOnly) violations.push(...(await axeViolations(page)).map((v) => `${label}: ${v}`));
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth),
            `${label}: wider than the screen`,
          ).toBeLessThanOrEqual(width + 1);
          if (audit.screenshot) {
            for (const w of [390, 1280]) {
              await page.setViewportSize({ width: w, height: 900 });
              await expectMirrored(page, locale, w, label);
              await page.screenshot({ path: path.join(out, `${audit.screenshot}-${locale}-${w}.png`), fullPage: true });
            }
            await page.setViewportSize({ width, height: 900 });
          }
          for (const state of audit.states ?? []) {
            await state.act(scope);
            violations.push(...(await axeViolations(page)).map((v) => `${label} ${state.name}: ${v}`));
          }
          audited.add(audit.route);
        }
        await context.close();
      }
      expect(violations).toEqual([]);
      expect([...audited].sort()).toEqual(pageRoutes());
    });
  }

  it("keeps every resident page under 100 KB compressed, in both languages, and photographs every main page", () => {
    const kb = (n: number | undefined) => (n === undefined ? "—" : (n / 1024).toFixed(1));
    console.log(
      [
        "Compressed transfer of resident pages (logged in, empty cache), KB:",
        `${"page".padEnd(18)}${"en".padStart(8)}${"fa".padStart(8)}${"photos en".padStart(11)}${"fa".padStart(8)}`,
        ...weighed.map(
          (name) =>
            `${name.padEnd(18)}${kb(weights.get(name)?.en).padStart(8)}${kb(weights.get(name)?.fa).padStart(8)}` +
            `${kb(photoWeights.get(name)?.en).padStart(11)}${kb(photoWeights.get(name)?.fa).padStart(8)}`,
        ),
        `${"+ chart.js on results, after hydration".padEnd(14)}${kb(chartWeights.en).padStart(8)}${kb(chartWeights.fa).padStart(8)}`,
      ].join("\n"),
    );
    // The results pages do fetch their charts (so the split above weighs something real).
    for (const locale of ["en", "fa"] as const)
      expect(chartWeights[locale], `chart.js (${locale})`).toBeGreaterThan(20 * 1024);
    for (const name of weighed)
      for (const locale of ["en", "fa"] as const) {
        const bytes = weights.get(name)?.[locale];
        expect(bytes, `${name} (${locale}) weighed`).toBeGreaterThan(10 * 1024);
        expect(bytes, `${name} (${locale})`).toBeLessThan(100 * 1024);
        expect(photoWeights.get(name)?.[locale] ?? 0, `${name} (${locale}) photos`).toBeLessThan(40 * 1024);
      }
    const expected = screenshotNames.flatMap((n) =>
      ["en", "fa"].flatMap((l) => [390, 1280].map((w) => `${n}-${l}-${w}.png`)),
    );
    expect(fs.readdirSync(out).sort()).toEqual(expected.sort());
    for (const file of expected) expect(fs.statSync(path.join(out, file)).size, file).toBeGreaterThan(5_000);
  });
});
