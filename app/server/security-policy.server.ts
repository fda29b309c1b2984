/**
 * The security headers every response carries. Pages add their own nonce-based
 * Content-Security-Policy (app/entry.server.tsx); every other response — resource routes (bundle
 * files, JSON and CSV exports, chart images), redirects and errors — gets `NON_PAGE_POLICY`
 * (app/server/security-headers.ts), which forbids everything, so even an export full of someone's
 * `<script>` text opened in a tab stays inert text.
 */
export const SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ["X-Frame-Options", "DENY"],
  ["X-Content-Type-Options", "nosniff"],
  ["Referrer-Policy", "same-origin"],
];

export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** An http(s) URL's origin as `form-action` may name it, or null. */
export function formTargetOrigin(value: string | null | undefined): string | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
  } catch {
    return null;
  }
}

/** An image source `img-src` may name: an https origin, or `https://*.host` (a tile server's {s}); else null. */
export function imageSource(value: string): string | null {
  const match = /^https:\/\/(\*\.)?([a-z0-9.-]+)(:\d{1,5})?$/i.exec(value);
  return match ? value.toLowerCase() : null;
}

/**
 * A page's policy: scripts only from this site or carrying this response's nonce; forms lead to this
 * site, or to an identity provider in `formTargets` (browsers check `form-action` along the redirects
 * of the e-ID button and of signing out, ADR 0038); images from this site, or from `imageSources`:
 * the street map's tile server of the municipality whose page it is (ADR 0035).
 */
export function pagePolicy(
  nonce: string,
  formTargets: readonly string[] = [],
  imageSources: readonly string[] = [],
): string {
  const targets = [...new Set(formTargets.map(formTargetOrigin).filter((o): o is string => o !== null))];
  const formAction = ["'self'", ...targets].join(" ");
  const images = [...new Set(imageSources.map(imageSource).filter((o): o is string => o !== null))];
  const imgSrc = ["'self'", "data:", ...images].join(" ");
  return `default-src 'self'; img-src ${imgSrc}; style-src 'self' 'unsafe-inline'; script-src 'self' 'nonce-${nonce}'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action ${formAction}`;
}
