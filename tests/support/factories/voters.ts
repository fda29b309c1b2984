/**
 * Many verified residents with open sessions at once, for the load benchmark: accounts as `makeUser`
 * makes them (one insert of a thousand, the password hashed once), verifications through the store
 * helper staff and census verification share (`createVerification`, one transaction per thousand, a
 * random identity: hashing national codes would measure nothing the benchmark is about), and a session
 * each as logging in starts it (`startSession`; logging 20,000 people in through argon2 would measure
 * password hashing, not voting).
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../../../db/client";
import { users } from "../../../db/schema";
import { createVerification } from "../../../app/services/verification/verifications.server";
import { startSession } from "../../../app/web/session.server";
import { passwordHash } from "./accounts";

/** `count` verified voters of the district; returns their session ids, in order. */
export async function makeVoters(
  db: Db,
  input: { municipality: { id: string }; districtId: string; count: number; emailDomain?: string; voterClass?: string },
): Promise<string[]> {
  const hash = await passwordHash();
  const domain = input.emailDomain ?? "voters.example";
  const sessionIds: string[] = [];
  for (let start = 0; start < input.count; start += 1000) {
    const batch = Array.from({ length: Math.min(1000, input.count - start) }, (_, k) => ({
      id: randomUUID(),
      n: start + k,
    }));
    await db.transaction(async (tx) => {
      await tx
        .insert(users)
        .values(
          batch.map((b) => ({
            id: b.id,
            email: `voter${b.n}@${domain}`,
            passwordHash: hash,
            displayName: `Voter ${b.n}`,
          })),
        );
      for (const b of batch)
        await createVerification(tx, {
          municipalityId: input.municipality.id,
          userId: b.id,
          method: "staff",
          identityHash: randomBytes(32).toString("base64url"),
          birthDate: "1980-01-01",
          districtId: input.districtId,
          voterClass: input.voterClass ?? "resident",
          verifiedBy: null,
          at: new Date(),
        });
    });
    const cookies = await Promise.all(batch.map((b) => startSession(db, new Request("http://localhost/login"), b.id)));
    for (const cookie of cookies) sessionIds.push(cookie.split(";")[0].split("=")[1]);
  }
  return sessionIds;
}
