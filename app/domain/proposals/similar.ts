/**
 * Finding proposals like the one being written (ADR 0036): Persian and English text normalised the
 * same way, then compared by word trigrams. Pure: the service hands in the round's proposals.
 */

const ARABIC_TO_PERSIAN: Record<string, string> = {
  "\u064A": "\u06CC", // Arabic yeh ي → Persian yeh ی
  "\u0649": "\u06CC", // alef maksura ى → ی
  "\u0643": "\u06A9", // Arabic kaf ك → Persian keheh ک
  "\u0629": "\u0647", // teh marbuta ة → heh ه
  "\u0623": "\u0627", // alef with hamza above أ → ا
  "\u0625": "\u0627", // alef with hamza below إ → ا
  "\u0671": "\u0627", // alef wasla ٱ → ا
  "\u0624": "\u0648", // waw with hamza ؤ → و
};

/**
 * Text as the comparison sees it: lower case, Arabic letters as their Persian forms, Arabic-Indic and
 * Persian digits as ASCII digits, zero-width (non-)joiners, tatweel and diacritics dropped, and every
 * run of other characters a single space. So "كتابخانه‌ي ۱۲" and "کتابخانه ی 12" read alike.
 */
export function normalizeForSearch(text: string): string {
  let out = "";
  for (const ch of text.normalize("NFKC").toLowerCase()) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x0660 && code <= 0x0669) out += String(code - 0x0660);
    else if (code >= 0x06f0 && code <= 0x06f9) out += String(code - 0x06f0);
    else if (ARABIC_TO_PERSIAN[ch]) out += ARABIC_TO_PERSIAN[ch];
    // Zero-width non-joiner / joiner, tatweel, Arabic diacritics (harakat, superscript alef).
    else if (code === 0x200c || code === 0x200d) out += " ";
    else if (code === 0x0640 || (code >= 0x064b && code <= 0x065f) || code === 0x0670) continue;
    else if (/[\p{L}\p{N}]/u.test(ch)) out += ch;
    else out += " ";
  }
  return out.replace(/\s+/g, " ").trim();
}

/** The character trigrams of each word of a normalised text (words padded with a space on both sides). */
export function trigrams(normalized: string): Set<string> {
  const grams = new Set<string>();
  for (const word of normalized.split(" ")) {
    if (!word) continue;
    const padded = `  ${word} `;
    const chars = [...padded];
    for (let i = 0; i + 3 <= chars.length; i++) grams.add(chars.slice(i, i + 3).join(""));
  }
  return grams;
}

/** Share of trigrams two texts have in common (0…1), as pg_trgm's `similarity` counts it. */
export function similarity(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * How much of the draft's words a candidate contains (0…1): pg_trgm's `word_similarity`, the better
 * measure when a short title is compared with a long text.
 */
export function containment(draft: Set<string>, candidate: Set<string>): number {
  if (draft.size === 0) return 0;
  let shared = 0;
  for (const g of draft) if (candidate.has(g)) shared++;
  return shared / draft.size;
}

export interface SimilarCandidate<T> {
  item: T;
  texts: string[];
}

/** Below this score two texts are not shown as similar. */
export const SIMILAR_THRESHOLD = 0.3;

/**
 * The candidates most like the draft, best first: each scored by the higher of the title-to-title
 * similarity and how much of the draft's title and text it contains. Drafts of fewer than three
 * letters find nothing (every text would match).
 */
export function mostSimilar<T>(
  draft: { title: string; body?: string },
  candidates: SimilarCandidate<T>[],
  options: { limit?: number; threshold?: number } = {},
): { item: T; score: number }[] {
  const title = normalizeForSearch(draft.title);
  const both = normalizeForSearch(`${draft.title} ${draft.body ?? ""}`);
  if (both.replace(/ /g, "").length < 3) return [];
  const titleGrams = trigrams(title);
  const draftGrams = trigrams(both);
  const threshold = options.threshold ?? SIMILAR_THRESHOLD;
  return candidates
    .map(({ item, texts }) => {
      const [candidateTitle = "", ...rest] = texts.map(normalizeForSearch);
      const candidateTitleGrams = trigrams(candidateTitle);
      const all = trigrams([candidateTitle, ...rest].join(" "));
      const score = Math.max(
        similarity(titleGrams, candidateTitleGrams),
        similarity(draftGrams, all),
        titleGrams.size >= 4 ? containment(titleGrams, all) * 0.9 : 0,
      );
      return { item, score };
    })
    .filter((c) => c.score >= threshold)
    .sort((a, b) => b.score - a.score)
    .slice(0, options.limit ?? 5);
}

/** Does a text contain every word of a search (both normalised)? Used by the round's list. */
export function matchesSearch(search: string, texts: string[]): boolean {
  const words = normalizeForSearch(search).split(" ").filter(Boolean);
  if (words.length === 0) return true;
  const haystack = ` ${texts.map(normalizeForSearch).join(" ")} `;
  return words.every((w) => haystack.includes(w));
}
