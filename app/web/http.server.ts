import { json } from "@remix-run/node";

/** Reason codes of thrown error responses; the ErrorBoundary turns them into localized text. */
export type DenyReason =
  | "login"
  | "staff"
  | "admin"
  | "platform_admin"
  | "csrf"
  | "not_found"
  | "bad_request"
  | "bad_address"
  | "too_large"
  | "throttled";

export interface ErrorPayload {
  reason: DenyReason;
  /** An English detail for logs and API clients (user-facing text comes from the dictionary). */
  message: string;
}

export function deny(status: 400 | 403 | 404 | 413 | 429, reason: DenyReason, message: string): Response {
  return json<ErrorPayload>({ reason, message }, { status });
}

export function notFound(what = "page"): Response {
  return deny(404, "not_found", `No such ${what}.`);
}
