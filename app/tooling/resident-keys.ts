/**
 * Build-time tooling (vite.config.ts): which UI strings a page outside the council dashboard can
 * ever show. Every key written literally in the app's sources — outside the dashboard's own route
 * modules (routes/admin.*, routes/m.$slug.admin.*) — is in, and so is every key under a prefix the
 * sources complete at run time (`phase.${kind}`). Shared components count as residents' even when
 * only staff use them, so the set can only be too large, never too small; strings only the server
 * translates (isServerOnlySource) are left out.
 * Pages outside /admin download these strings only; dashboard pages download all of them.
 */
import fs from "node:fs";
import path from "node:path";
import { isPageString } from "../domain/i18n/page-strings";

/**
 * A module whose strings are only ever translated on the server: server modules (`*.server.ts`,
 * app/services), the refusal-code maps (read by refusalResponseFrom in a route's action, which sends
 * the translated message) and the mail texts (rendered by app/services/mail). A browser never looks
 * their keys up, so pages need not download them.
 */
export function isServerOnlySource(file: string): boolean {
  const rel = file.split(path.sep).join("/");
  return (
    /\.server\.tsx?$/.test(rel) ||
    /\/app\/services\//.test(rel) ||
    /\/app\/web\/refusal-messages\//.test(rel) ||
    /\/app\/domain\/mail\/render\.ts$/.test(rel)
  );
}

/** A route module of the council or platform dashboard (its URL is under /admin or /m/<slug>/admin). */
export function isDashboardRoute(file: string): boolean {
  const name = path.basename(file);
  return path.basename(path.dirname(file)) === "routes" && /^(admin[.[]|m\.\$slug\.admin[.[])/.test(name);
}

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "i18n" || entry.name === "tooling" ? [] : sources(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

/** The keys a source writes literally, and the prefixes it completes at run time (`phase.${kind}`). */
export function keysWritten(text: string, literals: Set<string>, prefixes: Set<string>): void {
  for (const m of text.matchAll(/["'`]([a-zA-Z][\w-]*(?:\.[\w-]+)+)["'`]/g)) literals.add(m[1]);
  for (const m of text.matchAll(/`([a-zA-Z][\w.-]*\.)\$\{/g)) prefixes.add(m[1]);
}

export function residentKeys(appDir: string, keys: readonly string[]): Set<string> {
  const literals = new Set<string>();
  const prefixes = new Set<string>();
  for (const file of sources(appDir)) {
    if (isDashboardRoute(file) || isServerOnlySource(file)) continue;
    keysWritten(fs.readFileSync(file, "utf8"), literals, prefixes);
  }
  // A plural form (`<key>.one`, `<key>.other`…) is asked for by its base key (ADR 0029).
  const base = (k: string) => k.replace(/\.(zero|one|two|few|many|other)$/, "");
  // The formatting functions' own strings (app/domain/i18n, not scanned) serve every page.
  prefixes.add("format.");
  // A page's own strings come with its data (page-strings.ts), not in the dictionary.
  return new Set(
    keys.filter(
      (k) =>
        !isPageString(k) && (literals.has(k) || literals.has(base(k)) || [...prefixes].some((p) => k.startsWith(p))),
    ),
  );
}
