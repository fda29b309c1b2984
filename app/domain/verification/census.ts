/**
 * Census files: CSV (UTF-8, header row `national_id,birth_date,district,voter_class` in any order,
 * further columns ignored, RFC 4180 quoting). Every row is checked; problems carry the line number,
 * the column and a reason code — never the ID or birth date itself. Valid rows come back column-wise
 * (compact for a million rows, and the shape a bulk insert wants).
 */
import { MAX_RECORD_CHARS, csvRecords } from "../csv";
import { parseBirthDate } from "./dates";
import { type IdProblem, type IdRules, idChecker } from "./ids";

export const CENSUS_COLUMNS = ["national_id", "birth_date", "district", "voter_class"] as const;
export type CensusColumn = (typeof CENSUS_COLUMNS)[number];

export type CensusReason =
  | "header"
  | "empty"
  | "too_many_rows"
  | "long"
  | "columns"
  | "quote"
  | IdProblem
  | "duplicate"
  | "birth_date_invalid"
  | "birth_date_future"
  | "district_unknown"
  | "class_invalid";

export interface CensusProblem {
  line: number;
  column: CensusColumn | "row";
  reason: CensusReason;
  /** Only for district / voter class (never for personal data). */
  value?: string;
  /** For duplicates: the line where the same ID first appears. */
  firstLine?: number;
  /** For a limit passed (rows in the file, characters in a line): the limit. */
  limit?: number;
}

export const REPORT_LIMIT = 100;
/**
 * Most data rows a census file may hold (ADR 0014): the largest city's electorate that checking in
 * memory handles with room to spare — 4,000,000 rows take about 1 GB of the server's memory while the
 * file is checked. A file with more is refused at the first row over, before more memory is taken.
 */
export const MAX_CENSUS_ROWS = 4_000_000;
export const VOTER_CLASS_PATTERN = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface CensusRows {
  ids: string[];
  birthDates: string[];
  districtIds: string[];
  voterClasses: string[];
  lines: number[];
}

export interface ParsedCensus {
  /** Data rows in the file (blank lines not counted). */
  totalRows: number;
  /** Rows with at least one problem. */
  badRows: number;
  /** The first REPORT_LIMIT problems, in file order. */
  problems: CensusProblem[];
  /** A problem with the file as a whole (missing columns): nothing can be imported. */
  fatal: CensusProblem | null;
  rows: CensusRows;
}

export interface CensusOptions {
  idRules: IdRules;
  /** District code (case-insensitive) → districts.id. */
  districts: ReadonlyMap<string, string>;
  /** Today (YYYY-MM-DD): birth dates after it are refused. */
  today: string;
  /** Most data rows (default MAX_CENSUS_ROWS). */
  maxRows?: number;
}

/** A file nothing of which can be imported (missing columns, no rows, too many rows, a line too long). */
function refusedFile(fatal: CensusProblem): ParsedCensus {
  return {
    totalRows: 0,
    badRows: 0,
    problems: [fatal],
    fatal,
    rows: { ids: [], birthDates: [], districtIds: [], voterClasses: [], lines: [] },
  };
}

/** Checks every row of a census file. */
export function parseCensus(text: string, options: CensusOptions): ParsedCensus {
  const rows: CensusRows = { ids: [], birthDates: [], districtIds: [], voterClasses: [], lines: [] };
  const problems: CensusProblem[] = [];
  let totalRows = 0;
  let badRows = 0;
  const checkId = idChecker(options.idRules);
  const seen = new Map<string, number>();
  const districtByCode = new Map<string, string>();
  for (const [code, id] of options.districts) districtByCode.set(code.toLowerCase(), id);
  let columns: Record<CensusColumn, number> | null = null;
  let width = 0;
  let headerLine = 1;
  const maxRows = options.maxRows ?? MAX_CENSUS_ROWS;
  const report = (p: CensusProblem) => {
    if (problems.length < REPORT_LIMIT) problems.push(p);
  };
  for (const record of csvRecords(text)) {
    if (!columns) {
      const names = record.fields.map((f) => f.trim().toLowerCase());
      const missing = CENSUS_COLUMNS.filter((c) => !names.includes(c));
      if (record.error === "long")
        return refusedFile({ line: record.line, column: "row", reason: "long", limit: MAX_RECORD_CHARS });
      if (missing.length || record.error) {
        return refusedFile({ line: record.line, column: "row", reason: "header", value: missing.join(", ") });
      }
      headerLine = record.line;
      columns = {
        national_id: names.indexOf("national_id"),
        birth_date: names.indexOf("birth_date"),
        district: names.indexOf("district"),
        voter_class: names.indexOf("voter_class"),
      };
      width = names.length;
      continue;
    }
    totalRows += 1;
    const { line, fields } = record;
    if (totalRows > maxRows) return refusedFile({ line, column: "row", reason: "too_many_rows", limit: maxRows });
    if (record.error) {
      badRows += 1;
      report(
        record.error === "long"
          ? { line, column: "row", reason: "long", limit: MAX_RECORD_CHARS }
          : { line, column: "row", reason: "quote" },
      );
      continue;
    }
    if (fields.length !== width) {
      badRows += 1;
      report({ line, column: "row", reason: "columns" });
      continue;
    }
    let bad = false;
    const id = checkId(fields[columns.national_id]);
    if (!id.ok) {
      bad = true;
      report({ line, column: "national_id", reason: id.problem });
    } else {
      const first = seen.get(id.id);
      if (first !== undefined) {
        bad = true;
        report({ line, column: "national_id", reason: "duplicate", firstLine: first });
      } else seen.set(id.id, line);
    }
    const birthRaw = fields[columns.birth_date].trim();
    const birthDate = parseBirthDate(birthRaw);
    if (!birthDate) {
      bad = true;
      report({ line, column: "birth_date", reason: "birth_date_invalid" });
    } else if (birthDate > options.today) {
      bad = true;
      report({ line, column: "birth_date", reason: "birth_date_future" });
    }
    const districtCode = fields[columns.district].trim();
    const districtId = districtByCode.get(districtCode.toLowerCase());
    if (!districtId) {
      bad = true;
      report({ line, column: "district", reason: "district_unknown", value: districtCode.slice(0, 40) });
    }
    const voterClass = fields[columns.voter_class].trim().toLowerCase();
    if (!VOTER_CLASS_PATTERN.test(voterClass)) {
      bad = true;
      report({ line, column: "voter_class", reason: "class_invalid", value: voterClass.slice(0, 40) });
    }
    if (bad) {
      badRows += 1;
      continue;
    }
    rows.ids.push((id as { id: string }).id);
    rows.birthDates.push(birthDate!);
    rows.districtIds.push(districtId!);
    rows.voterClasses.push(voterClass);
    rows.lines.push(line);
  }
  if (!columns) return refusedFile({ line: 1, column: "row", reason: "header", value: CENSUS_COLUMNS.join(", ") });
  if (totalRows === 0) return refusedFile({ line: headerLine, column: "row", reason: "empty" });
  return { totalRows, badRows, problems, fatal: null, rows };
}
