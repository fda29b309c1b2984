/**
 * Whole numbers as people type them (ADR 0029): Latin, Persian (۰–۹) or Arabic-Indic (٠–٩) digits,
 * with the grouping the app itself shows ("350,000,000", "۱۲۰٬۰۰۰٬۰۰۰") or spaces of any width
 * ("1 250 000"). The Arabic comma "،" counts as a grouping separator too: it is what the comma key
 * gives on a Persian keyboard. Groups must be of three digits, so "1,25" is refused rather than read
 * as 125; a decimal separator (".", "٫") is refused: every number field of Shora is whole.
 */
import { z } from "zod";

const DIGIT_ZERO = [0x30, 0x06f0, 0x0660];
/** Latin comma, Arabic thousands separator, Arabic comma, apostrophe (Swiss). */
const GROUP = /[,\u066c\u060c'\u2019]/;
/** Every space a keyboard or a copied number can carry (no-break, thin, narrow no-break…). */
const SPACE = /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]/;

function latinDigit(ch: string): string | null {
  const code = ch.charCodeAt(0);
  for (const zero of DIGIT_ZERO) if (code >= zero && code <= zero + 9) return String(code - zero);
  return null;
}

/** The text with Persian and Arabic-Indic digits written as Latin ones (codes, phone numbers). */
export function latinDigits(text: string): string {
  let out = "";
  for (const ch of text) out += latinDigit(ch) ?? ch;
  return out;
}

/** The whole number typed, or null when the text is not one (garbage, decimals, misplaced groups). */
export function parseWholeNumber(raw: string): number | null {
  const text = raw.trim().replace(/^[\u200e\u200f\u061c]+|[\u200e\u200f\u061c]+$/g, "");
  if (text === "") return null;
  let negative = false;
  let rest = text;
  if (/^[-\u2212]/.test(rest)) {
    negative = true;
    rest = rest.slice(1);
  }
  const groups: string[] = [""];
  let separator: "space" | "mark" | null = null;
  for (const ch of rest) {
    const digit = latinDigit(ch);
    if (digit !== null) {
      groups[groups.length - 1] += digit;
      continue;
    }
    const kind = SPACE.test(ch) ? "space" : GROUP.test(ch) ? "mark" : null;
    if (kind === null) return null;
    if (separator !== null && separator !== kind) return null;
    separator = kind;
    groups.push("");
  }
  if (groups.length > 1) {
    const [first, ...others] = groups;
    if (first.length < 1 || first.length > 3 || others.some((g) => g.length !== 3)) return null;
  } else if (groups[0] === "") return null;
  const value = Number(groups.join(""));
  if (!Number.isSafeInteger(value)) return null;
  return negative ? -value : value;
}

/**
 * A zod schema for a whole-number form field: the text is read by `parseWholeNumber`; empty is
 * "missing" (undefined), anything unreadable is NaN, so the form's error names the field.
 */
export function wholeNumber(schema: z.ZodTypeAny = z.number().int()) {
  return z.preprocess((v) => {
    if (typeof v !== "string") return v;
    if (v.trim() === "") return undefined;
    return parseWholeNumber(v) ?? Number.NaN;
  }, schema);
}

/** Like `wholeNumber`, but an empty field is null (an optional limit). */
export function optionalWholeNumber(schema: z.ZodTypeAny = z.number().int()) {
  return z.preprocess((v) => {
    if (v === undefined || v === null) return null;
    if (typeof v !== "string") return v;
    if (v.trim() === "") return null;
    return parseWholeNumber(v) ?? Number.NaN;
  }, schema.nullable());
}
