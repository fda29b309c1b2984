import type { themesEn } from "./themes";

/** Persian UI strings of this area (merged into fa.ts); every key of themesEn. */
export const themesFa: Record<keyof typeof themesEn, string> = {
  "themes.title": "موضوع‌ها",
  "themes.intro":
    "فهرستی کوتاه از اینکه طرح‌ها دربارهٔ چه هستند. ساکنان می‌توانند برگهٔ رأیِ بلند را بر پایهٔ موضوع پالایش کنند.",
  "themes.none": "این دوره هنوز موضوعی ندارد.",
  "themes.slug": "نام کوتاه (در نشانی‌ها)",
  "themes.nameEn": "نام (انگلیسی)",
  "themes.nameFa": "نام (فارسی)",
  "themes.add": "افزودن موضوع",
  "themes.save": "ذخیرهٔ موضوع",
  "themes.delete": "حذف موضوع",
  "themes.saved": "موضوع‌ها ذخیره شد.",
  "themes.field": "موضوع",
  "themes.noTheme": "بدون موضوع",
  "themes.card": "موضوع: {name}",
  "themes.filter.all": "همهٔ موضوع‌ها",
  "themes.filter.kept": "انتخاب‌شده",
  "themes.error.not_found": "این موضوع وجود ندارد (یا حذف شده است).",
  "themes.error.unknown": "یکی از موضوع‌های این دوره را برگزینید.",
  "actionLog.name.theme.create": "افزودن موضوع",
  "actionLog.name.theme.update": "تغییر موضوع",
  "actionLog.name.theme.delete": "حذف موضوع",
};
