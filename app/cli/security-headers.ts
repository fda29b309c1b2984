/**
 * Security headers on every response the pages do not set themselves: resource routes (bundle
 * files, JSON and CSV exports, chart images), redirects and errors. Such a response is never a page
 * that runs anything, so its policy forbids everything (`default-src 'none'; sandbox`): even an
 * export full of someone's `<script>` text opened in a tab stays inert text. Pages keep the
 * nonce-based policy of app/entry.server.tsx; scripts and styles under /assets get nosniff only.
 */
import type { RequestHandler } from "express";

export const EXPORT_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    const asset = req.path.startsWith("/assets/");
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      if (!res.hasHeader("X-Content-Type-Options")) res.setHeader("X-Content-Type-Options", "nosniff");
      if (!asset) {
        if (!res.hasHeader("Content-Security-Policy")) res.setHeader("Content-Security-Policy", EXPORT_POLICY);
        if (!res.hasHeader("X-Frame-Options")) res.setHeader("X-Frame-Options", "DENY");
        if (!res.hasHeader("Referrer-Policy")) res.setHeader("Referrer-Policy", "same-origin");
      }
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  };
}
