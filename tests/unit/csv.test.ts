import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "../../app/domain/csv";

describe("a CSV cell", () => {
  it("puts an apostrophe before text a spreadsheet would read as a formula", () => {
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@SUM(A1:A9)")).toBe("'@SUM(A1:A9)");
    // A tab is a separator too (ADR 0019): the cell is quoted, and the part after the tab neutralised.
    expect(csvCell("\t=1+1")).toBe(`"'\t'=1+1"`);
    // A carriage return also needs quotes; the apostrophe stays first inside them.
    expect(csvCell("\r=1+1")).toBe(`"'\r'=1+1"`);
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
    // `|` is a separator a spreadsheet may split on (ADR 0019): that cell is quoted too.
    expect(csvLine(["p1", "=cmd|' /C calc'!A0", "", 500, -3, "yes", null])).toBe(
      `p1,"'=cmd|' /C calc'!A0",,500,-3,yes,`,
    );
  });

  it("quotes a cell holding any separator a spreadsheet may split on, so it stays one cell", () => {
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell("a|b")).toBe('"a|b"');
    expect(csvCell("a\tb")).toBe('"a\tb"');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell("باغ؛ کتاب")).toBe("باغ؛ کتاب");
  });

  it("neutralises every part after a separator that would start a formula", () => {
    // The attack: in a locale that splits on `;`, the second part ran as a formula.
    expect(csvCell("x;=1+1")).toBe(`"x;'=1+1"`);
    expect(csvCell("x,=1+1")).toBe(`"x,'=1+1"`);
    expect(csvCell("x|=1+1")).toBe(`"x|'=1+1"`);
    expect(csvCell("x\t=1+1")).toBe(`"x\t'=1+1"`);
    expect(csvCell("x\n=1+1")).toBe(`"x\n'=1+1"`);
    expect(csvCell("x\r\n@SUM(A1)")).toBe(`"x\r\n'@SUM(A1)"`);
    expect(csvCell("=1;+1;x;-2")).toBe(`"'=1;'+1;x;'-2"`);
    expect(csvCell('a;=HYPERLINK("http://x","y")')).toBe(`"a;'=HYPERLINK(""http://x"",""y"")"`);
    // A separator followed by ordinary text only needs the quotes.
    expect(csvCell("x; =1")).toBe('"x; =1"');
    expect(csvCell("x=1;y")).toBe('"x=1;y"');
  });

  it("keeps every attack value one quoted cell in which no part, split on any separator, starts a formula", () => {
    const attacks = ["x;=1+1", "x|=1+1", "x\t=1+1", "x,+1", "=1;=2", "a\n-1", "@x;@y", "a;b|c\t=d", ";;=x", "\t\t=1"];
    for (const value of attacks) {
      const cell = csvCell(value);
      expect(cell.startsWith('"') && cell.endsWith('"'), value).toBe(true);
      const inner = cell.slice(1, -1).replace(/""/g, '"');
      // The text itself, with apostrophes only.
      expect(inner.replace(/(^|[,;\t|\r\n])'/g, "$1"), value).toBe(value);
      for (const part of inner.split(/[,;\t|\r\n]/)) expect(part, value).not.toMatch(/^[=+\-@]/);
    }
  });
});
