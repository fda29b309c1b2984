/**
 * Calendar days as staff type them (ADR 0029): in the calendar of the page's language — Solar Hijri on
 * Persian pages ("۱۴۰۵/۰۱/۰۱"), Gregorian on English ones ("2026-03-21") — read by the same parser as
 * residents' dates (either calendar, Persian digits accepted) and stored as Gregorian ISO days.
 */
import { parseBirthDate } from "../verification/dates";
import type { Locale } from "./locales";

/** The ISO day of a typed date in either calendar, or null when it is not a real day. */
export function parseTypedDay(raw: string): string | null {
  return parseBirthDate(raw);
}

const solarParts = new Intl.DateTimeFormat("en-u-ca-persian-nu-latn", {
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  timeZone: "UTC",
});

const PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹";

/** An ISO day written for a date field of the page's language; anything else is given back as typed. */
export function typedDay(locale: Locale, iso: string | undefined): string {
  if (!iso || locale !== "fa" || !/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso ?? "";
  const [y, m, d] = iso.split("-").map(Number);
  const parts = solarParts.formatToParts(new Date(Date.UTC(y, m - 1, d, 12)));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const latin = `${part("year")}/${part("month").padStart(2, "0")}/${part("day").padStart(2, "0")}`;
  return latin.replace(/\d/g, (digit) => PERSIAN_DIGITS[Number(digit)]);
}
