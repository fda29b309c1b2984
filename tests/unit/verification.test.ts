import { describe, expect, it } from "vitest";
import { csvRecords } from "../../app/domain/csv";
import { parseCensus } from "../../app/domain/verification/census";
import { formatCode, normalizeCode } from "../../app/domain/verification/codes";
import { ageOn, jalaliToIso, parseBirthDate } from "../../app/domain/verification/dates";
import { envelopeOpenTo, roundVerdict } from "../../app/domain/verification/eligibility";
import { idChecker, isIranianNationalCode, withIranianCheckDigit } from "../../app/domain/verification/ids";

describe("Iranian national code", () => {
  it("accepts valid codes and refuses a wrong check digit or repeated digits", () => {
    expect(isIranianNationalCode("0499370899")).toBe(true);
    expect(isIranianNationalCode("0790419904")).toBe(true);
    expect(isIranianNationalCode("0499370898")).toBe(false);
    expect(isIranianNationalCode("1111111111")).toBe(false);
    expect(isIranianNationalCode("123456789")).toBe(false);
    for (const nine of ["000000001", "123456789", "987654321", "499370890"]) {
      expect(isIranianNationalCode(withIranianCheckDigit(nine))).toBe(true);
    }
  });

  it("normalises Persian digits, separators and leading zeros dropped by spreadsheets", () => {
    const check = idChecker({ scheme: "ir-national-code" });
    expect(check("۰۴۹۹۳۷۰۸۹۹")).toEqual({ ok: true, id: "0499370899" });
    expect(check("049-937089-9")).toEqual({ ok: true, id: "0499370899" });
    expect(check("499370899")).toEqual({ ok: true, id: "0499370899" });
    expect(check("")).toEqual({ ok: false, problem: "id_missing" });
    expect(check("12ab")).toEqual({ ok: false, problem: "id_format" });
    expect(check("0499370898")).toEqual({ ok: false, problem: "id_checksum" });
  });

  it("other schemes accept a configurable pattern", () => {
    const check = idChecker({ scheme: "pattern", pattern: "[A-Z]{2}\\d{6}" });
    expect(check("ab 123456")).toEqual({ ok: true, id: "AB123456" });
    expect(check("AB12345")).toEqual({ ok: false, problem: "id_pattern" });
    expect(idChecker({ scheme: "pattern", pattern: "((" })("AB1")).toEqual({ ok: false, problem: "id_pattern" });
  });
});

describe("birth dates", () => {
  it("converts Solar Hijri dates and keeps Gregorian ones", () => {
    expect(jalaliToIso(1370, 5, 12)).toBe("1991-08-03");
    expect(jalaliToIso(1403, 1, 1)).toBe("2024-03-20");
    expect(parseBirthDate("1349/04/17")).toBe("1970-07-08");
    expect(parseBirthDate("۱۳۷۰-۰۵-۱۲")).toBe("1991-08-03");
    expect(parseBirthDate("1991-08-03")).toBe("1991-08-03");
    expect(parseBirthDate("1991.8.3")).toBe("1991-08-03");
  });

  it("refuses days that do not exist", () => {
    expect(parseBirthDate("1991-02-29")).toBeNull();
    expect(parseBirthDate("1992-02-29")).toBe("1992-02-29");
    expect(parseBirthDate("1371-12-30")).toBeNull(); // 1371 is not a leap year
    expect(parseBirthDate("1370-12-30")).toBe("1992-03-20");
    expect(parseBirthDate("1375-12-30")).toBe("1997-03-20");
    expect(parseBirthDate("1370-07-31")).toBeNull();
    expect(parseBirthDate("1700-01-01")).toBeNull();
    expect(parseBirthDate("soon")).toBeNull();
  });

  it("counts whole years", () => {
    expect(ageOn("2000-06-15", "2018-06-14")).toBe(17);
    expect(ageOn("2000-06-15", "2018-06-15")).toBe(18);
  });
});

