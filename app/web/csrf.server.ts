/**
 * CSRF protection: a per-browser random token in an HttpOnly, SameSite=Lax cookie (set by the
 * server on the first request, see app/server/serve.ts), echoed by every form as a hidden field.
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

/**
 * An RFC 8058 one-click unsubscribe: a mail client POSTs exactly `List-Unsubscribe=One-Click`, with
 * no cookie and so no CSRF token; the signed address itself authorises it (ADR 0025). Only small
 * bodies with a Content-Length are looked at.
 */
export async function isOneClickUnsubscribe(request: Request): Promise<boolean> {
  const length = Number(request.headers.get("content-length") ?? "NaN");
  if (request.method !== "POST" || !Number.isFinite(length) || length > 256) return false;
  const body = new URLSearchParams(await request.clone().text());
  return body.get("List-Unsubscribe") === "One-Click";
}

/**
 * Largest body of an ordinary form (text fields only): a proposal in both languages with its longest
 * texts is well under 200 KB even percent-encoded. Forms with a file set their own limit (ADR 0014).
 */
export const FORM_MAX_BYTES = 1024 * 1024;

/** Reads a state-changing request's form after checking its method and CSRF token (413 over `maxBytes`). */
export async function readForm(request: Request, maxBytes = FORM_MAX_BYTES): Promise<FormData> {
  const form = await readUploadForm(request, maxBytes);
  if (!form) throw deny(413, "too_large", `The request body is larger than ${maxBytes} bytes.`);
  return form;
}

/**
 * `readForm` for a form with a file: `null` when the body is larger than `maxBytes`, so the page can
 * name the file field. The body is refused by its Content-Length before anything is read, and
 * otherwise counted as it arrives (a missing or lying Content-Length): reading stops at the first
 * byte over the limit, so a huge upload never sits in memory. The rest is left unread, not
 * cancelled: cancelling destroys the socket, and the browser would get a reset instead of the answer.
 */
export async function readUploadForm(request: Request, maxBytes: number): Promise<FormData | null> {
  if (request.method === "GET" || request.method === "HEAD") {
    throw deny(400, "bad_request", "State changes need POST.");
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return null;
  let seen = 0;
  let over = false;
  const counted = request.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen <= maxBytes) controller.enqueue(chunk);
        else {
          over = true;
          controller.error(new Error("request body too large"));
        }
      },
    }),
    { preventCancel: true },
  );
  let form: FormData;
  try {
    const headers = { "content-type": request.headers.get("content-type") ?? "" };
    form = await new Response(counted ?? null, { headers }).formData();
  } catch {
    if (over) return null;
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
