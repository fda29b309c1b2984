import type { securityEn } from "./security";

/** Persian UI strings of this area (merged into fa.ts); every key of securityEn. */
export const securityFa: Record<keyof typeof securityEn, string> = {
  "security.title": "ورود دومرحله‌ای",
  "security.link": "ورود دومرحله‌ای",
  "security.code": "کد برنامهٔ احراز هویت (یا یک کد بازیابی)",
  "security.requiredForStaff":
    "حساب شما نقش کارمندی دارد، پس ورود به مرحلهٔ دوم نیاز دارد: کدی شش‌رقمی از برنامهٔ احراز هویت روی گوشی‌تان، پس از گذرواژه.",
  "security.optionalForResidents":
    "می‌توانید از حساب خود با مرحلهٔ دوم محافظت کنید: کدی شش‌رقمی از برنامهٔ احراز هویت روی گوشی‌تان که پس از گذرواژه پرسیده می‌شود.",
  "security.enrolled": "ورود دومرحله‌ای روشن است. کدهای بازیابی استفاده‌نشده: {left}.",
  "security.enrol.title": "برنامهٔ احراز هویت را راه بیندازید",
  "security.enrol.start": "راه‌اندازی برنامهٔ احراز هویت",
  "security.enrol.help":
    "در برنامهٔ احراز هویت، حسابی تازه با تایپ رمز زیر بیفزایید (یا نشانی otpauth را روی گوشی باز کنید). سپس کد شش‌رقمی‌ای را که برنامه نشان می‌دهد بنویسید.",
  "security.enrol.secret": "رمز",
  "security.enrol.uri": "نشانی برای برنامه",
  "security.enrol.confirm": "روشن کردن ورود دومرحله‌ای",
  "security.recovery.shownOnce":
    "ورود دومرحله‌ای روشن شد. این کدهای بازیابی را جای امنی نگه دارید: اگر گوشی‌تان را گم کنید، هر کدام یک بار شما را وارد می‌کند. فقط همین حالا نشان داده می‌شوند.",
  "security.continue": "ادامه",
  "security.verify.title": "تأیید این نشست",
  "security.verify.submit": "تأیید",
  "security.renew.title": "کدهای بازیابی تازه",
  "security.renew.submit": "جایگزینی کدهای بازیابی",
  "security.disable.title": "خاموش کردن ورود دومرحله‌ای",
  "security.disable.submit": "خاموش کردن",
  "security.signIn.title": "مرحلهٔ دوم ورود",
  "security.signIn.help": "کد شش‌رقمی‌ای را که برنامهٔ احراز هویت اکنون نشان می‌دهد، یا یکی از کدهای بازیابی را بنویسید.",
  "security.signIn.submit": "ورود",
  "security.error.bad_code": "این کد درست نیست یا پیش‌تر به کار رفته است.",
  "security.error.throttled": "کدهای نادرست بسیار شد. یک دقیقه صبر کنید و دوباره بکوشید.",
  "security.error.already_enrolled": "ورود دومرحله‌ای از پیش روشن است.",
  "security.error.not_enrolling": "نخست راه‌اندازی برنامهٔ احراز هویت را آغاز کنید.",
  "security.error.required": "کارکنان باید ورود دومرحله‌ای را روشن نگه دارند.",
  "security.error.expired": "این ورود منقضی شده است. دوباره با گذرواژه وارد شوید.",
};
