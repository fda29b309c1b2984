/**
 * The test tables a route file needs a row in (tests/README.md, "Adding a route"). Each table checks
 * its coverage with `expectRowPerRoute`, so a missing row fails naming the table and the route.
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";

export const routesDir = path.resolve(__dirname, "../../app/routes");

/** Where each table is, and which route files need a row in it. */
export const ROUTE_TABLES = {
  authorization: {
    where: "tests/integration/authorization.test.ts, `matrix`",
    needs: "every route file: the status each kind of visitor gets from its loader and action",
  },
  authorizationPublished: {
    where: "tests/integration/authorization.test.ts, `publishedMatrix`",
    needs: "every route file under a round ($round): the same on a published round",
  },
  authorizationForms: {
    where: "tests/integration/authorization.test.ts, `validForms`",
    needs: "every route file under a round with an action: a valid form, sent with the other municipality's ids",
  },
  fuzzActions: {
    where: "tests/integration/fuzz-actions.test.ts, `ACTIONS`",
    needs: "every route file with an action: its intents and their fields (`intentReach` for who reaches them)",
  },
  fuzzLoaders: {
    where: "tests/integration/fuzz-loaders.test.ts, `LOADERS`",
    needs: "every route file with a loader: its parameters and query",
  },
  csrfUploads: {
    where: "tests/integration/csrf.test.ts, `files`",
    needs: "every route file whose page has a multipart upload form: a file to upload",
  },
} as const;

export type RouteTable = keyof typeof ROUTE_TABLES;

/** Route files (`app/routes/*.ts(x)`), or those exporting a loader or an action. */
export function routeFiles(exporting?: "loader" | "action"): string[] {
  return fs
    .readdirSync(routesDir)
    .filter((f) => /\.tsx?$/.test(f))
    .filter(
      (f) =>
        !exporting ||
        new RegExp(`export (async )?function ${exporting}\\b`).test(fs.readFileSync(path.join(routesDir, f), "utf8")),
    )
    .sort();
}

/**
 * Every route in `routes` has a row in the table, and every row names one of them (`alsoAllowed`: rows
 * that are not route files, such as the root).
 */
export function expectRowPerRoute(
  table: RouteTable,
  rows: Iterable<string>,
  routes: readonly string[],
  alsoAllowed: readonly string[] = [],
): void {
  const { where, needs } = ROUTE_TABLES[table];
  const have = [...rows];
  const missing = routes.filter((r) => !have.includes(r));
  const stale = have.filter((r) => !routes.includes(r) && !alsoAllowed.includes(r));
  expect(
    missing,
    `${where} has no row for ${missing.map((r) => `app/routes/${r}`).join(", ")} (it needs ${needs}; see tests/README.md, "Adding a route")`,
  ).toEqual([]);
  expect(stale, `${where} has rows for ${stale.join(", ")}, which are not such route files`).toEqual([]);
}
