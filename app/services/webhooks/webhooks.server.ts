/**
 * Outgoing webhooks (ADR 0040). A municipality's administrators register https addresses for public
 * events; each endpoint gets a secret generated here, shown once and kept in the key store (ADR 0016).
 * `queueWebhookEvent(tx, …)` is called inside the transaction of the change: it adds one outbox row
 * (channel "webhook") per active endpoint that subscribed, so a delivery exists exactly when the
 * change committed, and the mail worker delivers it with the same lease, back-off and failed/retry
 * as e-mail (ADR 0025). Payloads carry public data only: ids, slugs, statuses, amounts, never a
 * person or a ballot.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { createKeyOnce, destroyKey, readKey } from "../../../db/keystore";
import { outbox, webhookEndpoints } from "../../../db/schema";
import { type WebhookEvent, isWebhookEvent, signWebhook, webhookUrlProblem } from "../../domain/webhooks/signature";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { postGuarded, privateTargetProblem } from "./addresses.server";
import type { Scope } from "../scope";
import { actorUserId } from "../scope";

export type WebhookRefusal =
  | "url_invalid"
  | "url_not_https"
  | "url_private"
  | "events_missing"
  | "endpoint_not_found"
  | "too_many";

/** Endpoints one municipality may register. */
export const MAX_ENDPOINTS = 20;
/** Seconds Shora waits for a receiver's answer. */
const DELIVERY_TIMEOUT_MS = 10_000;

export const webhookSecretName = (endpointId: string) => `webhook-${endpointId}.secret`;

/**
 * The key of a phase's start (round, phase, the municipality's day it began): a staff change and the
 * dated start of the same day name the same occurrence, so receivers hear of it once.
 */
export const phaseChangeKey = (round: string, phase: string, day: string) => `${round}:${phase}:${day}`;

/** Queues `event` for every active endpoint of the municipality that subscribed, in the caller's transaction. */
export async function queueWebhookEvent(
  tx: Db | Tx,
  input: {
    municipality: { id: string; slug: string };
    event: WebhookEvent;
    /** Names the occurrence: a second queue with the same key is ignored (per endpoint). */
    key: string;
    data: Record<string, unknown>;
    now?: Date;
  },
): Promise<number> {
  const now = input.now ?? new Date();
  const endpoints = await tx
    .select({ id: webhookEndpoints.id, url: webhookEndpoints.url })
    .from(webhookEndpoints)
    .where(
      and(
        eq(webhookEndpoints.municipalityId, input.municipality.id),
        eq(webhookEndpoints.active, true),
        sql`${webhookEndpoints.events} @> ${JSON.stringify([input.event])}::jsonb`,
      ),
    );
  if (!endpoints.length) return 0;
  const at = new Date(Math.max(now.getTime(), Date.now()));
  const rows = await tx
    .insert(outbox)
    .values(
      endpoints.map((e) => ({
        id: randomUUID(),
        municipalityId: input.municipality.id,
        kind: input.event,
        channel: "webhook" as const,
        toAddress: e.url,
        webhookEndpointId: e.id,
        payload: { municipality: input.municipality.slug, ...input.data },
        idempotencyKey: `webhook:${input.event}:${input.key}:${e.id}`,
        createdAt: now,
        nextAttemptAt: at,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: outbox.id });
  return rows.length;
}

function parseEvents(events: readonly string[]): WebhookEvent[] {
  const chosen = [...new Set(events.filter(isWebhookEvent))];
  if (!chosen.length) throw new RefusedError<WebhookRefusal>("events_missing", "events");
  return chosen;
}

/** Registers an endpoint; returns its id and the secret (shown once: only the key store keeps it). */
export async function createWebhookEndpoint(
  db: Db,
  scope: Scope,
  input: { url: string; events: readonly string[]; now?: Date },
): Promise<{ id: string; secret: string }> {
  const url = input.url.trim();
  const problem = webhookUrlProblem(url);
  if (problem) throw new RefusedError<WebhookRefusal>(problem, "url");
  if (url.length > 2000) throw new RefusedError<WebhookRefusal>("url_invalid", "url");
  if (privateTargetProblem(new URL(url))) throw new RefusedError<WebhookRefusal>("url_private", "url");
  const events = parseEvents(input.events);
  const now = input.now ?? new Date();
  const id = randomUUID();
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  await db.transaction(async (tx) => {
    const existing = await tx
      .select({ id: webhookEndpoints.id })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.municipalityId, scope.municipality.id));
    if (existing.length >= MAX_ENDPOINTS)
      throw new RefusedError<WebhookRefusal>("too_many", "url", { max: MAX_ENDPOINTS }, 409);
    await tx.insert(webhookEndpoints).values({
      id,
      municipalityId: scope.municipality.id,
      url,
      events,
      createdBy: actorUserId(scope),
      createdAt: now,
    });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "webhook.create",
      target: `webhook:${id}`,
      after: { url: new URL(url).origin, events },
      at: now,
    });
    // Last: a failure here rolls the row back; a committed row always has its secret.
    createKeyOnce(webhookSecretName(id), secret);
  });
  return { id, secret };
}

