/** The vote confirmation (ADR 0025): after each cast, never the choices, after a delay, switchable. */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { notificationOptOuts, outbox, verifications } from "../../db/schema";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { smtpTransport, viewerTransport } from "../../app/services/mail/transports.server";
import { userActor } from "../../app/services/scope";
import {
  censusRows,
  makeCensus,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  verifyVoter,
} from "../support/factories";
import { type TestSmtp, headerOf, startSmtp } from "../support/mail";
import { privateDatabase, unique } from "../support/db";
import { roundScope } from "../support/scopes";

let database: Database;
// A database of its own: delivery sends every due message in it, so no other file's mail (ADR 0025).
let dropDatabase: () => Promise<void>;
let smtp: TestSmtp;
const PUBLIC = "https://shora.test";

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await dropDatabase();
});

describe("vote confirmation", () => {
  it("is mailed after each cast with round, envelope, hour and receipt link, never the ballot or its choices", async () => {
    const town = await makeMunicipality(database.db, {
      slug: unique("mvote"),
      name: { en: "Vote" },
      districts: ["north", "south", "center"],
    });
    const people = censusRows({ count: 1 });
    await makeCensus(database.db, { by: town.admin, rows: people });
    const round = await makeRound(database.db, {
      by: town.admin,
      slug: "r",
      title: { en: "Budget R" },
      description: { en: "" },
      spans: [["voting", -1, 3]],
    });
    const envelope = await makeEnvelope(database.db, {
      by: town.admin,
      round,
      slug: "parks",
      name: { en: "Parks" },
      amount: 8_000,
      ballotType: "approval",
    });
    const secret = unique("SecretChoice");
    const id = await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: secret }, cost: 3_000 });
    const resident = await makeUser(database.db, { email: `${unique("voter")}@example.org` });
    await verifyVoter(database.db, { municipality: town.municipality, user: resident, person: people[0] });
    const [verification] = await database.db.select().from(verifications).where(eq(verifications.userId, resident.id));
    const scope = await roundScope(database.db, round.id, userActor(resident));
    const cast = () =>
      castBallot(database.db, scope, {
        roundId: round.id,
        roundSlug: round.slug,
        envelope,
        voter: {
          identity: verification.identityHash,
          weight: 1,
          district: String(verification.districtId),
          voterClass: verification.voterClass,
        },
        body: { approved: [id] },
        channel: "online",
      });
    const receipt = await cast();
    const rows = await database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.userId, resident.id), eq(outbox.kind, "vote.confirmation")));
    expect(rows).toHaveLength(1);
    const stored = JSON.stringify(rows[0]);
    expect(stored).not.toContain(receipt.ballotId);
    expect(stored).not.toContain(id);
    expect(stored).not.toContain(secret);
    // Queued at the ballot's hour, sent after a random delay of at most five minutes.
    expect(rows[0].createdAt.getUTCMinutes()).toBe(0);
    const transports = {
      mail: smtpTransport(smtp.url, "Shora <shora@shora.test>"),
      sms: viewerTransport,
      publicUrl: PUBLIC,
    };
    const system = { actor: { kind: "system" as const, name: "test" } };
    const inSixMinutes = () => new Date(Date.now() + 6 * 60_000);
    await deliverDueMessages(database.db, system, { transports, now: inSixMinutes });
    const mails = smtp.to(resident.email).filter((m) => m.subject.startsWith("Your vote"));
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(`${PUBLIC}/m/${town.municipality.slug}/rounds/${round.slug}/receipt`);
    expect(mails[0].text).not.toContain(secret);
    expect(headerOf(mails[0], "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    // A revote gets its own confirmation; switched off, none.
    await cast();
    await database.db.insert(notificationOptOuts).values({ userId: resident.id, topic: "vote" });
    await cast();
    await deliverDueMessages(database.db, system, { transports, now: inSixMinutes });
    expect(smtp.to(resident.email).filter((m) => m.subject.startsWith("Your vote"))).toHaveLength(2);
  });
});