describe("census CSV", () => {
  const districts = new Map([
    ["north", "d-north"],
    ["south", "d-south"],
  ]);
  const options = { idRules: { scheme: "ir-national-code" as const }, districts, today: "2026-01-01" };

  it("reads quoted fields, CRLF, a BOM, extra columns and any column order", () => {
    const text =
      '\uFEFFdistrict,voter_class,name,birth_date,national_id\r\n"north","resident","Doe, Jane",1980-01-02,0499370899\r\n\r\nsouth,youth,"multi\nline",2010-01-01,0790419904\r\n';
    const parsed = parseCensus(text, options);
    expect(parsed.fatal).toBeNull();
    expect(parsed.totalRows).toBe(2);
    expect(parsed.rows).toEqual({
      ids: ["0499370899", "0790419904"],
      birthDates: ["1980-01-02", "2010-01-01"],
      districtIds: ["d-north", "d-south"],
      voterClasses: ["resident", "youth"],
      lines: [2, 4],
    });
  });

  it("reports line numbers, columns and reasons, the first 100 only, never the values of IDs or dates", () => {
    const rows = ["national_id,birth_date,district,voter_class"];
    for (let i = 0; i < 150; i++) rows.push(`1234567890,1980-01-02,north,resident`);
    const parsed = parseCensus(rows.join("\n"), options);
    expect(parsed.badRows).toBe(150);
    expect(parsed.problems).toHaveLength(100);
    expect(parsed.problems[0]).toEqual({ line: 2, column: "national_id", reason: "id_checksum" });
    expect(JSON.stringify(parsed.problems)).not.toContain("1234567890");
  });

  it("refuses a file without the required header as a whole", () => {
    const parsed = parseCensus("id,birth\n1,2\n", options);
    expect(parsed.fatal?.reason).toBe("header");
    expect(parsed.fatal?.value).toBe("national_id, birth_date, district, voter_class");
  });

  it("finds an unclosed quote and a wrong field count", () => {
    const records = [...csvRecords('a,b\n"x,y\n')];
    expect(records[1].error).toBe("quote");
    const parsed = parseCensus("national_id,birth_date,district,voter_class\n0499370899,1980-01-02,north\n", options);
    expect(parsed.problems).toEqual([{ line: 2, column: "row", reason: "columns" }]);
  });
});

describe("eligibility", () => {
  const standing = { districtId: "north", voterClass: "resident", birthDate: "2000-06-15" };
  const rules = { districtIds: null, minAge: null, classes: [], ageDay: "2026-01-01" };

  it("gives every verified resident weight 1 when a round has no classes", () => {
    expect(roundVerdict(standing, rules)).toEqual({ eligible: true, reasons: [], weight: 1 });
    expect(roundVerdict(null, rules).reasons).toEqual([{ code: "not_verified" }]);
  });

  it("uses the class weight and names every rule that is not met", () => {
    const classes = [
      { code: "resident", weight: 2 },
      { code: "works-here", weight: 1 },
    ];
    expect(roundVerdict(standing, { ...rules, classes }).weight).toBe(2);
    const verdict = roundVerdict(
      { ...standing, voterClass: "visitor" },
      { districtIds: ["south"], minAge: 30, classes, ageDay: "2026-01-01" },
    );
    expect(verdict.eligible).toBe(false);
    expect(verdict.reasons.map((r) => r.code)).toEqual(["district", "age", "class"]);
  });

  it("opens district envelopes only to residents of that district", () => {
    expect(envelopeOpenTo(standing, null)).toBe(true);
    expect(envelopeOpenTo(standing, "north")).toBe(true);
    expect(envelopeOpenTo(standing, "south")).toBe(false);
    expect(envelopeOpenTo(null, "north")).toBe(false);
  });
});

describe("letter codes", () => {
  it("formats 12 characters in groups and reads them back forgivingly", () => {
    const code = formatCode(new Uint8Array(12).map((_, i) => i * 7));
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(normalizeCode(code.toLowerCase().replace(/-/g, " "))).toBe(code.replace(/-/g, ""));
    expect(normalizeCode("ABCD-EFGH-JKMO")).toBe("ABCDEFGHJKM0");
    expect(normalizeCode("ABCD-EFGH-JKMU")).toBeNull();
    expect(normalizeCode("short")).toBeNull();
  });
});
