/**
 * The UI strings of every language, for the server, the CLI and the tests. The browser build uses
 * dictionaries.browser.ts instead (vite.config.ts swaps it in): a page downloads only the strings of
 * its own language.
 */
import { type MessageKey, en } from "./en";
import { fa } from "./fa";
import type { DictionaryPart, Locale } from "./locales";

export const dictionaries: Partial<Record<Locale, Record<MessageKey, string>>> = { en, fa };

/** Every language is already here. */
export async function loadDictionary(_locale: Locale, _part?: DictionaryPart): Promise<void> {}
