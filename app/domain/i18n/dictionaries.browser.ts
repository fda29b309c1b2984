/**
 * The browser's UI strings: only the page's language is downloaded (its own chunk), and outside the
 * dashboards only the strings such pages can show. They are fetched before the page hydrates
 * (entry.client.tsx) and before a navigation renders in another language or enters a dashboard
 * (root clientLoader).
 */
import type { MessageKey } from "./en";
import type { DictionaryPart, Locale } from "./locales";

export const dictionaries: Partial<Record<Locale, Record<MessageKey, string>>> = {};
const loaded: Partial<Record<Locale, DictionaryPart>> = {};

async function fetchPart(locale: Locale, part: DictionaryPart): Promise<Record<MessageKey, string>> {
  if (part === "resident")
    return (
      locale === "fa"
        ? await import("virtual:shora-resident-dictionary/fa")
        : await import("virtual:shora-resident-dictionary/en")
    ).default as Record<MessageKey, string>;
  return locale === "fa" ? (await import("./fa")).fa : (await import("./en")).en;
}

export async function loadDictionary(locale: Locale, part: DictionaryPart = "full"): Promise<void> {
  if (loaded[locale] === "full" || loaded[locale] === part) return;
  dictionaries[locale] = await fetchPart(locale, part);
  loaded[locale] = part;
}
