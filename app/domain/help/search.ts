/**
 * Searching the help centre by title and text (ADR 0037): every word asked must appear; a page ranks
 * by how often they appear (in the title most, together as asked more). Persian and Arabic letter
 * forms, zero-width non-joiners and Persian digits are folded, so "رای", "رأی" and "راي" all find the
 * same page, and "۱۲" finds "12".
 */
import { latinDigits } from "../i18n/numbers";

export interface Searchable {
  href: string;
  title: string;
  text: string;
}

export interface SearchHit {
  href: string;
  title: string;
  snippet: string;
}

export function foldForSearch(text: string): string {
  return latinDigits(text.normalize("NFKC"))
    .toLowerCase()
    .replace(/[\u064b-\u065f\u0670]/g, "") // Arabic diacritics
    .replace(/[يى]/g, "ی")
    .replace(/ك/g, "ک")
    .replace(/[أإآ]/g, "ا")
    .replace(/ؤ/g, "و")
    .replace(/[ۀة]/g, "ه")
    .replace(/\u200c/g, " ");
}

function words(query: string): string[] {
  return foldForSearch(query)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 12);
}

/** A piece of the text around the first word found (whole words, about `width` characters). */
function snippetOf(text: string, folded: string, word: string, width = 160): string {
  // Folding keeps one character for one (apart from NFKC ligatures, rare in guides), so indexes agree.
  const at = Math.max(0, folded.indexOf(word));
  let start = Math.max(0, at - width / 2);
  let end = Math.min(text.length, start + width);
  if (start > 0) start = text.lastIndexOf(" ", start) + 1;
  const space = text.indexOf(" ", end);
  end = end >= text.length || space < 0 ? text.length : space;
  return `${start > 0 ? "… " : ""}${text.slice(start, end).trim()}${end < text.length ? " …" : ""}`;
}

function occurrences(text: string, word: string): number {
  let n = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) n++;
  return n;
}

export function searchHelp(pages: readonly Searchable[], query: string): SearchHit[] {
  const asked = words(query);
  if (asked.length === 0) return [];
  const hits: { hit: SearchHit; score: number; order: number }[] = [];
  pages.forEach((page, order) => {
    const title = foldForSearch(page.title);
    const text = foldForSearch(page.text);
    let score = 0;
    for (const word of asked) {
      const inTitle = title.includes(word);
      const inText = text.includes(word);
      if (!inTitle && !inText) return;
      score += (inTitle ? 5 : 0) + Math.min(10, occurrences(text, word));
    }
    // The words together, as asked, count once more each time.
    if (asked.length > 1) score += 2 * Math.min(10, occurrences(text, asked.join(" ")));
    const first = asked.find((w) => text.includes(w));
    hits.push({
      hit: {
        href: page.href,
        title: page.title,
        snippet: first ? snippetOf(page.text, text, first) : snippetOf(page.text, text, ""),
      },
      score,
      order,
    });
  });
  return hits.sort((a, b) => b.score - a.score || a.order - b.order).map((h) => h.hit);
}
