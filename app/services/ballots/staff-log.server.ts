/** Who a staff use case of the ballots and tally area records in the action log (by name, never a resident). */
import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { users } from "../../../db/schema";
import { type Scope, actorUserId } from "../scope";

export async function staffLogOf(db: Db | Tx, scope: Scope) {
  const userId = actorUserId(scope);
  const [user] = await db.select({ displayName: users.displayName }).from(users).where(eq(users.id, userId));
  if (!user) throw new Error(`no user ${userId}`);
  return {
    municipalityId: scope.municipality.id,
    municipalitySlug: scope.municipality.slug,
    actor: { id: userId, displayName: user.displayName },
  };
}
