/**
 * Staff verification: the resident search, in-person verification, revocation (which withdraws the
 * person's ballots in rounds whose voting is open, docs/decisions/0017-receipts-and-revocations.md),
 * moving a verification to another account, and the census locks staff clear
 * (docs/decisions/0015-identity-guards.md).
 */
import { randomUUID } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { censusImports, censusLocks, censusRecords, users, verifications } from "../../../db/schema";
import { dayIn } from "../../domain/rounds/phases";
import { parseBirthDate } from "../../domain/verification/dates";
import { VOTER_CLASS_CODE } from "../../domain/verification/eligibility";
import { idChecker } from "../../domain/verification/ids";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { withdrawBallotsOf } from "../ballots/ballots.server";
import { type Scope, actorUserId } from "../scope";
import { districtsOf } from "../tenancy/municipality.server";
import { censusSecret, idRulesOf, identityHash } from "./census.server";
import {
  VerificationRefused,
  activeVerification,
  createVerification,
  isUniqueViolation,
  openVoting,
  queueVerificationMessage,
} from "./verifications.server";

/** Identities locked for census self-verification, for the staff queue: census line and district, no ID. */
export async function censusLockQueue(db: Db, scope: Scope) {
  const municipalityId = scope.municipality.id;
  const rows = await db
    .select({
      id: censusLocks.id,
      lockedAt: censusLocks.lockedAt,
      censusLine: censusRecords.line,
      districtId: censusRecords.districtId,
    })
    .from(censusLocks)
    .leftJoin(
      censusImports,
      and(eq(censusImports.municipalityId, censusLocks.municipalityId), eq(censusImports.status, "active")),
    )
    .leftJoin(
      censusRecords,
      and(eq(censusRecords.importId, censusImports.id), eq(censusRecords.identityHash, censusLocks.identityHash)),
    )
    .where(and(eq(censusLocks.municipalityId, municipalityId), isNull(censusLocks.clearedAt)))
    .orderBy(desc(censusLocks.lockedAt))
    .limit(200);
  return rows.map((r) => ({
    id: r.id,
    lockedAt: r.lockedAt.toISOString(),
    censusLine: r.censusLine,
    districtId: r.districtId,
  }));
}

async function clearLocksOf(tx: Tx, scope: Scope, where: ReturnType<typeof and>, now: Date) {
  const cleared = await tx
    .update(censusLocks)
    .set({ clearedAt: now, clearedBy: actorUserId(scope) })
    .where(and(eq(censusLocks.municipalityId, scope.municipality.id), isNull(censusLocks.clearedAt), where))
    .returning({ id: censusLocks.id });
  for (const lock of cleared) {
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.census_unlock",
      target: `census_lock:${lock.id}`,
      at: now,
    });
  }
  return cleared.length;
}

/** Staff clear a census lock (after checking the person): census self-verification works again. */
export async function clearCensusLock(db: Db, scope: Scope, input: { lockId: string; now?: Date }) {
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const n = await clearLocksOf(tx, scope, eq(censusLocks.id, input.lockId), now);
    if (n === 0) throw new VerificationRefused("lock_unknown", null, {}, 404);
  });
}

/** A resident found by email, with their verification history (no ID, no birth date). */
export async function residentByEmail(db: Db, scope: Scope, input: { email: string }) {
  const email = input.email;
  const [user] = await db
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()));
  if (!user) return null;
  const history = await db
    .select({
      id: verifications.id,
      method: verifications.method,
      districtId: verifications.districtId,
      voterClass: verifications.voterClass,
      verifiedAt: verifications.verifiedAt,
      verifiedBy: users.displayName,
      revokedAt: verifications.revokedAt,
      revokeReason: verifications.revokeReason,
    })
    .from(verifications)
    .leftJoin(users, eq(users.id, verifications.verifiedBy))
    .where(and(eq(verifications.municipalityId, scope.municipality.id), eq(verifications.userId, user.id)))
    .orderBy(desc(verifications.verifiedAt));
  return { user, history };
}

