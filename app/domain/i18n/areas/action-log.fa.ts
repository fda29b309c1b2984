import type { actionLogEn } from "./action-log";

/** Persian UI strings of this area (merged into fa.ts); every key of actionLogEn. */
export const actionLogFa: Record<keyof typeof actionLogEn, string> = {
  "actionLog.title": "دفتر کارهای شورا",
  "actionLog.intro":
    "هر کاری که کارکنان شورا در این سامانه می‌کنند، به ترتیب و با زنجیرهٔ درهم‌سازی در این‌جا ثبت می‌شود: تغییر یا حذف هر مورد زنجیره را می‌شکند، و هر کسی می‌تواند با `shora verify-log` آن را وارسی کند.",
  "actionLog.download": "دریافت کل دفتر (خطوط JSON)",
  "actionLog.seq": "شماره",
  "actionLog.at": "زمان",
  "actionLog.actor": "چه کسی",
  "actionLog.action": "کار",
  "actionLog.target": "موضوع",
  "actionLog.summary": "تغییر",
  "actionLog.hash": "درهم‌ساز",
  "actionLog.empty": "هنوز کاری ثبت نشده است.",
  "actionLog.filter": "پالایش دفتر",
  "actionLog.round": "دوره",
  "actionLog.anyRound": "همهٔ دوره‌ها",
  "actionLog.anyAction": "همهٔ کارها",
  "actionLog.apply": "اعمال",
  "actionLog.page": "صفحهٔ {page} از {pages}",
  "actionLog.previous": "موارد تازه‌تر",
  "actionLog.next": "موارد کهنه‌تر",
  "actionLog.count.one": "{count} مورد",
  "actionLog.count.other": "{count} مورد",
  "actionLog.link": "دفتر کارهای شورا",
};
