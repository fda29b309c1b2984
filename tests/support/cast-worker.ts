/**
 * A second "app process" for the concurrency test: casts ballots for a range of voters against the
 * PostgreSQL database given in argv, all at once, and prints the receipts as JSON.
 * Usage: tsx tests/support/cast-worker.ts <databaseUrl> <roundId> <envelopeId> <from> <to> <proposalId>
 */
import { eq } from "drizzle-orm";
import { openDatabase } from "../../db/client";
import { envelopes } from "../../db/schema";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { roundScope } from "./scopes";

const [url, roundId, envelopeId, from, to, proposalId] = process.argv.slice(2);
const database = await openDatabase({ url, migrate: false, poolSize: 8 });
const [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
const scope = await roundScope(database.db, roundId);
const receipts = await Promise.all(
  Array.from({ length: Number(to) - Number(from) }, (_, i) =>
    castBallot(database.db, scope, {
      roundId,
      roundSlug: "r",
      envelope,
      voter: {
        identity: `voter-${Number(from) + i}`,
        weight: 1 + ((Number(from) + i) % 2),
        district: "d",
        voterClass: "c",
      },
      body: { approved: [proposalId] },
      channel: "online",
    }),
  ),
);
await database.close();
process.stdout.write(JSON.stringify(receipts));
