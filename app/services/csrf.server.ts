/**
 * CSRF protection: a per-browser random token in an HttpOnly, SameSite=Lax cookie (set by the
 * server on the first request, see app/cli/serve.ts), echoed by every form as a hidden field.
 * Every action reads its form through `readForm`, which refuses a POST whose token is missing
 * or different (403). A cross-site page can neither read the cookie nor set it.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { cookieIn } from "./session.server";
import { deny } from "./http.server";

export const CSRF_COOKIE = "shora_csrf";
export const CSRF_FIELD = "_csrf";

export function newCsrfToken(): string {
  return randomBytes(24).toString("base64url");
}

export function csrfTokenOf(request: Request): string | null {
  return csrfTokenIn(request.headers.get("cookie"));
}

/** `csrfTokenOf` on a raw Cookie header. */
export function csrfTokenIn(cookieHeader: string | null | undefined): string | null {
  const token = cookieIn(cookieHeader, CSRF_COOKIE);
  return token && /^[A-Za-z0-9_-]{32}$/.test(token) ? token : null;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Throws 403 unless the submitted token matches the browser's cookie. */
export function assertCsrf(request: Request, submitted: FormDataEntryValue | string | null): void {
  const expected = csrfTokenOf(request);
  const given = typeof submitted === "string" ? submitted : (request.headers.get("x-csrf-token") ?? "");
  if (!expected || !given || !sameToken(expected, given)) {
    throw deny(403, "csrf", "Missing or wrong CSRF token.");
  }
}

/** Reads a state-changing request's form after checking its method and CSRF token. */
export async function readForm(request: Request): Promise<FormData> {
  if (request.method === "GET" || request.method === "HEAD") {
    throw deny(400, "bad_request", "State changes need POST.");
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    throw deny(400, "bad_request", "The request body is not a form.");
  }
  assertCsrf(request, form.get(CSRF_FIELD));
  // PostgreSQL text cannot hold NUL: refuse it here, with the field named, instead of failing deep down.
  for (const [name, value] of form) {
    if (typeof value === "string" && value.includes("\u0000")) {
      throw deny(400, "bad_request", `${name} contains a NUL character.`);
    }
  }
  return form;
}
