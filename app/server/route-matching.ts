/**
 * Remembers which routes match a path, so that Remix does not flatten, rank and compile its whole
 * route tree again for every match. A page asks @remix-run/router's `matchRoutes` about ten times:
 * once to find its routes, once more to render them, and six more times for lazy route discovery
 * (every parent path of the address, for the page's initial manifest). Each call flattens the tree
 * of ~50 routes, ranks the branches and compiles a regular expression per branch tried: under the
 * load bench that was a fifth of the server's CPU (ADR 0013's addendum).
 *
 * The answer depends only on the tree's shape — each route's id, path, index and case flags, and
 * its children — and on the path and basename. Remix builds a fresh route tree for every page it
 * renders, so the memo is keyed by the shape (read once per tree object), not by the tree, and the
 * remembered matches are rebuilt with the route objects of the tree that asked. A tree whose routes
 * lack ids, or an unusual location argument, is left to the original function.
 *
 * @remix-run/router is CommonJS, and its callers (server-runtime, the fog-of-war code of
 * @remix-run/react, react-router) all call it through the module's exports object, so replacing
 * the `matchRoutes` export there is seen by all of them. The router's own internal matching
 * (`createStaticHandler`) keeps calling the original.
 */
import { createRequire } from "node:module";

interface RouteLike {
  id?: string;
  path?: string;
  index?: boolean;
  caseSensitive?: boolean;
  children?: RouteLike[];
}

interface MatchLike {
  params: Record<string, string | undefined>;
  pathname: string;
  pathnameBase: string;
  route: RouteLike;
}

type MatchRoutes = (routes: RouteLike[], location: unknown, basename?: string) => MatchLike[] | null;

interface Remembered {
  id: string;
  params: Record<string, string | undefined>;
  pathname: string;
  pathnameBase: string;
}

interface Shape {
  /** A small number per distinct shape, so cache keys stay short. */
  key: number;
  byId: Map<string, RouteLike>;
}

const MEMO = Symbol.for("shora.memoisedMatchRoutes");

/**
 * A `matchRoutes` that remembers the answers of `original` for up to `limit` paths per shape
 * (oldest forgotten first: paths come from the address bar, so the memo must stay bounded).
 */
export function memoisedMatchRoutes(original: MatchRoutes, limit = 1000): MatchRoutes {
  const shapeKeys = new Map<string, number>();
  const shapes = new WeakMap<RouteLike[], Shape | null>();
  const answers = new Map<string, Remembered[] | null>();

  function shapeOf(routes: RouteLike[]): Shape | null {
    const known = shapes.get(routes);
    if (known !== undefined) return known;
    const byId = new Map<string, RouteLike>();
    const parts: string[] = [];
    let complete = true;
    const walk = (list: RouteLike[]) => {
      for (const route of list) {
        if (typeof route.id !== "string" || byId.has(route.id)) complete = false;
        else byId.set(route.id, route);
        parts.push(
          `${route.id}\u0001${route.path ?? "\u0002"}\u0001${route.index ? 1 : 0}${route.caseSensitive ? 1 : 0}(`,
        );
        if (route.children?.length) walk(route.children);
        parts.push(")");
      }
    };
    walk(routes);
    let shape: Shape | null = null;
    if (complete) {
      const text = parts.join("");
      let key = shapeKeys.get(text);
      if (key === undefined) {
        key = shapeKeys.size;
        shapeKeys.set(text, key);
      }
      shape = { key, byId };
    }
    shapes.set(routes, shape);
    return shape;
  }

  const matchRoutes: MatchRoutes = (routes, location, basename = "/") => {
    const pathname =
      typeof location === "string"
        ? location.split(/[?#]/, 1)[0]
        : typeof location === "object" &&
            location !== null &&
            typeof (location as { pathname?: unknown }).pathname === "string"
          ? (location as { pathname: string }).pathname
          : null;
    const shape = Array.isArray(routes) && pathname !== null ? shapeOf(routes) : null;
    if (!shape) return original(routes, location, basename);
    const key = `${shape.key} ${basename.length} ${basename}${pathname}`;
    let remembered = answers.get(key);
    if (remembered === undefined) {
      const matches = original(routes, location, basename);
      remembered = matches
        ? matches.map((m) => ({
            id: m.route.id as string,
            params: { ...m.params },
            pathname: m.pathname,
            pathnameBase: m.pathnameBase,
          }))
        : null;
      // A match on a route the shape does not name (never expected) is not remembered.
      if (remembered?.some((m) => shape.byId.get(m.id) === undefined)) return matches;
      if (answers.size >= limit) answers.delete(answers.keys().next().value as string);
      answers.set(key, remembered);
      return matches;
    }
    return remembered
      ? remembered.map((m) => ({
          params: { ...m.params },
          pathname: m.pathname,
          pathnameBase: m.pathnameBase,
          route: shape.byId.get(m.id) as RouteLike,
        }))
      : null;
  };
  return Object.assign(matchRoutes, { [MEMO]: true });
}

/** Replaces @remix-run/router's `matchRoutes` export with the memoised one (once per process). */
export function memoiseRouteMatching(): void {
  const router = createRequire(import.meta.url)("@remix-run/router") as { matchRoutes: MatchRoutes };
  if ((router.matchRoutes as unknown as Record<symbol, unknown>)[MEMO]) return;
  router.matchRoutes = memoisedMatchRoutes(router.matchRoutes);
}
