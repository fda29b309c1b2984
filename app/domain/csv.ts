/**
 * One cell of a CSV file: the only place the app writes CSV cells (the published bundle's
 * `results-<envelope>.csv`, the open data `implementation.csv`, the staff survey export and the
 * letter-code mailing list all go through it).
 *
 * - Text that a spreadsheet would read as a formula — starting with `=`, `+`, `-`, `@`, a tab or a
 *   carriage return — gets an apostrophe in front (`'=HYPERLINK(…)`), so it arrives as text and never
 *   runs ("CSV injection"). Only text is changed: numbers the app writes (costs, votes, counts) stay
 *   numbers, so `-5` given as a number is written `-5`, while the text `"-5"` becomes `'-5`.
 * - Then RFC 4180 quoting: a cell holding `"`, `,`, a carriage return or a line feed is wrapped in
 *   double quotes, with `"` doubled.
 * - `null` and `undefined` are empty cells.
 *
 * A neutralised cell still holds the whole text: a reader drops one leading `'` before `=`, `+`, `-`,
 * `@`, tab or carriage return to get the original back.
 */

/** The leading characters that make a spreadsheet read a cell as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (no line ending): the cells, each through `csvCell`, joined by commas. */
export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return cells.map(csvCell).join(",");
}
