import type { followingEn } from "./following";

/** Persian strings of this area (merged into fa.ts); every key of followingEn. */
export const followingFa: Record<keyof typeof followingEn, string> = {
  "following.link": "پیشنهادهایی که دنبال می‌کنم",
  "following.title": "پیشنهادهایی که دنبال می‌کنم",
  "following.intro":
    "از بررسی، پاسخ‌های رسمی، بودجه گرفتن و اجرای پیشنهادهایی که دنبال می‌کنید باخبر می‌شوید. این‌که کدام پیام‌ها به شما برسد در صفحهٔ اعلان‌ها تعیین می‌شود.",
  "following.none": "هنوز هیچ پیشنهادی را دنبال نمی‌کنید. یک پیشنهاد را باز کنید و «دنبال کردن این پیشنهاد» را بزنید.",
  "following.proposal": "پیشنهاد",
  "following.round": "دوره",
  "following.status": "وضعیت",
  "following.since": "از",
  "following.follow": "دنبال کردن این پیشنهاد",
  "following.unfollow": "دیگر دنبال نکن",
  "following.hint": "با دنبال کردن، از بررسی، پاسخ‌های رسمی، بودجه گرفتن و اجرای آن باخبر می‌شوید.",
  "following.yes": "شما این پیشنهاد را دنبال می‌کنید.",
  "following.followed": "اکنون این پیشنهاد را دنبال می‌کنید.",
  "following.unfollowed": "دیگر این پیشنهاد را دنبال نمی‌کنید.",
  "following.count.one": "{count} نفر این پیشنهاد را دنبال می‌کند.",
  "following.count.other": "{count} نفر این پیشنهاد را دنبال می‌کنند.",
  "following.login": "برای دنبال کردن این پیشنهاد وارد شوید",
  "following.unknown": "این پیشنهاد وجود ندارد یا نمی‌توان آن را دنبال کرد.",
  "confirm.ask": "برای تأیید این‌که این نشانی ایمیل از آنِ شماست، دکمه را بزنید.",
  "confirm.submit": "تأیید نشانی من",
  "mail.follow.event": "سلام {name}. پیشنهاد «{title}» که دنبالش می‌کنید {decision}.",
};
