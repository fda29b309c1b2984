/**
 * Pages outside the dashboards download only the UI strings their sources can show: the build's
 * selection keeps every key written outside the dashboards' route modules, and the browser's choice
 * of strings by URL agrees with which route modules are the dashboards'.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { dictionaryPartFor } from "../../app/domain/i18n";
import { en } from "../../app/domain/i18n/en";
import { isDashboardRoute, residentKeys } from "../../app/tooling/resident-keys";

const app = path.resolve(import.meta.dirname, "../../app");
const routes = path.join(app, "routes");

/** The URL of a flat route file: m.$slug.rounds.$round._index.tsx → /m/x/rounds/x. */
function urlOf(file: string): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .replace(/\[\.(\w+)\]/g, "~$1")
    .split(".")
    .filter((s) => s !== "_index")
    .map((s) => (s.startsWith("$") ? "x" : s.replace(/_$/, "").replace(/~(\w+)$/, ".$1")));
  return `/${segments.filter(Boolean).join("/")}`;
}

describe("the strings pages download", () => {
  it("are all of them on dashboard pages and a share elsewhere, by the same line as the route modules", () => {
    const files = fs.readdirSync(routes).filter((f) => /\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const url = urlOf(file);
      expect(dictionaryPartFor(url) === "full", `${file} → ${url}`).toBe(isDashboardRoute(path.join(routes, file)));
    }
    expect(dictionaryPartFor("/m/demo/admin")).toBe("full");
    expect(dictionaryPartFor("/admin")).toBe("full");
    expect(dictionaryPartFor("/m/admin-town/rounds")).toBe("resident");
    expect(dictionaryPartFor("/m/demo/rounds/budget-1405/vote/north")).toBe("resident");
  });

  it("keep every key written outside the dashboards and leave out those only the dashboards use", () => {
    const keys = residentKeys(app, Object.keys(en));
    // Written in public routes and shared components, or completed at run time (`phase.${kind}`).
    for (const key of [
      "round.noCurrentPhase",
      "vote.cast",
      "phase.voting",
      "phase.published",
      "locale.fa",
      "nav.skipToContent",
      // Plural forms, asked for by their base key (`t("rounds.filter.results", { count })`).
      "rounds.filter.results.one",
      "rounds.filter.results.other",
    ])
      expect(keys.has(key), key).toBe(true);
    // Only on the council dashboard's tally page.
    expect(keys.has("rounds.tally.run")).toBe(false);
    // Only translated on the server: a refusal the action sends as text, a mail's subject.
    expect(keys.has("vote.error.invalid_ballot")).toBe(false);
    expect(keys.has("mail.verification.subject")).toBe(false);
    expect(keys.size).toBeLessThan(Object.keys(en).length);
    // Not an empty selection (pages' own strings, page-strings.ts, are left out too).
    expect(keys.size).toBeGreaterThan(Object.keys(en).length / 5);
  });
});
