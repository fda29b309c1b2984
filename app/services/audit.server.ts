import { randomUUID } from "node:crypto";
import { desc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { actionLog } from "../../db/schema";
import { type ActionEntry, GENESIS_HASH, chainHash } from "../domain/audit/chain";

export interface StaffAction {
  municipalityId: string;
  municipalitySlug: string;
  actor: { id: string; displayName: string };
  /** Dotted verb, e.g. `round.create`, `proposal.review`, `comment.hide`. */
  action: string;
  /** What was acted on, e.g. `round:budget-1405`, `comment:<id>` (never a resident's name or ID). */
  target: string;
  roundId?: string | null;
  before?: unknown;
  after?: unknown;
  at?: Date;
}

/**
 * Appends a staff action to the municipality's chained log, inside the caller's transaction, so the
 * log entry exists exactly when the change does. An advisory lock per municipality serialises
 * appends, so sequence numbers and the chain stay linear under concurrency.
 */
export async function recordAction(tx: Tx | Db, input: StaffAction): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`action_log:${input.municipalityId}`}))`);
  const [last] = await tx
    .select({ seq: actionLog.seq, hash: actionLog.hash })
    .from(actionLog)
    .where(eq(actionLog.municipalityId, input.municipalityId))
    .orderBy(desc(actionLog.seq))
    .limit(1);
  const at = input.at ?? new Date();
  const entry: ActionEntry = {
    municipality: input.municipalitySlug,
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor: input.actor.displayName,
    action: input.action,
    target: input.target,
    summary: JSON.parse(JSON.stringify({ before: input.before, after: input.after })),
  };
  const prevHash = last?.hash ?? GENESIS_HASH;
  await tx.insert(actionLog).values({
    id: randomUUID(),
    municipalityId: input.municipalityId,
    seq: entry.seq,
    at,
    actorId: input.actor.id,
    actorName: entry.actor,
    action: entry.action,
    roundId: input.roundId ?? null,
    target: entry.target,
    summary: entry.summary,
    prevHash,
    hash: chainHash(prevHash, entry),
  });
}
