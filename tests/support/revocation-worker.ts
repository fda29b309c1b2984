/**
 * Another "app process" for the revocation race: casts `count` ballots at once for one verified
 * voter with the standing given (read before the revocation), and prints each outcome as JSON.
 * Usage: tsx tests/support/revocation-worker.ts <databaseUrl> <json: {cast, count}>
 */
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { envelopes } from "../../db/schema";
import { BallotRefused, type CastInput, castBallot } from "../../app/services/ballots/ballots.server";
import { userActor } from "../../app/services/scope";
import { roundScope } from "./scopes";

const [url, json] = process.argv.slice(2);
const { cast, count } = JSON.parse(json) as {
  cast: Omit<CastInput, "envelope"> & { envelopeId: string; userId: string };
  count: number;
};
const database = await openDatabase({ url, migrate: false, poolSize: 6 });
const [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.id, cast.envelopeId));
// The voter casts on the vote page: as themselves, so their verification is read again.
const { envelopeId, userId, ...input } = cast;
const scope = await roundScope(database.db, cast.roundId, userActor({ id: userId }));
const outcomes = await Promise.allSettled(
  Array.from({ length: count }, () => castBallot(database.db, scope, { ...input, envelope })),
);
await database.close();
process.stdout.write(
  JSON.stringify(
    outcomes.map((o) =>
      o.status === "fulfilled"
        ? { leafIndex: o.value.leafIndex }
        : { refused: o.reason instanceof BallotRefused ? o.reason.code : String(o.reason) },
    ),
  ),
);
