/** People of the demo census as a resident types them (see demoCensusCsv in app/services/demo). */
import type { Locale } from "../../app/domain/i18n";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";

/** Digits as the visitor's keyboard types them: Persian digits on Persian pages. */
export const typed = (locale: Locale, s: string) =>
  locale === "fa" ? s.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : s;

/** Entry i of the demo census: its national ID and Gregorian birth date. */
export function censusPerson(i: number) {
  const id = withIranianCheckDigit(String(200_000_000 + i * 37).padStart(9, "0"));
  const year = i % 10 === 0 ? 2009 : 1950 + (i % 55);
  return { id, birthDate: `${year}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}` };
}

/** An ISO day in the Solar Hijri calendar, YYYY-MM-DD (what a Persian resident types). */
export function solarHijri(iso: string): string {
  const parts = new Intl.DateTimeFormat("en-US-u-ca-persian-nu-latn", {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    timeZone: "UTC",
  }).formatToParts(new Date(`${iso}T00:00:00Z`));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}