interface StaffVerifyInput {
  userId: string;
  nationalId: string;
  birthDate: string;
  districtId: string;
  voterClass: string;
  /** Required when the person's verification was revoked during a round's voting that is still open. */
  reason?: string;
  now?: Date;
}

/** In-person verification by staff: the ID is checked and hashed, district and class chosen by staff. */
export async function staffVerify(db: Db, scope: Scope, input: StaffVerifyInput) {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  const id = idChecker(await idRulesOf(db, scope))(input.nationalId);
  if (!id.ok) throw new VerificationRefused(id.problem, "nationalId");
  const birthDate = parseBirthDate(input.birthDate);
  if (!birthDate || birthDate > dayIn(scope.municipality.timeZone, now)) {
    throw new VerificationRefused("birth_date_invalid", "birthDate");
  }
  const voterClass = input.voterClass.trim().toLowerCase();
  if (!VOTER_CLASS_CODE.test(voterClass)) throw new VerificationRefused("class_invalid", "voterClass");
  const district = (await districtsOf(db, scope)).find((d) => d.id === input.districtId);
  if (!district) throw new VerificationRefused("district_unknown", "districtId");
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
  if (!user) throw new VerificationRefused("user_unknown", null, {}, 404);
  const hash = identityHash(await censusSecret(db, municipalityId), id.id);
  return db
    .transaction(async (tx) => {
      if (await activeVerification(tx, { municipalityId, userId: user.id }))
        throw new VerificationRefused("already_verified", null, {}, 409);
      const [holder] = await tx
        .select({ id: verifications.id })
        .from(verifications)
        .where(
          and(
            eq(verifications.municipalityId, municipalityId),
            eq(verifications.identityHash, hash),
            isNull(verifications.revokedAt),
          ),
        );
      if (holder) throw new VerificationRefused("identity_taken_staff", "nationalId", { verification: holder.id }, 409);
      // Verifying again someone revoked during a round's voting lets them vote again: a written reason,
      // shown in the public log, and no district or class there (ADR 0017).
      const again = await revokedDuringOpenVoting(tx, scope, hash, now);
      let reason: string | null = null;
      if (again) {
        reason = (input.reason ?? "").trim();
        if (reason.length < REASON_MIN || reason.length > REASON_MAX)
          throw new VerificationRefused("reverify_reason", "reason");
      }
      const verificationId = await createVerification(tx, {
        municipalityId,
        userId: user.id,
        method: "staff",
        identityHash: hash,
        birthDate,
        districtId: district.id,
        voterClass,
        verifiedBy: actorUserId(scope),
        at: now,
      });
      // Checked in person: a census lock on this identity has done its job.
      await clearLocksOf(tx, scope, eq(censusLocks.identityHash, hash), now);
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "verification.staff",
        target: `verification:${verificationId}`,
        after: reason === null ? { method: "staff", districtId: district.id, voterClass } : { method: "staff", reason },
        at: now,
      });
      return { verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken_staff", "nationalId", {}, 409);
      throw error;
    });
}

/** The identity's latest verification was revoked on or after the first day of a voting still open. */
async function revokedDuringOpenVoting(tx: Tx, scope: Scope, identity: string, now: Date) {
  const municipality = scope.municipality;
  const [latest] = await tx
    .select({ revokedAt: verifications.revokedAt })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, municipality.id), eq(verifications.identityHash, identity)))
    .orderBy(desc(verifications.verifiedAt))
    .limit(1);
  if (!latest?.revokedAt) return false;
  const revokedOn = dayIn(municipality.timeZone, latest.revokedAt);
  return (await openVoting(tx, scope, now)).some((r) => r.votingFrom <= revokedOn);
}

const HOUR_MS = 3_600_000;

const REASON_MIN = 3;

const REASON_MAX = 500;

function checkReason(reason: string): string {
  const r = reason.trim();
  if (r.length < REASON_MIN || r.length > REASON_MAX) throw new VerificationRefused("reason_required", "reason");
  return r;
}

