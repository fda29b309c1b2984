/**
 * Script payloads in a published round's texts stay inert wherever observers meet them: the results
 * page (English, Persian, without JavaScript), each file of the published bundle (.pb, JSON) and the
 * open-data API, each opened in a Chromium tab. Exports are served as data (never HTML), with nosniff
 * and a sandboxing policy, so even a file full of markup cannot run anything.
 *
 * A round cannot go from proposals to published results in one day through the pages (phases are
 * whole days), so the payload is written into the demo's published round before the server starts:
 * a proposal whose resident author typed it in both languages, accepted and funded. A resident who
 * chose the payload as their display name has commented on a proposal of the current round. Another
 * proposal of the published round was typed as a spreadsheet formula, which the bundle's results CSV
 * must hand over as text.
 */
import { eq, sql } from "drizzle-orm";
import { unzipSync } from "fflate";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comments, envelopes, proposals, rounds, users } from "../../db/schema";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, finishLogIn } from "../support/e2e-server";

const PAYLOAD = `<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2;alert(2)</script>"><svg onload=alert(3)>`;
const MARK = "<script>window.__pwned=2";
/** A title a spreadsheet would run (English), and one it would read as a formula too (Persian). */
const FORMULA = { en: '=HYPERLINK("http://x","y")', fa: "@فوارهٔ موزیکال" };

/** A proposal page where the resident with the payload as their name has commented. */
let commentedProposal = "";

const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    prepare: async (db) => {
      const updated = await db
        .update(proposals)
        .set({ title: { en: PAYLOAD, fa: `${PAYLOAD} فارسی` }, body: { en: PAYLOAD, fa: PAYLOAD } })
        .where(eq(proposals.status, "funded"))
        .returning({ id: proposals.id });
      expect(updated.length).toBeGreaterThan(0);
      const formula = await db
        .update(proposals)
        .set({ title: FORMULA })
        .where(sql`${proposals.title}->>'en' = 'Musical fountain'`)
        .returning({ id: proposals.id });
      expect(formula).toHaveLength(1);
      const [roya] = await db
        .update(users)
        .set({ displayName: PAYLOAD })
        .where(eq(users.email, "resident2@demo.shora.local"))
        .returning({ id: users.id });
      const [commented] = await db
        .select({ proposal: proposals.id, round: rounds.slug })
        .from(comments)
        .innerJoin(proposals, eq(proposals.id, comments.proposalId))
        .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
        .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
        .where(eq(comments.authorId, roya.id));
      commentedProposal = `/m/demo/rounds/${commented.round}/proposals/${commented.proposal}`;
    },
  },
);

async function observer(options: { locale: string; javaScriptEnabled?: boolean }) {
  const page = await (await env.browser.newContext(options)).newPage();
  page.setDefaultTimeout(15_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, dialogs };
}

/** Nothing the payload carries became an element or ran. */
async function nothingRan(page: Page, dialogs: string[], where: string) {
  expect(await page.locator('img[src="x"], svg[onload], [onerror]').count(), where).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), where).toBeUndefined();
  expect(dialogs, where).toEqual([]);
}

