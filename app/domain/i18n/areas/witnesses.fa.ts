import type { witnessesEn } from "./witnesses";

/** Persian UI strings of this area (merged into fa.ts); every key of witnessesEn. */
export const witnessesFa: Record<keyof typeof witnessesEn, string> = {
  "witnesses.title": "گواهان",
  "witnesses.manage": "گواهان دفتر رأی",
  "witnesses.intro":
    "گواهان سازمان‌هایی مستقل‌اند (روزنامه، دانشگاه، سازمان مردم‌نهاد) که هر نقطهٔ بازبینی دفتر رأی را تنها وقتی امضا می‌کنند که دنبالهٔ همهٔ نقطه‌هایی باشد که پیش‌تر امضا کرده‌اند. با حد نصاب گواهان، حتی شهرداری هم نمی‌تواند به کسان گوناگون دفترهای گوناگون نشان دهد.",
  "witnesses.none": "هنوز گواهی نیست: نقطه‌های بازبینی را تنها شهرداری امضا می‌کند.",
  "witnesses.name": "نام",
  "witnesses.url": "نشانی",
  "witnesses.vkey": "کلید گواه",
  "witnesses.status": "وضعیت",
  "witnesses.actions": "تغییر",
  "witnesses.active": "فعال",
  "witnesses.paused": "متوقف",
  "witnesses.pause": "توقف {name}",
  "witnesses.resume": "ازسرگیری {name}",
  "witnesses.remove": "حذف {name}",
  "witnesses.add.title": "افزودن گواه",
  "witnesses.add.help":
    "کلید عمومی گواه (name+hash+key، همان‌گونه که `shora witness keygen` چاپ می‌کند) و نشانی‌ای را که نقطهٔ پایانی add-checkpoint زیر آن است وارد کنید.",
  "witnesses.add.submit": "افزودن گواه",
  "witnesses.quorum": "حد نصاب",
  "witnesses.quorum.help": "چند گواه فعال باید نقطهٔ بازبینی پایانی را امضا کنند تا نتایج منتشر شود (۰ تا {max}).",
  "witnesses.quorum.submit": "ذخیرهٔ حد نصاب",
  "witnesses.added": "{name} افزوده شد.",
  "witnesses.removed": "{name} حذف شد.",
  "witnesses.changed": "{name} به‌روز شد.",
  "witnesses.unchanged": "برای {name} چیزی تغییر نکرد.",
  "witnesses.quorumSaved": "حد نصاب اکنون {quorum} است.",
  "witnesses.error.witness_vkey": "این کلید عمومی گواه نیست (name+hash+key یک کلید هم‌امضا).",
  "witnesses.error.witness_url": "نشانی وب گواه را بدهید (http یا https، بدون پرسش).",
  "witnesses.error.witness_duplicate": "گواهی به نام {name} از پیش تنظیم شده است.",
  "witnesses.error.witness_not_found": "این گواه اینجا تنظیم نشده است.",
  "witnesses.error.witness_quorum":
    "حد نصاب باید عددی درست از ۰ تا شمار گواهان فعال باشد (توقف یا حذف گواه تنها پس از پایین آوردن حد نصاب).",
  "rounds.error.witness_quorum_missing":
    "تنها {have} گواه از {quorum} گواه لازم نقطهٔ بازبینی پایانی را امضا کردند. نتایج پس از امضای حد نصاب منتشر می‌شود؛ بعداً دوباره بکوشید.",
  "results.witnesses": "گواهان",
  "results.witnesses.cosigned": "نقطهٔ بازبینی پایانی را {names} امضا کردند (حد نصاب {quorum}).",
  "results.witnesses.none": "هیچ گواهی نقطهٔ بازبینی پایانی را امضا نکرد: تنها شهرداری آن را امضا کرده است.",
};
