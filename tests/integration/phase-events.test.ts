/**
 * Webhooks hear of phases that begin by their dates (ADR 0040), once per start, whether a staff
 * member started the phase that day or the calendar did.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { outbox } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { offerPhaseEvents } from "../../app/services/rounds/phase-events.server";
import { changePhaseNow } from "../../app/services/rounds/rounds-admin.server";
import { createWebhookEndpoint } from "../../app/services/webhooks/webhooks.server";
import { makeEnvelope, makeMunicipality, makeProposal, makeRound } from "../support/factories";
import { privateDatabase } from "../support/db";

let database: Database;
// A database of its own: the sweep looks at every round in it.
let drop: () => Promise<void>;
const system = { actor: { kind: "system" as const, name: "test" } };

beforeAll(async () => {
  ({ database, drop } = await privateDatabase());
});
afterAll(async () => {
  await drop();
});

const noonIn = (days: number) => new Date(`${addDays(dayIn("UTC"), days)}T12:00:00Z`);

describe("phase changes by date", () => {
  it("are told once per start; a staff change of the same day is the same event", async () => {
    const city = await makeMunicipality(database.db, { districts: ["north"] });
    const by = city.admin;
    // Proposals until yesterday, voting from today for five days, then tallying.
    const round = await makeRound(database.db, {
      by,
      spans: [
        ["proposals", -5, -1],
        ["voting", 0, 4],
        ["tallying", 5, 6],
      ],
    });
    const envelope = await makeEnvelope(database.db, { by, round, amount: 8_000 });
    await makeProposal(database.db, { by, round, envelope, title: { en: "Trees" }, cost: 3_000 });
    const { id } = await createWebhookEndpoint(database.db, by, {
      url: "https://hooks.example/shora",
      events: ["round.phase_changed"],
    });
    const told = async () =>
      (
        await database.db
          .select({ payload: outbox.payload })
          .from(outbox)
          .where(and(eq(outbox.webhookEndpointId, id), eq(outbox.kind, "round.phase_changed")))
      ).map((r) => [r.payload.from, r.payload.to]);

    // Voting began today by its dates: told once, however often the sweep runs.
    await offerPhaseEvents(database.db, system, { now: noonIn(0) });
    await offerPhaseEvents(database.db, system, { now: new Date(noonIn(0).getTime() + 60_000) });
    await offerPhaseEvents(database.db, system, { now: noonIn(1) });
    expect(await told()).toEqual([["proposals", "voting"]]);
    // Middle days: nothing new.
    await offerPhaseEvents(database.db, system, { now: noonIn(3) });
    expect(await told()).toHaveLength(1);
    // Staff close voting on day 3: told once, and the sweep of that day adds nothing.
    await changePhaseNow(database.db, by, { slug: round.slug, change: "close_voting", now: noonIn(3) });
    await offerPhaseEvents(database.db, system, { now: new Date(noonIn(3).getTime() + 60_000) });
    await offerPhaseEvents(database.db, system, { now: noonIn(4) });
    expect(await told()).toEqual([
      ["proposals", "voting"],
      ["voting", "tallying"],
    ]);
  });
});
