import type { formatsEn } from "./formats";

export const formatsFa: Record<keyof typeof formatsEn, string> = {
  "format.day.hint": "روزها به تقویم خورشیدی، سال/ماه/روز، مانند ۱۴۰۵/۰۱/۰۱.",
  "format.time.zoned": "{time} به وقت {zone}",
  "format.time.zonedGeneric": "{time} ({zone})",
  "format.zone.Asia/Tehran": "تهران",
  "format.zone.Asia/Kabul": "کابل",
  "format.zone.Asia/Dushanbe": "دوشنبه",
  "format.zone.Asia/Dubai": "دبی",
  "format.zone.Europe/Istanbul": "استانبول",
  "format.zone.Europe/Berlin": "برلین",
  "format.zone.Europe/London": "لندن",
  "format.zone.Europe/Paris": "پاریس",
  "format.zone.America/New_York": "نیویورک",
  "format.zone.America/Toronto": "تورنتو",
  "format.zone.UTC": "گرینویچ",
};
