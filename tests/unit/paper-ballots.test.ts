import { describe, expect, it } from "vitest";
import { parseChoices, parsePaperCsv } from "../../app/domain/ballots/paper";
import { ballotType } from "../../app/domain/ballots/types";

const printed = [{ id: "p-a" }, { id: "p-b" }, { id: "p-c" }];

describe("paper ballot choices", () => {
  it("reads printed numbers (ASCII or Persian digits, any separator) and ids", () => {
    expect(parseChoices("1 3", printed, ballotType("approval"))).toEqual({
      ok: true,
      body: { approved: ["p-a", "p-c"] },
    });
    expect(parseChoices("۲،۳", printed, ballotType("approval"))).toEqual({
      ok: true,
      body: { approved: ["p-b", "p-c"] },
    });
    expect(parseChoices("p-b;1", printed, ballotType("approval"))).toEqual({
      ok: true,
      body: { approved: ["p-b", "p-a"] },
    });
  });

  it("reads number:points for points ballots", () => {
    expect(parseChoices("1:5 3=2", printed, ballotType("cumulative"))).toEqual({
      ok: true,
      body: { points: { "p-a": 5, "p-c": 2 } },
    });
  });

  it("names the token it cannot read", () => {
    expect(parseChoices("4", printed, ballotType("approval"))).toEqual({
      ok: false,
      problem: { code: "choice_unknown", token: "4" },
    });
    expect(parseChoices("0", printed, ballotType("approval"))).toEqual({
      ok: false,
      problem: { code: "choice_unknown", token: "0" },
    });
    expect(parseChoices("1", printed, ballotType("cumulative"))).toEqual({
      ok: false,
      problem: { code: "choice_points", token: "1" },
    });
    expect(parseChoices("1:2 1:3", printed, ballotType("cumulative"))).toEqual({
      ok: false,
      problem: { code: "choice_repeated", token: "1:3" },
    });
    expect(parseChoices("  ", printed, ballotType("approval"))).toEqual({
      ok: false,
      problem: { code: "choices_empty" },
    });
  });
});

describe("paper ballot CSV", () => {
  it("reads rows with their line numbers, columns in any order, quoted choices and CRLF", () => {
    const text =
      '\ufeffenvelope,choices,national_id,birth_date\r\nnorth,"1,2",0499370899,\r\n\r\ngreen,3,0790419904,1992-08-23\r\n';
    expect(parsePaperCsv(text, 10)).toEqual({
      rows: [
        { line: 2, nationalId: "0499370899", birthDate: null, envelope: "north", choices: "1,2" },
        { line: 4, nationalId: "0790419904", birthDate: "1992-08-23", envelope: "green", choices: "3" },
      ],
      problems: [],
    });
  });

  it("names missing columns, short lines, open quotes, empty files and too many rows", () => {
    expect(parsePaperCsv("national_id,choices\n1,2\n", 10).problems).toEqual([
      { line: 1, code: "header", missing: "envelope" },
    ]);
    expect(parsePaperCsv("national_id,envelope,choices\n1,north\n", 10).problems).toEqual([
      { line: 2, code: "columns", expected: 3, found: 2 },
    ]);
    expect(parsePaperCsv('national_id,envelope,choices\n1,north,"2\n', 10).problems).toEqual([
      { line: 2, code: "quote" },
    ]);
    expect(parsePaperCsv("national_id,envelope,choices\n", 10).problems).toEqual([{ line: null, code: "empty" }]);
    expect(parsePaperCsv("national_id,envelope,choices\n1,a,1\n2,a,1\n3,a,1\n", 2).problems).toEqual([
      { line: 4, code: "too_many", max: 2 },
    ]);
  });
});
