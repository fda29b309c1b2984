/** A budgeting round of the demo taking proposals today (the demo's own round is voting), for browser tests. */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { envelopes, municipalities, phases, rounds } from "../../db/schema";
import { dayIn } from "../../app/domain/rounds/phases";
import { addDays } from "../../app/domain/rounds/rules";

export const IDEAS = "ideas-1406";

/** Adds the round `ideas-1406` (proposals until 10 days from now, then voting) with one envelope, "parks". */
export async function addIdeasRound(db: Db) {
  const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
  const today = dayIn(demo.timeZone, new Date());
  const roundId = randomUUID();
  await db.insert(rounds).values({
    id: roundId,
    municipalityId: demo.id,
    slug: IDEAS,
    kind: "budgeting",
    title: { en: "Ideas for 1406", fa: "ایده‌ها برای ۱۴۰۶" },
    description: { en: "Send your ideas for next year.", fa: "ایده‌هایتان را برای سال آینده بفرستید." },
  });
  await db.insert(phases).values([
    { id: randomUUID(), roundId, kind: "proposals", startsOn: addDays(today, -1), endsOn: addDays(today, 10) },
    { id: randomUUID(), roundId, kind: "voting", startsOn: addDays(today, 11), endsOn: addDays(today, 20) },
  ]);
  await db.insert(envelopes).values({
    id: randomUUID(),
    roundId,
    slug: "parks",
    name: { en: "Parks", fa: "پارک‌ها" },
    amount: 900_000_000,
    tallyRule: "greedy",
  });
}
