/**
 * The memoised route matching (app/server/route-matching.ts) must answer exactly as @remix-run/router's
 * `matchRoutes` does, with the route objects of the tree that asks, on the app's real route tree.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { memoisedMatchRoutes } from "../../app/server/route-matching";

const require = createRequire(import.meta.url);
const { matchRoutes } = require("@remix-run/router") as {
  matchRoutes: (routes: Route[], location: unknown, basename?: string) => Match[] | null;
};
const { flatRoutes } = require("@remix-run/dev/dist/config/flat-routes.js") as {
  flatRoutes: (
    appDirectory: string,
    ignored: string[],
  ) => Record<string, { id: string; parentId?: string; path?: string; index?: boolean }>;
};

interface Route {
  id?: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  children?: Route[];
}
interface Match {
  params: Record<string, string | undefined>;
  pathname: string;
  pathnameBase: string;
  route: Route;
}

/** The app's route tree as Remix builds it: the flat routes of app/routes under the root. */
function appTree(): Route[] {
  const manifest = flatRoutes(path.resolve(import.meta.dirname, "../../app"), ["**/*.test.*", "**/.*"]);
  const byId = new Map<string, Route>([["root", { id: "root", path: "", children: [] }]]);
  for (const r of Object.values(manifest)) byId.set(r.id, { id: r.id, path: r.path, index: r.index, children: [] });
  for (const r of Object.values(manifest)) byId.get(r.parentId ?? "root")?.children?.push(byId.get(r.id) as Route);
  return [byId.get("root") as Route];
}

/** Every address a visitor can type that reaches a route, and some that reach none. */
const addresses = [
  "/",
  "",
  "/login",
  "/login/",
  "/LOGIN",
  "/m/demo",
  "/m/demo/",
  "/m/demo/log",
  "/m/demo/action-log.jsonl",
  "/m/demo/admin",
  "/m/demo/admin/rounds/budget-1405",
  "/m/demo/admin/rounds/budget-1405/tally?x=1#y",
  "/m/demo/rounds/budget-1405",
  "/m/demo/rounds/budget-1405/vote/green",
  "/m/demo/rounds/budget-1405/receipt?ballot=abc",
  "/m/demo/rounds/budget-1405/proposals/0190-aa/edit",
  "/m/demo/rounds/budget-1405/proposals/0190-aa",
  "/m/demo/rounds/budget-1405/bundle/round.json",
  "/m/demo/rounds/budget-1405/bundle.zip",
  "/m/demo/rounds/budget-1405/chart.png",
  "/m/%D8%B4%D9%87%D8%B1/rounds/%DB%B1%DB%B4%DB%B0%DB%B5",
  "/m/demo/api/rounds",
  "/m/demo/api/rounds/x/results",
  "/nowhere/at/all",
  "/m",
  "/m/demo/rounds",
  "/m/demo/rounds/budget-1405/vote",
];

/** Matches with their route objects named by id, and whether each is the very object of `tree`. */
function described(matches: Match[] | null, tree: Route[]) {
  const objects = new Set<Route>();
  const walk = (list: Route[]) => {
    for (const r of list) {
      objects.add(r);
      walk(r.children ?? []);
    }
  };
  walk(tree);
  return matches?.map((m) => ({
    id: m.route.id,
    own: objects.has(m.route),
    params: m.params,
    pathname: m.pathname,
    pathnameBase: m.pathnameBase,
  }));
}

describe("memoised route matching", () => {
  it("answers as matchRoutes does on the app's routes, twice, with each tree's own route objects", () => {
    const memo = memoisedMatchRoutes(matchRoutes);
    // Remix builds a fresh tree per page: the second tree must get its own objects back from the memo.
    for (const tree of [appTree(), appTree()]) {
      for (const basename of ["/", "/shora"]) {
        for (const address of addresses) {
          for (const location of [address, { pathname: address.split(/[?#]/)[0] || "/" }]) {
            const at = typeof location === "string" && basename !== "/" ? `${basename}${location}` : location;
            const expected = described(matchRoutes(tree, at, basename), tree);
            expect(described(memo(tree, at, basename), tree), `${basename} ${JSON.stringify(at)}`).toEqual(expected);
            expect(described(memo(tree, at, basename), tree)).toEqual(expected);
          }
        }
      }
    }
    // The tree really has the app's routes, and the memo found them.
    expect(described(memo(appTree(), "/m/demo/rounds/r/vote/green"), appTree())?.at(-1)?.id).toBe(
      "routes/m.$slug.rounds.$round.vote.$envelope",
    );
  });

  it("asks the original once per path and shape, and again when the shape changes", () => {
    let calls = 0;
    const counted = (routes: Route[], location: unknown, basename?: string) => {
      calls++;
      return matchRoutes(routes, location, basename);
    };
    const memo = memoisedMatchRoutes(counted);
    memo(appTree(), "/m/demo/log");
    memo(appTree(), "/m/demo/log");
    memo(appTree(), "/m/demo/log?page=2");
    expect(calls).toBe(1);
    // Same ids, another path for one of them: a different shape, so a different answer.
    const moved = appTree();
    const log = moved[0].children?.find((r) => r.id === "routes/m.$slug.log") as Route;
    log.path = "m/:slug/journal";
    expect(memo(moved, "/m/demo/log")?.at(-1)?.route.id).toBe("routes/$");
    expect(memo(moved, "/m/demo/journal")?.at(-1)?.route).toBe(log);
    expect(calls).toBe(3);
  });

  it("leaves trees without ids to the original, and forgets the oldest path beyond its limit", () => {
    let calls = 0;
    const counted = (routes: Route[], location: unknown, basename?: string) => {
      calls++;
      return matchRoutes(routes, location, basename);
    };
    const memo = memoisedMatchRoutes(counted, 3);
    const anonymous: Route[] = [{ path: "/a" }, { path: "/b/:x" }];
    memo(anonymous, "/b/1");
    memo(anonymous, "/b/1");
    expect(calls).toBe(2);
    expect(memo(anonymous, "/b/1")?.[0].params).toEqual({ x: "1" });

    calls = 0;
    const tree = appTree();
    for (const p of ["/login", "/signup", "/account", "/login"]) memo(tree, p);
    expect(calls).toBe(3);
    memo(tree, "/m/demo"); // a fourth path: "/login" is forgotten
    memo(tree, "/login");
    expect(calls).toBe(5);
  });

  it("hands out copies: a caller changing its matches changes no later answer", () => {
    const memo = memoisedMatchRoutes(matchRoutes);
    const tree = appTree();
    memo(tree, "/m/demo/rounds/r1"); // remembered: the next answers come from the memo
    const first = memo(tree, "/m/demo/rounds/r1") as Match[];
    first[first.length - 1].params.round = "tampered";
    first.pop();
    const second = memo(tree, "/m/demo/rounds/r1") as Match[];
    expect(second.at(-1)?.params.round).toBe("r1");
    expect(second.length).toBe(first.length + 1);
  });
});
