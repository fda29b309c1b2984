/**
 * The delivery worker (ADR 0025): claims one due outbox row at a time with `FOR UPDATE SKIP LOCKED`
 * and a lease (another process skips it, and takes it over only if this one died), sends it, and
 * marks it sent, or schedules a retry with exponential back-off, or after MAX_ATTEMPTS marks it
 * failed with the reason. A row is sent only while `status = 'queued'`: retries never resend a sent
 * message. The one gap no database can close: a process killed after the server accepted a message
 * and before the row was marked sends it again after the lease; the Message-ID is the row's, so the
 * receiving side sees the same message.
 */
import { and, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../../db/client";
import { outbox, users } from "../../../db/schema";
import { renderMessage, renderSms, topicOf } from "../../domain/mail/render";
import { backoffMs } from "../jobs/jobs.server";
import type { PlatformScope } from "../scope";
import { unsubscribeToken, viewerMessages } from "./outbox.server";
import { type MailTransport, type SmsGateway, configuredTransports } from "./transports.server";
import { config } from "../../config.server";
import { deliverWebhook } from "../webhooks/webhooks.server";

/** After this many failed tries a message is marked failed (staff may queue it again). */
export const MAX_ATTEMPTS = 8;
const LEASE_MS = 5 * 60_000;

type Claimed = {
  id: string;
  kind: string;
  channel: "email" | "sms" | "webhook";
  payload: Record<string, unknown>;
  locale: string;
  to_address: string | null;
  user_id: string | null;
  attempts: number;
  created_at: Date;
  webhook_endpoint_id: string | null;
};

/** Claims one due message for the lease; null when none is due. */
async function claimOne(db: Db, now: Date): Promise<Claimed | null> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + LEASE_MS).toISOString();
  const rows = await queryRows<Claimed>(
    db,
    sql`update ${outbox} set attempts = attempts + 1, locked_until = ${until}::timestamptz
      where id = (
        select id from ${outbox}
        where status = 'queued' and next_attempt_at <= ${at}::timestamptz
          and (locked_until is null or locked_until <= ${at}::timestamptz)
        order by next_attempt_at, created_at
        limit 1
        for update skip locked)
      returning id, kind, channel, payload, locale, to_address, user_id, attempts, created_at, webhook_endpoint_id`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...row,
    attempts: Number(row.attempts),
    created_at: new Date(row.created_at),
    payload: typeof row.payload === "string" ? (JSON.parse(row.payload) as Record<string, unknown>) : row.payload,
  };
}

async function sendOne(
  db: Db,
  row: Claimed,
  transports: { mail: MailTransport; sms: SmsGateway; publicUrl: string },
  now: Date,
): Promise<string> {
  // A webhook delivery (ADR 0040): same claim, back-off and failure as a message, its own sender.
  if (row.channel === "webhook")
    return deliverWebhook(db, {
      row: {
        id: row.id,
        kind: row.kind,
        payload: row.payload,
        createdAt: row.created_at,
        webhookEndpointId: row.webhook_endpoint_id,
      },
      now,
    });
  const [user] = row.user_id
    ? await db.select({ email: users.email, name: users.displayName }).from(users).where(eq(users.id, row.user_id))
    : [];
  const to = row.to_address ?? user?.email;
  if (!to) throw new Error("no recipient address");
  const topic = topicOf(row.kind);
  const unsubscribeUrl =
    topic && row.user_id
      ? `${transports.publicUrl}/unsubscribe/${unsubscribeToken({ userId: row.user_id, topic })}`
      : null;
  const rendered = renderMessage({
    kind: row.kind,
    payload: row.payload,
    locale: row.locale,
    name: user?.name ?? "",
    baseUrl: transports.publicUrl,
    unsubscribeUrl,
  });
  if (row.channel === "sms") {
    await transports.sms.send({ to, text: renderSms(rendered, row.locale), id: row.id });
    return transports.sms.name;
  }
  const host = new URL(transports.publicUrl).hostname || "shora.local";
  await transports.mail.send({
    to,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    locale: row.locale,
    messageId: `<${row.id}@${host}>`,
    headers: unsubscribeUrl
      ? { "List-Unsubscribe": `<${unsubscribeUrl}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }
      : {},
  });
  return transports.mail.name;
}

/** Sends due messages one by one until none is due (or `limit` were tried). */
export async function deliverDueMessages(
  db: Db,
  _scope: PlatformScope,
  input: {
    transports?: { mail: MailTransport; sms: SmsGateway; publicUrl: string };
    limit?: number;
    now?: () => Date;
  } = {},
): Promise<{ sent: number; failed: number }> {
  const transports = input.transports ?? configuredTransports();
  const now = input.now ?? (() => new Date());
  let sent = 0;
  let failed = 0;
  const limit = input.limit ?? 100;
  while (sent + failed < limit) {
    const row = await claimOne(db, now());
    if (!row) break;
    try {
      const transport = await sendOne(db, row, transports, now());
      await db
        .update(outbox)
        .set({ status: "sent", sentAt: now(), transport, lockedUntil: null, lastError: null })
        .where(and(eq(outbox.id, row.id), eq(outbox.status, "queued")));
      sent += 1;
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000);
      const giveUp = row.attempts >= MAX_ATTEMPTS;
      await db
        .update(outbox)
        .set({
          status: giveUp ? "failed" : "queued",
          lastError: reason,
          lockedUntil: null,
          nextAttemptAt: new Date(now().getTime() + backoffMs(row.attempts)),
        })
        .where(and(eq(outbox.id, row.id), eq(outbox.status, "queued")));
      failed += 1;
    }
  }
  return { sent, failed };
}

/** Runs `deliverDueMessages` every `intervalMs` until stopped (started by `shora serve`). */
export function startMailWorker(db: Db, input: { intervalMs?: number; report?: (error: unknown) => void } = {}) {
  const scope: PlatformScope = { actor: { kind: "system", name: "mail-worker" } };
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const tick = () => {
    if (busy) return;
    busy = true;
    running = deliverDueMessages(db, scope)
      .catch(input.report ?? console.error)
      .finally(() => {
        busy = false;
      });
  };
  const timer = setInterval(tick, input.intervalMs ?? 2_000);
  timer.unref();
  return {
    poke: tick,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * The local mail viewer (ADR 0025): the newest messages of the platform as their recipients get (or
 * would get) them, for the platform administrator when no mail server is configured.
 */
export async function renderedMessages(db: Db, scope: PlatformScope, input: { limit?: number } = {}) {
  const publicUrl = config().publicUrl;
  const rows = await viewerMessages(db, scope, { limit: input.limit ?? 100 });
  return rows.map((row) => {
    const topic = topicOf(row.kind);
    const unsubscribeUrl =
      topic && row.userId ? `${publicUrl}/unsubscribe/${unsubscribeToken({ userId: row.userId, topic })}` : null;
    const rendered = renderMessage({
      kind: row.kind,
      payload: row.payload,
      locale: row.locale,
      name: row.name ?? "",
      baseUrl: publicUrl,
      unsubscribeUrl,
    });
    return {
      id: row.id,
      to: row.to,
      channel: row.channel,
      status: row.status,
      lastError: row.lastError,
      transport: row.transport,
      locale: row.locale,
      createdAt: row.createdAt,
      subject: rendered.subject,
      text: row.channel === "sms" ? renderSms(rendered, row.locale) : rendered.text,
      link: rendered.link,
    };
  });
}