/** Staff revoke a verification; a reason is required and logged. */
export async function revokeVerification(
  db: Db,
  scope: Scope,
  input: { verificationId: string; reason: string; now?: Date },
) {
  const reason = checkReason(input.reason);
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const revocationRef = randomUUID();
    const [row] = await tx
      .update(verifications)
      .set({ revokedAt: now, revokedBy: actorUserId(scope), revokeReason: reason, revocationRef })
      .where(
        and(
          eq(verifications.id, input.verificationId),
          eq(verifications.municipalityId, scope.municipality.id),
          isNull(verifications.revokedAt),
        ),
      )
      .returning();
    if (!row) throw new VerificationRefused("verification_unknown", null, {}, 404);
    await queueVerificationMessage(tx, {
      kind: "verification.revoked",
      verificationId: row.id,
      municipalityId: row.municipalityId,
      userId: row.userId,
      at: now,
    });
    // The revoked voter's ballots in rounds whose voting is open are withdrawn (ADR 0017).
    await withdrawBallotsOf(tx, { municipalityId: row.municipalityId, identityHash: row.identityHash, at: now });
    // Keep the transparency, lose the link (ADR 0017): a reference of its own rather than the
    // verification's id, no method, and during voting only the hour, as for the withdrawal leaf.
    const duringVoting = (await openVoting(tx, scope, now)).length > 0;
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.revoke",
      target: `revocation:${revocationRef}`,
      after: { reason },
      at: duringVoting ? new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS) : now,
    });
    return { verificationId: row.id };
  });
}

/**
 * Moves a verification to another account (after staff checked the person): the old one is revoked
 * with the reason, the new one keeps identity, district and class. Ballots follow the identity, so a
 * revote from the new account supersedes the old account's ballot.
 */
export async function moveVerification(
  db: Db,
  scope: Scope,
  input: { verificationId: string; toUserId: string; reason: string; now?: Date },
) {
  const reason = checkReason(input.reason);
  const now = input.now ?? new Date();
  return db
    .transaction(async (tx) => {
      const [from] = await tx
        .select()
        .from(verifications)
        .where(
          and(
            eq(verifications.id, input.verificationId),
            eq(verifications.municipalityId, scope.municipality.id),
            isNull(verifications.revokedAt),
          ),
        );
      if (!from) throw new VerificationRefused("verification_unknown", null, {}, 404);
      if (from.userId === input.toUserId) throw new VerificationRefused("already_verified", null, {}, 409);
      const [target] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.toUserId));
      if (!target) throw new VerificationRefused("user_unknown", null, {}, 404);
      if (await activeVerification(tx, { municipalityId: scope.municipality.id, userId: target.id })) {
        throw new VerificationRefused("already_verified", null, {}, 409);
      }
      await tx
        .update(verifications)
        .set({ revokedAt: now, revokedBy: actorUserId(scope), revokeReason: `moved: ${reason}` })
        .where(eq(verifications.id, from.id));
      await queueVerificationMessage(tx, {
        kind: "verification.revoked",
        verificationId: from.id,
        municipalityId: from.municipalityId,
        userId: from.userId,
        at: now,
      });
      const verificationId = await createVerification(tx, {
        municipalityId: from.municipalityId,
        userId: target.id,
        method: "staff",
        identityHash: from.identityHash,
        birthDate: from.birthDate,
        districtId: from.districtId,
        voterClass: from.voterClass,
        verifiedBy: actorUserId(scope),
        at: new Date(now.getTime() + 1),
      });
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "verification.move",
        target: `verification:${from.id}`,
        before: { verification: from.id },
        after: { verification: verificationId, reason },
        at: now,
      });
      return { verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("already_verified", null, {}, 409);
      throw error;
    });
}

/** Active verifications by method (counts for the staff page). */
export async function verificationCounts(db: Db, scope: Scope) {
  return db
    .select({ method: verifications.method, n: sql<number>`count(*)::int` })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, scope.municipality.id), isNull(verifications.revokedAt)))
    .groupBy(verifications.method);
}
