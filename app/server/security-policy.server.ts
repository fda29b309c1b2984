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

/**
 * A page's policy: scripts only from this site or carrying this response's nonce; forms lead to this
 * site, or to an identity provider in `formTargets` (browsers check `form-action` along the redirects
 * of the e-ID button and of signing out, ADR 0038).
 */
export function pagePolicy(nonce: string, formTargets: readonly string[] = []): string {
  const targets = [...new Set(formTargets.map(formTargetOrigin).filter((o): o is string => o !== null))];
  const formAction = ["'self'", ...targets].join(" ");
  return `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'nonce-${nonce}'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action ${formAction}`;
}
