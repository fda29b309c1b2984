/**
 * Reminders to vote (ADR 0041): "voting is open" on the first days and "last 48 hours" on the last
 * two, each once, to residents eligible in the round who have not voted and did not switch them off.
 */
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { jobs, notificationOptOuts, outbox, verifications } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { runDueJobs } from "../../app/services/jobs/jobs.server";
import { changePhaseNow } from "../../app/services/rounds/rounds-admin.server";
import { offerDueReminders, reminderJobHandlers } from "../../app/services/rounds/reminders.server";
import { userActor } from "../../app/services/scope";
import {
  type Round,
  censusRows,
  makeCensus,
  makeEligibility,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  verifyVoter,
} from "../support/factories";
import { privateDatabase, unique } from "../support/db";
import { roundScope } from "../support/scopes";

let database: Database;
// A database of its own: the sweep offers reminders for every voting round in it.
let dropDatabase: () => Promise<void>;
const system = { actor: { kind: "system" as const, name: "test" } };

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
});
afterAll(async () => {
  await dropDatabase();
});

/** Noon UTC, `days` after today. */
const dayAt = (days: number) => new Date(`${addDays(dayIn("UTC"), days)}T12:00:00Z`);

/** One sweep and the jobs it offered, at `now`. */
async function sweep(now: Date) {
  await offerDueReminders(database.db, system, { now });
  await runDueJobs(database.db, system, { handlers: reminderJobHandlers(), now: () => now });
}

async function reminders(round: Round, kind: string) {
  const rows = await database.db
    .select({ userId: outbox.userId, payload: outbox.payload, locale: outbox.locale })
    .from(outbox)
    .where(and(eq(outbox.kind, kind), like(outbox.idempotencyKey, `${kind}:${round.id}:%`)));
  return rows;
}

async function setUp(spans: [string, number, number][]) {
  const town = await makeMunicipality(database.db, {
    slug: unique("remind"),
    districts: ["north", "south", "center"],
  });
  // Six people of the census: north, south, center, north, south, center.
  const people = censusRows({ count: 6 });
  await makeCensus(database.db, { by: town.admin, rows: people });
  const round = await makeRound(database.db, {
    by: town.admin,
    title: { en: "Budget Remind", fa: "بودجه" },
    spans: spans as never,
  });
  const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 8_000 });
  const proposal = await makeProposal(database.db, {
    by: town.admin,
    round,
    envelope,
    title: { en: "Trees" },
    cost: 3_000,
  });
  // Only the north and the south vote in this round.
  await makeEligibility(database.db, {
    by: town.admin,
    round,
    districtIds: [town.districts.north, town.districts.south],
  });
  const residents: Awaited<ReturnType<typeof makeUser>>[] = [];
  for (const [i, person] of people.entries()) {
    const user = await makeUser(database.db, {
      email: `${unique(`r${i}`)}@example.org`,
      locale: i === 0 ? "fa" : "en",
    });
    residents.push(user);
    // The last one is never verified.
    if (i < 5) await verifyVoter(database.db, { municipality: town.municipality, user, person });
  }
  const vote = async (user: (typeof residents)[number], now: Date) => {
    const [verification] = await database.db.select().from(verifications).where(eq(verifications.userId, user.id));
    const scope = await roundScope(database.db, round.id, userActor(user));
    await castBallot(database.db, scope, {
      roundId: round.id,
      roundSlug: round.slug,
      envelope,
      voter: {
        identity: verification.identityHash,
        weight: 1,
        district: String(verification.districtId),
        voterClass: verification.voterClass,
      },
      body: { approved: [proposal] },
      channel: "online",
      now,
    });
  };
  return { town, round, residents, vote };
}

describe("reminders to vote", () => {
  it("go once to eligible residents who have not voted: on opening, and in the last 48 hours", async () => {
    const { round, residents, vote } = await setUp([["voting", 0, 6]]);
    // residents: 0 north (fa), 1 south, 2 center (not eligible), 3 north, 4 south, 5 unverified.
    await vote(residents[1], dayAt(0));
    await database.db.insert(notificationOptOuts).values({ userId: residents[4].id, topic: "reminders" });
    await sweep(dayAt(0));
    const opens = await reminders(round, "round.opens");
    expect(opens.map((r) => r.userId).sort()).toEqual([residents[0].id, residents[3].id].sort());
    expect(opens.find((r) => r.userId === residents[0].id)?.locale).toBe("fa");
    expect(opens[0].payload).toEqual({
      round: { en: "Budget Remind", fa: "بودجه" },
      path: `/m/${(await roundScope(database.db, round.id, system.actor)).municipality.slug}/rounds/${round.slug}`,
    });
    // The next sweeps (the next minute, the next day) offer nothing new.
    await sweep(new Date(dayAt(0).getTime() + 60_000));
    await sweep(dayAt(1));
    expect(await reminders(round, "round.opens")).toHaveLength(2);
    expect(await reminders(round, "round.closing")).toHaveLength(0);
    // Middle days: nothing. Resident 3 votes meanwhile.
    await sweep(dayAt(3));
    await vote(residents[3], dayAt(3));
    expect(await reminders(round, "round.closing")).toHaveLength(0);
    // The last two days: one "last 48 hours" to whoever has still not voted.
    await sweep(dayAt(5));
    await sweep(dayAt(6));
    const closing = await reminders(round, "round.closing");
    expect(closing.map((r) => r.userId)).toEqual([residents[0].id]);
    // One job per reminder, done.
    const offered = await database.db
      .select()
      .from(jobs)
      .where(like(jobs.id, `round.%:${round.id}`));
    expect(offered.map((j) => j.id).sort()).toEqual([`round.closing:${round.id}`, `round.opens:${round.id}`]);
    expect(offered.every((j) => j.doneAt !== null)).toBe(true);
  });

  it("are not sent for a round whose voting opened days ago, a short vote's last days, or closed voting", async () => {
    // Voting opened three days ago (the server was down, or reminders came later): no "voting is open".
    const late = await setUp([["voting", -3, 6]]);
    await sweep(dayAt(0));
    expect(await reminders(late.round, "round.opens")).toHaveLength(0);
    // A three-day vote: the opening reminder only (to the four eligible: north and south).
    const short = await setUp([["voting", 0, 2]]);
    await sweep(dayAt(0));
    await sweep(dayAt(1));
    await sweep(dayAt(2));
    expect(await reminders(short.round, "round.opens")).toHaveLength(4);
    expect(await reminders(short.round, "round.closing")).toHaveLength(0);
    // Voting closed early by staff: the last days remind nobody.
    const closed = await setUp([
      ["voting", -4, 1],
      ["tallying", 2, 3],
    ]);
    await changePhaseNow(database.db, closed.town.admin, {
      slug: closed.round.slug,
      change: "close_voting",
      now: dayAt(0),
    });
    await sweep(dayAt(0));
    await sweep(dayAt(1));
    expect(await reminders(closed.round, "round.closing")).toHaveLength(0);
  });
});
