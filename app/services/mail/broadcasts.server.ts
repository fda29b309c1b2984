/**
 * Messages from the municipality to its residents (ADR 0041): staff write once in English and/or
 * Persian, choose who hears it (every verified resident, or those eligible in a round), see how many
 * that is, then send. One transaction queues a message per recipient (topic "news": switchable and
 * unsubscribable) and records the broadcast in the action log. A broadcast has an id from the form,
 * so sending the same form twice queues nothing the second time.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { actionLog, rounds, verifications } from "../../../db/schema";
import type { LocalizedText } from "../../../db/schema";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { eligibleResidents } from "../verification/eligibility.server";
import { enqueueMessages } from "./outbox.server";

export type BroadcastRefusal = "round_unknown" | "already_sent";

/** Who hears a broadcast: every resident verified in the municipality, or those eligible in one round. */
export type BroadcastAudience = { kind: "verified" } | { kind: "round"; roundSlug: string };

async function recipientsOf(db: Db, scope: Scope, audience: BroadcastAudience, now: Date): Promise<string[]> {
  if (audience.kind === "verified") {
    const rows = await db
      .select({ userId: verifications.userId })
      .from(verifications)
      .where(and(eq(verifications.municipalityId, scope.municipality.id), sql`${verifications.revokedAt} is null`));
    return rows.map((r) => r.userId);
  }
  const [round] = await db
    .select({ id: rounds.id })
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, audience.roundSlug)));
  if (!round) throw new RefusedError<BroadcastRefusal>("round_unknown", "audience", {}, 400);
  return (await eligibleResidents(db, scope, { roundId: round.id, now })).map((r) => r.userId);
}

/** How many people a broadcast to this audience would reach (before opt-outs). */
export async function audienceSize(
  db: Db,
  scope: Scope,
  input: { audience: BroadcastAudience; now?: Date },
): Promise<number> {
  return (await recipientsOf(db, scope, input.audience, input.now ?? new Date())).length;
}

const keyPrefix = (id: string) => `broadcast:${id}:`;

/**
 * Queues the broadcast for everyone in the audience who has not switched "news" off, and records it.
 * Refused (`already_sent`, 409) when a broadcast with this id was sent before.
 */
export async function sendBroadcast(
  db: Db,
  scope: Scope,
  input: { id: string; audience: BroadcastAudience; subject: LocalizedText; body: LocalizedText; now?: Date },
): Promise<{ queued: number; recipients: number }> {
  const now = input.now ?? new Date();
  const recipients = await recipientsOf(db, scope, input.audience, now);
  return db.transaction(async (tx) => {
    // The broadcast's id is taken under the action log's lock: two sends of one form queue once.
    const by = await actionBy(tx, scope);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`broadcast:${input.id}`}))`);
    const [logged] = await tx
      .select({ id: actionLog.id })
      .from(actionLog)
      .where(
        and(
          eq(actionLog.municipalityId, scope.municipality.id),
          eq(actionLog.action, "message.broadcast"),
          eq(actionLog.target, `broadcast:${input.id}`),
        ),
      )
      .limit(1);
    if (logged) throw new RefusedError<BroadcastRefusal>("already_sent", null, {}, 409);
    const queued = await enqueueMessages(tx, {
      messages: recipients.map((userId) => ({
        kind: "municipality.message",
        userId,
        municipalityId: scope.municipality.id,
        payload: {
          subject: input.subject,
          body: input.body,
          municipality: scope.municipality.name,
          path: `/m/${scope.municipality.slug}`,
        },
        idempotencyKey: `${keyPrefix(input.id)}${userId}`,
        now,
      })),
    });
    await recordAction(tx, {
      ...by,
      action: "message.broadcast",
      target: `broadcast:${input.id}`,
      after: {
        audience: input.audience.kind === "round" ? `round:${input.audience.roundSlug}` : "verified",
        subject: input.subject,
        recipients: recipients.length,
        queued,
      },
      at: now,
    });
    return { queued, recipients: recipients.length };
  });
}

/** The municipality's latest broadcasts, newest first: when, by whom, to whom, the subject, how many. */
export async function broadcastHistory(db: Db, scope: Scope) {
  const rows = await db
    .select({ at: actionLog.at, actorName: actionLog.actorName, summary: actionLog.summary })
    .from(actionLog)
    .where(and(eq(actionLog.municipalityId, scope.municipality.id), eq(actionLog.action, "message.broadcast")))
    .orderBy(desc(actionLog.seq))
    .limit(20);
  return rows.map((r) => {
    const after = (r.summary.after ?? {}) as { audience?: string; subject?: LocalizedText; queued?: number };
    return {
      at: r.at,
      by: r.actorName,
      audience: after.audience ?? "verified",
      subject: after.subject ?? { en: "" },
      queued: Number(after.queued ?? 0),
    };
  });
}
