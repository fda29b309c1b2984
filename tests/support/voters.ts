import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { districts, municipalities, sessions, users, verifications } from "../../db/schema";

/**
 * Verified voters of the demo municipality (north district) with open sessions, written straight to
 * the database as the load bench does (logging each in through argon2 would time password hashing).
 * Each comes with the cookie header and CSRF token a browser of theirs would send.
 */
export async function demoVoters(db: Db, input: { count: number; prefix: string }) {
  const [demo] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
  const [north] = await db
    .select()
    .from(districts)
    .where(and(eq(districts.municipalityId, demo.id), eq(districts.code, "north")));
  const csrf = randomBytes(24).toString("base64url");
  const voters = Array.from({ length: input.count }, (_, n) => ({
    n,
    userId: randomUUID(),
    session: randomBytes(20).toString("hex"),
  }));
  await db.transaction(async (tx) => {
    await tx.insert(users).values(
      voters.map((v) => ({
        id: v.userId,
        email: `${input.prefix}${v.n}@voters.local`,
        passwordHash: "x",
        displayName: `V${v.n}`,
      })),
    );
    await tx.insert(verifications).values(
      voters.map((v) => ({
        id: randomUUID(),
        municipalityId: demo.id,
        userId: v.userId,
        method: "staff" as const,
        identityHash: randomBytes(32).toString("base64url"),
        birthDate: "1980-01-01",
        districtId: north.id,
        voterClass: "resident",
      })),
    );
    await tx
      .insert(sessions)
      .values(voters.map((v) => ({ id: v.session, userId: v.userId, expiresAt: new Date(Date.now() + 3_600_000) })));
  });
  return voters.map((v) => ({ ...v, csrf, cookie: `shora_session=${v.session}; shora_csrf=${csrf}` }));
}

/**
 * Casts `points` for one proposal of the demo's green envelope (a form post, as without JavaScript);
 * a voter who already voted replaces their ballot at once (the confirmed revote, ADR 0027).
 */
export function castGreen(base: string, voter: { cookie: string; csrf: string }, proposal: string, points = 1) {
  return fetch(`${base}/m/demo/rounds/budget-1405/vote/green`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: voter.cookie },
    body: new URLSearchParams({
      _csrf: voter.csrf,
      intent: "cast",
      replace: "yes",
      [`points.${proposal}`]: String(points),
    }).toString(),
  });
}
