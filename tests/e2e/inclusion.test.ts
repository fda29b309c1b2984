/**
 * The inclusion audit of the main public pages: screenshots at a phone width (390 px) and a desktop
 * width, in English and Persian, written to artifacts/screenshots/; Persian pages mirror (the brand
 * moves to the right); nothing is wider than a phone. Each resident page, opened with an empty cache
 * (a resident's first visit), transfers under 100 KB compressed — HTML, styles, scripts and the
 * strings of its own language; the figures are printed.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appAndBrowserPerFile } from "../support/e2e-server";

const env = appAndBrowserPerFile({ beforeAll, afterAll });
const out = path.resolve(import.meta.dirname, "../../artifacts/screenshots");

const pages = [
  { name: "home", path: "/", resident: true },
  { name: "municipality", path: "/m/demo", resident: true },
  { name: "round", path: "/m/demo/rounds/budget-1405", resident: true },
  { name: "survey", path: "/m/demo/rounds/transport-1405/survey", resident: true },
  { name: "results", path: "/m/demo/rounds/budget-1404/results", resident: false },
];

describe("inclusion audit", () => {
  it("renders the main pages at phone and desktop widths in en and fa, mirrored in Persian, within a transfer budget", async () => {
    fs.mkdirSync(out, { recursive: true });
    const weights: string[] = [];
    for (const locale of ["en", "fa"]) {
      for (const width of [390, 1280]) {
        const context = await env.browser.newContext({
          locale: locale === "fa" ? "fa-IR" : "en-GB",
          viewport: { width, height: 900 },
        });
        const page = await context.newPage();
        const cdp = await context.newCDPSession(page);
        await cdp.send("Network.enable");
        // Every page as on a first visit: nothing from the cache.
        await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
        let bytes = 0;
        cdp.on("Network.loadingFinished", (e: { encodedDataLength: number }) => {
          bytes += e.encodedDataLength;
        });
        for (const p of pages) {
          bytes = 0;
          await page.goto(`${env.app.url}${p.path}`, { waitUntil: "networkidle" });
          expect(await page.locator("html").getAttribute("dir")).toBe(locale === "fa" ? "rtl" : "ltr");
          // Mirroring: the brand sits at the start of the header — left in English, right in Persian.
          const brand = await page.locator(".brand").boundingBox();
          if (brand) expect(brand.x + brand.width / 2 < width / 2).toBe(locale === "en");
          // Nothing wider than the screen.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width + 1);
          await page.screenshot({ path: path.join(out, `${p.name}-${locale}-${width}.png`), fullPage: true });
          if (width === 390) weights.push(`${p.name} (${locale}): ${(bytes / 1024).toFixed(1)} KB`);
          if (p.resident) expect(bytes, `${p.name} in ${locale}`).toBeLessThan(100 * 1024);
        }
        await context.close();
      }
    }
    console.info(`compressed transfer at 390 px, empty cache: ${weights.join(", ")}`);
    expect(fs.readdirSync(out).filter((f) => f.endsWith(".png")).length).toBeGreaterThanOrEqual(pages.length * 4);
  });
});
