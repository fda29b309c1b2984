import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";
import { readKey, roundSecretName } from "../../db/keystore";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { findRound } from "../../app/services/rounds/rounds-admin.server";
import {
  type Member,
  type Round,
  castBallots,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  nationalId,
} from "./factories";
import { unique } from "./unique";

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

const votingDay = new Date(`${addDays(dayIn("UTC"), -3)}T12:34:56.789Z`);

/** A municipality with a round whose voting ended yesterday; `voters` cast ballots while it was open. */
export async function votedRound(db: Db, voters: string[]) {
  const town = await makeMunicipality(db, {
    slug: unique("secrecy"),
    name: { en: "Secrecy town" },
    admin: { displayName: "Ada", password: "secrecy password 1" },
  });
  const access = await makeMember(db, {
    by: town.admin,
    email: `staff@${town.municipality.slug}.example`,
    displayName: "Sam",
    password: "secrecy password 1",
  });
  const round = await makeRound(db, {
    by: town.admin,
    slug: "r",
    title: { en: "R" },
    description: { en: "" },
    spans: [
      ["voting", -5, -1],
      ["tallying", 0, 3],
    ],
  });
  const envelope = await makeEnvelope(db, { by: town.admin, round, slug: "all", name: { en: "All" }, amount: 1000 });
  const proposalId = await makeProposal(db, {
    by: access,
    round,
    envelope,
    title: { en: "Park" },
    body: { en: "" },
    cost: 500,
  });
  await castBallots(db, {
    municipality: town.municipality,
    round,
    envelope,
    at: votingDay,
    votes: voters.map((identity) => ({ identity, district: "d", body: { approved: [proposalId] } })),
  });
  return {
    municipalityId: town.municipality.id,
    roundId: round.id,
    envelopeId: envelope.id,
    envelope,
    proposalId,
    access,
  };
}

/**
 * A town whose round is open for voting today, with an envelope of one accepted proposal and
 * `residents` residents verified by staff: each with the standing the vote page would cast with.
 */
export async function votingTown(db: Db, residents: number) {
  const { setupTown } = await import("../integration/verification-setup");
  const { staffVerify, voterStanding } = await import("../../app/services/verification/verification.server");
  const town = await setupTown(db, { residents, votingInDays: -1 });
  const admin: Member = { ...town.admin, role: "admin" };
  const round = (await findRound(db, town.municipality.id, town.roundSlug)) as Round;
  const envelope = await makeEnvelope(db, { by: admin, round, slug: "all", name: { en: "All" }, amount: 1000 });
  const proposalId = await makeProposal(db, {
    by: { ...town.staff, role: "staff" },
    round,
    envelope,
    title: { en: "Park" },
    body: { en: "" },
    cost: 500,
  });
  const voters: {
    user: (typeof town.residents)[number];
    verificationId: string;
    standing: NonNullable<Awaited<ReturnType<typeof voterStanding>>>;
  }[] = [];
  for (const [i, user] of town.residents.entries()) {
    const { verificationId } = await staffVerify(db, town.staff, {
      userId: user.id,
      nationalId: nationalId(710000000 + i),
      birthDate: "1980-01-01",
      districtId: town.district.north,
      voterClass: "resident",
    });
    const standing = await voterStanding(db, {
      municipality: town.municipality,
      roundSlug: town.roundSlug,
      userId: user.id,
    });
    if (!standing) throw new Error("the verified resident has no standing");
    voters.push({ user, verificationId, standing });
  }
  /** A cast as the vote page makes it. */
  const cast = (voter: (typeof voters)[number], now?: Date) =>
    castBallot(db, {
      roundId: town.roundId,
      roundSlug: town.roundSlug,
      timeZone: town.municipality.timeZone,
      envelope,
      voter: voter.standing,
      body: { approved: [proposalId] },
      channel: "online",
      userId: voter.user.id,
      municipalityId: town.municipality.id,
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
