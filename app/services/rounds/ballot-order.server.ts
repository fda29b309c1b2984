/**
 * The order of an envelope's proposals on the ballot page (ADR 0027): drawn per voter by default;
 * staff may choose the listed order or the cheapest first until voting opens, when the order is
 * frozen with the rules so every voter of the round saw the same rule (recorded in round.json).
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases } from "../../../db/schema";
import type { BallotOrder } from "../../domain/ballots/basket";
import { dayIn, rulesFrozen } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { FrozenError, RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { type RoundRefusal, findRound } from "./rounds-admin.server";
import { lockRoundRules } from "./round-rules.server";

export async function setBallotOrder(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; envelopeSlug: string; order: BallotOrder; now?: Date },
) {
  return db.transaction(async (tx) => {
    const round = await findRound(tx, scope, { slug: input.roundSlug });
    if (!round) throw new RefusedError<RoundRefusal>("round_not_found", null, {}, 404);
    await lockRoundRules(tx, round.id);
    const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, round.id));
    if (rulesFrozen(phaseRows, dayIn(scope.municipality.timeZone, input.now ?? new Date())))
      throw new FrozenError("envelopes");
    const where = and(eq(envelopes.roundId, round.id), eq(envelopes.slug, input.envelopeSlug));
    const [existing] = await tx.select({ ballotOrder: envelopes.ballotOrder }).from(envelopes).where(where);
    if (!existing) throw new RefusedError<RoundRefusal>("envelope_not_found", null, {}, 404);
    if (existing.ballotOrder === input.order) return;
    await tx.update(envelopes).set({ ballotOrder: input.order }).where(where);
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "envelope.order",
      target: `envelope:${input.roundSlug}/${input.envelopeSlug}`,
      roundId: round.id,
      before: { ballotOrder: existing.ballotOrder },
      after: { ballotOrder: input.order },
    });
  });
}
