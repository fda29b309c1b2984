import { dictionaries } from "./dictionaries";
import type { MessageKey } from "./en";
import { type DictionaryPart, type Locale, dictionaryPartFor, locales } from "./locales";

export { locales, dictionaryPartFor, type DictionaryPart, type Locale, type MessageKey };

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (locales as readonly string[]).includes(value);
}

export function direction(locale: Locale): "rtl" | "ltr" {
  return locale === "fa" ? "rtl" : "ltr";
}

/** The arrow of a "back" link: it points to where the reader came from, left in LTR, right in RTL. */
/**
 * A name to put inside a sentence: wrapped in first-strong-isolate … pop-directional-isolate, so a
 * direction override in an older name ends with the name and cannot turn the sentence around it.
 */
export function isolated(name: string): string {
  return `\u2068${name}\u2069`;
}

export function backArrow(locale: Locale): string {
  return direction(locale) === "rtl" ? "→" : "←";
}

export type Params = Record<string, string | number>;

/**
 * A message with plural forms is stored as `<key>.one`, `<key>.other` (and any other category of
 * Intl.PluralRules the language has); it is asked for by `<key>` with a numeric `count` (ADR 0029).
 */
type PluralBase<K> = K extends `${infer B}.other` ? B : never;
export type PluralKey = PluralBase<MessageKey>;
export type TextKey = MessageKey | PluralKey;

function pluralRules(locale: Locale): Intl.PluralRules {
  return formatter(`p|${locale}`, () => new Intl.PluralRules(locale));
}

/** A text given per language (database columns of user-facing texts). */
export type LocalizedText = { en?: string; fa?: string };

/** Every string of a language as loaded here (on the server: all of them). */
export function translatorDictionary(locale: Locale): Record<string, string> {
  return (dictionaries[locale] ?? {}) as Record<string, string>;
}

/**
 * Adds a page's own strings (ADR 0011) to the language's dictionary in the browser, before the page
 * renders with them. On the server every string is already there.
 */
export function addPageStrings(locale: Locale, strings: Record<string, string> | undefined): void {
  if (!strings || typeof document === "undefined") return;
  const dictionary = dictionaries[locale] as Record<string, string> | undefined;
  if (dictionary) Object.assign(dictionary, strings);
  else dictionaries[locale] = { ...strings } as (typeof dictionaries)[Locale];
}

/** Logged when a page asks for a string its language has not loaded (see dictionaries.browser.ts). */
export const MISSING_STRING = "Shora: missing UI string";

/** Looks up a UI string and fills `{name}` placeholders; numbers are written in the locale's digits. */
export function translate(locale: Locale, key: TextKey, params?: Params): string {
  // Every language has every key (a unit test checks); in the browser a page's strings are loaded
  // before anything renders with them, so the key itself shows only if that ever went wrong — and
  // says so in the console, which the browser tests watch.
  const dictionary = dictionaries[locale] as Record<string, string> | undefined;
  const count = params?.count;
  // A count given as text (already formatted) takes the general form.
  const template =
    dictionary?.[`${key}.other`] !== undefined
      ? ((typeof count === "number" ? dictionary[`${key}.${pluralRules(locale).select(count)}`] : undefined) ??
        dictionary[`${key}.other`])
      : dictionary?.[key];
  if (template === undefined) {
    console.error(`${MISSING_STRING} ${locale} ${key}`);
    return key;
  }
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === "number" ? formatNumber(locale, value) : value;
  });
}

export type Translator = (key: TextKey, params?: Params) => string;

export function translator(locale: Locale): Translator {
  return (key, params) => translate(locale, key, params);
}

/** The Intl locale tag: Persian uses the Solar Hijri calendar and Persian digits. */
export function intlLocale(locale: Locale): string {
  return locale === "fa" ? "fa-IR-u-ca-persian-nu-arabext" : "en-GB";
}

