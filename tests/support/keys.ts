import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";

/** The round's voter-key secret where the app keeps it (the attacker's view), or null when gone. */
export async function roundSecretForTests(db: Db, roundId: string): Promise<string | null> {
  const rows = await queryRows<{ s: string | null }>(
    db,
    sql`select voter_key_secret as s from round_secrets where round_id = ${roundId}`,
  );
  return rows[0]?.s ?? null;
}
