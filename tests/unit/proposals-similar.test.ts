import { describe, expect, it } from "vitest";
import { matchesSearch, mostSimilar, normalizeForSearch } from "../../app/domain/proposals/similar";
import { clampPage, reachedThreshold, supportsOpenFor } from "../../app/domain/proposals/supports";

describe("Persian normalisation for search", () => {
  it("reads Arabic yeh and kaf as the Persian letters", () => {
    expect(normalizeForSearch("كتابخانه عمومي")).toBe("کتابخانه عمومی");
    expect(normalizeForSearch("كتابخانه عمومي")).toBe(normalizeForSearch("کتابخانه عمومی"));
  });
  it("treats a zero-width non-joiner as a word break", () => {
    expect(normalizeForSearch("کتاب\u200cخانه\u200cها")).toBe("کتاب خانه ها");
    expect(normalizeForSearch("می\u200cروم")).toBe(normalizeForSearch("می روم"));
  });
  it("reads Persian and Arabic-Indic digits as ASCII digits", () => {
    expect(normalizeForSearch("پارک ۱۲")).toBe("پارک 12");
    expect(normalizeForSearch("پارک ١٢")).toBe("پارک 12");
  });
  it("drops diacritics and tatweel, lowers case, squeezes punctuation", () => {
    expect(normalizeForSearch("مـــدرسهٔ  نو!")).toBe(normalizeForSearch("مدرسه نو"));
    expect(normalizeForSearch("  New   PARK, (north) ")).toBe("new park north");
  });
});

describe("similar proposals", () => {
  const candidates = [
    { item: "lib", texts: ["كتابخانه‌ي محله", "یک کتابخانه کوچک در پارک"] },
    { item: "bench", texts: ["Benches by the pond", "Two new benches near the pond"] },
    { item: "light", texts: ["Street lights on Azadi street", "LED lamps"] },
  ];
  it("finds a Persian title typed with other letters and spacing", () => {
    const found = mostSimilar({ title: "کتابخانه محله" }, candidates);
    expect(found.map((f) => f.item)).toEqual(["lib"]);
    expect(found[0].score).toBeGreaterThan(0.5);
  });
  it("finds an English text by its words, best first", () => {
    const found = mostSimilar({ title: "New bench at the pond", body: "" }, candidates);
    expect(found[0].item).toBe("bench");
    expect(found.map((f) => f.item)).not.toContain("lib");
  });
  it("finds nothing for an unrelated or too short draft", () => {
    expect(mostSimilar({ title: "Swimming pool" }, candidates)).toEqual([]);
    expect(mostSimilar({ title: "ab" }, candidates)).toEqual([]);
  });
  it("search matches every word whatever its letters or digits", () => {
    expect(matchesSearch("كتابخانه", ["کتابخانه‌ی ۱۲"])).toBe(true);
    expect(matchesSearch("کتابخانه 12", ["کتابخانه‌ی ۱۲"])).toBe(true);
    expect(matchesSearch("pond lights", ["Benches by the pond"])).toBe(false);
    expect(matchesSearch("  ", ["anything"])).toBe(true);
  });
});

describe("support rules", () => {
  const open = { supportsOpen: true, phase: "proposals" as const, status: "submitted", mergedIntoId: null };
  it("are open in the proposals phase of a round that opened them", () => {
    expect(supportsOpenFor(open)).toBe(true);
    expect(supportsOpenFor({ ...open, status: "accepted" })).toBe(true);
    expect(supportsOpenFor({ ...open, phase: "review" })).toBe(false);
    expect(supportsOpenFor({ ...open, supportsOpen: false })).toBe(false);
    expect(supportsOpenFor({ ...open, status: "rejected" })).toBe(false);
    expect(supportsOpenFor({ ...open, mergedIntoId: "x" })).toBe(false);
  });
  it("count a threshold as reached at exactly its value", () => {
    expect(reachedThreshold(2, 3)).toBe(false);
    expect(reachedThreshold(3, 3)).toBe(true);
    expect(reachedThreshold(0, null)).toBe(true);
  });
  it("keep pages within range", () => {
    expect(clampPage(5, 41, 20)).toEqual({ page: 3, pages: 3 });
    expect(clampPage(0, 0, 20)).toEqual({ page: 1, pages: 1 });
    expect(clampPage(Number.NaN, 10, 20)).toEqual({ page: 1, pages: 1 });
  });
});
