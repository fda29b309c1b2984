import { randomUUID } from "node:crypto";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { actionLog, users } from "../../../db/schema";
import { canonicalJson } from "../../domain/canonical";
import { type ActionEntry, GENESIS_HASH, chainHash } from "../../domain/action-log/chain";
import { type Scope, actorUserId } from "../scope";

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

/** Who acts, for an entry: the scope's municipality and the acting user's name as it is now. */
export async function actionBy(
  db: Db | Tx,
  scope: Scope,
): Promise<Pick<StaffAction, "municipalityId" | "municipalitySlug" | "actor">> {
  const id = actorUserId(scope);
  const [user] = await db.select({ displayName: users.displayName }).from(users).where(eq(users.id, id));
  if (!user) throw new Error(`no user ${id}`);
  return {
    municipalityId: scope.municipality.id,
    municipalitySlug: scope.municipality.slug,
    actor: { id, displayName: user.displayName },
  };
}

interface PublishedAction extends ActionEntry {
  hash: string;
}

function toPublished(row: typeof actionLog.$inferSelect, municipalitySlug: string): PublishedAction {
  return {
    municipality: municipalitySlug,
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actorName,
    action: row.action,
    target: row.target,
    summary: row.summary,
    hash: row.hash,
  };
}

const ACTION_LOG_PAGE_SIZE = 50;

/** One page of the public log, newest first, optionally filtered by round and action. */
export async function listActions(
  db: Db,
  scope: Scope,
  filters: { roundId?: string | null; action?: string | null; page?: number },
) {
  const { municipality } = scope;
  // From the address: at least 1, and small enough for an exact offset (a page past the last one is empty).
  const page = Math.min(Math.max(1, filters.page ?? 1), Math.floor(Number.MAX_SAFE_INTEGER / ACTION_LOG_PAGE_SIZE));
  const where = and(
    eq(actionLog.municipalityId, municipality.id),
    filters.roundId ? eq(actionLog.roundId, filters.roundId) : undefined,
    filters.action ? eq(actionLog.action, filters.action) : undefined,
  );
  const [rows, [{ n }], actions] = await Promise.all([
    db
      .select()
      .from(actionLog)
      .where(where)
      .orderBy(desc(actionLog.seq))
      .limit(ACTION_LOG_PAGE_SIZE)
      .offset((page - 1) * ACTION_LOG_PAGE_SIZE),
    db.select({ n: count() }).from(actionLog).where(where),
    db
      .selectDistinct({ action: actionLog.action })
      .from(actionLog)
      .where(eq(actionLog.municipalityId, municipality.id))
      .orderBy(asc(actionLog.action)),
  ]);
  return {
    entries: rows.map((r) => toPublished(r, municipality.slug)),
    total: n,
    page,
    pages: Math.max(1, Math.ceil(n / ACTION_LOG_PAGE_SIZE)),
    actions: actions.map((a) => a.action),
  };
}

/** The whole chain in order, one JSON object per line (what `shora verify-log` checks). */
export async function exportActionsJsonl(db: Db, scope: Scope): Promise<string> {
  const { municipality } = scope;
  const rows = await db
    .select()
    .from(actionLog)
    .where(eq(actionLog.municipalityId, municipality.id))
    .orderBy(asc(actionLog.seq));
  return rows.map((r) => `${canonicalJson(toPublished(r, municipality.slug))}\n`).join("");
}
