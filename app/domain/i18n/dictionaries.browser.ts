/**
 * The browser's UI strings: only the page's language is downloaded (its own chunk), before the page
 * hydrates (entry.client.tsx) and before a navigation renders in another language (root clientLoader).
 */
import type { MessageKey } from "./en";
import type { Locale } from "./locales";

export const dictionaries: Partial<Record<Locale, Record<MessageKey, string>>> = {};

export async function loadDictionary(locale: Locale): Promise<void> {
  if (dictionaries[locale]) return;
  dictionaries[locale] = locale === "fa" ? (await import("./fa")).fa : (await import("./en")).en;
}
