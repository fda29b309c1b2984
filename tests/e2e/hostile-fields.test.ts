/**
 * Script payloads in every other kind of user text stay inert, each typed through the form that
 * takes it and then read in English and in Persian: display names given at signup (account, staff
 * moderation and verification pages), a proposal's English and Persian titles and its location,
 * replies, flag and moderation reasons, staff answers to proposals (feasibility note, official
 * response, rejection reason), survey questions and options, a round's title and description,
 * envelope, voter-class and district names, a municipality's name and its first administrator's,
 * implementation notes, cancel reasons, photo addresses and comments on updates, revoke reasons; and
 * the exports that carry them (implementation CSV and JSON, action log, letter-code mailing list).
 *
 * Each text holds `<img src=x onerror=…>`, `"><script>…`, `</textarea><svg onload=…>`,
 * `javascript:alert(1)` and `{{7*7}}` with Persian words and bidi controls (an override left open in
 * names). Checked in Chromium: no dialog opens, no injected element, event handler or foreign script
 * exists, every link and source has an http(s) address, and the text is shown exactly as typed.
 *
 * Districts have no form: the demo's are renamed before the server starts, and one's code (which the
 * letter-code mailing list carries) is a spreadsheet formula. Also before it starts, two implementation
 * updates are posted through the service with a `javascript:` and a `data:` photo address, as if stored
 * before the staff form checked them (the form refuses both, below): neither may become a link.
 */
import { isolated } from "../../app/domain/accounts/names";
import fs from "node:fs";
import { eq, sql } from "drizzle-orm";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { districts, municipalities, proposals, users } from "../../db/schema";
import { type Locale, type Translator, direction, pickText, translator } from "../../app/domain/i18n";
import { addDays } from "../../app/domain/rounds/rules";
import { postImplementationUpdate } from "../../app/services/implementation/implementation.server";
import { appAndBrowserPerFile, logIn, switchLanguage } from "../support/e2e-server";
import { scopeOf, userActor } from "../../app/services/scope";

/** Right-to-left override and isolate, and their ends. */
const [RLO, PDF, RLI, PDI] = ["\u202E", "\u202C", "\u2067", "\u2069"];

/** What one field is given: its name (to tell the fields apart), Persian words and every payload. */
function hostile(name: string): string {
  return `${name} ${RLO}متن <img src=x onerror=alert(1)>${PDF} "><script>alert(1)</script> ${RLI}</textarea><svg onload=alert(1)>${PDI} javascript:alert(1) {{7*7}}`;
}
/** The same in at most 120 characters (names), without the direction override names may not hold (ADR 0015). */
function hostileName(name: string): string {
  return `${name}<img src=x onerror=alert(1)>"><script>alert(1)</script></textarea><svg onload=alert(1)>{{7*7}}`;
}
function both(en: string, fa: string): { en: string; fa: string } {
  return { en: hostile(en), fa: hostile(fa) };
}
/** A cell as a spreadsheet must get it: an apostrophe before the formula, quoted, quotes doubled. */
const neutralised = (text: string) => `"'${text.replace(/"/g, '""')}"`;
/** A CSV cell a spreadsheet would run: `=`, `+`, `-`, `@`, tab or a carriage return (not a line end) first. */
const FORMULA_CELL = /(^|,)"?([=+\-@\t]|\r(?!\n))/m;

const DISTRICTS = {
  north: both("district north", "منطقهٔ شمال"),
  south: both("district south", "منطقهٔ جنوب"),
  center: both("district center", "مرکز شهر"),
};
/** The code of the centre district, in the letter-code mailing list. */
const CENTER_CODE = '=HYPERLINK("http://evil.example","letters")';
const LEGACY_PHOTOS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"];

const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    prepare: async (db) => {
      for (const [code, name] of Object.entries(DISTRICTS)) {
        const set = code === "center" ? { name, code: CENTER_CODE } : { name };
        expect(await db.update(districts).set(set).where(eq(districts.code, code)).returning()).toHaveLength(1);
      }
      const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
      const [staff] = await db.select().from(users).where(eq(users.email, "staff@demo.shora.local"));
      const [library] = await db
        .select()
        .from(proposals)
        .where(sql`${proposals.title}->>'en' = 'Library reading garden'`);
      const access = { user: { ...staff, isPlatformAdmin: false }, municipality };
      for (const [i, photoUrl] of LEGACY_PHOTOS.entries()) {
        await postImplementationUpdate(db, scopeOf(access.municipality, userActor(access.user)), {
          roundSlug: "budget-1404",
          proposalId: library.id,
          update: {
            status: "in_progress",
            progress: 61 + i,
            spent: 700_000_000,
            note: `Legacy photo ${i}`,
            cancelReason: null,
            expectedCompletion: null,
            photoUrl,
          },
        });
      }
    },
  },
);

