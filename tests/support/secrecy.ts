import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { readKey, roundSecretName } from "../../db/keystore";
import { envelopes, memberships, municipalities, phases, proposals, rounds, users } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { scopeOf, userActor } from "../../app/services/scope";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { createMunicipality } from "../../app/services/tenancy/municipality.server";
import { unique } from "./db";
import { roundScope } from "./scopes";

/** The round's voter-key secret where the app keeps it (the attacker's view), or null when gone. */
export async function roundSecretForTests(db: Db, roundId: string): Promise<string | null> {
  const stored = readKey(roundSecretName(roundId));
  if (stored) return stored;
  // Where a version before ADR 0016 kept it (to show the attacks against that design).
  const [column] = await queryRows(
    db,
    sql`select 1 from information_schema.columns where table_name = 'round_secrets' and column_name = 'voter_key_secret'`,
  );
  if (!column) return null;
  const [row] = await queryRows<{ s: string | null }>(
    db,
    sql`select voter_key_secret as s from round_secrets where round_id = ${roundId}`,
  );
  return row?.s ?? null;
}

const today = dayIn("UTC");
const votingDay = new Date(`${addDays(today, -3)}T12:34:56.789Z`);

/** A municipality with a round whose voting ended yesterday; `voters` cast ballots while it was open. */
export async function votedRound(db: Db, voters: string[]) {
  const slug = unique("secrecy");
  const { municipalityId } = await createMunicipality(db, {
    slug,
    name: { en: "Secrecy town" },
    defaultLocale: "en",
    timeZone: "UTC",
    currency: "EUR",
    admin: { email: `admin@${slug}.example`, displayName: "Ada", password: "secrecy password 1" },
  });
  const staffId = randomUUID();
  await db.insert(users).values({
    id: staffId,
    email: `staff@${slug}.example`,
    passwordHash: await hashPassword("secrecy password 1"),
    displayName: "Sam",
  });
  await db.insert(memberships).values({ userId: staffId, municipalityId, role: "staff" });
  const roundId = randomUUID();
  await db
    .insert(rounds)
    .values({ id: roundId, municipalityId, slug: "r", kind: "budgeting", title: { en: "R" }, description: { en: "" } });
  await db.insert(phases).values([
    { id: randomUUID(), roundId, kind: "voting", startsOn: addDays(today, -5), endsOn: addDays(today, -1) },
    { id: randomUUID(), roundId, kind: "tallying", startsOn: today, endsOn: addDays(today, 3) },
  ]);
  const envelopeId = randomUUID();
  await db
    .insert(envelopes)
    .values({ id: envelopeId, roundId, slug: "all", name: { en: "All" }, amount: 1000, tallyRule: "greedy" });
  const [envelope] = await db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  const proposalId = randomUUID();
  await db
    .insert(proposals)
    .values({ id: proposalId, envelopeId, title: { en: "Park" }, body: { en: "" }, cost: 500, status: "accepted" });
  for (const identity of voters)
    await castBallot(db, await roundScope(db, roundId), {
      roundId,
      roundSlug: "r",
      envelope,
      voter: { identity, weight: 1, district: "d", voterClass: "resident" },
      body: { approved: [proposalId] },
      channel: "online",
      now: votingDay,
    });
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.id, municipalityId));
  /** The staff member's scope: they count and publish the round. */
  const scope = scopeOf(municipality, userActor({ id: staffId }));
  return { municipalityId, roundId, envelopeId, envelope, proposalId, access: scope, scope };
}

/**
 * A town whose round is open for voting today, with an envelope of one accepted proposal and
 * `residents` residents verified by staff: each with the standing the vote page would cast with.
 */
export async function votingTown(db: Db, residents: number) {
  const { setupTown } = await import("../integration/verification-setup");
  const { staffVerify } = await import("../../app/services/verification/staff-verification.server");
  const { voterStanding } = await import("../../app/services/verification/eligibility.server");
  const { withIranianCheckDigit } = await import("../../app/domain/verification/ids");
  const town = await setupTown(db, { residents, votingInDays: -1 });
  const envelopeId = randomUUID();
  await db
    .insert(envelopes)
    .values({ id: envelopeId, roundId: town.roundId, slug: "all", name: { en: "All" }, amount: 1000 });
  const [envelope] = await db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  const proposalId = randomUUID();
  await db
    .insert(proposals)
    .values({ id: proposalId, envelopeId, title: { en: "Park" }, body: { en: "" }, cost: 500, status: "accepted" });
  const voters: {
    user: (typeof town.residents)[number];
    verificationId: string;
    standing: NonNullable<Awaited<ReturnType<typeof voterStanding>>["standing"]>;
  }[] = [];
  for (const [i, user] of town.residents.entries()) {
    const { verificationId } = await staffVerify(db, town.staff, {
      userId: user.id,
      nationalId: withIranianCheckDigit(String(710000000 + i)),
      birthDate: "1980-01-01",
      districtId: town.district.north,
      voterClass: "resident",
    });
    const { standing } = await voterStanding(db, scopeOf(town.municipality, userActor(user)), {
      roundId: town.roundId,
    });
    if (!standing) throw new Error("the verified resident has no standing");
    voters.push({ user, verificationId, standing });
  }
  /** A cast as the vote page makes it. */
  const cast = async (voter: (typeof voters)[number], now?: Date) =>
    castBallot(db, await roundScope(db, town.roundId, userActor({ id: voter.user.id })), {
      roundId: town.roundId,
      roundSlug: town.roundSlug,
      envelope,
      voter: voter.standing,
      body: { approved: [proposalId] },
      channel: "online",
      now,
    });
  return { town, envelope, proposalId, voters, cast };
}

/** Every way the secret's bytes could be written down. */
export function encodingsOf(secret: string): Buffer[] {
  const raw = Buffer.from(secret, "base64url");
  expect(raw).toHaveLength(32);
  return [
    Buffer.from(secret),
    raw,
    Buffer.from(raw.toString("hex")),
    Buffer.from(raw.toString("hex").toUpperCase()),
    Buffer.from(raw.toString("base64")),
    Buffer.from(raw.toString("base64url")),
  ];
}

/** Every regular file under the folders whose bytes contain any of the needles. */
export function filesContaining(folders: string[], needles: Buffer[]): { files: number; found: string[] } {
  const found: string[] = [];
  let files = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.isFile()) {
        files++;
        const bytes = fs.readFileSync(file);
        if (needles.some((n) => bytes.includes(n))) found.push(file);
      }
    }
  };
  for (const folder of folders) if (fs.existsSync(folder)) walk(folder);
  return { files, found };
}
