/**
 * CSV reading and writing. `csvRecords` splits a file into records (the census and paper-ballot imports
 * share it). `csvCell` is the only place the app writes CSV cells (the published bundle's
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

/**
 * Longest record a census or paper-ballot file may hold, in characters: a real row is well under
 * 1,000 even with many extra columns. A longer one (a quote never closed, a file that is not CSV) is
 * refused without being split or copied.
 */
export const MAX_RECORD_CHARS = 10_000;

/** Splits CSV text into records with the line each starts on (quoted fields may span lines). */
export function* csvRecords(text: string): Generator<{ line: number; fields: string[]; error?: "quote" | "long" }> {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf("\n", pos);
    if (end === -1) end = n;
    let raw = text.slice(pos, end);
    if (!raw.includes('"')) {
      if (raw.endsWith("\r")) raw = raw.slice(0, -1);
      // A record is at least its line: one that is too long is refused without being split.
      if (raw.length > MAX_RECORD_CHARS) yield { line, fields: [], error: "long" };
      else if (raw.trim() !== "") yield { line, fields: raw.split(",") };
      pos = end + 1;
      line += 1;
      continue;
    }
    // Slow path: a quoted field, possibly with commas, doubled quotes or line breaks inside. Past
    // MAX_RECORD_CHARS the record is only scanned for its end, never copied.
    const start = line;
    const fields: string[] = [];
    let field = "";
    /** The field so far is only white space (where a quote may open it). */
    let blank = true;
    let i = pos;
    let quoted = false;
    let long = false;
    let error: "quote" | undefined;
    const add = (part: string) => {
      if (!long) field += part;
      if (blank && part.trim() !== "") blank = false;
    };
    for (;;) {
      if (!long && i - pos > MAX_RECORD_CHARS) {
        long = true;
        field = "";
        fields.length = 0;
      }
      if (i >= n) {
        if (quoted) error = "quote";
        if (!long) fields.push(field);
        pos = n;
        break;
      }
      const ch = text[i];
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            add('"');
            i += 2;
          } else {
            quoted = false;
            i += 1;
          }
        } else {
          // Everything up to the next quote at once (a quote never closed runs to the end of the file).
          let next = text.indexOf('"', i);
          if (next === -1) next = n;
          for (let nl = text.indexOf("\n", i); nl !== -1 && nl < next; nl = text.indexOf("\n", nl + 1)) line += 1;
          add(text.slice(i, next));
          i = next;
        }
      } else if (ch === '"') {
        if (blank) {
          field = "";
          quoted = true;
        } else {
          error = "quote";
          add(ch);
        }
        i += 1;
      } else if (ch === ",") {
        if (!long) fields.push(field);
        field = "";
        blank = true;
        i += 1;
      } else if (ch === "\n" || (ch === "\r" && text[i + 1] === "\n")) {
        if (!long) fields.push(field);
        pos = ch === "\n" ? i + 1 : i + 2;
        break;
      } else {
        add(ch);
        i += 1;
      }
    }
    line += 1;
    yield { line: start, fields: long ? [] : fields, error: error ?? (long ? "long" : undefined) };
  }
}