interface Viewer {
  page: Page;
  dialogs: string[];
  locale: Locale;
  t: Translator;
}

/** A page (logged in when an email is given) whose dialogs are recorded; `in` gives it in a language. */
async function viewer(locale: Locale, email?: string, password?: string): Promise<Viewer> {
  const context = await env.browser.newContext({ locale: "en-GB", acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  if (email) await logIn(page, env.app.url, email, password);
  return { page, dialogs, locale, t: translator(locale) };
}

/** The same page in another language (for the pages it opens next with `go`). */
function speaking(v: Viewer, locale: Locale): Viewer {
  return { ...v, locale, t: translator(locale) };
}

/** Opens a page in the viewer's language: the language switcher's cookie, set first. */
async function go(v: Viewer, path: string) {
  await v.page.context().addCookies([{ name: "shora_lang", value: v.locale, url: env.app.url }]);
  return v.page.goto(`${env.app.url}${path}`);
}

/** Logged-in pages kept for the whole file (one login each). */
const viewers = new Map<string, Promise<Viewer>>();
async function as(email: string, locale: Locale): Promise<Viewer> {
  if (!viewers.has(email)) viewers.set(email, viewer(locale, email));
  return speaking(await (viewers.get(email) as Promise<Viewer>), locale);
}
const staff = (locale: Locale) => as("staff@demo.shora.local", locale);
const reza = (locale: Locale) => as("resident1@demo.shora.local", locale);

/** Nothing a payload carries became an element, a handler, a script or a link, and no dialog opened. */
async function nothingRan(v: Viewer, where: string) {
  const found = await v.page.evaluate(() => {
    const safe = (value: string) => {
      try {
        return ["http:", "https:"].includes(new URL(value, location.href).protocol);
      } catch {
        return false;
      }
    };
    const all = [...document.querySelectorAll("*")];
    return {
      injected: document.querySelectorAll('img[src="x"], svg[onload], iframe, object, embed').length,
      handlers: all.flatMap((e) =>
        [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName} ${a.name}`),
      ),
      scripts: [...document.scripts]
        .filter((s) => !s.hasAttribute("nonce") && !s.src.startsWith(`${location.origin}/assets/`))
        .map((s) => s.outerHTML.slice(0, 100)),
      addresses: [...document.body.querySelectorAll("*")].flatMap((e) =>
        ["href", "src", "action", "formaction", "xlink:href", "data", "poster"]
          .map((name) => e.getAttribute(name))
          .filter((value): value is string => value !== null && !safe(value))
          .map((value) => `${e.tagName} ${value}`),
      ),
    };
  });
  expect(found, where).toEqual({ injected: 0, handlers: [], scripts: [], addresses: [] });
  expect(v.dialogs, where).toEqual([]);
}

/**
 * The page is in the viewer's language and direction, shows each text exactly as typed (as some
 * text of the page, or as the value of a field), and nothing ran.
 */
async function inert(v: Viewer, where: string, shown: string[], values: string[] = []) {
  const label = `${where} (${v.locale})`;
  const { page } = v;
  await page.waitForLoadState("load");
  expect(await page.locator("html").getAttribute("lang"), label).toBe(v.locale);
  expect(await page.locator("html").getAttribute("dir"), label).toBe(direction(v.locale));
  for (const text of shown) {
    const found = await page
      .waitForFunction((text) => document.querySelector("main")?.textContent?.includes(text), text, { timeout: 5_000 })
      .then(
        () => true,
        () => false,
      );
    expect(found, `${label} shows ${text}`).toBe(true);
  }
  if (values.length) {
    const fields = await page
      .locator("main input, main textarea")
      .evaluateAll((es) => es.map((e) => (e as HTMLInputElement | HTMLTextAreaElement).value));
    for (const value of values) expect(fields, `${label} has a field holding ${value}`).toContain(value);
  }
  await nothingRan(v, label);
}

/** Opens a page and checks it (see inert). */
async function visit(v: Viewer, path: string, shown: string[], values: string[] = []) {
  await go(v, path);
  await inert(v, path, shown, values);
}

/** Clicks a submit button and answers the status of the POST it sends. */
async function submit(page: Page, button: Locator): Promise<number> {
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === "POST"), button.click()]);
  return response.status();
}

const today = () => new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tehran" }).format(new Date());

/** Staff create a budgeting round taking proposals now, with one envelope, through the staff forms. */
async function createRound(
  v: Viewer,
  slug: string,
  texts: {
    title: { en: string; fa: string };
    description: { en: string; fa: string };
    envelope: { en: string; fa: string };
  },
) {
  const { page, t } = v;
  const day = today();
  const [proposing, voting] = [t("phase.proposals"), t("phase.voting")];
  await go(v, "/m/demo/admin/rounds");
  await page.getByLabel(t("rounds.slug"), { exact: true }).fill(slug);
  await page.getByLabel(t("rounds.titleEn"), { exact: true }).fill(texts.title.en);
  await page.getByLabel(t("rounds.titleFa"), { exact: true }).fill(texts.title.fa);
  await page.getByLabel(t("rounds.descriptionEn"), { exact: true }).fill(texts.description.en);
  await page.getByLabel(t("rounds.descriptionFa"), { exact: true }).fill(texts.description.fa);
  await page.getByLabel(t("rounds.phaseStart", { phase: proposing })).fill(addDays(day, -1));
  await page.getByLabel(t("rounds.phaseEnd", { phase: proposing })).fill(addDays(day, 10));
  await page.getByLabel(t("rounds.phaseStart", { phase: voting })).fill(addDays(day, 11));
  await page.getByLabel(t("rounds.phaseEnd", { phase: voting })).fill(addDays(day, 20));
  await page.getByRole("button", { name: t("rounds.createSubmit") }).click();
  await page.waitForURL(`${env.app.url}/m/demo/admin/rounds/${slug}`);
  await go(v, `/m/demo/admin/rounds/${slug}/envelopes`);
  await page.getByLabel(t("rounds.envelope.slug"), { exact: true }).fill("ideas");
  await page.getByLabel(t("rounds.envelope.nameEn"), { exact: true }).fill(texts.envelope.en);
  await page.getByLabel(t("rounds.envelope.nameFa"), { exact: true }).fill(texts.envelope.fa);
  await page.getByLabel(t("rounds.envelope.amount", { currency: "IRR" })).fill("900000000");
  // The envelope is the north district's (its name is a payload too).
  await page.getByLabel(t("rounds.envelope.district"), { exact: true }).selectOption({ index: 1 });
  await page.getByRole("button", { name: t("rounds.envelope.create") }).click();
  await expect
    .poll(() => page.locator("details summary").first().textContent())
    .toContain(pickText(texts.envelope, v.locale));
}

/** Every string anywhere in the published action log, which is served as data (never a page). */
async function actionLogStrings(v: Viewer): Promise<Set<string>> {
  const response = await v.page.request.get(`${env.app.url}/m/demo/action-log.jsonl`);
  expect(response.status()).toBe(200);
  const headers = response.headers();
  expect(headers["content-type"]).toMatch(/^application\/x-ndjson/);
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["content-security-policy"]).toMatch(/default-src 'none'.*sandbox/);
  expect(headers["content-disposition"]).toMatch(/^attachment/);
  const strings = new Set<string>();
  const collect = (value: unknown) => {
    if (typeof value === "string") strings.add(value);
    else if (value && typeof value === "object") for (const inner of Object.values(value)) collect(inner);
  };
  for (const line of (await response.text()).trimEnd().split("\n")) collect(JSON.parse(line));
  return strings;
}

describe("hostile text in every other field is inert", () => {
  it("in a round's texts, its envelope and voter class, survey questions and districts (staff typing in Persian)", async () => {
    const round = {
      title: both("round title", "عنوان دور"),
      description: both("round description", "شرح دور"),
      envelope: both("envelope name", "نام پاکت"),
    };
    const voterClass = both("class name", "نام گروه");
    const prompt = both("survey prompt", "پرسش");
    const options = [both("option one", "گزینهٔ یک"), both("option two", "گزینهٔ دو")];

    const entering = await staff("fa");
    const { page, t } = entering;
    await createRound(entering, "hostile-round", round);
    await go(entering, "/m/demo/admin/rounds/hostile-round/eligibility");
    await page.getByLabel(t("verification.eligibility.code"), { exact: true }).fill("hostile-class");
    await page.getByLabel(t("verification.eligibility.nameEn"), { exact: true }).fill(voterClass.en);
    await page.getByLabel(t("verification.eligibility.nameFa"), { exact: true }).fill(voterClass.fa);
    await page.getByLabel(t("verification.eligibility.weight"), { exact: true }).fill("2");
    expect(await submit(page, page.getByRole("button", { name: t("verification.eligibility.saveClass") }))).toBe(200);
    await go(entering, "/m/demo/admin/rounds/transport-1405/survey");
    await page.getByLabel(t("survey.kind"), { exact: true }).selectOption("single");
    await page.getByLabel(t("survey.promptEn"), { exact: true }).fill(prompt.en);
    await page.getByLabel(t("survey.promptFa"), { exact: true }).fill(prompt.fa);
    await page
      .getByLabel(t("survey.options"), { exact: true })
      .fill(options.map((o) => `${o.en} | ${o.fa}`).join("\n"));
    await page.getByRole("button", { name: t("survey.addSubmit") }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(t("survey.added"));

    for (const locale of ["en", "fa"] as const) {
      const pick = (text: { en: string; fa: string }) => pickText(text, locale);
      const districtNames = Object.values(DISTRICTS).map(pick);
      const resident = await reza(locale);
      await visit(resident, "/m/demo", [pick(round.title), ...districtNames]);
      await visit(resident, "/m/demo/rounds/hostile-round", [
        pick(round.title),
        pick(round.description),
        pick(round.envelope),
        pick(DISTRICTS.north),
      ]);
      expect(await resident.page.title()).toContain(pick(round.title));
      await visit(resident, "/m/demo/rounds/hostile-round/eligibility", [
        pick(round.title),
        pick(round.envelope),
        pick(voterClass),
      ]);
      await visit(resident, "/m/demo/rounds/transport-1405/survey", [pick(prompt), ...options.map(pick)]);

      const staffer = await staff(locale);
      await visit(staffer, "/m/demo/admin/rounds", [pick(round.title)]);
      // The form of the round holds both languages' texts, whichever the page's.
      await visit(
        staffer,
        "/m/demo/admin/rounds/hostile-round",
        [pick(round.title)],
        [round.title.en, round.title.fa, round.description.en, round.description.fa],
      );
      await visit(
        staffer,
        "/m/demo/admin/rounds/hostile-round/envelopes",
        [pick(round.title), pick(round.envelope), ...districtNames],
        [round.envelope.en, round.envelope.fa],
      );
      // The voter classes' table shows the English and the Persian name in either language.
      await visit(staffer, "/m/demo/admin/rounds/hostile-round/eligibility", [
        voterClass.en,
        voterClass.fa,
        ...districtNames,
      ]);
      await visit(staffer, "/m/demo/admin/rounds/transport-1405/survey", [pick(prompt), ...options.map(pick)]);
    }
  });

  it("in a display name given at signup, a proposal's titles and location, staff answers, a reply, a flag and a moderation reason", async () => {
    const name = hostileName("نویسنده");
    const proposal = {
      title: both("proposal title", "عنوان طرح"),
      body: both("proposal body", "شرح طرح"),
      location: hostile("location مکان"),
    };
    const feasibility = hostile("feasibility note");
    const response = hostile("official response");
    const rejection = hostile("rejection reason");
    const reply = hostile("reply body");
    const flag = hostile("flag reason");
    const hidden = hostile("moderation reason");
    const comment = "نظر نویسنده دربارهٔ طرح";

    const staffEn = await staff("en");
    await createRound(staffEn, "talk-round", {
      title: { en: "Talk round", fa: "دور گفتگو" },
      description: { en: "Ideas.", fa: "ایده‌ها." },
      envelope: { en: "Ideas", fa: "ایده‌ها" },
    });

    // A resident signs up in Persian with the payload as their name.
    const author = await viewer("fa");
    const { page, t } = author;
    await go(author, "/signup");
    await page.getByLabel(t("auth.displayName"), { exact: true }).fill(name);
    await page.getByLabel(t("auth.email"), { exact: true }).fill("author@example.org");
    await page.getByLabel(t("auth.password"), { exact: true }).fill("hostile-author-2026");
    await page.getByRole("button", { name: t("auth.signup.submit") }).click();
    await page.waitForURL(`${env.app.url}/account`);
    await inert(author, "the new account", [name]);

    // They propose, filling the English and the Persian fields, and a second idea.
    const propose = async (title: { en: string; fa: string }, body: { en: string; fa: string }, location: string) => {
      await go(author, "/m/demo/rounds/talk-round/propose");
      await page.getByLabel(t("rounds.proposal.titleEn"), { exact: true }).fill(title.en);
      await page.getByLabel(t("rounds.proposal.titleFa"), { exact: true }).fill(title.fa);
      await page.getByLabel(t("rounds.proposal.bodyEn"), { exact: true }).fill(body.en);
      await page.getByLabel(t("rounds.proposal.bodyFa"), { exact: true }).fill(body.fa);
      await page.getByLabel(t("rounds.proposal.location"), { exact: true }).fill(location);
      await page.getByLabel(t("rounds.proposal.cost", { currency: "IRR" })).fill("1000000");
      await page.getByRole("button", { name: t("rounds.proposal.submit"), exact: true }).click();
      await page.waitForURL(/\/proposals\/[^/]+$/);
      return page.url().split("/").pop() as string;
    };
    const accepted = await propose(proposal.title, proposal.body, proposal.location);
    await inert(author, "the author's proposal", [proposal.title.fa, proposal.body.fa, proposal.location]);
    const rejected = await propose({ en: "Second idea", fa: "ایدهٔ دوم" }, { en: "More.", fa: "بیشتر." }, "");

    // Staff accept one with a feasibility note, answer it officially, and reject the other with a reason.
    const { page: staffPage, t: st } = staffEn;
    await go(staffEn, "/m/demo/admin/rounds/talk-round/proposals");
    const review = (id: string) =>
      staffPage.locator("details.panel", { has: staffPage.locator(`input[name="proposalId"][value="${id}"]`) }).first();
    await review(accepted).locator("summary").click();
    await staffPage.locator(`#feasibilityNote-${accepted}`).fill(feasibility);
    expect(
      await submit(
        staffPage,
        review(accepted).getByRole("button", { name: st("rounds.proposal.accept"), exact: true }),
      ),
    ).toBe(200);
    await staffPage.locator(`#response-${accepted}`).fill(response);
    expect(
      await submit(staffPage, review(accepted).getByRole("button", { name: st("rounds.proposal.postResponse") })),
    ).toBe(200);
    await review(rejected).locator("summary").click();
    await staffPage.locator(`#reason-${rejected}`).fill(rejection);
    expect(
      await submit(
        staffPage,
        review(rejected).getByRole("button", { name: st("rounds.proposal.reject"), exact: true }),
      ),
    ).toBe(200);
    const path = (id: string) => `/m/demo/rounds/talk-round/proposals/${id}`;

    // The author comments; another resident replies to it, and reports it with a reason.
    await go(author, path(accepted));
    await page.getByLabel(t("comments.body"), { exact: true }).fill(comment);
    await page.getByRole("button", { name: t("comments.submit") }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(t("comments.posted"));
    const other = await reza("en");
    await go(other, path(accepted));
    const thread = () => other.page.locator("li.comment", { hasText: comment });
    await thread()
      .locator("summary", { hasText: other.t("comments.reply") })
      .click();
    await thread().locator('textarea[name="body"]').fill(reply);
    await thread()
      .getByRole("button", { name: other.t("comments.replySubmit") })
      .click();
    await expect.poll(() => other.page.getByRole("status").textContent()).toContain(other.t("comments.posted"));
    await thread()
      .locator("summary", { hasText: other.t("comments.flag") })
      .click();
    await thread().locator('input[name="reason"]').fill(flag);
    await thread()
      .getByRole("button", { name: other.t("comments.flag"), exact: true })
      .click();
    await expect.poll(() => other.page.getByRole("status").textContent()).toContain(other.t("comments.flagDone"));

    // Staff read the report (in both languages) and hide the comment with a reason.
    const staffFa = await staff("fa");
    for (const v of [staffFa, staffEn])
      await visit(v, "/m/demo/admin/moderation", [name, flag, pickText(proposal.title, v.locale), comment]);
    const report = staffPage.locator("article", { hasText: comment });
    await report.locator('input[name="reason"]').fill(hidden);
    await report.getByRole("button", { name: st("moderation.hide") }).click();
    await expect.poll(() => staffPage.getByRole("status").textContent()).toContain(st("moderation.hiddenDone"));

    for (const locale of ["en", "fa"] as const) {
      const pick = (text: { en: string; fa: string }) => pickText(text, locale);
      const reader = locale === "fa" ? author : other;
      await visit(reader, path(accepted), [
        pick(proposal.title),
        pick(proposal.body),
        proposal.location,
        response,
        reply,
        name,
        reader.t("comments.hidden", { reason: isolated(hidden) }),
      ]);
      expect(await reader.page.title()).toContain(pick(proposal.title));
      await visit(reader, path(rejected), [reader.t("proposal.rejected", { reason: isolated(rejection) })]);
      await visit(reader, "/m/demo/rounds/talk-round", [pick(proposal.title)]);
      const staffer = locale === "fa" ? staffFa : staffEn;
      await visit(
        staffer,
        "/m/demo/admin/rounds/talk-round/proposals",
        [
          pick(proposal.title),
          pick(proposal.body),
          staffer.t("rounds.proposal.rejectedBecause", { reason: isolated(rejection) }),
        ],
        [feasibility, response],
      );
      await visit(staffer, "/m/demo/admin/moderation", [
        staffer.t("comments.hidden", { reason: isolated(hidden) }),
        comment,
      ]);
    }
    const logged = await actionLogStrings(staffEn);
    for (const text of [response, rejection, hidden]) expect(logged, text).toContain(text);
    await page.context().close();
  });

  it("in a display name on the staff verification page, a revoke reason, and the letter-code mailing list", async () => {
    const name = hostileName("resident ساکن");
    const revoke = hostile("revoke reason");
    const email = "verified@example.org";

    // A resident signs up in English with the payload as their name, and reads their account in both languages.
    const resident = await viewer("en");
    const { page, t } = resident;
    await go(resident, "/signup");
    await page.getByLabel(t("auth.displayName"), { exact: true }).fill(name);
    await page.getByLabel(t("auth.email"), { exact: true }).fill(email);
    await page.getByLabel(t("auth.password"), { exact: true }).fill("hostile-resident-2026");
    await page.getByRole("button", { name: t("auth.signup.submit") }).click();
    await page.waitForURL(`${env.app.url}/account`);
    await inert(resident, "the new account", [name]);
    await switchLanguage(page, "fa");
    await inert({ ...resident, locale: "fa", t: translator("fa") }, "the new account", [name]);
    await page.context().close();

    // Staff find them, verify them in person and revoke it with a reason.
    const staffEn = await staff("en");
    const { page: staffPage, t: st } = staffEn;
    const search = `/m/demo/admin/verifications?email=${encodeURIComponent(email)}`;
    await visit(staffEn, search, [name]);
    const verify = staffPage.locator('form[aria-labelledby="verify"]');
    await verify.getByLabel(st("verification.nationalId"), { exact: true }).fill("0499370899");
    await verify.getByLabel(st("verification.birthDate"), { exact: true }).fill("1985-03-21");
    await verify.getByLabel(st("verification.census.district"), { exact: true }).selectOption({ index: 1 });
    await verify.getByLabel(st("verification.census.voterClass"), { exact: true }).fill("resident");
    await verify.getByRole("button", { name: st("verification.staff.verify.submit") }).click();
    await staffPage.waitForURL(/done=verified/);
    const revoking = staffPage.locator('form[aria-labelledby="revoke"]');
    await revoking.getByLabel(st("verification.staff.reason"), { exact: true }).fill(revoke);
    await revoking.getByRole("button", { name: st("verification.staff.revoke.submit") }).click();
    await staffPage.waitForURL(/done=revoked/);
    for (const locale of ["en", "fa"] as const) {
      const districtNames = Object.values(DISTRICTS).map((d) => pickText(d, locale));
      await visit(await staff(locale), search, [name, revoke, ...districtNames]);
    }
    expect(await actionLogStrings(staffEn)).toContain(revoke);

    // The mailing list of the centre district (the administrator's, ADR 0019): its code is a formula,
    // which reaches the spreadsheet as text.
    const adminEn = await as("admin@demo.shora.local", "en");
    await go(adminEn, search);
    await adminEn.page.locator("#letters-districtId").selectOption({ label: DISTRICTS.center.en });
    await adminEn.page.locator("#letters-limit").fill("5");
    const [download] = await Promise.all([
      adminEn.page.waitForEvent("download"),
      adminEn.page.getByRole("button", { name: st("verification.letters.submit") }).click(),
    ]);
    const csv = fs.readFileSync(await download.path(), "utf8");
    const rows = csv.trimEnd().split("\n");
    expect(rows[0]).toBe("census_line,district,voter_class,code,expires_on");
    expect(rows).toHaveLength(6);
    for (const row of rows.slice(1)) expect(row.split(",", 2).join(",")).toMatch(/^\d+,"'=HYPERLINK\(/);
    expect(csv).toContain(`,${neutralised(CENTER_CODE)},`);
    expect(csv).not.toMatch(FORMULA_CELL);
  });

  it("in implementation notes, cancel reasons, photo addresses and comments on updates, and their exports", async () => {
    const note = hostile("update note");
    const photo = "https://example.org/photo.jpg?next=javascript:alert(1)";
    const cancelNote = hostile("cancel note");
    const cancelReason = `=HYPERLINK("http://evil.example","x") ${hostile("cancel reason")}`;
    const kept = hostile("kept comment");
    const hiddenComment = hostile("hidden comment");
    const hideReason = hostile("update hide reason");

    const staffEn = await staff("en");
    const { page, t } = staffEn;
    await go(staffEn, "/m/demo/rounds/budget-1404/implementation");
    const timelineOf = async (title: string) =>
      (await page.getByRole("link", { name: title, exact: true }).getAttribute("href")) as string;
    const library = await timelineOf("Library reading garden");
    const school = await timelineOf("Safe school routes");

    // The staff form refuses a javascript: and a data: photo address (400, naming the field) and posts nothing.
    await go(staffEn, "/m/demo/admin/rounds/budget-1404/implementation");
    const item = (title: string) => page.locator("details.panel", { hasText: title });
    await item("Library reading garden").locator("summary").click();
    await item("Library reading garden").getByLabel(t("implementation.progress"), { exact: true }).fill("70");
    await item("Library reading garden").getByLabel(t("implementation.note"), { exact: true }).fill(note);
    for (const address of LEGACY_PHOTOS) {
      await item("Library reading garden").getByLabel(t("implementation.photoUrl"), { exact: true }).fill(address);
      expect(
        await submit(page, item("Library reading garden").getByRole("button", { name: t("implementation.post") })),
      ).toBe(400);
      await expect
        .poll(() => item("Library reading garden").locator(".field-error").textContent())
        .toBe(t("field.invalid", { field: t("implementation.photoUrl") }));
    }
    // An https address is taken; then the other project is cancelled with a reason typed as a formula.
    await item("Library reading garden").getByLabel(t("implementation.photoUrl"), { exact: true }).fill(photo);
    expect(
      await submit(page, item("Library reading garden").getByRole("button", { name: t("implementation.post") })),
    ).toBe(200);
    await item("Safe school routes").locator("summary").click();
    await item("Safe school routes").getByLabel(t("implementation.status"), { exact: true }).selectOption("cancelled");
    await item("Safe school routes").getByLabel(t("implementation.note"), { exact: true }).fill(cancelNote);
    await item("Safe school routes").getByLabel(t("implementation.cancelReason"), { exact: true }).fill(cancelReason);
    expect(await submit(page, item("Safe school routes").getByRole("button", { name: t("implementation.post") }))).toBe(
      200,
    );

    // A resident comments twice on the newest update; staff hide the second comment with a reason.
    const resident = await reza("en");
    await go(resident, library);
    for (const body of [kept, hiddenComment]) {
      const newest = resident.page.locator("ol.card-list > li").first();
      await newest.getByLabel(resident.t("implementation.comments.add"), { exact: true }).fill(body);
      await newest.getByRole("button", { name: resident.t("implementation.comments.post") }).click();
      await expect.poll(() => resident.page.locator("main").textContent()).toContain(body);
    }
    await go(staffEn, library);
    const toHide = page.locator(".update-comments li", { hasText: "hidden comment" });
    await toHide.getByLabel(t("implementation.comments.reason"), { exact: true }).fill(hideReason);
    await toHide.getByRole("button", { name: t("implementation.comments.hide") }).click();
    await expect.poll(() => page.locator("main").textContent()).toContain(hideReason);

    for (const locale of ["en", "fa"] as const) {
      const v = await reza(locale);
      const cancelled = v.t("implementation.cancelledBecause", { reason: isolated(cancelReason) });
      await visit(v, library, [note, kept, v.t("implementation.comments.hidden", { reason: isolated(hideReason) })]);
      // The hidden comment is gone; the two refused updates were not posted (the demo's, the two stored with a
      // javascript: and a data: photo address, and this one); only the https photo address is a link.
      expect(await v.page.locator("main").textContent()).not.toContain(hiddenComment);
      expect(await v.page.getByRole("link", { name: v.t("implementation.photo") }).count()).toBe(1);
      expect(await v.page.locator("a", { hasText: v.t("implementation.photo") }).getAttribute("href")).toBe(photo);
      expect(await v.page.locator("ol.card-list > li").count()).toBe(4);
      await visit(v, school, [cancelNote, cancelled]);
      await visit(v, "/m/demo/rounds/budget-1404/implementation", [cancelled]);
      await visit(v, "/m/demo/log", [JSON.stringify(cancelReason), JSON.stringify(hideReason)]);
    }

    // The open data: JSON shown as text in a tab, CSV with the formula neutralised, the action log as data.
    const reader = await reza("en");
    const json = await go(reader, "/m/demo/implementation.json");
    expect(json?.headers()["content-type"]).toMatch(/^application\/json/);
    expect(json?.headers()["x-content-type-options"]).toBe("nosniff");
    expect(await reader.page.locator("body").textContent()).toContain(JSON.stringify(cancelReason));
    await nothingRan(reader, "implementation.json in a tab");
    const rows = JSON.parse((await json?.text()) ?? "").funded_proposals as { cancel_reason: string | null }[];
    expect(rows.map((r) => r.cancel_reason)).toContain(cancelReason);
    const csvResponse = await reader.page.request.get(`${env.app.url}/m/demo/implementation.csv`);
    expect(csvResponse.headers()["content-type"]).toMatch(/^text\/csv/);
    expect(csvResponse.headers()["x-content-type-options"]).toBe("nosniff");
    const csv = await csvResponse.text();
    expect(csv).toContain(`,${neutralised(cancelReason)},`);
    expect(csv).not.toMatch(FORMULA_CELL);
    const logged = await actionLogStrings(reader);
    for (const text of [cancelReason, hideReason]) expect(logged, text).toContain(text);
  });

  it("in a municipality's name and its first administrator's, given by a platform administrator", async () => {
    const town = both("town name", "نام شهر");
    const mayor = hostileName("مدیر شهر");
    const admin = await viewer("en", "platform@demo.shora.local");
    const { page, t } = admin;
    await go(admin, "/admin");
    await page.getByLabel(t("platform.slug"), { exact: true }).fill("hostile-town");
    await page.getByLabel(t("platform.nameEn"), { exact: true }).fill(town.en);
    await page.getByLabel(t("platform.nameFa"), { exact: true }).fill(town.fa);
    await page.getByLabel(t("platform.adminName"), { exact: true }).fill(mayor);
    await page.getByLabel(t("platform.adminEmail"), { exact: true }).fill("mayor@hostile-town.example");
    await page.getByLabel(t("platform.adminPassword"), { exact: true }).fill("hostile-town-2026");
    await page.getByRole("button", { name: t("platform.create") }).click();
    await expect
      .poll(() => page.getByRole("status").textContent())
      .toContain(t("platform.created", { name: "hostile-town" }));
    await inert(admin, "the platform page", [town.en]);
    await visit(speaking(admin, "fa"), "/admin", [town.fa]);
    await page.context().close();

    const visitor = await viewer("en");
    const first = await viewer("en", "mayor@hostile-town.example", "hostile-town-2026");
    for (const locale of ["en", "fa"] as const) {
      const name = pickText(town, locale);
      await visit(speaking(visitor, locale), "/", [name]);
      await visit(speaking(visitor, locale), "/m/hostile-town", [name]);
      await visit(speaking(first, locale), "/account", [mayor, name]);
      await visit(speaking(first, locale), "/m/hostile-town/admin", [name]);
    }
    await visitor.page.context().close();
    await first.page.context().close();
  });
});
