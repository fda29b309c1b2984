import { type Locale, isLocale, negotiateLocale } from "../domain/i18n";
import { readCookie, serializeCookie } from "./session.server";

export const LOCALE_COOKIE = "shora_lang";

/**
 * The UI language of a request: the visitor's explicit choice (cookie, set by the switcher),
 * else the account's preference, else the municipality's default, else the browser's.
 */
export function requestLocale(
  request: Request,
  options: { userLocale?: string | null; municipalityDefault?: string | null } = {},
): Locale {
  const chosen = readCookie(request, LOCALE_COOKIE);
  if (isLocale(chosen)) return chosen;
  if (isLocale(options.userLocale)) return options.userLocale;
  if (isLocale(options.municipalityDefault)) return options.municipalityDefault;
  return negotiateLocale(request.headers.get("accept-language"));
}

export function localeCookie(request: Request, locale: Locale): string {
  return serializeCookie(request, LOCALE_COOKIE, locale, { maxAge: 365 * 24 * 3600 });
}
