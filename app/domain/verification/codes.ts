import { csvLine } from "../csv";

/**
 * Letter codes: 12 characters of Crockford base32 (60 random bits) written in groups of four.
 * Residents may type them in any case, with or without dashes and spaces; I/L read as 1, O as 0.
 */
export const CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const CODE_LENGTH = 12;
/** Most letter codes one batch may generate (pages show it in messages, so it lives here, not in a service). */
export const MAX_LETTER_BATCH = 100_000;

/** Turns random bytes (at least CODE_LENGTH) into a code like `7K3M-Q9XA-2BCD`. */
export function formatCode(random: Uint8Array): string {
  let out = "";
  for (let i = 0; i < CODE_LENGTH; i++) {
    out += CODE_ALPHABET[random[i] & 31];
    if (i % 4 === 3 && i < CODE_LENGTH - 1) out += "-";
  }
  return out;
}

/** The canonical form of a typed code, or null when it cannot be one. */
export function normalizeCode(raw: string): string | null {
  const compact = raw.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  if (compact.length !== CODE_LENGTH) return null;
  for (const ch of compact) if (!CODE_ALPHABET.includes(ch)) return null;
  return compact;
}

export interface LetterRow {
  line: number;
  district: string;
  voterClass: string;
  code: string;
  expiresOn: string;
}

/** The mailing list: census line (staff match it to their own register), district, class, code, expiry. */
export function letterCsv(rows: readonly LetterRow[]): string {
  const lines = ["census_line,district,voter_class,code,expires_on"];
  for (const r of rows) lines.push(csvLine([r.line, r.district, r.voterClass, r.code, r.expiresOn]));
  return `${lines.join("\n")}\n`;
}
