/**
 * The files of `public/` (copied by the build to the top of build/client): robots.txt, the web app
 * manifest and its icons, and /.well-known/security.txt, with caching headers. Only top-level names
 * with an extension and /.well-known/ are looked up, so pages do not cost a file-system stat each.
 */
import path from "node:path";
import type { NextFunction, Request, Response } from "express";
import express from "express";

/** How long a browser or a proxy may keep a public file: they change only with a new build. */
export const PUBLIC_MAX_AGE = "1d";

const TOP_LEVEL = /^\/[^/]+\.[a-z0-9]+$/i;

export function publicFiles(folder: string) {
  const setHeaders = (res: Response, file: string) => {
    res.locals.route = "public";
    if (file.endsWith(".webmanifest")) res.setHeader("Content-Type", "application/manifest+json; charset=utf-8");
    if (file.endsWith(".txt")) res.setHeader("Content-Type", "text/plain; charset=utf-8");
  };
  const topLevel = express.static(folder, { maxAge: PUBLIC_MAX_AGE, index: false, setHeaders });
  const wellKnown = express.static(path.join(folder, ".well-known"), {
    maxAge: PUBLIC_MAX_AGE,
    index: false,
    setHeaders,
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    if (TOP_LEVEL.test(req.path)) return topLevel(req, res, next);
    if (req.path.startsWith("/.well-known/") && TOP_LEVEL.test(req.path.slice("/.well-known".length))) {
      const rest = req.url.slice("/.well-known".length);
      const original = req.url;
      req.url = rest;
      return wellKnown(req, res, (error?: unknown) => {
        req.url = original;
        next(error);
      });
    }
    next();
  };
}
