/**
 * Identity numbers: normalisation (Persian/Arabic digits, spaces, dashes) and validation per scheme.
 * The Iranian national code (کد ملی) has 10 digits, the last a check digit; other schemes accept a
 * configurable pattern. Pure functions: the raw ID never leaves the request that carries it.
 */
import { latinDigits } from "../i18n/numbers";

export type IdScheme = "ir-national-code" | "pattern";

export interface IdRules {
  scheme: IdScheme;
  /** For `pattern`: a regular expression the whole normalised ID must match. */
  pattern?: string | null;
}

export const MAX_ID_LENGTH = 64;

/** Persian (۰–۹) and Arabic-Indic (٠–٩) digits become ASCII digits. */
export const asciiDigits = latinDigits;

/** The Iranian national code checksum (10 digits; all-equal digits are refused although they pass). */
export function isIranianNationalCode(code: string): boolean {
  if (!/^\d{10}$/.test(code)) return false;
  if (/^(\d)\1{9}$/.test(code)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (code.charCodeAt(i) - 48) * (10 - i);
  const remainder = sum % 11;
  const check = code.charCodeAt(9) - 48;
  return remainder < 2 ? check === remainder : check === 11 - remainder;
}

/** Makes a valid Iranian national code from 9 digits (test data and demo census). */
export function withIranianCheckDigit(nine: string): string {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (nine.charCodeAt(i) - 48) * (10 - i);
  const remainder = sum % 11;
  return nine + String(remainder < 2 ? remainder : 11 - remainder);
}

export type IdProblem = "id_missing" | "id_format" | "id_checksum" | "id_pattern";

/** Compiles a staff-given pattern, anchored; null when it is not a valid regular expression. */
export function compilePattern(pattern: string): RegExp | null {
  if (pattern.length === 0 || pattern.length > 200) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, "u");
  } catch {
    return null;
  }
}

export type IdCheck = { ok: true; id: string } | { ok: false; problem: IdProblem };

/**
 * A checker for one scheme: returns the canonical form of an ID (what gets hashed) or the problem.
 * Iranian codes lose separators and get back leading zeros that spreadsheets drop (8 or 9 digits).
 */
export function idChecker(rules: IdRules): (raw: string) => IdCheck {
  if (rules.scheme === "ir-national-code") {
    return (raw) => {
      let id = raw.trim();
      if (id === "") return { ok: false, problem: "id_missing" };
      if (/[^\d\s-]/.test(id)) id = asciiDigits(id);
      if (/[\s-]/.test(id)) id = id.replace(/[\s-]/g, "");
      if (!/^\d{8,10}$/.test(id)) return { ok: false, problem: "id_format" };
      if (id.length < 10) id = id.padStart(10, "0");
      return isIranianNationalCode(id) ? { ok: true, id } : { ok: false, problem: "id_checksum" };
    };
  }
  const regex = compilePattern(rules.pattern ?? "");
  return (raw) => {
    const id = asciiDigits(raw.trim()).replace(/\s+/g, "").toUpperCase();
    if (id === "") return { ok: false, problem: "id_missing" };
    if (id.length > MAX_ID_LENGTH) return { ok: false, problem: "id_format" };
    if (!regex?.test(id)) return { ok: false, problem: "id_pattern" };
    return { ok: true, id };
  };
}
