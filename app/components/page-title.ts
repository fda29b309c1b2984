import { type Locale, type Translator, translator } from "../domain/i18n";
import type { RootData } from "../root";

/** What a route's `meta` function is given about the matched routes (the root's data holds the page's language). */
type Matches = ReadonlyArray<{ id: string; data: unknown }>;

/** The page's language in a `meta` function: the root loader's, English when the root has no data. */
export function metaLocale(matches: Matches): Locale {
  return (matches.find((m) => m.id === "root")?.data as RootData | undefined)?.locale ?? "en";
}

/**
 * The `<title>` of a page in the page's language: "<page> — Shora" ("<page> — شورا"), or the app's
 * name alone when `page` gives nothing. `page` gets the page's translator and language, so UI strings
 * come from the dictionaries and user content (titles, names) goes through `pickText`: a Persian page
 * shows the Persian title when there is one. Several parts are joined by " — ", empty ones left out
 * (a loader that failed gives no data: the title then names the page without it).
 */
export function pageTitle(
  matches: Matches,
  page?: (t: Translator, locale: Locale) => string | ReadonlyArray<string | null | undefined | false>,
): { title: string }[] {
  const locale = metaLocale(matches);
  const t = translator(locale);
  const given = page?.(t, locale) ?? [];
  const text = (typeof given === "string" ? [given] : given).filter(Boolean).join(" — ");
  return [{ title: text ? t("page.title", { page: text }) : t("app.name") }];
}
