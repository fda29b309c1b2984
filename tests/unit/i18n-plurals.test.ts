import { describe, expect, it } from "vitest";
import { en } from "../../app/domain/i18n/en";
import { fa } from "../../app/domain/i18n/fa";
import { translate } from "../../app/domain/i18n";

describe("count messages", () => {
  it("take the plural form of the count in English", () => {
    expect(translate("en", "rounds.filter.results", { count: 1 })).toBe("1 proposal");
    expect(translate("en", "rounds.filter.results", { count: 0 })).toBe("0 proposals");
    expect(translate("en", "rounds.filter.results", { count: 2 })).toBe("2 proposals");
    expect(translate("en", "paper.done", { count: 1 })).toBe("1 paper ballot entered.");
    expect(translate("en", "paper.done", { count: 3 })).toBe("3 paper ballots entered.");
    expect(translate("en", "rounds.tally.ran", { count: 1 })).toBe("The tally ran on 1 ballot.");
    expect(translate("en", "comments.count", { count: 1 })).toBe("1 comment");
    expect(translate("en", "actionLog.count", { count: 1 })).toBe("1 entry");
    expect(translate("en", "rounds.turnout.total", { count: 1 })).toBe("Total: 1 voter");
  });

  it("take the general form when the count comes already written", () => {
    expect(translate("en", "rounds.filter.results", { count: "2" })).toBe("2 proposals");
  });

  it("write Persian counts with Persian digits", () => {
    expect(translate("fa", "rounds.filter.results", { count: 1 })).toBe("۱ طرح");
    expect(translate("fa", "rounds.filter.results", { count: 12 })).toBe("۱۲ طرح");
  });

  it("have an English message for every plural form English uses, and the same forms in Persian", () => {
    const bases = Object.keys(en)
      .filter((k) => k.endsWith(".other"))
      .map((k) => k.slice(0, -".other".length));
    expect(bases.length).toBeGreaterThan(10);
    for (const base of bases) {
      expect(`${base}.one` in en, base).toBe(true);
      expect(`${base}.other` in fa, base).toBe(true);
    }
    // No English count message left that would read "1 proposals".
    const countMessages = Object.entries(en).filter(([k, v]) => /\{count\} [a-z]/.test(v) && !/\.(one|other)$/.test(k));
    expect(countMessages).toEqual([]);
  });
});
