/**
 * Who may see the media of each kind of owner (ADR 0034). An area that attaches media adds its rule
 * here: "public" (cached by anyone), "private" (this person only), or null (not found).
 * Proposals: public once accepted (selected, funded); a rejected, withdrawn or waiting proposal's
 * media only to its author and the council's staff. Implementation updates follow their proposal.
 * Residents' reports: public, like the report itself (ADR 0039); the photos keep no metadata.
 */
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { envelopes, implementationUpdates, proposals, reports, rounds } from "../../../db/schema";
import type { Scope } from "../scope";
import { roleIn } from "../tenancy/municipality.server";

export type MediaAccess = "public" | "private" | null;

const PUBLIC_MEDIA_STATUSES: readonly string[] = ["accepted", "selected", "funded"];

async function proposalAccess(db: Db | Tx, scope: Scope, proposalId: string): Promise<MediaAccess> {
  const [row] = await db
    .select({ status: proposals.status, authorId: proposals.authorId })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(proposals.id, proposalId), eq(rounds.municipalityId, scope.municipality.id)));
  if (!row) return null;
  if (PUBLIC_MEDIA_STATUSES.includes(row.status)) return "public";
  if (scope.actor.kind !== "user") return null;
  if (row.authorId === scope.actor.userId) return "private";
  return (await roleIn(db as Db, scope)) ? "private" : null;
}

const rules: Record<string, (db: Db | Tx, scope: Scope, ownerId: string) => Promise<MediaAccess>> = {
  proposal: proposalAccess,
  async implementation_update(db, scope, updateId) {
    const [row] = await db
      .select({ proposalId: implementationUpdates.proposalId })
      .from(implementationUpdates)
      .where(eq(implementationUpdates.id, updateId));
    return row ? proposalAccess(db, scope, row.proposalId) : null;
  },
  async report(db, scope, reportId) {
    const [row] = await db
      .select({ id: reports.id })
      .from(reports)
      .where(and(eq(reports.id, reportId), eq(reports.municipalityId, scope.municipality.id)));
    return row ? "public" : null;
  },
};

/** Whether the acting person may see the media of this owner, and how widely. Unknown kinds: nobody. */
export async function mediaOwnerAccess(
  db: Db | Tx,
  scope: Scope,
  owner: { kind: string; id: string },
): Promise<MediaAccess> {
  const rule = rules[owner.kind];
  return rule ? rule(db, scope, owner.id) : null;
}
