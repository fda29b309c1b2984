/**
 * Outgoing webhooks (ADR 0040): the events a municipality may subscribe to, the address rule, and the
 * signature every delivery carries. A receiver checks a delivery with `verifyWebhookSignature` (or
 * the same few lines in its own language):
 *
 *   Shora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
 *
 * accept only when some v1 matches (compared in constant time) and |now − t| ≤ 300 s; remember the
 * Shora-Delivery id to ignore a repeat (a retry carries the same id and body, and a fresh t).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export { type WebhookEvent, isWebhookEvent, webhookEvents } from "./events";

/** Seconds a signature stays acceptable either side of the receiver's clock. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** https anywhere; plain http only to this machine (development and tests), as for the e-ID (ADR 0038). */
export function webhookUrlProblem(value: string): "url_invalid" | "url_not_https" | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "url_invalid";
  }
  if (url.username || url.password) return "url_invalid";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) return null;
  return "url_not_https";
}

function mac(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/** The Shora-Signature header of `body` sent at `timestamp` (unix seconds). */
export function signWebhook(input: { secret: string; timestamp: number; body: string }): string {
  return `t=${input.timestamp},v1=${mac(input.secret, input.timestamp, input.body)}`;
}

export type WebhookCheck = { ok: true; timestamp: number } | { ok: false; reason: "malformed" | "stale" | "mismatch" };

/** What a receiver does with a delivery: the raw body as received, the header, its secret, its clock. */
export function verifyWebhookSignature(input: {
  secret: string;
  header: string | null | undefined;
  body: string;
  now?: Date;
  toleranceSeconds?: number;
}): WebhookCheck {
  const parts = (input.header ?? "").split(",").map((p) => p.trim());
  const t = parts.find((p) => p.startsWith("t="))?.slice(2) ?? "";
  const signatures = parts.filter((p) => p.startsWith("v1=")).map((p) => p.slice(3));
  if (!/^\d{1,12}$/.test(t) || signatures.length === 0) return { ok: false, reason: "malformed" };
  const timestamp = Number(t);
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS))
    return { ok: false, reason: "stale" };
  const expected = Buffer.from(mac(input.secret, timestamp, input.body), "utf8");
  const matches = signatures.some((s) => {
    const given = Buffer.from(s, "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  return matches ? { ok: true, timestamp } : { ok: false, reason: "mismatch" };
}
