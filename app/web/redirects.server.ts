/**
 * The one check for every redirect target taken from a request (`next`, `redirectTo`): only a path on
 * this site, never another host (ADR 0015).
 */
import { deny } from "./http.server";

/** C0, DEL and C1 control characters. */
const CONTROL = /\p{Cc}/u;
/** Characters a browser or a proxy may read as a slash or backslash. */
const SLASHLIKE = /[\\\u2044\u2215\u29f5\u29f8\u29f9\ufe68\uff0f\uff3c]/;
const BASE = "http://shora.invalid";

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A same-origin path to redirect to, or "/" for anything else (another host, a scheme, `//`, `/\`,
 * a backslash or look-alike slash). Control characters, typed or percent-encoded, are a 400 naming `field`.
 */
export function safeRedirect(value: unknown, field = "next", fallback = "/"): string {
  if (typeof value !== "string" || value === "") return fallback;
  const plain = decoded(value);
  if (CONTROL.test(value) || CONTROL.test(plain)) {
    throw deny(400, "bad_address", `${field} contains control characters.`);
  }
  for (const v of [value, plain]) {
    if (!v.startsWith("/") || v.startsWith("//") || SLASHLIKE.test(v)) return fallback;
  }
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return fallback;
  }
  if (url.origin !== BASE) return fallback;
  const path = url.pathname + url.search + url.hash;
  return path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}
