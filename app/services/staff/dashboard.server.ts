/**
 * What needs a municipality's staff (the staff dashboard) and where a member of several
 * municipalities works: read-only queries of the scope's municipality, or of the acting user.
 */
import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, memberships, municipalities, proposals, rounds } from "../../../db/schema";
import { addDays } from "../../domain/rounds/rules";
import { dayIn } from "../../domain/rounds/phases";
import { moderationQueue } from "../proposals/comments.server";
import { roundsOf } from "../rounds/rounds.server";
import { type Actor, type Scope, actorUserId } from "../scope";
import { censusLockQueue } from "../verification/staff-verification.server";

/** Days ahead in which a current phase's end counts as "ending soon". */
export const ENDING_SOON_DAYS = 7;

export async function staffDashboard(db: Db, scope: Scope, input: { now?: Date } = {}) {
  const today = dayIn(scope.municipality.timeZone, input.now ?? new Date());
  const [toReview, flagged, locks, roundList] = await Promise.all([
    db
      .select({ slug: rounds.slug, title: rounds.title, n: count(proposals.id) })
      .from(proposals)
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(proposals.status, "submitted")))
      .groupBy(rounds.slug, rounds.title)
      .orderBy(asc(rounds.slug)),
    moderationQueue(db, scope),
    censusLockQueue(db, scope),
    roundsOf(db, scope, { now: input.now }),
  ]);
  const soon = addDays(today, ENDING_SOON_DAYS);
  const endingSoon = roundList.flatMap((r) => {
    const phase = r.phases.find((p) => p.kind === r.currentPhase);
    return phase && phase.endsOn <= soon
      ? [{ slug: r.slug, title: r.title, phase: phase.kind, endsOn: phase.endsOn }]
      : [];
  });
  return {
    toReview: toReview.map((r) => ({ slug: r.slug, title: r.title, count: r.n })),
    flaggedComments: flagged.flagged.length,
    verificationsWaiting: locks.length,
    endingSoon,
  };
}

/** The municipalities where the acting user is staff or administrator, by name. */
export async function staffMunicipalities(db: Db, scope: { actor: Actor }) {
  return db
    .select({ slug: municipalities.slug, name: municipalities.name, role: memberships.role })
    .from(memberships)
    .innerJoin(municipalities, eq(municipalities.id, memberships.municipalityId))
    .where(eq(memberships.userId, actorUserId(scope)))
    .orderBy(asc(municipalities.slug));
}
