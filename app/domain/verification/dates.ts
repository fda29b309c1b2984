/**
 * Birth dates: accepted as Gregorian (YYYY-MM-DD, year ≥ 1800) or Solar Hijri (Jalali, year 1200–1499,
 * as residents of Iran write them), with `-`, `/` or `.` and Persian digits; stored as Gregorian ISO days.
 * Ages are whole years on a given day.
 */
import { asciiDigits } from "./ids";

function div(a: number, b: number) {
  return Math.trunc(a / b);
}

/* Jalali ↔ Julian Day Number (the jalaali algorithm by Borkowski, as in jalaali-js). */
const BREAKS = [
  -61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178,
];

function jalCal(jy: number) {
  const gy = jy + 621;
  let leapJ = -14;
  let jp = BREAKS[0];
  let jump = 0;
  for (let i = 1; i < BREAKS.length; i++) {
    const jm = BREAKS[i];
    jump = jm - jp;
    if (jy < jm) break;
    leapJ += div(jump, 33) * 8 + div(jump % 33, 4);
    jp = jm;
  }
  let n = jy - jp;
  leapJ += div(n, 33) * 8 + div((n % 33) + 3, 4);
  if (jump % 33 === 4 && jump - n === 4) leapJ += 1;
  const leapG = div(gy, 4) - div((div(gy, 100) + 1) * 3, 4) - 150;
  const march = 20 + leapJ - leapG;
  if (jump - n < 6) n = n - jump + div(jump + 4, 33) * 33;
  let leap = (((n + 1) % 33) - 1) % 4;
  if (leap === -1) leap = 4;
  return { leap, gy, march };
}

function g2d(gy: number, gm: number, gd: number) {
  let d = div((gy + div(gm - 8, 6) + 100100) * 1461, 4) + div(153 * ((gm + 9) % 12) + 2, 5) + gd - 34840408;
  d = d - div(div(gy + 100100 + div(gm - 8, 6), 100) * 3, 4) + 752;
  return d;
}

function d2g(jdn: number) {
  let j = 4 * jdn + 139361631;
  j = j + div(div(4 * jdn + 183187720, 146097) * 3, 4) * 4 - 3908;
  const i = div(j % 1461, 4) * 5 + 308;
  const gd = div(i % 153, 5) + 1;
  const gm = (div(i, 153) % 12) + 1;
  const gy = div(j, 1461) - 100100 + div(8 - gm, 6);
  return { gy, gm, gd };
}

function j2d(jy: number, jm: number, jd: number) {
  const r = jalCal(jy);
  return g2d(r.gy, 3, r.march) + (jm - 1) * 31 - div(jm, 7) * (jm - 7) + jd - 1;
}

function jalaliMonthLength(jy: number, jm: number) {
  if (jm <= 6) return 31;
  if (jm <= 11) return 30;
  return jalCal(jy).leap === 0 ? 30 : 29;
}

/** Converts a Solar Hijri date to a Gregorian ISO day. */
export function jalaliToIso(jy: number, jm: number, jd: number): string {
  const { gy, gm, gd } = d2g(j2d(jy, jm, jd));
  return `${String(gy).padStart(4, "0")}-${String(gm).padStart(2, "0")}-${String(gd).padStart(2, "0")}`;
}

function gregorianValid(y: number, m: number, d: number) {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

const FAST_ISO = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Parses a birth date; null when it is not a real day in either calendar. */
export function parseBirthDate(raw: string): string | null {
  const fast = FAST_ISO.exec(raw);
  let y: number;
  let m: number;
  let d: number;
  if (fast) {
    y = +fast[1];
    m = +fast[2];
    d = +fast[3];
  } else {
    const parts = /^\s*(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$/.exec(asciiDigits(raw));
    if (!parts) return null;
    y = +parts[1];
    m = +parts[2];
    d = +parts[3];
  }
  if (y >= 1200 && y <= 1499) {
    if (m < 1 || m > 12 || d < 1 || d > jalaliMonthLength(y, m)) return null;
    return jalaliToIso(y, m, d);
  }
  if (y < 1800 || !gregorianValid(y, m, d)) return null;
  return fast ? raw : `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** Whole years between a birth day and a day (both ISO YYYY-MM-DD). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number);
  const [y, m, d] = day.split("-").map(Number);
  let age = y - by;
  if (m < bm || (m === bm && d < bd)) age -= 1;
  return age;
}
