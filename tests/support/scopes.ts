import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { municipalities, rounds } from "../../db/schema";
import { type Actor, type Scope, scopeOf, systemActor } from "../../app/services/scope";

/** The scope of a round's municipality, for tests that cast or count without going through a page. */
export async function roundScope(db: Db, roundId: string, actor: Actor = systemActor("test")): Promise<Scope> {
  const [row] = await db
    .select({ municipality: municipalities })
    .from(rounds)
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(eq(rounds.id, roundId));
  if (!row) throw new Error(`no round ${roundId}`);
  return scopeOf(row.municipality, actor);
}
