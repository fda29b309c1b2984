/** A resident page's own strings (ADR 0011): those of the given prefixes, in the page's language. */
import type { Db } from "../../db/client";
import { type Locale, translatorDictionary } from "../domain/i18n";
import { PAGE_STRING_AREAS, type PageStrings } from "../domain/i18n/page-strings";
import { requestLocale } from "./locale.server";
import { sessionOf } from "./session.server";

type Area = (typeof PAGE_STRING_AREAS)[number];
/** An area, a part of one (`map.point.`) or one key. */
export type PageStringPrefix = `${Area}${string}`;

const cache = new Map<string, PageStrings>();

export function pageStrings(locale: Locale, prefixes: readonly PageStringPrefix[]): PageStrings {
  const key = `${locale}|${prefixes.join(",")}`;
  let strings = cache.get(key);
  if (!strings) {
    const dictionary = translatorDictionary(locale);
    strings = Object.fromEntries(
      Object.entries(dictionary).filter(([k]) => prefixes.some((p) => k.startsWith(p))),
    ) as PageStrings;
    cache.set(key, strings);
  }
  return strings;
}

type RequestContext = { db: Db; perRequest?: Map<string, Promise<unknown>> };

/** The language the page is shown in: the root loader's choice (the cookie, else the account's, else the browser's). */
export async function pageLocale(context: RequestContext, request: Request): Promise<Locale> {
  const current = await sessionOf(context, request);
  return requestLocale(request, { userLocale: current?.user.locale });
}

/** The strings of the prefixes in the language the page is shown in. */
export async function pageStringsFor(
  context: RequestContext,
  request: Request,
  prefixes: readonly PageStringPrefix[],
): Promise<PageStrings> {
  return pageStrings(await pageLocale(context, request), prefixes);
}
