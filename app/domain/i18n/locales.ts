export const locales = ["en", "fa"] as const;
export type Locale = (typeof locales)[number];

/**
 * The browser downloads UI strings in one of two parts: pages of the council and platform
 * dashboards (under /admin and /m/<slug>/admin) get every string; every other page only those its
 * sources can show (computed at build time by app/tooling/resident-keys.ts), about two thirds.
 */
export type DictionaryPart = "resident" | "full";

export function dictionaryPartFor(pathname: string): DictionaryPart {
  return /^\/(admin|m\/[^/]+\/admin)(\/|$)/.test(pathname) ? "full" : "resident";
}
