/**
 * Persian and English pages as people read them (ADR 0029): forms that clear, consultations without
 * budget furniture, names instead of codes, dates in the page's calendar, times with their zone.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible, logIn as logInAs, switchLanguage } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");
const fa = translator("fa");

/** Logs in (the login form of an English page), then chooses Persian with the header's switcher. */
async function logInInPersian(page: Page, email: string) {
  await logInAs(page, env.app.url, email);
  await switchLanguage(page, "fa");
}

async function pageIn(locale: "en-GB" | "fa-IR", javaScriptEnabled = true) {
  const page = await (await env.browser.newContext({ locale, javaScriptEnabled })).newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

describe("pages in the reader's language", () => {
  it("a consultation round shows no envelopes, proposal filter or proposal count", async () => {
    for (const [locale, t] of [
      ["en-GB", en],
      ["fa-IR", fa],
    ] as const) {
      const page = await pageIn(locale);
      await page.goto(`${env.app.url}/m/demo/rounds/transport-1405`);
      const main = (await page.locator("main").textContent()) ?? "";
      expect(main).not.toContain(t("round.envelopes"));
      expect(main).not.toContain(t("rounds.filter.results", { count: 0 }));
      expect(await page.locator("form[role=search]").count()).toBe(0);
      await expectAccessible(page, `consultation round (${locale})`);
      await page.context().close();
    }
  });

  it("the comment box is empty after a comment is posted, with JavaScript and without; times name their zone", async () => {
    for (const javaScript of [true, false]) {
      const page = await pageIn("en-GB", javaScript);
      await logInInPersian(page, "resident1@demo.shora.local");
      await page.goto(`${env.app.url}/m/demo/rounds/budget-1405`);
      await page.locator("main table a").first().click();
      await page.waitForURL(/\/proposals\//);
      const text = `سایه‌بان برای دستگاه‌ها ${javaScript ? "۱" : "۲"}`;
      await page.getByLabel(fa("comments.body")).fill(text);
      await page.getByRole("button", { name: fa("comments.submit") }).click();
      await expect.poll(() => page.getByRole("status").first().textContent()).toContain(fa("comments.posted"));
      await expect.poll(() => page.locator("ol.comments").textContent()).toContain(text);
      expect(await page.getByLabel(fa("comments.body")).inputValue()).toBe("");
      expect(await page.locator("ol.comments time").first().textContent()).toContain("به وقت تهران");
      await page.context().close();
    }
  });

  it("staff see the turnout by district, class and channel names, in Persian", async () => {
    const page = await pageIn("en-GB");
    await logInInPersian(page, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin/rounds/budget-1404/turnout`);
    const table = (await page.locator("table").first().textContent()) ?? "";
    expect(table).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(table).not.toMatch(/\b(online|paper|resident|commuter)\b/);
    await expectAccessible(page, "turnout (fa)");
    await page.context().close();
  });

  it("staff type dates in Solar Hijri on Persian pages and amounts with Persian digits and grouping", async () => {
    const page = await pageIn("en-GB");
    await logInInPersian(page, "staff@demo.shora.local");
    await page.goto(`${env.app.url}/m/demo/admin/rounds`);
    const phase = fa("phase.voting");
    const start = page.getByLabel(fa("rounds.phaseStart", { phase }));
    expect(await start.getAttribute("type")).toBe("text");
    await page.getByLabel(fa("rounds.slug")).fill("hijri-1406");
    await page.getByLabel(fa("rounds.titleFa")).fill("دوره‌ای به تقویم خورشیدی");
    await start.fill("۱۴۰۶/۰۲/۰۱");
    await page.getByLabel(fa("rounds.phaseEnd", { phase })).fill("۱۴۰۶/۰۲/۱۵");
    await page.getByRole("button", { name: fa("rounds.createSubmit") }).click();
    await page.waitForURL(`${env.app.url}/m/demo/admin/rounds/hijri-1406`);
    // Stored as 2027-04-21 and shown back in the same calendar.
    expect(await page.getByLabel(fa("rounds.phaseStart", { phase })).inputValue()).toBe("۱۴۰۶/۰۲/۰۱");

    await page.goto(`${env.app.url}/m/demo/admin/rounds/hijri-1406/envelopes`);
    expect(await page.getByLabel(fa("rounds.envelope.amount", { currency: "IRR" })).getAttribute("type")).toBe("text");
    await page.getByLabel(fa("rounds.envelope.slug")).fill("all");
    await page.getByLabel(fa("rounds.envelope.nameFa")).fill("همه");
    await page.getByLabel(fa("rounds.envelope.amount", { currency: "IRR" })).fill("۳۵۰٬۰۰۰٬۰۰۰");
    await page.getByRole("button", { name: fa("rounds.envelope.create") }).click();
    await expect.poll(() => page.locator("main").textContent()).toContain("۳۵۰٬۰۰۰٬۰۰۰\u00a0ریال");
    await page.context().close();
  });
});

/**
 * Where `text` shows on the page without being isolated from the sentence around it: not inside a
 * `<bdi>` or an element with `dir`, not wrapped in U+2068…U+2069, and not alone in its own box. Each
 * offender is the text of its smallest enclosing box.
 */
async function unisolated(page: Page, text: string): Promise<string[]> {
  return page.evaluate((needle) => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const value = node.nodeValue ?? "";
      if (!value.includes(needle) || value.includes(`\u2068${needle}\u2069`)) continue;
      let box = node.parentElement;
      let isolatedBy: Element | null = null;
      while (box && box !== document.body) {
        if (box.tagName === "BDI" || box.hasAttribute("dir")) isolatedBy = box;
        const display = getComputedStyle(box).display;
        if (isolatedBy || (display !== "inline" && display !== "contents")) break;
        box = box.parentElement;
      }
      if (isolatedBy) continue;
      if (box?.closest("script, style, template, title")) continue;
      const whole = (box?.textContent ?? "").trim();
      if (whole !== needle) found.push(whole.slice(0, 160));
    }
    return found;
  }, text);
}

describe("a name in a sentence of the other script reads as a name", () => {
  it("a Latin name on Persian pages is isolated wherever it is shown: account, staff, verifications, a report", async () => {
    const resident = await pageIn("en-GB");
    await logInInPersian(resident, "resident1@demo.shora.local");
    await resident.goto(`${env.app.url}/account`);
    expect(await resident.locator("main").textContent()).toContain("Reza Resident");
    expect(await unisolated(resident, "Reza Resident"), "/account").toEqual([]);
    await resident.context().close();

    const admin = await pageIn("en-GB");
    await logInInPersian(admin, "admin@demo.shora.local");
    for (const [path, name] of [
      ["/account", "Parisa Admin"],
      ["/m/demo/admin/staff", "Sina Staff"],
      ["/m/demo/admin/verifications?email=resident1%40demo.shora.local", "Reza Resident"],
      ["/m/demo/admin/reports/43", "Sina Staff"],
    ] as const) {
      await admin.goto(`${env.app.url}${path}`);
      expect(await admin.locator("main").textContent(), path).toContain(name);
      expect(await unisolated(admin, name), path).toEqual([]);
    }
    await admin.context().close();
  });
});
