/**
 * Paper ballots as staff type them: the choices column lists the numbers printed next to each
 * proposal on the paper ballot (or proposal ids), and for points ballots `number:points`.
 * Persian and Arabic digits are accepted. Pure: used by the staff page and its CSV import.
 */
import { MAX_RECORD_CHARS, csvRecords } from "../csv";
import { asciiDigits } from "../verification/ids";
import type { BallotBody } from "./rules";
import type { BallotTypeModule } from "./types";

export type ChoiceProblem =
  | { code: "choice_unknown"; token: string }
  | { code: "choice_points"; token: string }
  | { code: "choice_repeated"; token: string }
  | { code: "choices_empty" };

const SEPARATORS = /[\s,;|،؛]+/u;

/** Reads the choices of a paper ballot against the printed order of the envelope's proposals. */
export function parseChoices(
  text: string,
  printed: readonly { id: string }[],
  type: BallotTypeModule,
): { ok: true; body: BallotBody } | { ok: false; problem: ChoiceProblem } {
  const tokens = asciiDigits(text).trim().split(SEPARATORS).filter(Boolean);
  if (tokens.length === 0) return { ok: false, problem: { code: "choices_empty" } };
  const ids = new Set(printed.map((p) => p.id));
  const proposalOf = (ref: string): string | null => {
    if (/^\d{1,6}$/.test(ref)) {
      const n = Number(ref);
      return n >= 1 && n <= printed.length ? printed[n - 1].id : null;
    }
    return ids.has(ref) ? ref : null;
  };
  return type.fromPaper(tokens, proposalOf);
}

export interface PaperRow {
  line: number;
  nationalId: string;
  birthDate: string | null;
  envelope: string;
  choices: string;
}

export type PaperFileProblem =
  | { line: number; code: "header"; missing: string }
  | { line: number; code: "quote" }
  | { line: number; code: "long"; max: number }
  | { line: number; code: "columns"; expected: number; found: number }
  | { line: null; code: "empty" }
  | { line: number; code: "too_many"; max: number };

/**
 * Splits a paper-ballot CSV (header `national_id,birth_date,envelope,choices`; birth_date may be
 * empty; columns in any order) into rows with their line numbers.
 */
export function parsePaperCsv(text: string, maxRows: number): { rows: PaperRow[]; problems: PaperFileProblem[] } {
  const rows: PaperRow[] = [];
  const problems: PaperFileProblem[] = [];
  let columns: Map<string, number> | null = null;
  let records = 0;
  for (const record of csvRecords(text)) {
    // Every line counts, good or bad: a file of a million bad lines stops at the first over the limit.
    if (columns && ++records > maxRows)
      return { rows: [], problems: [{ line: record.line, code: "too_many", max: maxRows }] };
    if (record.error === "long") {
      problems.push({ line: record.line, code: "long", max: MAX_RECORD_CHARS });
      continue;
    }
    if (record.error) {
      problems.push({ line: record.line, code: "quote" });
      continue;
    }
    if (!columns) {
      columns = new Map(record.fields.map((f, i) => [f.trim().toLowerCase(), i]));
      for (const name of ["national_id", "envelope", "choices"]) {
        if (!columns.has(name)) problems.push({ line: record.line, code: "header", missing: name });
      }
      if (problems.length) return { rows, problems };
      continue;
    }
    if (record.fields.length !== columns.size) {
      problems.push({ line: record.line, code: "columns", expected: columns.size, found: record.fields.length });
      continue;
    }
    const at = (name: string) => {
      const i = columns?.get(name);
      return i === undefined ? "" : record.fields[i].trim();
    };
    rows.push({
      line: record.line,
      nationalId: at("national_id"),
      birthDate: at("birth_date") || null,
      envelope: at("envelope"),
      choices: at("choices"),
    });
  }
  if (!rows.length && !problems.length) problems.push({ line: null, code: "empty" });
  return { rows, problems };
}
