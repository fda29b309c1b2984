/**
 * Self-verification of residents: a census match (national ID and birth date) or a one-time letter
 * code. Tries are throttled per account, and census misses also per identity, address and
 * municipality (docs/decisions/0015-identity-guards.md).
 */
import { and, count, desc, eq, gte, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import {
  censusAttempts,
  censusLocks,
  districts,
  letterCodes,
  verificationAttempts,
  verifications,
} from "../../../db/schema";
import type { LocalizedText } from "../../../db/schema";
import { normalizeCode } from "../../domain/verification/codes";
import { parseBirthDate } from "../../domain/verification/dates";
import { idChecker } from "../../domain/verification/ids";
import { isAddressConfirmed } from "../accounts/tokens.server";
import { recordAction } from "../action-log/action-log.server";
import { limits } from "../limits.server";
import { type Scope, actorUserId } from "../scope";
import { askCensusService, censusServiceOf } from "../eid/census-service.server";
import { censusEntry, censusSecret, idRulesOf, identityHash } from "./census.server";
import { letterCodeHash } from "./letter-codes.server";
import {
  VerificationRefused,
  activeVerification,
  assertIdentityFree,
  createVerification,
  isUniqueViolation,
  residentLog,
  verifyResidentFromEntry,
} from "./verifications.server";

interface SelfInput {
  /** The client's address (routes pass it; the per-address ceiling applies only when it is known). */
  ip?: string;
  now?: Date;
}

/** What a resident may see of their own verification (no ID, no birth date). */
export async function verificationStatus(db: Db | Tx, scope: Scope) {
  const municipalityId = scope.municipality.id;
  const userId = actorUserId(scope);
  const current = await activeVerification(db, { municipalityId, userId });
  const [lastRevoked] = current
    ? []
    : await db
        .select({ revokedAt: verifications.revokedAt, reason: verifications.revokeReason })
        .from(verifications)
        .where(
          and(
            eq(verifications.municipalityId, municipalityId),
            eq(verifications.userId, userId),
            isNotNull(verifications.revokedAt),
          ),
        )
        .orderBy(desc(verifications.revokedAt))
        .limit(1);
  let district: { code: string; name: LocalizedText } | null = null;
  if (current) {
    const [d] = await db.select().from(districts).where(eq(districts.id, current.districtId));
    district = d ? { code: d.code, name: d.name } : null;
  }
  return {
    verified: current
      ? {
          method: current.method,
          voterClass: current.voterClass,
          district,
          verifiedAt: current.verifiedAt.toISOString(),
        }
      : null,
    revoked: lastRevoked ? { at: lastRevoked.revokedAt!.toISOString(), reason: lastRevoked.reason ?? "" } : null,
  };
}
export const TRIES_PER_HOUR = 5;
const HOUR = 3_600_000;
async function triesLeft(tx: Tx, userId: string, now: Date): Promise<number> {
  const [{ n }] = await tx
    .select({ n: count() })
    .from(verificationAttempts)
    .where(and(eq(verificationAttempts.userId, userId), gte(verificationAttempts.at, new Date(now.getTime() - HOUR))));
  return TRIES_PER_HOUR - n;
}
/** Census misses for one identity (across all accounts) within a day before it is locked (ADR 0015). */
export const IDENTITY_MISSES = 5;
const DAY = 24 * HOUR;
async function countCensusAttempts(tx: Tx, where: ReturnType<typeof and>) {
  const [{ n }] = await tx.select({ n: count() }).from(censusAttempts).where(where);
  return n;
}
/** The identity's open lock, if any, and when its last lock was cleared (misses before that are forgiven). */
async function lockState(tx: Tx, municipalityId: string, hash: string) {
  const rows = await tx
    .select({ id: censusLocks.id, clearedAt: censusLocks.clearedAt })
    .from(censusLocks)
    .where(and(eq(censusLocks.municipalityId, municipalityId), eq(censusLocks.identityHash, hash)));
  const open = rows.find((r) => r.clearedAt === null) ?? null;
  const lastCleared = rows.reduce<Date | null>(
    (latest, r) => (r.clearedAt && (!latest || r.clearedAt > latest) ? r.clearedAt : latest),
    null,
  );
  return { open, lastCleared };
}
/** Whether a census try may be made now from this address in this municipality (misses in the last hour). */
async function censusCeiling(tx: Tx, municipalityId: string, ip: string | undefined, now: Date) {
  const since = new Date(now.getTime() - HOUR);
  const ceilings = limits();
  if (
    ip !== undefined &&
    (await countCensusAttempts(
      tx,
      and(eq(censusAttempts.municipalityId, municipalityId), eq(censusAttempts.ip, ip), gte(censusAttempts.at, since)),
    )) >= ceilings.censusMissesPerIpHour
  )
    return false;
  return (
    (await countCensusAttempts(
      tx,
      and(eq(censusAttempts.municipalityId, municipalityId), gte(censusAttempts.at, since)),
    )) < ceilings.censusMissesPerMunicipalityHour
  );
}
/**
 * Census match: national ID and birth date against the active census. A miss costs one of 5 tries per
 * hour of the account, and counts against the identity (locked after 5 misses in a day, whatever the
 * accounts), the address and the municipality (ADR 0015). The answer never says which of the two was
 * wrong, nor that the identity is locked.
 */
export async function verifyByCensus(
  db: Db,
  scope: Scope,
  input: SelfInput & { nationalId: string; birthDate: string },
) {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  const userId = actorUserId(scope);
  // Census, letter and e-ID verification need a confirmed address (ADR 0025): an unconfirmed
  // account costs nothing to make, which is what made guessing cheap.
  if (!(await isAddressConfirmed(db, { userId }))) throw new VerificationRefused("address_unconfirmed", null, {}, 403);
  const id = idChecker(await idRulesOf(db, scope))(input.nationalId);
  if (!id.ok) throw new VerificationRefused(id.problem, "nationalId");
  const birthDate = parseBirthDate(input.birthDate);
  if (!birthDate) throw new VerificationRefused("birth_date_invalid", "birthDate");
  const secret = await censusSecret(db, municipalityId);
  const hash = identityHash(secret, id.id);
  const service = await censusServiceOf(db, { municipalityId });
  const result = await db
    .transaction(async (tx) => {
      // Account first, then the municipality's census counter (which covers identity, address and
      // municipality counts): always in this order, so two requests never wait on each other.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`verify:${userId}`}))`);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`census:${municipalityId}`}))`);
      if (await activeVerification(tx, { municipalityId, userId }))
        throw new VerificationRefused("already_verified", null, {}, 409);
      const left = await triesLeft(tx, userId, now);
      if (left <= 0) return { ok: false as const, throttled: true, left: 0 };
      if (!(await censusCeiling(tx, municipalityId, input.ip, now)))
        return { ok: false as const, throttled: true, left };
      const lock = await lockState(tx, municipalityId, hash);
      const miss = async (checked: boolean) => {
        await tx.insert(verificationAttempts).values({ userId: userId, kind: "census", at: now });
        await tx.insert(censusAttempts).values({
          municipalityId,
          identityHash: hash,
          userId: userId,
          ip: input.ip ?? "",
          checked,
          at: now,
        });
        return { ok: false as const, throttled: false, left: left - 1 };
      };
      // A locked identity is refused unseen, exactly like a miss.
      if (lock.open) return miss(false);
      // A live census service (ADR 0038) answers instead of the uploaded census; its timeout bounds
      // how long the locks are held, and a service that is down costs no try (the refusal rolls back).
      const entry = service
        ? await askCensusService(tx, { municipalityId, service, nationalId: id.id, birthDate }).then((found) =>
            found ? { ...found, birthDate: found.birthDate ?? birthDate } : null,
          )
        : await censusEntry(tx, { municipalityId, identityHash: hash });
      if (!entry || entry.birthDate !== birthDate) {
        const answer = await miss(true);
        const since = new Date(Math.max(now.getTime() - DAY, lock.lastCleared?.getTime() ?? 0));
        const misses = await countCensusAttempts(
          tx,
          and(
            eq(censusAttempts.municipalityId, municipalityId),
            eq(censusAttempts.identityHash, hash),
            eq(censusAttempts.checked, true),
            gte(censusAttempts.at, since),
          ),
        );
        if (misses >= IDENTITY_MISSES) {
          await tx
            .insert(censusLocks)
            .values({ municipalityId, identityHash: hash, lockedAt: now })
            .onConflictDoNothing();
        }
        return answer;
      }
      const verificationId = await verifyResidentFromEntry(tx, scope, {
        userId,
        method: "census",
        identityHash: hash,
        birthDate,
        entry,
        action: "verification.census",
        after: { method: "census", voterClass: entry.voterClass },
        at: now,
      });
      return { ok: true as const, verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken", null, {}, 409);
      throw error;
    });
  if (!result.ok) {
    if (result.throttled) throw new VerificationRefused("throttled", null, { minutes: 60 }, 429);
    throw new VerificationRefused("no_match", null, { left: result.left });
  }
  return result;
}
/** Letter code: works once, until it expires; the resident gets the census entry's district and class. */
export async function verifyByLetter(db: Db, scope: Scope, input: SelfInput & { code: string }) {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  const userId = actorUserId(scope);
  // Census, letter and e-ID verification need a confirmed address (ADR 0025): an unconfirmed
  // account costs nothing to make, which is what made guessing cheap.
  if (!(await isAddressConfirmed(db, { userId }))) throw new VerificationRefused("address_unconfirmed", null, {}, 403);
  const code = normalizeCode(input.code);
  if (!code) throw new VerificationRefused("code_format", "code");
  const secret = await censusSecret(db, municipalityId);
  const codeHash = letterCodeHash(secret, code);
  const result = await db
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`verify:${userId}`}))`);
      if (await activeVerification(tx, { municipalityId, userId }))
        throw new VerificationRefused("already_verified", null, {}, 409);
      const left = await triesLeft(tx, userId, now);
      if (left <= 0) return { ok: false as const, reason: "throttled" as const, left: 0 };
      const [row] = await tx
        .select()
        .from(letterCodes)
        .where(and(eq(letterCodes.municipalityId, municipalityId), eq(letterCodes.codeHash, codeHash)));
      const reason = !row
        ? ("code_unknown" as const)
        : row.usedAt
          ? ("code_used" as const)
          : row.expiresAt <= now
            ? ("code_expired" as const)
            : null;
      if (reason || !row) {
        await tx.insert(verificationAttempts).values({ userId: userId, kind: "letter", at: now });
        return { ok: false as const, reason: reason ?? "code_unknown", left: left - 1 };
      }
      const entry = await censusEntry(tx, { municipalityId, identityHash: row.identityHash });
      if (!entry) throw new VerificationRefused("not_in_census", "code", {}, 409);
      await assertIdentityFree(tx, { municipalityId, identityHash: row.identityHash });
      // Once only, also under concurrency: the update only succeeds while the code is unused.
      const used = await tx
        .update(letterCodes)
        .set({ usedAt: now, usedBy: userId })
        .where(and(eq(letterCodes.id, row.id), isNull(letterCodes.usedAt)))
        .returning({ id: letterCodes.id });
      if (used.length === 0) throw new VerificationRefused("code_used", "code", {}, 409);
      const verificationId = await createVerification(tx, {
        municipalityId,
        userId: userId,
        method: "letter",
        identityHash: row.identityHash,
        birthDate: entry.birthDate,
        districtId: entry.districtId,
        voterClass: entry.voterClass,
        verifiedBy: null,
        at: now,
      });
      await recordAction(tx, {
        ...residentLog(scope),
        action: "verification.letter",
        target: `verification:${verificationId}`,
        after: { method: "letter", batch: row.batch, voterClass: entry.voterClass },
        at: now,
      });
      return { ok: true as const, verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken", null, {}, 409);
      throw error;
    });
  if (!result.ok) {
    if (result.reason === "throttled") throw new VerificationRefused("throttled", null, { minutes: 60 }, 429);
    throw new VerificationRefused(result.reason, "code", { left: result.left });
  }
  return result;
}