/** Intl formatters are costly to build (a results page formats hundreds of figures): one per locale and options. */
const formatters = new Map<string, unknown>();
function formatter<F>(key: string, make: () => F): F {
  let f = formatters.get(key) as F | undefined;
  if (f === undefined) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

export function formatNumber(locale: Locale, value: number): string {
  return formatter(`n|${locale}`, () => new Intl.NumberFormat(intlLocale(locale))).format(value);
}

/**
 * Money amounts are stored in minor units (cents, rials have none). In Persian the amount comes first
 * and the unit after it, as people write it ("۵٬۰۰۰ ریال"), never "ریال ۵٬۰۰۰" (ADR 0029).
 */
export function formatMoney(locale: Locale, minorUnits: number, currency: string): string {
  const digits =
    formatter(`c|en|${currency}`, () => new Intl.NumberFormat("en", { style: "currency", currency })).resolvedOptions()
      .maximumFractionDigits ?? 2;
  const money = formatter(
    `m|${locale}|${currency}`,
    () => new Intl.NumberFormat(intlLocale(locale), { style: "currency", currency, maximumFractionDigits: digits }),
  );
  const value = minorUnits / 10 ** digits;
  if (locale !== "fa") return money.format(value);
  const parts = money.formatToParts(value);
  const unit = parts.find((p) => p.type === "currency")?.value ?? currency;
  const amount = parts
    .filter((p) => p.type !== "currency" && p.type !== "literal")
    .map((p) => p.value)
    .join("");
  return `${amount}\u00a0${unit}`;
}

/** A share given in percent (0–100), with the language's own sign: "12.5%", "۱۲٫۵٪". */
export function formatPercent(locale: Locale, percent: number): string {
  return formatter(
    `%|${locale}`,
    () => new Intl.NumberFormat(intlLocale(locale), { style: "percent", maximumFractionDigits: 1 }),
  ).format(percent / 100);
}

/** A calendar day (YYYY-MM-DD) shown in the locale's calendar: Solar Hijri for Persian. */
export function formatDay(locale: Locale, isoDay: string): string {
  const [y, m, d] = isoDay.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d, 12));
  return formatter(
    `d|${locale}`,
    () => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "long", timeZone: "UTC" }),
  ).format(date);
}

/**
 * A moment shown in the municipality's time zone and the locale's calendar, labelled with the zone
 * ("7 Dec 2026, 14:05 Tehran time", "۱۶ آذر ۱۴۰۵، ۱۴:۰۵ به وقت تهران"; ADR 0029).
 */
export function formatDateTime(locale: Locale, at: Date, timeZone: string): string {
  const time = formatter(
    `t|${locale}|${timeZone}`,
    () => new Intl.DateTimeFormat(intlLocale(locale), { dateStyle: "medium", timeStyle: "short", timeZone }),
  ).format(at);
  return zoned(locale, time, timeZone, at);
}

/** The time with its zone's name: a named city, else the zone's city (English) or Intl's name for it. */
function zoned(locale: Locale, time: string, timeZone: string, at: Date): string {
  const dictionary = dictionaries[locale] as Record<string, string> | undefined;
  const city = dictionary?.[`format.zone.${timeZone}`];
  if (city !== undefined) return translate(locale, "format.time.zoned", { time, zone: city });
  if (locale === "en" && timeZone.includes("/"))
    return translate(locale, "format.time.zoned", {
      time,
      zone: timeZone.slice(timeZone.lastIndexOf("/") + 1).replaceAll("_", " "),
    });
  const zone =
    formatter(
      `z|${locale}|${timeZone}`,
      () => new Intl.DateTimeFormat(intlLocale(locale), { timeZone, timeZoneName: "shortGeneric" }),
    )
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value ?? timeZone;
  return translate(locale, "format.time.zonedGeneric", { time, zone });
}

/** Chooses the UI language from an Accept-Language header (first supported tag wins). */
export function negotiateLocale(acceptLanguage: string | null | undefined, fallback: Locale = "en"): Locale {
  if (!acceptLanguage) return fallback;
  const tags = acceptLanguage
    .split(",")
    .map((part) => {
      const [tag, ...rest] = part.trim().split(";");
      const q = rest.find((r) => r.trim().startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1 };
    })
    .filter((x) => x.tag && !Number.isNaN(x.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    const base = tag.split("-")[0];
    if (isLocale(base)) return base;
  }
  return fallback;
}

/** A localized text column ({en, fa}): the wanted locale, else any language present. */
export function pickText(text: { en?: string; fa?: string } | null | undefined, locale: Locale): string {
  if (!text) return "";
  return text[locale] || text.en || text.fa || "";
}
