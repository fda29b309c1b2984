/**
 * One cell of a CSV file: the only place the app writes CSV cells (the published bundle's
 * `results-<envelope>.csv`, the open data `implementation.csv`, the staff survey export and the
 * letter-code mailing list all go through it).
 *
 * - Text that a spreadsheet would read as a formula gets an apostrophe in front (`'=HYPERLINK(…)`), so it
 *   arrives as text and never runs ("CSV injection"): text starting with `=`, `+`, `-`, `@`, a tab or a
 *   carriage return. So does every part after a separator a spreadsheet may split on (`,` `;` tab `|` or a
 *   line break) that starts with `=`, `+`, `-` or `@`: `x;=1+1` is written `"x;'=1+1"` — one text cell
 *   where quotes are honoured, and where a reader splits on `;` regardless, no part starts a formula
 *   (ADR 0019). Only text is changed: numbers the app writes (costs, votes, counts) stay numbers, so `-5`
 *   given as a number is written `-5`, while the text `"-5"` becomes `'-5`.
 * - Then quoting: a cell holding `"`, `,`, `;`, a tab, `|`, a carriage return or a line feed is wrapped
 *   in double quotes, with `"` doubled (RFC 4180, extended to the separators spreadsheets use in other
 *   locales, so `a;b` stays one cell where `;` splits cells).
 * - `null` and `undefined` are empty cells.
 *
 * A neutralised cell still holds the whole text: a reader drops one `'` at the start of the cell or right
 * after a separator, where it stands before `=`, `+`, `-`, `@` (or, at the start, a tab or carriage return),
 * to get the original back. Bundles written before this rule keep their bytes
 * (SHA256SUMS covers them); the verifier reads only the id and selected columns of a results CSV.
 */

/** The leading characters that make a spreadsheet read a cell as a formula. */
export const FORMULA_START = /^[=+\-@\t\r]/;
/** A part after a separator (`,` `;` tab `|` CR LF) that a spreadsheet splitting there would read as a formula. */
const FORMULA_AFTER_SEPARATOR = /([,;\t|\r\n])(?=[=+\-@])/g;
/** What makes a cell need quotes: RFC 4180's `"` `,` CR LF, and the other separators spreadsheets split on. */
const NEEDS_QUOTES = /[",;\t|\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string") {
    text = text.replace(FORMULA_AFTER_SEPARATOR, "$1'");
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (no line ending): the cells, each through `csvCell`, joined by commas. */
export function csvLine(cells: ReadonlyArray<string | number | null | undefined>): string {
  return cells.map(csvCell).join(",");
}
