import type { staffEn } from "./staff";

/** Persian UI strings of this area (merged into fa.ts); every key of staffEn. */
export const staffFa: Record<keyof typeof staffEn, string> = {
  "staff.phaseControls": "مهار مرحله‌ها",
  "staff.phaseControlsHelp":
    "مرحله‌ها به‌طور پیش‌فرض از تاریخ‌هایشان پیروی می‌کنند. این دکمه‌ها مرحله را همین حالا تغییر می‌دهند تا دوره در یک نشست پیش برود؛ هر تغییر ثبت می‌شود.",
  "staff.openVoting": "آغاز رأی‌گیری از همین حالا",
  "staff.closeVoting": "پایان رأی‌گیری از همین حالا",
  "staff.confirm.open_voting":
    "رأی‌گیری همین حالا آغاز شود؟ مرحله‌های پیش از رأی‌گیری همین حالا پایان می‌یابند، قاعده‌های برگه، شرایط رأی‌دادن و گروه‌های رأی‌دهنده قفل می‌شوند و ساکنان از همین لحظه می‌توانند رأی دهند.",
  "staff.confirm.close_voting":
    "رأی‌گیری همین حالا پایان یابد؟ پس از این لحظه هیچ رأیی پذیرفته نمی‌شود و رأی‌گیری دوباره باز نمی‌شود؛ شمارش از همین حالا آغاز می‌شود.",
  "staff.confirm.publish":
    "نتیجه‌ها همین حالا منتشر شوند؟ این کار بازگشت‌پذیر نیست: نتیجه‌ها بی‌درنگ همگانی می‌شوند، دوره به مرحلهٔ انتشار می‌رود و کلید رأی‌دهندگان نابود می‌شود.",
  "staff.confirm.tally": "شمارش همین حالا انجام شود؟ هر شمارش پیشین این دوره جایگزین می‌شود.",
  "staff.confirm.yes": "بله، همین حالا",
  "staff.confirm.cancel": "انصراف",
  "staff.done.open_voting": "رأی‌گیری از همین حالا باز است.",
  "staff.done.close_voting": "رأی‌گیری بسته شد. شمارش آغاز شده است.",
  "staff.publishedNoMore": "نتیجه‌ها منتشر شده‌اند: شمارش دوباره انجام نمی‌شود.",
  "staff.resultsLink": "دیدن نتیجه‌های منتشرشده",
  "staff.error.phase_passed": "این مرحله در این دوره به پایان رسیده است؛ هیچ مرحله‌ای دوباره باز نمی‌شود.",
  "staff.error.publish_first": "دوره با انتشار نتیجه‌ها در صفحهٔ شمارش به مرحلهٔ انتشار می‌رسد.",
  "staff.error.not_voting": "رأی‌گیری در این دوره باز نیست، پس نمی‌توان آن را بست.",
  "staff.overEnvelope": "هزینهٔ این طرح از اعتبار بخش آن ({amount}) بیشتر است: هرگز تأمین نمی‌شود.",
  "staff.overEnvelopeShort": "هزینه بیش از اعتبار بخش",
  "staff.reviewed": "بررسی ذخیره شد.",
  "staff.dashboard": "کارهای در انتظار شما",
  "staff.dashboard.review": "طرح‌های در انتظار بررسی",
  "staff.dashboard.flagged": "دیدگاه‌های گزارش‌شده",
  "staff.dashboard.verifications": "احراز هویت‌های در انتظار",
  "staff.dashboard.endingSoon": "مرحله‌هایی که تا یک هفتهٔ دیگر پایان می‌یابند",
  "staff.dashboard.endsOn": "{round}: {phase} در {day} پایان می‌یابد",
  "staff.dashboard.nothing": "کاری در انتظار نیست.",
  "staff.dashboard.yourMunicipalities": "شهرداری‌های شما",
  "staff.list.separator": "، ",
  "staff.paper.numbers": "شمارهٔ طرح‌ها",
};
