/**
 * A resident page's own strings (ADR 0011): the areas of app/domain/i18n/page-strings.ts are not in
 * the dictionary every page downloads, so every resident route whose sources (its module and the
 * browser modules it imports, one after another) can show a string of such an area sends it with its
 * data: a `pageStringsFor(context, request, [...])` call in the route module names a prefix of every such key.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../app/domain/i18n/en";
import { fa } from "../../app/domain/i18n/fa";
import { isPageString } from "../../app/domain/i18n/page-strings";
import { pageStrings } from "../../app/web/page-strings.server";
import { isDashboardRoute, isServerOnlySource, keysWritten, residentKeys } from "../../app/tooling/resident-keys";

const app = path.resolve(import.meta.dirname, "../../app");
const routes = path.join(app, "routes");

function resolveImport(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts")])
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  return null;
}

/** The route module and every browser module it imports, directly or not. */
function browserClosure(file: string): string[] {
  const seen = new Set<string>([file]);
  const queue = [file];
  while (queue.length > 0) {
    const current = queue.pop() as string;
    const text = fs.readFileSync(current, "utf8");
    // Type-only imports bring no code (nor strings) to the browser.
    for (const m of text.matchAll(/(?:import|export)\s(?!type\s)[^;]*?from\s+"(\.{1,2}\/[^"]+)"/g)) {
      const target = resolveImport(current, m[1]);
      if (!target || seen.has(target) || isServerOnlySource(target) || /\/app\/domain\/i18n\//.test(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen];
}

/** The prefixes a route module's `pageStrings(locale, [...])` calls name. */
function prefixesSent(text: string): string[] {
  return [...text.matchAll(/pageStrings(?:For)?\([^[]*\[([^\]]*)\]/g)].flatMap((m) =>
    [...m[1].matchAll(/"([^"]+)"/g)].map((q) => q[1]),
  );
}

const residentRoutes = fs
  .readdirSync(routes)
  .filter((f) => /\.tsx$/.test(f))
  .map((f) => path.join(routes, f))
  .filter((f) => !isDashboardRoute(f));

describe("a page's own strings", () => {
  it("are left out of the resident dictionary", () => {
    const keys = residentKeys(app, Object.keys(en));
    expect(keys.has("reports.title")).toBe(false);
    expect(keys.has("map.point.lat")).toBe(false);
    expect(keys.has("rounds.filter.apply")).toBe(true);
  });

  it("are sent by every resident route whose sources can show them", () => {
    const missing: string[] = [];
    let sending = 0;
    for (const file of residentRoutes) {
      const literals = new Set<string>();
      const prefixes = new Set<string>();
      for (const source of browserClosure(file)) keysWritten(fs.readFileSync(source, "utf8"), literals, prefixes);
      const needed = [
        ...Object.keys(en).filter(
          (k) => isPageString(k) && (literals.has(k) || literals.has(k.replace(/\.(one|other)$/, ""))),
        ),
        ...[...prefixes].filter((p) => isPageString(p)),
      ];
      const sent = prefixesSent(fs.readFileSync(file, "utf8"));
      if (sent.length > 0) sending++;
      for (const key of needed)
        if (!sent.some((p) => key.startsWith(p))) missing.push(`${path.basename(file)}: ${key}`);
    }
    if (process.env.SHOW_PAGE_STRINGS) { const by = new Map<string, Set<string>>(); for (const m of missing) { const [f, k] = m.split(": "); const a = k.split(".").slice(0, 2).join("."); by.set(f, (by.get(f) ?? new Set()).add(a)); } for (const [f, a] of by) console.log("NEED", f, [...a].join(" ")); }
    expect(missing).toEqual([]);
    expect(sending).toBeGreaterThan(5);
  });

  it("are never shown by the frame every page shares (the root and what it imports)", () => {
    const literals = new Set<string>();
    const prefixes = new Set<string>();
    for (const source of browserClosure(path.join(app, "root.tsx")))
      keysWritten(fs.readFileSync(source, "utf8"), literals, prefixes);
    expect([...literals, ...prefixes].filter((k) => isPageString(k))).toEqual([]);
  });

  it("are the strings of the prefixes asked for, in the page's language", () => {
    const strings = pageStrings("fa", ["map.point."]);
    expect(strings["map.point.lat"]).toBe(fa["map.point.lat"]);
    expect(Object.keys(strings).every((k) => k.startsWith("map.point."))).toBe(true);
    expect(pageStrings("en", ["reports."])["reports.title"]).toBe(en["reports.title"]);
  });
});
