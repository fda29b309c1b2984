import { latinDigits } from "../i18n/numbers";

/**
 * Phone numbers as typed (ADR 0025): spaces, dashes, dots and brackets dropped, Persian or Arabic
 * digits read, `00` read as `+`, and an Iranian mobile number written the local way (09…, 11 digits)
 * given its country code. The result is `+` and 8 to 15 digits (E.164), or null.
 */
export function normalizePhone(raw: string): string | null {
  let s = latinDigits(raw.trim()).replace(/[\s\-.()\u200c\u200e\u200f]/g, "");
  if (s.startsWith("00")) s = `+${s.slice(2)}`;
  if (/^09\d{9}$/.test(s)) s = `+98${s.slice(1)}`;
  return /^\+[1-9]\d{7,14}$/.test(s) ? s : null;
}

/** The number as shown back to its owner, the middle hidden: +98912•••4567. */
export function maskedPhone(phone: string): string {
  return phone.length > 8 ? `${phone.slice(0, 6)}•••${phone.slice(-4)}` : phone;
}
