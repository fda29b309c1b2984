/**
 * The outbox (ADR 0025): every e-mail and SMS Shora sends is a row queued inside the transaction of
 * the change that causes it, so a message exists if and only if the change committed. The delivery
 * worker (`delivery.server.ts`) claims rows with `FOR UPDATE SKIP LOCKED` and a lease, so several
 * processes never send one row twice, retries with back-off, and marks each row sent or failed.
 *
 * For other areas, the one call to know is `enqueueMessage(tx, {...})`: pass your transaction, a
 * `kind` the renderer knows (app/domain/mail/render.ts), the recipient (`userId`, or `toAddress` for
 * an address that is no account's yet), the payload the message shows (never ballot choices) and an
 * idempotency key naming the event and the recipient (`vote:<ballot>:<user>`): a second enqueue with
 * the same key is ignored. Topic messages a person switched off are not queued.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { and, count, desc, eq, inArray, ne, sql } from "drizzle-orm";
import { type Db, type Tx, queryRows } from "../../../db/client";
import { notificationOptOuts, notificationSms, outbox, users } from "../../../db/schema";
import { type NotificationTopic, isTopic, topicOf } from "../../domain/mail/render";
import { actionBy, recordAction } from "../action-log/action-log.server";
import type { PlatformScope, Scope } from "../scope";
import { serverSecret } from "../secrets.server";

export interface MessageInput {
  kind: string;
  /** The account the message is for; its address and language are used unless given. */
  userId?: string | null;
  /** An address (or phone number for SMS) other than the account's current one. */
  toAddress?: string | null;
  channel?: "email" | "sms";
  locale?: string;
  municipalityId?: string | null;
  payload: Record<string, unknown>;
  /** Names the event and the recipient; a second message with the same key is never queued. */
  idempotencyKey: string;
  now?: Date;
  /** Sent no earlier than this long after `now`. */
  delayMs?: number;
}

/** Queues one message in the caller's transaction; returns its id, or null (duplicate, or switched off). */
export async function enqueueMessage(db: Db | Tx, input: MessageInput): Promise<string | null> {
  const topic = topicOf(input.kind);
  if (!input.userId && !input.toAddress) throw new Error("enqueueMessage: a userId or a toAddress is required");
  const id = randomUUID();
  const now = input.now ?? new Date();
  const nextAttemptAt = new Date(Math.max(now.getTime(), Date.now()) + (input.delayMs ?? 0));
  // One statement (a cast queues its confirmation on the ballot path): the recipient's language and
  // their opt-out of the topic are read by the insert itself; no row when either says no. A topic
  // the person also wants by text message adds a row for their confirmed phone, once, with the mail.
  const alsoSms =
    input.userId && topic && (input.channel ?? "email") === "email" && !input.toAddress
      ? sql`, sms as (insert into ${outbox} (id, kind, user_id, to_address, channel, locale, municipality_id, payload, idempotency_key, created_at, next_attempt_at)
      select ${randomUUID()}, ${input.kind}, u.id, u.phone, 'sms', coalesce(${input.locale ?? null}, u.locale, 'en'),
        ${input.municipalityId ?? null}, ${JSON.stringify(input.payload)}::jsonb, ${`${input.idempotencyKey}:sms`},
        ${now.toISOString()}::timestamptz, ${nextAttemptAt.toISOString()}::timestamptz
      from ${users} u
      where u.id = ${input.userId} and u.phone is not null and u.phone_confirmed_at is not null
        and exists (select 1 from ${notificationSms} where user_id = u.id and topic = ${topic})
        and exists (select 1 from mail)
      on conflict (idempotency_key) do nothing)`
      : sql``;
  const rows = await queryRows<{ id: string }>(
    db,
    sql`with mail as (insert into ${outbox} (id, kind, user_id, to_address, channel, locale, municipality_id, payload, idempotency_key, created_at, next_attempt_at)
    select ${id}, ${input.kind}, ${input.userId ?? null}, ${input.toAddress ?? null}, ${input.channel ?? "email"},
      coalesce(${input.locale ?? null}, ${input.userId ? sql`(select locale from ${users} where id = ${input.userId})` : sql`null`}, 'en'),
      ${input.municipalityId ?? null}, ${JSON.stringify(input.payload)}::jsonb, ${input.idempotencyKey},
      ${now.toISOString()}::timestamptz, ${nextAttemptAt.toISOString()}::timestamptz
    where ${
      input.userId
        ? sql`exists (select 1 from ${users} where id = ${input.userId})${
            topic
              ? sql` and not exists (select 1 from ${notificationOptOuts} where user_id = ${input.userId} and topic = ${topic})`
              : sql``
          }`
        : sql`true`
    }
    on conflict (idempotency_key) do nothing
    returning id)${alsoSms}
    select id from mail`,
  );
  return rows.length ? id : null;
}

/** Queues the same kind of message for many people (a broadcast); returns how many were queued. */
export async function enqueueMessages(db: Db | Tx, input: { messages: MessageInput[] }): Promise<number> {
  let queued = 0;
  for (const message of input.messages) if (await enqueueMessage(db, message)) queued += 1;
  return queued;
}

// ---- unsubscribe links (RFC 8058) ----

function unsubscribeMac(userId: string, topic: string): string {
  return createHmac("sha256", serverSecret()).update(`unsubscribe\u0000${userId}\u0000${topic}`).digest("base64url");
}

