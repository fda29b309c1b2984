/** Addresses of route modules, built and read back as the server reads them. */
import { matchRoutes } from "@remix-run/router";
import { withoutNul } from "../../../app/server/addresses";

/** The URL pattern of a route module, by Remix's flat-routes naming (`$param`, `$` splat, `[.csv]`, `_index`, `name_`). */
export function routePattern(file: string): string {
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(/\.(?![^[]*\])/)
    .map((s) =>
      s === "_index"
        ? ""
        : s === "$"
          ? "*"
          : s
              .replace(/^\$/, ":")
              .replace(/_$/, "")
              .replace(/\[([^\]]*)\]/g, "$1"),
    )
    .filter(Boolean);
  return `/${segments.join("/")}`;
}

/** Percent-encodes a path segment or query value byte by byte (lone surrogates as U+FFFD, like a browser). */
export function encodePart(value: string): string {
  return [...new TextEncoder().encode(value)]
    .map((b) =>
      b < 128 && /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, "0")}`,
    )
    .join("");
}

/**
 * The address a browser would send for these route parameters and query, read as the server reads it
 * (app/server/addresses.ts, then the URL parser, then Remix's route matching and decoding): the URL and
 * the parameters the route module gets, or null when the address is not this route's (an empty segment,
 * `..` climbing out).
 */
export function throughServer(
  file: string,
  raw: Record<string, string>,
  query: [string, string][] = [],
): { url: string; params: Record<string, string> } | null {
  const pattern = routePattern(file);
  const path = pattern.replace(/:(\w+)|\*/g, (_whole, name: string | undefined) => encodePart(raw[name ?? "*"] ?? ""));
  const search = query.length ? `?${query.map(([k, v]) => `${encodePart(k)}=${encodePart(v)}`).join("&")}` : "";
  const url = new URL(withoutNul(`${path}${search}`), "http://localhost");
  const matches = matchRoutes([{ path: pattern }], url.pathname);
  if (!matches) return null;
  return { url: url.toString(), params: matches[0].params as Record<string, string> };
}
