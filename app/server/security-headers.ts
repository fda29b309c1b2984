/**
 * The security headers of app/server/security-policy.server.ts on every response the pages do
 * not set themselves (resource routes, redirects, errors), with the policy that forbids everything.
 * Scripts and styles under /assets get nosniff only.
 */
import type { RequestHandler } from "express";
import { NON_PAGE_POLICY, SECURITY_HEADERS } from "./security-policy.server";

export function securityHeaders(): RequestHandler {
  return (req, res, next) => {
    const asset = req.path.startsWith("/assets/");
    const writeHead = res.writeHead;
    res.writeHead = function (this: typeof res, ...args: Parameters<typeof writeHead>) {
      for (const [name, value] of SECURITY_HEADERS)
        if ((!asset || name === "X-Content-Type-Options") && !res.hasHeader(name)) res.setHeader(name, value);
      if (!asset && !res.hasHeader("Content-Security-Policy"))
        res.setHeader("Content-Security-Policy", NON_PAGE_POLICY);
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  };
}
