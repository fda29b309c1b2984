/**
 * Areas whose strings only a few resident pages show (ADR 0011): they are left out of the resident
 * dictionary every page downloads, and a page that shows them sends them with its loader data
 * (`pageStrings` in app/web/page-strings.server.ts), in its own language only. A unit test checks that
 * every resident route sends the areas its sources use.
 */
export const PAGE_STRING_AREAS = [
  "reports.",
  "map.",
  "es.",
  "following.",
  "eid.",
  "media.",
  "supports.",
  "similar.",
  "myballot.",
  "explain.",
  "security.",
  "bundle.",
  "actionLog.",
  "confirm.",
  "forgot.",
  "reset.",
  "unsubscribe.",
  "openData.",
  "notifications.",
  "phone.",
] as const;

export function isPageString(key: string): boolean {
  return PAGE_STRING_AREAS.some((area) => key.startsWith(area));
}

/** The strings a page's loader sends, merged into the browser's dictionary before the page renders. */
export type PageStrings = Record<string, string>;
