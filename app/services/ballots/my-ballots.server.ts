/**
 * Where a resident stands in a round, and their participation across rounds: only ever for the
 * acting resident, through the voter key their own verification gives (ADR 0027).
 */
import { and, asc, desc, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, municipalities, phases, rounds, verifications } from "../../../db/schema";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import type { LocalizedText } from "../../domain/i18n";
import { type PlatformScope, type Scope, actorUserId, scopeOf } from "../scope";
import { voterStanding } from "../verification/eligibility.server";
import { myCurrentBallots } from "./ballots.server";

export interface MyEnvelopeBallot {
  envelope: { slug: string; name: LocalizedText };
  ballotId: string;
  channel: "online" | "paper";
  /** The day it was cast, in the municipality's time zone. */
  day: string;
}

export type MyStanding =
  | { kind: "login" }
  | { kind: "verify" }
  | { kind: "vote"; envelopes: { slug: string; name: LocalizedText }[] }
  | { kind: "voted"; ballots: MyEnvelopeBallot[] };

/** The acting resident's ballots in a round, with their envelopes (none before they are verified). */
export async function myBallotsIn(db: Db, scope: Scope, input: { roundId: string }): Promise<MyEnvelopeBallot[]> {
  const { standing } = await voterStanding(db, scope, { roundId: input.roundId });
  if (!standing) return [];
  const mine = await myCurrentBallots(db, scope, { roundId: input.roundId, voter: standing });
  if (mine.length === 0) return [];
  const rows = await db
    .select({ id: envelopes.id, slug: envelopes.slug, name: envelopes.name })
    .from(envelopes)
    .where(
      inArray(
        envelopes.id,
        mine.map((b) => b.envelopeId),
      ),
    )
    .orderBy(asc(envelopes.position), asc(envelopes.slug));
  return rows.flatMap((e) => {
    const b = mine.find((x) => x.envelopeId === e.id);
    return b
      ? [
          {
            envelope: { slug: e.slug, name: e.name },
            ballotId: b.ballotId,
            channel: b.channel,
            day: dayIn(scope.municipality.timeZone, b.castAt),
          },
        ]
      : [];
  });
}

/** Where the acting (logged-in) resident stands in a round of the scope's municipality. */
export async function myStandingIn(db: Db, scope: Scope, input: { roundId: string }): Promise<MyStanding> {
  const { standing } = await voterStanding(db, scope, { roundId: input.roundId });
  if (!standing) return { kind: "verify" };
  const ballotsCast = await myBallotsIn(db, scope, input);
  if (ballotsCast.length) return { kind: "voted", ballots: ballotsCast };
  const open = await db
    .select({ slug: envelopes.slug, name: envelopes.name, districtId: envelopes.districtId })
    .from(envelopes)
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(envelopes.roundId, input.roundId), eq(rounds.municipalityId, scope.municipality.id)))
    .orderBy(asc(envelopes.position), asc(envelopes.slug));
  return {
    kind: "vote",
    envelopes: open
      .filter((e) => e.districtId === null || e.districtId === standing.district)
      .map(({ slug, name }) => ({ slug, name })),
  };
}

/**
 * The acting user's participation, across the municipalities they are verified in: every budgeting
 * round, its current phase, and their ballots in it while its secret lives (until publication).
 */
export async function myParticipation(db: Db, scope: PlatformScope) {
  const userId = actorUserId(scope);
  const places = await db
    .selectDistinct({ municipality: municipalities })
    .from(verifications)
    .innerJoin(municipalities, eq(municipalities.id, verifications.municipalityId))
    .where(and(eq(verifications.userId, userId), isNull(verifications.revokedAt)))
    .orderBy(asc(municipalities.slug));
  const result = [];
  for (const { municipality } of places) {
    const inTown = scopeOf(municipality, scope.actor);
    const roundRows = await db
      .select({ id: rounds.id, slug: rounds.slug, title: rounds.title })
      .from(rounds)
      .where(and(eq(rounds.municipalityId, municipality.id), eq(rounds.kind, "budgeting")))
      .orderBy(desc(rounds.createdAt));
    const today = dayIn(municipality.timeZone);
    const roundsOut = [];
    for (const r of roundRows) {
      const phaseRows = await db.select().from(phases).where(eq(phases.roundId, r.id));
      roundsOut.push({
        slug: r.slug,
        title: r.title,
        phase: currentPhase(phaseRows, today)?.kind ?? null,
        ballots: await myBallotsIn(db, inTown, { roundId: r.id }),
      });
    }
    result.push({ slug: municipality.slug, name: municipality.name, rounds: roundsOut });
  }
  return result;
}
