import { asc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases } from "../../../db/schema";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import type { Scope } from "../scope";
import { districtsOf } from "../tenancy/municipality.server";
import { findRound } from "./rounds-admin.server";
import { themesOf } from "./themes.server";

/** What a resident's proposal form needs: the round, its envelopes, districts and the current phase. */
export async function proposalFormData(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) return null;
  const [envelopeRows, districtRows, phaseRows, themeRows] = await Promise.all([
    db
      .select()
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
    districtsOf(db, scope),
    db.select().from(phases).where(eq(phases.roundId, round.id)),
    themesOf(db, { roundId: round.id }),
  ]);
  return {
    round,
    phase: currentPhase(phaseRows, dayIn(scope.municipality.timeZone, input.now ?? new Date()))?.kind ?? null,
    envelopes: envelopeRows.map((e) => ({ slug: e.slug, name: e.name, id: e.id })),
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    themes: themeRows.map((t) => ({ id: t.id, name: t.name })),
  };
}
