/**
 * The help centre's guides (ADR 0037): markdown files under app/content/help/<locale>/, bundled into
 * the server build and read only here, so the strings every resident page downloads leave them out
 * (the page-weight budget). Parsed once, on first use.
 */
import { type HelpSection, type HelpSlug, helpGuides, helpSections, isHelpSlug } from "../domain/help/catalogue";
import { type SearchHit, searchHelp } from "../domain/help/search";
import { type Block, parseMarkdown, plainText, splitTitle } from "../domain/help/markdown";
import type { Locale } from "../domain/i18n";

const sources = import.meta.glob<string>("../content/help/*/*.md", { query: "?raw", import: "default", eager: true });

export interface HelpGuide {
  slug: HelpSlug;
  section: HelpSection;
  title: string;
  blocks: Block[];
  text: string;
}

let parsed: Map<string, HelpGuide> | null = null;

/** The source of one guide in one language, or null when it was not written. */
export function helpSource(locale: Locale, slug: string): string | null {
  return sources[`../content/help/${locale}/${slug}.md`] ?? null;
}

function guides(): Map<string, HelpGuide> {
  if (parsed) return parsed;
  const map = new Map<string, HelpGuide>();
  for (const { slug, section } of helpGuides) {
    for (const locale of ["en", "fa"] as const) {
      const source = helpSource(locale, slug);
      if (source === null) continue;
      const { title, body } = splitTitle(source);
      const blocks = parseMarkdown(body);
      map.set(`${locale}/${slug}`, { slug, section, title, blocks, text: plainText(blocks) });
    }
  }
  parsed = map;
  return map;
}

/** Every guide in the language, in the catalogue's order (a guide not written in it is left out). */
export function helpGuidesIn(locale: Locale): HelpGuide[] {
  return helpGuides.flatMap(({ slug }) => guides().get(`${locale}/${slug}`) ?? []);
}

export function helpGuide(locale: Locale, slug: string): HelpGuide | null {
  if (!isHelpSlug(slug)) return null;
  return guides().get(`${locale}/${slug}`) ?? null;
}

export interface HelpIndex {
  sections: { section: HelpSection; guides: { slug: string; title: string }[] }[];
  query: string;
  hits: SearchHit[] | null;
}

/**
 * A help centre's front page: the guides by section, and what `?q=` finds among them and among the
 * municipality's own pages (`local`, already in the page's language).
 */
export function helpIndex(
  locale: Locale,
  url: URL,
  local: { href: string; title: string; text: string }[] = [],
): HelpIndex {
  const query = (url.searchParams.get("q") ?? "").slice(0, 200).trim();
  const all = helpGuidesIn(locale);
  const sections = helpSections.map((section) => ({
    section,
    guides: all.filter((g) => g.section === section).map((g) => ({ slug: g.slug, title: g.title })),
  }));
  const hits = query
    ? searchHelp([...local, ...all.map((g) => ({ href: `/help/${g.slug}`, title: g.title, text: g.text }))], query)
    : null;
  return { sections, query, hits };
}
