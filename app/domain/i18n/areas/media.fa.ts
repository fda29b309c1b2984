import type { mediaEn } from "./media";

/** Persian UI strings of photos and documents (merged into fa.ts); every key of mediaEn. */
export const mediaFa: Record<keyof typeof mediaEn, string> = {
  "media.legend": "عکس‌ها و اسناد",
  "media.hint":
    "حداکثر {images} عکس (JPEG، PNG، WebP یا GIF، هر کدام حداکثر {imageMb} مگابایت) و {documents} سند PDF (هر کدام حداکثر {documentMb} مگابایت). اندازهٔ عکس‌ها کوچک می‌شود و هر چیزی جز خود تصویر، از جمله جای گرفتن عکس، از آن‌ها پاک می‌شود.",
  "media.image": "عکس {n}",
  "media.imageAlt": "عکس {n} چه چیزی را نشان می‌دهد (برای کسانی که نمی‌توانند آن را ببینند)",
  "media.document": "سند PDF شمارهٔ {n}",
  "media.documentTitle": "عنوان سند {n} (اختیاری)",
  "media.attached": "پیوست‌های کنونی",
  "media.remove": "حذف «{name}»",
  "media.photos": "عکس‌ها",
  "media.documents": "اسناد",
  "media.pdf": "PDF، {size} کیلوبایت",
  "media.error.media_empty": "این پرونده خالی است.",
  "media.error.media_type": "این پرونده عکس JPEG، PNG، WebP یا GIF یا سند PDF نیست.",
  "media.error.media_svg": "نقاشی‌های SVG پذیرفته نمی‌شوند: تصویر را با قالب PNG یا JPEG ذخیره کنید.",
  "media.error.media_polyglot":
    "این PDF یک صفحهٔ وب یا پروندهٔ دیگری هم در خود دارد. آن را دوباره به صورت یک PDF ساده ذخیره کنید (مثلاً با «چاپ به PDF»).",
  "media.error.media_too_large": "این پرونده بزرگ‌تر از {max} مگابایت است.",
  "media.error.media_too_many_pixels":
    "این تصویر بیش از اندازه بزرگ است: حداکثر {max} میلیون پیکسل و ۱۲٬۰۰۰ پیکسل در هر ضلع.",
  "media.error.media_unreadable": "این تصویر خوانده نمی‌شود: پرونده آسیب دیده است یا در واقع تصویر نیست.",
  "media.error.media_alt_missing": "بنویسید عکس چه چیزی را نشان می‌دهد، برای کسانی که نمی‌توانند آن را ببینند.",
  "media.error.media_alt_long": "توضیح باید کمتر از ۳۰۰ نویسه باشد.",
  "media.error.media_too_many_images": "حداکثر {max} عکس: اول یکی را حذف کنید.",
  "media.error.media_too_many_documents": "حداکثر {max} سند: اول یکی را حذف کنید.",
  "media.error.media_not_found": "این پرونده دیگر وجود ندارد.",
  "media.error.form_too_large": "پرونده‌ها روی هم بزرگ‌تر از {max} مگابایت‌اند: پرونده‌های کمتر یا کوچک‌تری بفرستید.",
};