/** The signed token of a one-click unsubscribe link: works without logging in, for this person and topic. */
export function unsubscribeToken(input: { userId: string; topic: NotificationTopic }): string {
  return `${Buffer.from(input.userId).toString("base64url")}.${input.topic}.${unsubscribeMac(input.userId, input.topic)}`;
}

export function readUnsubscribeToken(token: string): { userId: string; topic: NotificationTopic } | null {
  const [user, topic, mac] = token.split(".");
  if (!user || !topic || !mac || !isTopic(topic)) return null;
  const userId = Buffer.from(user, "base64url").toString("utf8");
  const expected = Buffer.from(unsubscribeMac(userId, topic));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { userId, topic };
}

/** Switches a topic off for the person the signed token names; false when the token is not valid. */
export async function unsubscribe(db: Db, _scope: PlatformScope, input: { token: string }): Promise<boolean> {
  const target = readUnsubscribeToken(input.token);
  if (!target) return false;
  await db.insert(notificationOptOuts).values({ userId: target.userId, topic: target.topic }).onConflictDoNothing();
  return true;
}

/** The topics the acting person switched off. */
export async function optedOut(db: Db | Tx, input: { userId: string }): Promise<NotificationTopic[]> {
  const rows = await db
    .select({ topic: notificationOptOuts.topic })
    .from(notificationOptOuts)
    .where(eq(notificationOptOuts.userId, input.userId));
  return rows.map((r) => r.topic).filter(isTopic);
}

/** The topics the person also wants by text message. */
export async function smsTopics(db: Db | Tx, input: { userId: string }): Promise<NotificationTopic[]> {
  const rows = await db
    .select({ topic: notificationSms.topic })
    .from(notificationSms)
    .where(eq(notificationSms.userId, input.userId));
  return rows.map((r) => r.topic).filter(isTopic);
}

/**
 * Saves the person's choice: `enabled` topics on, every other topic off; `sms`, when given, the
 * topics also sent by text message (only to a confirmed phone).
 */
export async function saveNotificationChoices(
  db: Db,
  _scope: PlatformScope,
  input: { userId: string; enabled: NotificationTopic[]; all: readonly NotificationTopic[]; sms?: NotificationTopic[] },
) {
  await db.transaction(async (tx) => {
    await tx.delete(notificationOptOuts).where(eq(notificationOptOuts.userId, input.userId));
    const off = input.all.filter((t) => !input.enabled.includes(t));
    if (off.length) await tx.insert(notificationOptOuts).values(off.map((topic) => ({ userId: input.userId, topic })));
    if (input.sms) {
      await tx.delete(notificationSms).where(eq(notificationSms.userId, input.userId));
      const sms = [...new Set(input.sms)].filter((t) => input.all.includes(t));
      if (sms.length) await tx.insert(notificationSms).values(sms.map((topic) => ({ userId: input.userId, topic })));
    }
  });
}

// ---- staff and the platform administrator ----

/** Counts by status of a municipality's messages. */
export async function outboxCounts(db: Db, scope: Scope) {
  const rows = await db
    .select({ status: outbox.status, n: count() })
    .from(outbox)
    .where(eq(outbox.municipalityId, scope.municipality.id))
    .groupBy(outbox.status);
  const counts = { queued: 0, sent: 0, failed: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** The latest messages of a municipality (who, what, status, error); never their text. */
export async function outboxMessages(db: Db, scope: Scope) {
  return db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      channel: outbox.channel,
      status: outbox.status,
      lastError: outbox.lastError,
      attempts: outbox.attempts,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
      email: sql<string>`coalesce(${outbox.toAddress}, ${users.email})`,
    })
    .from(outbox)
    .leftJoin(users, eq(users.id, outbox.userId))
    .where(eq(outbox.municipalityId, scope.municipality.id))
    .orderBy(desc(outbox.createdAt))
    .limit(200);
}

/**
 * Staff queue a municipality's failed messages again (their idempotency keys stay: each is still sent
 * at most once); the retry is in the action log.
 */
export async function retryFailedMessages(db: Db, scope: Scope, input: { now?: Date } = {}): Promise<number> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(outbox)
      .set({ status: "queued", attempts: 0, nextAttemptAt: now, lockedUntil: null })
      .where(and(eq(outbox.municipalityId, scope.municipality.id), eq(outbox.status, "failed")))
      .returning({ id: outbox.id });
    if (rows.length) {
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "outbox.retry",
        target: `municipality:${scope.municipality.slug}`,
        after: { messages: rows.length },
        at: now,
      });
    }
    return rows.length;
  });
}

/** The mail viewer: the newest messages of the whole platform, as they were (or would be) delivered. */
export async function viewerMessages(db: Db, _scope: PlatformScope, input: { ids?: string[]; limit?: number } = {}) {
  const rows = await db
    .select({
      id: outbox.id,
      kind: outbox.kind,
      channel: outbox.channel,
      status: outbox.status,
      transport: outbox.transport,
      payload: outbox.payload,
      locale: outbox.locale,
      createdAt: outbox.createdAt,
      userId: outbox.userId,
      lastError: outbox.lastError,
      to: sql<string>`coalesce(${outbox.toAddress}, ${users.email})`,
      name: users.displayName,
    })
    .from(outbox)
    .leftJoin(users, eq(users.id, outbox.userId))
    // Webhook deliveries (ADR 0040) are not messages to people.
    .where(and(ne(outbox.channel, "webhook"), input.ids ? inArray(outbox.id, input.ids) : undefined))
    .orderBy(desc(outbox.createdAt))
    .limit(input.limit ?? 100);
  return rows;
}
