import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases, proposals, rounds } from "../../../db/schema";
import { currentPhase, dayIn, sortPhases } from "../../domain/rounds/phases";
import { PUBLIC_PROPOSAL_STATUSES } from "../../domain/rounds/statuses";

export async function roundsOf(db: Db, municipalityId: string, timeZone: string, now = new Date()) {
  const roundRows = await db
    .select()
    .from(rounds)
    .where(eq(rounds.municipalityId, municipalityId))
    .orderBy(asc(rounds.createdAt));
  if (roundRows.length === 0) return [];
  const phaseRows = await db
    .select()
    .from(phases)
    .where(
      inArray(
        phases.roundId,
        roundRows.map((r) => r.id),
      ),
    );
  const today = dayIn(timeZone, now);
  return roundRows.map((round) => {
    const own = sortPhases(phaseRows.filter((p) => p.roundId === round.id));
    return { ...round, phases: own, currentPhase: currentPhase(own, today)?.kind ?? null };
  });
}

export interface ProposalFilters {
  envelope?: string | null;
  district?: string | null;
  status?: string | null;
  q?: string | null;
}

/**
 * A round with its phases, envelopes and the proposals the public may see (accepted, rejected with
 * their reason, selected, funded), filtered by envelope, district, status and a text search.
 */
export async function publicRound(
  db: Db,
  municipalityId: string,
  slug: string,
  timeZone: string,
  now = new Date(),
  filters: ProposalFilters = {},
) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipalityId), eq(rounds.slug, slug)));
  if (!round) return null;
  const [phaseRows, envelopeRows] = await Promise.all([
    db.select().from(phases).where(eq(phases.roundId, round.id)),
    db
      .select()
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
  ]);
  const statuses = (PUBLIC_PROPOSAL_STATUSES as readonly string[]).includes(filters.status ?? "")
    ? [filters.status as (typeof PUBLIC_PROPOSAL_STATUSES)[number]]
    : [...PUBLIC_PROPOSAL_STATUSES];
  const shownEnvelopes = filters.envelope ? envelopeRows.filter((e) => e.slug === filters.envelope) : envelopeRows;
  const q = filters.q?.trim();
  const proposalRows = shownEnvelopes.length
    ? await db
        .select()
        .from(proposals)
        .where(
          and(
            inArray(
              proposals.envelopeId,
              shownEnvelopes.map((e) => e.id),
            ),
            inArray(proposals.status, statuses),
            filters.district ? eq(proposals.districtId, filters.district) : undefined,
            q
              ? sql`(${proposals.title}::text || ' ' || ${proposals.body}::text) ilike ${`%${q.replace(/[\\%_]/g, "\\$&")}%`}`
              : undefined,
          ),
        )
        .orderBy(asc(proposals.createdAt))
    : [];
  const sorted = sortPhases(phaseRows);
  return {
    round,
    phases: sorted,
    currentPhase: currentPhase(sorted, dayIn(timeZone, now))?.kind ?? null,
    envelopes: envelopeRows.map((e) => ({ ...e, proposals: proposalRows.filter((p) => p.envelopeId === e.id) })),
    proposalCount: proposalRows.length,
  };
}

/** A person's own proposals in a round, whatever their status. */
export async function ownProposals(db: Db, roundId: string, userId: string) {
  return db
    .select({ proposal: proposals })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .where(and(eq(envelopes.roundId, roundId), eq(proposals.authorId, userId)))
    .orderBy(asc(proposals.createdAt))
    .then((rows) => rows.map((r) => r.proposal));
}
