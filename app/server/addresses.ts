/**
 * PostgreSQL text cannot hold NUL. An address that carries one (%00, in the path or the query) has it
 * read as U+FFFD, the character a decoder puts for a byte it cannot use: a page then answers it like any
 * other unknown name (404) instead of a query failing with a 500 in whichever loader first looks it up.
 * Form fields are refused with a 400 naming the field instead (see readForm).
 */
import type { RequestHandler } from "express";

export function withoutNul(url: string): string {
  return url.includes("%00") ? url.replaceAll("%00", "%EF%BF%BD") : url;
}

export function nulFreeAddresses(): RequestHandler {
  return (req, _res, next) => {
    req.url = withoutNul(req.url);
    req.originalUrl = withoutNul(req.originalUrl);
    next();
  };
}
