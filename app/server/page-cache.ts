/**
 * Pages that never change once written — the results of a published round — are rendered once per
 * address and language and then served from memory to observers who are not logged in. A route opts
 * in with the `X-Shora-Page-Cache: public` header (see `PAGE_CACHE_HEADER`). Two things in a page
 * differ per response and are replaced on every hit: the CSP nonce (a fresh one each time) and the
 * visitor's own CSRF token (forms carry it; see app/web/csrf.server.ts). A visitor with a
 * session cookie always gets a freshly rendered page.
 */
import { randomBytes } from "node:crypto";
import type { Request as ExpressRequest, NextFunction, Response } from "express";
import { csrfTokenOf } from "../web/csrf.server";
import { requestLocale } from "../web/locale.server";
import { PAGE_CACHE_HEADER } from "../web/page-cache-header";
import { chunkBytes } from "./http-bodies.ts";
import { SESSION_COOKIE, cookieIn } from "../web/session.server";

const MAX_ENTRIES = 500;

interface Entry {
  status: number;
  headers: [string, string][];
  csp: string;
  nonce: string;
  token: string;
  html: string;
}

export function pageCache() {
  const entries = new Map<string, Entry>();
  return (req: ExpressRequest, res: Response, next: NextFunction) => {
    if (req.method !== "GET" || "_data" in req.query) return next();
    // Logged-in visitors are never served from here: decided on the raw header, before building anything.
    if (cookieIn(req.headers.cookie, SESSION_COOKIE) !== null) return next();
    // Cookies, token and language exactly as the app reads them (a token is 32 URL-safe characters,
    // so what is put into the page can only be such a token).
    const probe = new Request("http://x/", {
      headers: { cookie: req.headers.cookie ?? "", "accept-language": req.headers["accept-language"] ?? "" },
    });
    const token = csrfTokenOf(probe);
    if (!token) return next();
    const locale = requestLocale(probe);
    const key = `${locale} ${req.originalUrl}`;
    const hit = entries.get(key);
    if (hit) {
      const nonce = randomBytes(16).toString("base64");
      for (const [name, value] of hit.headers) res.setHeader(name, value);
      res.setHeader("Content-Security-Policy", hit.csp.replaceAll(hit.nonce, nonce));
      res.setHeader(PAGE_CACHE_HEADER, "hit");
      res.status(hit.status).send(hit.html.replaceAll(hit.nonce, nonce).replaceAll(hit.token, token));
      return;
    }
    // A miss: let the app render, and keep the page if the route asked for it.
    const cookiesBefore = String(res.getHeader("Set-Cookie") ?? "");
    const chunks: Buffer[] = [];
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    const keep = (chunk: unknown, encoding?: unknown) => {
      const bytes = chunkBytes(chunk, encoding);
      if (bytes) chunks.push(bytes);
    };
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      return write(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      keep(chunk, rest[0]);
      const csp = String(res.getHeader("Content-Security-Policy") ?? "");
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      if (
        res.statusCode === 200 &&
        res.getHeader(PAGE_CACHE_HEADER) === "public" &&
        String(res.getHeader("Set-Cookie") ?? "") === cookiesBefore &&
        String(res.getHeader("Content-Type") ?? "").startsWith("text/html") &&
        nonce
      ) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
        const headers: [string, string][] = [];
        for (const name of res.getHeaderNames()) {
          if (
            [
              "set-cookie",
              "content-length",
              "content-encoding",
              "content-security-policy",
              "vary",
              "transfer-encoding",
              "connection",
            ].includes(name)
          )
            continue;
          headers.push([name, String(res.getHeader(name))]);
        }
        entries.set(key, { status: 200, headers, csp, nonce, token, html: Buffer.concat(chunks).toString("utf8") });
      }
      return end(chunk, ...rest);
    }) as typeof res.end;
    next();
  };
}
