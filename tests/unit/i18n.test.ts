import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../app/domain/i18n/en";
import { fa } from "../../app/domain/i18n/fa";
import {
  direction,
  formatDay,
  formatMoney,
  formatNumber,
  negotiateLocale,
  pickText,
  translate,
} from "../../app/domain/i18n";

describe("dictionaries", () => {
  it("have exactly the same keys in English and Persian", () => {
    const onlyEn = Object.keys(en).filter((k) => !(k in fa));
    const onlyFa = Object.keys(fa).filter((k) => !(k in en));
    expect({ onlyEn, onlyFa }).toEqual({ onlyEn: [], onlyFa: [] });
  });

  it("use the same placeholders in both languages and leave no string empty", () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe("");
      expect(fa[key].trim(), key).not.toBe("");
      expect(placeholders(fa[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("are the only source of UI text: every t('key') used in app/ exists", () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (/\.tsx?$/.test(entry.name)) files.push(full);
      }
    };
    walk(path.resolve(__dirname, "../../app"));
    const used = new Set<string>();
    for (const file of files) {
      for (const m of fs.readFileSync(file, "utf8").matchAll(/\bt\("([\w.]+)"/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(20);
    expect([...used].filter((k) => !(k in en) && !(`${k}.other` in en))).toEqual([]);
  });
});

describe("formatting", () => {
  it("writes Persian with Persian digits, right to left, and Solar Hijri dates", () => {
    expect(direction("fa")).toBe("rtl");
    expect(direction("en")).toBe("ltr");
    expect(formatNumber("fa", 1234567)).toBe("۱٬۲۳۴٬۵۶۷");
    expect(formatDay("fa", "2026-03-21")).toBe("۱ فروردین ۱۴۰۵");
    expect(formatDay("en", "2026-03-21")).toBe("21 March 2026");
    expect(translate("fa", "field.tooShort", { field: "گذرواژه", min: 10 })).toBe("گذرواژه باید دست‌کم ۱۰ نویسه باشد.");
  });

  it("formats money from minor units in the municipality's currency", () => {
    expect(formatMoney("en", 125_000, "EUR")).toBe("€1,250.00");
    expect(formatMoney("en", 4_000_000_000, "IRR")).toBe("IRR\u00a04,000,000,000");
    expect(formatMoney("fa", 4_000_000_000, "IRR")).toContain("۴٬۰۰۰٬۰۰۰٬۰۰۰");
  });

  it("negotiates the language from Accept-Language", () => {
    expect(negotiateLocale("fa-IR,fa;q=0.9,en;q=0.8")).toBe("fa");
    expect(negotiateLocale("de-DE,en;q=0.5,fa;q=0.4")).toBe("en");
    expect(negotiateLocale("de")).toBe("en");
    expect(negotiateLocale(null, "fa")).toBe("fa");
  });

  it("falls back to another language when a text exists in one only", () => {
    expect(pickText({ en: "Park" }, "fa")).toBe("Park");
    expect(pickText({ en: "Park", fa: "پارک" }, "fa")).toBe("پارک");
  });
});

describe("the browser's dictionaries", () => {
  it("hold only the languages loaded, each loaded once, with every key", async () => {
    const browser = await import("../../app/domain/i18n/dictionaries.browser");
    expect(Object.keys(browser.dictionaries)).toEqual([]);
    await browser.loadDictionary("fa");
    expect(Object.keys(browser.dictionaries)).toEqual(["fa"]);
    expect(browser.dictionaries.fa).toEqual(fa);
    const loaded = browser.dictionaries.fa;
    await browser.loadDictionary("fa");
    expect(browser.dictionaries.fa).toBe(loaded);
    await browser.loadDictionary("en");
    expect(browser.dictionaries.en).toEqual(en);
  });
});
