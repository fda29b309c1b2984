import { describe, expect, it } from "vitest";
import { backArrow, formatDateTime, formatMoney, formatPercent } from "../../app/domain/i18n";
import { fa } from "../../app/domain/i18n/fa";

describe("formats on Persian and English pages", () => {
  it("write the amount first and the unit after it in Persian", () => {
    expect(formatMoney("fa", 5_000, "IRR")).toBe("۵٬۰۰۰\u00a0ریال");
    expect(formatMoney("fa", -5_000, "IRR")).toBe("−۵٬۰۰۰\u00a0ریال");
    expect(formatMoney("en", 5_000, "IRR")).toBe("IRR\u00a05,000");
  });

  it("use one percent sign per language", () => {
    expect(formatPercent("fa", 100)).toBe("۱۰۰٪");
    expect(formatPercent("fa", 12.5)).toBe("۱۲٫۵٪");
    expect(formatPercent("en", 12.5)).toBe("12.5%");
  });

  it("label every time with the municipality's zone", () => {
    const at = new Date("2026-12-07T10:35:00Z");
    expect(formatDateTime("en", at, "Asia/Tehran")).toBe("7 Dec 2026, 14:05 Tehran time");
    expect(formatDateTime("fa", at, "Asia/Tehran")).toBe("۱۶ آذر ۱۴۰۵، ۱۴:۰۵ به وقت تهران");
    expect(formatDateTime("en", at, "America/Los_Angeles")).toBe("7 Dec 2026, 02:35 Los Angeles time");
    expect(formatDateTime("fa", at, "Europe/Madrid")).toMatch(/^۱۶ آذر ۱۴۰۵، ۱۱:۳۵ \(.+\)$/);
  });

  it("point back links to where the reader came from", () => {
    expect(backArrow("en")).toBe("←");
    expect(backArrow("fa")).toBe("→");
  });

  it("spell رأی one way in Persian", () => {
    const loose = Object.entries(fa).filter(([, text]) => /(^|[^\u0600-\u06ff])رای(?!زنی|گان)/u.test(text));
    expect(loose).toEqual([]);
  });
});
