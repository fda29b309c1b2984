import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { users } from "../../../db/schema";
import { type Scope, actorUserId } from "../scope";

/**
 * The action-log fields of a staff use case: the municipality and the acting user's id and display name
 * (read with the change, so the log names the person as the accounts table does).
 */
export async function staffLog(db: Db | Tx, scope: Scope) {
  const id = actorUserId(scope);
  const [user] = await db.select({ displayName: users.displayName }).from(users).where(eq(users.id, id));
  return {
    municipalityId: scope.municipality.id,
    municipalitySlug: scope.municipality.slug,
    actor: { id, displayName: user?.displayName ?? "" },
  };
}
