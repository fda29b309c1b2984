import fs from "node:fs";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { translator } from "../../app/domain/i18n";
import { appAndBrowserPerFile, expectAccessible } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const en = translator("en");
const fa = translator("fa");

describe("published results pages are kept in memory for observers", () => {
  it("serves the page again with the visitor's own CSRF token and a fresh nonce; never to a logged-in visitor", async () => {
    const url = `${env.app.url}/m/demo/rounds/budget-1404/results`;
    const get = async (cookie: string, language = "en") => {
      const r = await fetch(url, { headers: { cookie, "accept-language": language } });
      const csp = r.headers.get("content-security-policy") ?? "";
      return {
        status: r.status,
        cache: r.headers.get("x-shora-page-cache"),
        html: await r.text(),
        nonce: /'nonce-([^']+)'/.exec(csp)?.[1] ?? "",
      };
    };
    const first = await get("shora_csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    const second = await get("shora_csrf=BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
    expect(first.status).toBe(200);
    expect(second.cache).toBe("hit");
    expect(second.html).toContain('value="BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"');
    expect(second.html).not.toContain("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(second.nonce).not.toBe(first.nonce);
    expect(second.html).toContain(`nonce="${second.nonce}"`);
    expect(second.html).not.toContain(`nonce="${first.nonce}"`);
    // Persian is kept apart from English.
    const persian = await get("shora_csrf=CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC", "fa");
    expect(persian.html).toContain('dir="rtl"');
    expect((await get("shora_csrf=DDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD", "fa")).cache).toBe("hit");
    // A session cookie (even a stale one) always gets a page rendered for it.
    const loggedIn = await get("shora_csrf=EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE; shora_session=whatever");
    expect(loggedIn.status).toBe(200);
    expect(loggedIn.cache).not.toBe("hit");
    // A round that is not published is never kept.
    const open = async () =>
      (
        await fetch(`${env.app.url}/m/demo/rounds/budget-1405/results`, {
          headers: { cookie: "shora_csrf=FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
        })
      ).headers.get("x-shora-page-cache");
    expect(await open()).toBeNull();
    expect(await open()).toBeNull();
  });
});

describe("an observer checks published results", () => {
  it("opens the results from the open-data page, sees charts and tables, downloads and verifies the bundle, then reads it in Persian", async () => {
    const page = await (await env.browser.newContext({ locale: "en-GB", acceptDownloads: true })).newPage();
    page.setDefaultTimeout(15_000);
    await page.goto(`${env.app.url}/m/demo`);
    await page.getByRole("link", { name: en("openData.title") }).click();
    await expectAccessible(page, "open data (en)");
    await page
      .getByRole("link", { name: en("openData.results") })
      .first()
      .click();
    await expect.poll(() => page.locator("h1").textContent()).toContain(en("rounds.results.title"));
    // chart.js draws after hydration: support, spending, comparison and turnout.
    await expect.poll(() => page.locator(".chart canvas").count()).toBe(4);
    expect(await page.locator("table").count()).toBeGreaterThanOrEqual(4);
    const fingerprint = await page.locator(".fingerprint code").textContent();
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await page.locator("pre code").textContent()).toBe("npx shora verify demo-budget-1404-bundle.zip");
    await expectAccessible(page, "results (en)");

    const download = page.waitForEvent("download");
    await page.getByRole("link", { name: en("bundle.download") }).click();
    const file = await (await download).path();
    const entries = unzipSync(new Uint8Array(fs.readFileSync(file)));
    const report = await verifyBundle({ read: (name) => (entries[name] ? Buffer.from(entries[name]) : null) });
    expect(report.exitCode).toBe(0);
    expect(report.fingerprint).toBe(fingerprint);

    const png = await page.request.get(
      `${env.app.url}/m/demo/rounds/budget-1404/chart.png?chart=support&envelope=city&lang=fa`,
    );
    expect(png.headers()["content-type"]).toBe("image/png");

    await page.getByLabel("Language").selectOption("fa");
    await page.getByRole("button", { name: "Change language" }).click();
    await expect.poll(() => page.locator("html").getAttribute("dir")).toBe("rtl");
    await expect.poll(() => page.locator("h1").textContent()).toContain(fa("rounds.results.title"));
    expect(await page.locator("main table").first().textContent()).toMatch(/[۰-۹]/);
    await expect.poll(() => page.locator(".chart canvas").count()).toBe(4);
    await expectAccessible(page, "results (fa)");
  });

  it("reads the results as tables without JavaScript", async () => {
    const page = await (await env.browser.newContext({ locale: "en-GB", javaScriptEnabled: false })).newPage();
    await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/results`);
    expect(await page.locator(".chart canvas").count()).toBe(0);
    expect(await page.locator("main").textContent()).toContain(en("results.compare"));
    expect(await page.locator("table").count()).toBeGreaterThanOrEqual(4);
  });
});

describe("content security policy", () => {
  it("comes with no framing, no sniffing and a same-origin referrer policy on pages and on everything else", async () => {
    for (const address of [
      "/m/demo",
      "/m/demo/rounds/budget-1404/results",
      "/m/demo/api/rounds",
      "/m/demo/rounds/budget-1404/bundle/round.json",
      "/no-such-page",
    ]) {
      const response = await fetch(`${env.app.url}${address}`, { redirect: "manual" });
      expect(response.headers.get("x-frame-options"), address).toBe("DENY");
      expect(response.headers.get("x-content-type-options"), address).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), address).toBe("same-origin");
      expect(response.headers.get("content-security-policy"), address).toContain("frame-ancestors 'none'");
      await response.arrayBuffer();
    }
  });

  it("allows scripts only from the site or with the response's nonce, and pages still hydrate", async () => {
    const response = await fetch(`${env.app.url}/m/demo/rounds/budget-1404/results`);
    const csp = response.headers.get("content-security-policy") ?? "";
    const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? "";
    expect(scriptSrc).toMatch(/^'self' 'nonce-[A-Za-z0-9+/=]{24}'$/);
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc)?.[1];
    const html = await response.text();
    const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)];
    expect(inline.length).toBeGreaterThan(0);
    for (const [, attributes] of inline) expect(attributes).toContain(`nonce="${nonce}"`);
    // A second response gets another nonce.
    const again = (await fetch(`${env.app.url}/m/demo`)).headers.get("content-security-policy");
    expect(again).not.toContain(nonce);
    // The browser runs the page's scripts under this policy: the charts appear.
    const page = await (await env.browser.newContext({ locale: "en-GB" })).newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${env.app.url}/m/demo/rounds/budget-1404/results`);
    await expect.poll(() => page.locator(".chart canvas").count()).toBe(4);
    expect(violations).toEqual([]);
  });
});