async function endpointOf(tx: Db | Tx, scope: Scope, id: string) {
  const [row] = await tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.municipalityId, scope.municipality.id)));
  if (!row) throw new RefusedError<WebhookRefusal>("endpoint_not_found", "endpoint", {}, 404);
  return row;
}

/** Changes the events an endpoint receives, or pauses/resumes it. */
export async function updateWebhookEndpoint(
  db: Db,
  scope: Scope,
  input: { id: string; events: readonly string[]; active: boolean; now?: Date },
) {
  const events = parseEvents(input.events);
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const before = await endpointOf(tx, scope, input.id);
    await tx.update(webhookEndpoints).set({ events, active: input.active }).where(eq(webhookEndpoints.id, before.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "webhook.update",
      target: `webhook:${before.id}`,
      before: { events: before.events, active: before.active },
      after: { events, active: input.active },
      at: now,
    });
  });
}

/** Removes an endpoint, its queued deliveries and its secret. */
export async function removeWebhookEndpoint(db: Db, scope: Scope, input: { id: string; now?: Date }) {
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const before = await endpointOf(tx, scope, input.id);
    await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, before.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "webhook.remove",
      target: `webhook:${before.id}`,
      before: { url: new URL(before.url).origin, events: before.events },
      at: now,
    });
  });
  destroyKey(webhookSecretName(input.id));
}

/** Queues an endpoint's failed deliveries again (same ids and bodies: receivers see a repeat). */
export async function retryWebhookFailures(db: Db, scope: Scope, input: { id: string; now?: Date }) {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const endpoint = await endpointOf(tx, scope, input.id);
    const rows = await tx
      .update(outbox)
      .set({ status: "queued", attempts: 0, nextAttemptAt: now, lockedUntil: null })
      .where(and(eq(outbox.webhookEndpointId, endpoint.id), eq(outbox.status, "failed")))
      .returning({ id: outbox.id });
    if (rows.length)
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "webhook.retry",
        target: `webhook:${endpoint.id}`,
        after: { deliveries: rows.length },
        at: now,
      });
    return rows.length;
  });
}

/** The municipality's endpoints, each with its latest deliveries (newest first). */
export async function webhookEndpointsOf(db: Db, scope: Scope, input: { deliveries?: number } = {}) {
  const endpoints = await db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.municipalityId, scope.municipality.id))
    .orderBy(webhookEndpoints.createdAt, webhookEndpoints.id);
  if (!endpoints.length) return [];
  const deliveries = await db
    .select({
      id: outbox.id,
      endpointId: outbox.webhookEndpointId,
      event: outbox.kind,
      status: outbox.status,
      attempts: outbox.attempts,
      lastError: outbox.lastError,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
      nextAttemptAt: outbox.nextAttemptAt,
    })
    .from(outbox)
    .where(
      inArray(
        outbox.webhookEndpointId,
        endpoints.map((e) => e.id),
      ),
    )
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(500);
  const per = input.deliveries ?? 10;
  return endpoints.map((e) => {
    const mine = deliveries.filter((d) => d.endpointId === e.id);
    return {
      ...e,
      failed: mine.filter((d) => d.status === "failed").length,
      deliveries: mine.slice(0, per),
    };
  });
}

// ---- delivery (called by the mail worker for rows of the channel "webhook") ----

export interface WebhookRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  webhookEndpointId: string | null;
}

/** The exact bytes sent (and signed) for a delivery: the same on every retry. */
export function webhookBody(row: Pick<WebhookRow, "id" | "kind" | "payload" | "createdAt">): string {
  return JSON.stringify({ id: row.id, event: row.kind, createdAt: row.createdAt.toISOString(), data: row.payload });
}

/** POSTs one delivery, signed; throws (for the worker's back-off) unless the receiver answers 2xx. */
export async function deliverWebhook(db: Db, input: { row: WebhookRow; now: Date }): Promise<string> {
  const { row, now } = input;
  if (!row.webhookEndpointId) throw new Error("webhook delivery without an endpoint");
  const [endpoint] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.webhookEndpointId));
  if (!endpoint) throw new Error("the endpoint was removed");
  if (!endpoint.active) throw new Error("the endpoint is paused");
  const secret = readKey(webhookSecretName(endpoint.id));
  if (!secret) throw new Error("the endpoint's secret is missing from the key store");
  const body = webhookBody(row);
  const timestamp = Math.floor(now.getTime() / 1000);
  let status: number | null = null;
  let error: string | null = null;
  try {
    // Only to public addresses, unless the operator trusts the host (addresses.server.ts).
    status = await postGuarded(endpoint.url, {
      timeoutMs: DELIVERY_TIMEOUT_MS,
      headers: {
        "content-type": "application/json",
        "user-agent": "Shora-Webhooks/1",
        "shora-event": row.kind,
        "shora-delivery": row.id,
        "shora-signature": signWebhook({ secret, timestamp, body }),
      },
      body,
    });
    if (status < 200 || status > 299) error = `HTTP ${status}`;
  } catch (e) {
    error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
  }
  await db
    .update(webhookEndpoints)
    .set({ lastAttemptAt: now, lastStatus: status, lastError: error })
    .where(eq(webhookEndpoints.id, endpoint.id));
  if (error) throw new Error(error);
  return "webhook";
}
