/** Ballots cast into a round's ledger, the tally and the publication, through the ballot and tally services. */
import type { Db } from "../../../db/client";
import { scopeOf, systemActor } from "../../../app/services/scope";
import type { BallotBody } from "../../../app/domain/ballots/rules";
import { castBallot } from "../../../app/services/ballots/ballots.server";
import { publishRound } from "../../../app/services/tally/publish.server";
import { runRoundTally } from "../../../app/services/tally/tally.server";
import type { Member } from "./accounts";
import type { Envelope, Round } from "./rounds";

export interface Vote {
  /** The voter's identity (hashed with the round's secret into the voter key). */
  identity: string;
  body: BallotBody;
  weight?: number;
  district?: string;
  voterClass?: string;
  channel?: "online" | "paper";
}

/**
 * Casts each ballot into the envelope at `at` (default now; it must fall in the voting phase, in the
 * municipality's time zone). Returns the receipts in order.
 */
export async function castBallots(
  db: Db,
  input: { municipality: Member["municipality"]; round: Round; envelope: Envelope; votes: Vote[]; at?: Date },
) {
  const receipts = [];
  for (const v of input.votes)
    receipts.push(
      await castBallot(db, scopeOf(input.municipality, systemActor("test")), {
        roundId: input.round.id,
        roundSlug: input.round.slug,
        envelope: input.envelope,
        voter: {
          identity: v.identity,
          weight: v.weight ?? 1,
          district: v.district ?? "north",
          voterClass: v.voterClass ?? "resident",
        },
        body: v.body,
        channel: v.channel ?? "online",
        now: input.at,
      }),
    );
  return receipts;
}

/** Staff count the round (in its tallying phase at `at`). */
export async function tally(db: Db, input: { by: Member; round: Round; at?: Date }) {
  return runRoundTally(db, input.by, { roundSlug: input.round.slug, now: input.at });
}

/** Staff count and publish the round: results, funded proposals and the signed bundle. */
export async function tallyAndPublish(db: Db, input: { by: Member; round: Round; at?: Date }) {
  await runRoundTally(db, input.by, { roundSlug: input.round.slug, now: input.at });
  return publishRound(db, input.by, { roundSlug: input.round.slug, now: input.at });
}
