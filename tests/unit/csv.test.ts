import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "../../app/domain/csv";

describe("a CSV cell", () => {
  it("puts an apostrophe before text a spreadsheet would read as a formula", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    expect(csvCell("\t=1+1")).toBe("'\t=1+1");
    // A carriage return also needs quotes; the apostrophe stays first inside them.
    expect(csvCell("\r=1+1")).toBe(`"'\r=1+1"`);
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell("-5")).toBe("'-5");
  });

  it("writes numbers as numbers, negative ones too", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(-1.25)).toBe("-1.25");
    expect(csvCell(1_800_000_000)).toBe("1800000000");
    expect(csvCell(0)).toBe("0");
  });

  it("leaves other text alone, quotes only what RFC 4180 needs, and writes null as an empty cell", () => {
    expect(csvCell("Library reading garden")).toBe("Library reading garden");
    expect(csvCell("باغ کتاب‌خوانی")).toBe("باغ کتاب‌خوانی");
    expect(csvCell("a = b, c")).toBe('"a = b, c"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(" =1")).toBe(" =1");
    expect(csvCell("")).toBe("");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("joins a line of cells", () => {
    expect(csvLine(["p1", "=cmd|' /C calc'!A0", "", 500, -3, "yes", null])).toBe("p1,'=cmd|' /C calc'!A0,,500,-3,yes,");
  });
});
