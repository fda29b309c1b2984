/**
 * UI strings the formatting functions of app/domain/i18n use themselves (times labelled with their
 * zone, ADR 0029). Keys start with "format."; the browser's resident dictionary always keeps them.
 */
export const formatsEn = {
  "format.day.hint": "Days are year/month/day, e.g. 2026/03/21.",
  "format.time.zoned": "{time} {zone} time",
  "format.time.zonedGeneric": "{time} ({zone})",
  "format.zone.Asia/Tehran": "Tehran",
  "format.zone.Asia/Kabul": "Kabul",
  "format.zone.Asia/Dushanbe": "Dushanbe",
  "format.zone.Asia/Dubai": "Dubai",
  "format.zone.Europe/Istanbul": "Istanbul",
  "format.zone.Europe/Berlin": "Berlin",
  "format.zone.Europe/London": "London",
  "format.zone.Europe/Paris": "Paris",
  "format.zone.America/New_York": "New York",
  "format.zone.America/Toronto": "Toronto",
  "format.zone.UTC": "UTC",
} as const;
