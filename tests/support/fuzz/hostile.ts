/** Hostile values for form fields and addresses, and the run's seeds and sizes. */
import fc from "fast-check";

/**
 * A value of a form field or URL part. Long ones are described, not spelled out, so that a failing
 * case prints short; `text()` makes the string.
 */
export type Value = string | { repeat: string; times: number; tail?: string };
export const text = (v: Value): string => (typeof v === "string" ? v : v.repeat.repeat(v.times) + (v.tail ?? ""));
export const show = (v: Value): string =>
  typeof v === "string"
    ? JSON.stringify(v.length > 80 ? `${v.slice(0, 80)}…` : v)
    : `${JSON.stringify(v.repeat)}×${v.times}${v.tail ? `+${JSON.stringify(v.tail)}` : ""}`;

export const hostileConstants = [
  "",
  " ",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "'; DROP TABLE users; --",
  "' OR '1'='1",
  "=cmd|' /C calc'!A0",
  "@SUM(1+1)",
  "../../etc/passwd",
  "..",
  "%00",
  "%2e%2e%2f",
  "//evil.example/",
  "/\\evil.example",
  "javascript:alert(1)",
  "\u0001\u0002\u0007\u0008\u001b[31m\u007f",
  "\r\n\r\nX-Injected: 1",
  "\t\v\f",
  "\u202eevil\u202c",
  "\u2066\u2067\u2068\u2069\u200f\u200e",
  "\ufeffBOM",
  "\ud800",
  "\ufffd\uffff",
  "😀👍🏽‍",
  "ي ك ی ک",
  "۱۲۳۴",
  "١٢٣",
  "-1",
  "0",
  "-0",
  "1.5",
  "1e3",
  "1e309",
  "-1e309",
  "1e-7",
  "NaN",
  "Infinity",
  "-Infinity",
  "0x1F",
  "0b101",
  "1_000",
  " 42 ",
  "9007199254740991",
  "9007199254740993",
  "-9007199254740993",
  "99999999999999999999999999",
  "2147483648",
  "-2147483649",
  "true",
  "false",
  "null",
  "undefined",
  "[]",
  "{}",
  '["a","b"]',
  '{"a":1}',
  '{"__proto__":{"isPlatformAdmin":true}}',
  "2026-02-30",
  "0000-00-00",
  "9999-12-31",
  "275760-09-13",
  "1404-01-01",
  "2025-13-01",
  "2025-1-1",
  "۱۴۰۴-۰۱-۰۱",
  "@",
  "a@b",
  "x@y.z",
  "UPPER@EXAMPLE.ORG",
  "00000000-0000-0000-0000-000000000000",
  "on",
  "yes",
];

export const hostileValue: fc.Arbitrary<Value> = fc.oneof(
  { arbitrary: fc.constantFrom(...hostileConstants), weight: 8 },
  { arbitrary: fc.string({ maxLength: 24 }), weight: 2 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 24 }).map((v) => v.replaceAll("\u0000", "")), weight: 2 },
  {
    arbitrary: fc.string({
      unit: fc.integer({ min: 1, max: 31 }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 6,
    }),
    weight: 1,
  },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String), weight: 2 },
  { arbitrary: fc.uuid().map(String), weight: 2 },
  {
    arbitrary: fc.record({
      repeat: fc.constantFrom("a", "ж", "۱", "\u202e", "😀", "<b>", "9"),
      times: fc.constantFrom(201, 5_001, 100_000),
      tail: fc.constantFrom(undefined, "\u0007", "\u202e"),
    }),
    weight: 1,
  },
);

/** NUL, which PostgreSQL text cannot hold (a form field with one is refused with a 400 naming it). */
export const nulValue: fc.Arbitrary<Value> = fc.constantFrom<Value>("\u0000", "a\u0000b", {
  repeat: "a",
  times: 100_000,
  tail: "\u0000",
});

/** Field names no form has: prototype keys, brackets, empty, very long, control characters. */
export const hostileName = fc.constantFrom(
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "a[]",
  "a[0]",
  "a.b",
  "",
  " ",
  "\u0000",
  "\u202e",
  "x".repeat(1000),
  "_csrf2",
);

/** FUZZ_RUNS=<n> multiplies every route's number of requests (a longer hunt than CI's). */
export const runs = (n: number) => Math.max(1, Math.round(n * Number(process.env.FUZZ_RUNS ?? 1)));

/** A run seed for the whole file (FUZZ_SEED to repeat a run), and from it one per route. */
export const RUN_SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
export function seedFor(name: string): number {
  let h = RUN_SEED >>> 0;
  for (const ch of name) h = (Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0) % 2 ** 31;
  return h;
}