describe("hostile text in published results and exports", () => {
  const results = () => `${env.app.url}/m/demo/rounds/budget-1404/results`;

  it("is text on the results page in English, in Persian and without JavaScript", async () => {
    for (const options of [
      { locale: "en-GB" },
      { locale: "fa-IR" },
      { locale: "en-GB", javaScriptEnabled: false },
      { locale: "fa-IR", javaScriptEnabled: false },
    ]) {
      const where = `results (${options.locale}, JavaScript ${options.javaScriptEnabled === false ? "off" : "on"})`;
      const { page, dialogs } = await observer(options);
      await page.goto(results(), { waitUntil: "networkidle" });
      await expect.poll(() => page.locator("main").textContent(), { message: where }).toContain(MARK);
      expect(await page.locator("html").getAttribute("dir"), where).toBe(options.locale === "fa-IR" ? "rtl" : "ltr");
      if (options.locale === "fa-IR") expect(await page.locator("main").textContent(), where).toContain("فارسی");
      await nothingRan(page, dialogs, where);
      await page.context().close();
    }
  });

  it("is text as a commenter's name on a proposal page, in English, in Persian and without JavaScript", async () => {
    for (const options of [{ locale: "en-GB" }, { locale: "fa-IR" }, { locale: "fa-IR", javaScriptEnabled: false }]) {
      const where = `commenter's name (${options.locale}, JavaScript ${options.javaScriptEnabled === false ? "off" : "on"})`;
      const { page, dialogs } = await observer(options);
      await page.goto(`${env.app.url}${commentedProposal}`, { waitUntil: "networkidle" });
      await expect.poll(() => page.locator("main").textContent(), { message: where }).toContain(MARK);
      await nothingRan(page, dialogs, where);
      await page.context().close();
    }
  });

  it("is data in every bundle file and the open-data API, each opened in a tab", async () => {
    const { page, dialogs } = await observer({ locale: "en-GB" });
    await page.goto(results());
    const files = await page
      .locator('a[href*="/bundle/"]')
      .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
    expect(files.some((u) => u.endsWith(".pb"))).toBe(true);
    expect(files.some((u) => u.endsWith("round.json"))).toBe(true);
    const exports = [
      ...files,
      `${env.app.url}/m/demo/api/rounds`,
      `${env.app.url}/m/demo/api/rounds/budget-1404/results`,
    ];
    const carrying: string[] = [];
    let csv = "";
    let shown = 0;
    for (const url of exports) {
      const response = await page.request.get(url);
      expect(response.status(), url).toBe(200);
      const headers = response.headers();
      expect(headers["content-type"], url).not.toMatch(/html/);
      expect(headers["x-content-type-options"], url).toBe("nosniff");
      expect(headers["content-security-policy"], url).toMatch(/default-src 'none'.*sandbox/);
      const body = await response.text();
      if (body.includes("window.__pwned=2")) carrying.push(url.split("/").pop() ?? url);
      if (url.endsWith("/results-city.csv")) csv = body;
      // What a browser shows in a tab (text and JSON; other types are downloaded, never shown).
      if (/^(text\/plain|application\/json)/.test(headers["content-type"])) {
        await page.goto(url);
        await nothingRan(page, dialogs, url);
        shown++;
      }
    }
    expect(shown, "files opened in a tab").toBeGreaterThanOrEqual(4);
    // The payload is carried as the resident typed it (the .pb file, the round's JSON, the API), not dropped.
    expect(
      carrying.some((name) => name.endsWith(".pb")),
      carrying.join(", "),
    ).toBe(true);
    expect(carrying).toContain("round.json");
    expect(carrying).toContain("results");

    // The results CSV hands the formula titles to a spreadsheet as text: an apostrophe first.
    expect(csv).toContain(`,"'=HYPERLINK(""http://x"",""y"")",'${FORMULA.fa},`);
    expect(csv).not.toMatch(/(^|,)"?[=+\-@\t\r]/m);
    // …and the bundle that carries it still passes the verifier.
    const zip = await page.request.get(`${env.app.url}/m/demo/rounds/budget-1404/bundle.zip`);
    const entries = unzipSync(new Uint8Array(await zip.body()));
    expect(Buffer.from(entries["results-city.csv"]).toString("utf8")).toBe(csv);
    const report = await verifyBundle({ read: (name) => (entries[name] ? Buffer.from(entries[name]) : null) });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.exitCode).toBe(0);
    await page.context().close();
  });

  it("is text for a staff member reading the round's tally in the council dashboard", async () => {
    const t = translator("en");
    const { page, dialogs } = await observer({ locale: "en-GB" });
    await page.goto(`${env.app.url}/login`);
    await page.getByLabel(t("auth.email")).fill("staff@demo.shora.local");
    await page.getByLabel(t("auth.password")).fill("shora-demo-2026");
    await page.getByRole("button", { name: t("auth.login.submit") }).click();
    await finishLogIn(page, env.app.url, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin/rounds/budget-1404/tally`);
    await expect.poll(() => page.locator("main").textContent()).toContain(MARK);
    await nothingRan(page, dialogs, "the staff tally page");
    await page.context().close();
  });
});
