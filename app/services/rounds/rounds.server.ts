import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { themesOf } from "./themes.server";
import type { Db } from "../../../db/client";
import { envelopes, phases, proposals, rounds } from "../../../db/schema";
import { currentPhase, dayIn, sortPhases } from "../../domain/rounds/phases";
import { PUBLIC_PROPOSAL_STATUSES } from "../../domain/rounds/statuses";
import { type Scope, actorUserId } from "../scope";

/** The municipality's rounds, oldest first, each with its phases and the phase of today. */
export async function roundsOf(db: Db, scope: Scope, input: { now?: Date } = {}) {
  const roundRows = await db
    .select()
    .from(rounds)
    .where(eq(rounds.municipalityId, scope.municipality.id))
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
  const today = dayIn(scope.municipality.timeZone, input.now ?? new Date());
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
  scope: Scope,
  { slug, filters = {}, now = new Date() }: { slug: string; filters?: ProposalFilters; now?: Date },
) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, slug)));
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
    themes: await themesOf(db, { roundId: round.id }),
    round,
    phases: sorted,
    currentPhase: currentPhase(sorted, dayIn(scope.municipality.timeZone, now))?.kind ?? null,
    envelopes: envelopeRows.map((e) => ({ ...e, proposals: proposalRows.filter((p) => p.envelopeId === e.id) })),
    proposalCount: proposalRows.length,
  };
}

/** The acting person's own proposals in a round of the scope's municipality, whatever their status. */
export async function ownProposals(db: Db, scope: Scope, input: { roundId: string }) {
  return db
    .select({ proposal: proposals })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(
      and(
        eq(envelopes.roundId, input.roundId),
        eq(rounds.municipalityId, scope.municipality.id),
        eq(proposals.authorId, actorUserId(scope)),
      ),
    )
    .orderBy(asc(proposals.createdAt))
    .then((rows) => rows.map((r) => r.proposal));
}
