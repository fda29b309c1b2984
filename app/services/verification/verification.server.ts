/**
 * Verification of residents (census match, letter code, staff), revocation and moves, letter-code
 * batches, and per round: voter classes with weights and eligibility. One person = one active verified
 * account per municipality: the partial unique indexes on `verifications` enforce it even when two
 * requests race. National IDs and birth dates never appear in the action log, pages or exports.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { json } from "@remix-run/node";
import { and, asc, count, desc, eq, gte, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import {
  censusAttempts,
  censusImports,
  censusLocks,
  censusRecords,
  districts,
  envelopes,
  letterCodes,
  phases,
  roundEligibility,
  roundVoterClasses,
  rounds,
  users,
  verificationAttempts,
  verifications,
} from "../../../db/schema";
import type { LocalizedText, VerificationMethod } from "../../../db/schema";
import { csvLine } from "../../domain/csv";
import type { MessageKey, Translator } from "../../domain/i18n";
import { currentPhase, dayIn, rulesFrozen } from "../../domain/rounds/phases";
import { formatCode, normalizeCode } from "../../domain/verification/codes";
import { parseBirthDate } from "../../domain/verification/dates";
import {
  type EligibilityRules,
  type Standing,
  type Verdict,
  VOTER_CLASS_CODE,
  checkVoterClass,
  envelopeOpenTo,
  roundVerdict,
} from "../../domain/verification/eligibility";
import { idChecker } from "../../domain/verification/ids";
import { recordAction } from "../action-log/action-log.server";
import { limits } from "../limits.server";
import { VerificationRefused, censusEntry, censusSecret, idRulesOf, identityHash, logFor } from "./census.server";
import type { FormFailure } from "../../web/forms.server";
import type { StaffAccess } from "../../web/guards.server";
import type { Municipality } from "../tenancy/municipality.server";
import { lockRoundRules } from "../rounds/round-rules.server";

export { VerificationRefused };

type Actor = Pick<StaffAccess, "user" | "municipality">;
type Resident = { id: string };

/** Turns a refusal into the form failure a route returns (message per field, in the user's language). */
export function verificationFailure(error: unknown, t: Translator, values: Record<string, string>) {
  if (!(error instanceof VerificationRefused)) throw error;
  const safe = { ...values };
  delete safe.nationalId;
  delete safe.birthDate;
  return json<FormFailure>(
    { errors: { [error.field]: t(`verification.error.${error.code}` as MessageKey, error.params) }, values: safe },
    { status: error.status },
  );
}

function isUniqueViolation(error: unknown): boolean {
  for (
    let e = error as { code?: string; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    e = e.cause as typeof e, i++
  ) {
    if (e.code === "23505") return true;
  }
  return false;
}

/* ------------------------------------------------------------------ status */

export async function activeVerification(db: Db | Tx, municipalityId: string, userId: string) {
  const [row] = await db
    .select()
    .from(verifications)
    .where(
      and(
        eq(verifications.municipalityId, municipalityId),
        eq(verifications.userId, userId),
        isNull(verifications.revokedAt),
      ),
    );
  return row ?? null;
}

/** What a resident may see of their own verification (no ID, no birth date). */
export async function verificationStatus(db: Db, municipalityId: string, userId: string) {
  const current = await activeVerification(db, municipalityId, userId);
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

/* ------------------------------------------------------------------ throttling */

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

/* ------------------------------------------------------------------ self-verification */

interface SelfInput {
  municipality: Municipality;
  user: Resident;
  /** The client's address (routes pass it; the per-address ceiling applies only when it is known). */
  ip?: string;
  now?: Date;
}

/** Refuses self-service for an identity whose latest verification was revoked (staff decide then). */
async function assertIdentityFree(tx: Tx, municipalityId: string, hash: string) {
  const [latest] = await tx
    .select({ revokedAt: verifications.revokedAt })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, municipalityId), eq(verifications.identityHash, hash)))
    .orderBy(desc(verifications.verifiedAt))
    .limit(1);
  if (!latest) return;
  if (latest.revokedAt === null) throw new VerificationRefused("identity_taken", "form", 409);
  throw new VerificationRefused("identity_revoked", "form", 409);
}

async function createVerification(
  tx: Tx,
  v: {
    municipalityId: string;
    userId: string;
    method: VerificationMethod;
    identityHash: string;
    birthDate: string;
    districtId: string;
    voterClass: string;
    verifiedBy: string | null;
    at: Date;
  },
) {
  const id = randomUUID();
  await tx.insert(verifications).values({ id, ...v, verifiedAt: v.at });
  return id;
}

/** The log entry of a resident's own verification: a fixed actor label, never the resident's name. */
function residentLog(municipality: Municipality, userId: string) {
  return {
    municipalityId: municipality.id,
    municipalitySlug: municipality.slug,
    actor: { id: userId, displayName: "resident" },
  };
}

/**
 * Census match: national ID and birth date against the active census. A miss costs one of 5 tries per
 * hour of the account, and counts against the identity (locked after 5 misses in a day, whatever the
 * accounts), the address and the municipality (ADR 0015). The answer never says which of the two was
 * wrong, nor that the identity is locked.
 */
export async function verifyByCensus(db: Db, input: SelfInput & { nationalId: string; birthDate: string }) {
  const now = input.now ?? new Date();
  const municipalityId = input.municipality.id;
  const id = idChecker(await idRulesOf(db, municipalityId))(input.nationalId);
  if (!id.ok) throw new VerificationRefused(id.problem, "nationalId");
  const birthDate = parseBirthDate(input.birthDate);
  if (!birthDate) throw new VerificationRefused("birth_date_invalid", "birthDate");
  const secret = await censusSecret(db, municipalityId);
  const hash = identityHash(secret, id.id);
  const result = await db
    .transaction(async (tx) => {
      // Account first, then the municipality's census counter (which covers identity, address and
      // municipality counts): always in this order, so two requests never wait on each other.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`verify:${input.user.id}`}))`);
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`census:${municipalityId}`}))`);
      if (await activeVerification(tx, municipalityId, input.user.id))
        throw new VerificationRefused("already_verified", "form", 409);
      const left = await triesLeft(tx, input.user.id, now);
      if (left <= 0) return { ok: false as const, throttled: true, left: 0 };
      if (!(await censusCeiling(tx, municipalityId, input.ip, now)))
        return { ok: false as const, throttled: true, left };
      const lock = await lockState(tx, municipalityId, hash);
      const miss = async (checked: boolean) => {
        await tx.insert(verificationAttempts).values({ userId: input.user.id, kind: "census", at: now });
        await tx.insert(censusAttempts).values({
          municipalityId,
          identityHash: hash,
          userId: input.user.id,
          ip: input.ip ?? "",
          checked,
          at: now,
        });
        return { ok: false as const, throttled: false, left: left - 1 };
      };
      // A locked identity is refused unseen, exactly like a miss.
      if (lock.open) return miss(false);
      const entry = await censusEntry(tx, municipalityId, hash);
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
      await assertIdentityFree(tx, municipalityId, hash);
      const verificationId = await createVerification(tx, {
        municipalityId,
        userId: input.user.id,
        method: "census",
        identityHash: hash,
        birthDate,
        districtId: entry.districtId,
        voterClass: entry.voterClass,
        verifiedBy: null,
        at: now,
      });
      await recordAction(tx, {
        ...residentLog(input.municipality, input.user.id),
        action: "verification.census",
        target: `verification:${verificationId}`,
        after: { method: "census", voterClass: entry.voterClass },
        at: now,
      });
      return { ok: true as const, verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken", "form", 409);
      throw error;
    });
  if (!result.ok) {
    if (result.throttled) throw new VerificationRefused("throttled", "form", 429, { minutes: 60 });
    throw new VerificationRefused("no_match", "form", 400, { left: result.left });
  }
  return result;
}

/** Identities locked for census self-verification, for the staff queue: census line and district, no ID. */
export async function censusLockQueue(db: Db, municipalityId: string) {
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

async function clearLocksOf(tx: Tx, access: Actor, where: ReturnType<typeof and>, now: Date) {
  const cleared = await tx
    .update(censusLocks)
    .set({ clearedAt: now, clearedBy: access.user.id })
    .where(and(eq(censusLocks.municipalityId, access.municipality.id), isNull(censusLocks.clearedAt), where))
    .returning({ id: censusLocks.id });
  for (const lock of cleared) {
    await recordAction(tx, {
      ...logFor(access),
      action: "verification.census_unlock",
      target: `census_lock:${lock.id}`,
      at: now,
    });
  }
  return cleared.length;
}

/** Staff clear a census lock (after checking the person): census self-verification works again. */
export async function clearCensusLock(db: Db, access: Actor, input: { lockId: string; now?: Date }) {
  const now = input.now ?? new Date();
  await db.transaction(async (tx) => {
    const n = await clearLocksOf(tx, access, eq(censusLocks.id, input.lockId), now);
    if (n === 0) throw new VerificationRefused("lock_unknown", "form", 404);
  });
}

/** Letter code: works once, until it expires; the resident gets the census entry's district and class. */
export async function verifyByLetter(db: Db, input: SelfInput & { code: string }) {
  const now = input.now ?? new Date();
  const municipalityId = input.municipality.id;
  const code = normalizeCode(input.code);
  if (!code) throw new VerificationRefused("code_format", "code");
  const secret = await censusSecret(db, municipalityId);
  const codeHash = letterCodeHash(secret, code);
  const result = await db
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`verify:${input.user.id}`}))`);
      if (await activeVerification(tx, municipalityId, input.user.id))
        throw new VerificationRefused("already_verified", "form", 409);
      const left = await triesLeft(tx, input.user.id, now);
      if (left <= 0) return { ok: false as const, reason: "throttled", left: 0 };
      const [row] = await tx
        .select()
        .from(letterCodes)
        .where(and(eq(letterCodes.municipalityId, municipalityId), eq(letterCodes.codeHash, codeHash)));
      const reason = !row ? "code_unknown" : row.usedAt ? "code_used" : row.expiresAt <= now ? "code_expired" : null;
      if (reason || !row) {
        await tx.insert(verificationAttempts).values({ userId: input.user.id, kind: "letter", at: now });
        return { ok: false as const, reason: reason ?? "code_unknown", left: left - 1 };
      }
      const entry = await censusEntry(tx, municipalityId, row.identityHash);
      if (!entry) throw new VerificationRefused("not_in_census", "code", 409);
      await assertIdentityFree(tx, municipalityId, row.identityHash);
      // Once only, also under concurrency: the update only succeeds while the code is unused.
      const used = await tx
        .update(letterCodes)
        .set({ usedAt: now, usedBy: input.user.id })
        .where(and(eq(letterCodes.id, row.id), isNull(letterCodes.usedAt)))
        .returning({ id: letterCodes.id });
      if (used.length === 0) throw new VerificationRefused("code_used", "code", 409);
      const verificationId = await createVerification(tx, {
        municipalityId,
        userId: input.user.id,
        method: "letter",
        identityHash: row.identityHash,
        birthDate: entry.birthDate,
        districtId: entry.districtId,
        voterClass: entry.voterClass,
        verifiedBy: null,
        at: now,
      });
      await recordAction(tx, {
        ...residentLog(input.municipality, input.user.id),
        action: "verification.letter",
        target: `verification:${verificationId}`,
        after: { method: "letter", batch: row.batch, voterClass: entry.voterClass },
        at: now,
      });
      return { ok: true as const, verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken", "form", 409);
      throw error;
    });
  if (!result.ok) {
    if (result.reason === "throttled") throw new VerificationRefused("throttled", "form", 429, { minutes: 60 });
    throw new VerificationRefused(result.reason, "code", 400, { left: result.left });
  }
  return result;
}

export function letterCodeHash(secret: string, canonicalCode: string): string {
  return createHmac("sha256", secret).update(`letter:${canonicalCode}`).digest("base64url");
}

/* ------------------------------------------------------------------ staff */

/** A resident found by email, with their verification history (no ID, no birth date). */
export async function residentByEmail(db: Db, municipalityId: string, email: string) {
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
    .where(and(eq(verifications.municipalityId, municipalityId), eq(verifications.userId, user.id)))
    .orderBy(desc(verifications.verifiedAt));
  return { user, history };
}

export interface StaffVerifyInput {
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
export async function staffVerify(db: Db, access: Actor, input: StaffVerifyInput) {
  const now = input.now ?? new Date();
  const municipalityId = access.municipality.id;
  const id = idChecker(await idRulesOf(db, municipalityId))(input.nationalId);
  if (!id.ok) throw new VerificationRefused(id.problem, "nationalId");
  const birthDate = parseBirthDate(input.birthDate);
  if (!birthDate || birthDate > dayIn(access.municipality.timeZone, now)) {
    throw new VerificationRefused("birth_date_invalid", "birthDate");
  }
  const voterClass = input.voterClass.trim().toLowerCase();
  if (!VOTER_CLASS_CODE.test(voterClass)) throw new VerificationRefused("class_invalid", "voterClass");
  const [district] = await db
    .select({ id: districts.id })
    .from(districts)
    .where(and(eq(districts.id, input.districtId), eq(districts.municipalityId, municipalityId)));
  if (!district) throw new VerificationRefused("district_unknown", "districtId");
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.id, input.userId));
  if (!user) throw new VerificationRefused("user_unknown", "form", 404);
  const hash = identityHash(await censusSecret(db, municipalityId), id.id);
  return db
    .transaction(async (tx) => {
      if (await activeVerification(tx, municipalityId, user.id))
        throw new VerificationRefused("already_verified", "form", 409);
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
      if (holder) throw new VerificationRefused("identity_taken_staff", "nationalId", 409, { verification: holder.id });
      // Verifying again someone revoked during a round's voting lets them vote again: a written reason,
      // shown in the public log, and no district or class there (ADR 0017).
      const again = await revokedDuringOpenVoting(tx, access.municipality, hash, now);
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
        verifiedBy: access.user.id,
        at: now,
      });
      // Checked in person: a census lock on this identity has done its job.
      await clearLocksOf(tx, access, eq(censusLocks.identityHash, hash), now);
      await recordAction(tx, {
        ...logFor(access),
        action: "verification.staff",
        target: `verification:${verificationId}`,
        after: reason === null ? { method: "staff", districtId: district.id, voterClass } : { method: "staff", reason },
        at: now,
      });
      return { verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("identity_taken_staff", "nationalId", 409);
      throw error;
    });
}

/** Rounds of the municipality whose voting is open on `at`'s day, with the day voting opened. */
async function openVoting(tx: Tx, municipality: Pick<Municipality, "id" | "timeZone">, at: Date) {
  const today = dayIn(municipality.timeZone, at);
  const rows = await tx
    .select({ roundId: phases.roundId, kind: phases.kind, startsOn: phases.startsOn, endsOn: phases.endsOn })
    .from(phases)
    .innerJoin(rounds, eq(rounds.id, phases.roundId))
    .where(eq(rounds.municipalityId, municipality.id));
  const byRound = new Map<string, typeof rows>();
  for (const r of rows) byRound.set(r.roundId, [...(byRound.get(r.roundId) ?? []), r]);
  const open: { roundId: string; votingFrom: string }[] = [];
  for (const [roundId, list] of byRound) {
    const phase = currentPhase(list, today);
    if (phase?.kind === "voting") open.push({ roundId, votingFrom: phase.startsOn });
  }
  return open;
}

/** The identity's latest verification was revoked on or after the first day of a voting still open. */
async function revokedDuringOpenVoting(
  tx: Tx,
  municipality: Pick<Municipality, "id" | "timeZone">,
  identity: string,
  now: Date,
) {
  const [latest] = await tx
    .select({ revokedAt: verifications.revokedAt })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, municipality.id), eq(verifications.identityHash, identity)))
    .orderBy(desc(verifications.verifiedAt))
    .limit(1);
  if (!latest?.revokedAt) return false;
  const revokedOn = dayIn(municipality.timeZone, latest.revokedAt);
  return (await openVoting(tx, municipality, now)).some((r) => r.votingFrom <= revokedOn);
}

const HOUR_MS = 3_600_000;

export const REASON_MIN = 3;
export const REASON_MAX = 500;

function checkReason(reason: string): string {
  const r = reason.trim();
  if (r.length < REASON_MIN || r.length > REASON_MAX) throw new VerificationRefused("reason_required", "reason");
  return r;
}

export interface RevokedVerification {
  verificationId: string;
  municipalityId: string;
  identityHash: string;
  at: Date;
}

/**
 * Called inside the revoking transaction. A revoked voter's ballots in rounds whose voting is open are
 * to be withdrawn here: ballots are keyed by HMAC(identity hash, round secret), so the ballots area can
 * find them from `identityHash`. Withdrawal must also append a ledger leaf (owned by the ballots area),
 * so the ballots area does it (withdrawBallotsOf in ballots.server.ts).
 */
export async function onVerificationRevoked(tx: Tx, revoked: RevokedVerification): Promise<void> {
  const { withdrawBallotsOf } = await import("../ballots/ballots.server");
  await withdrawBallotsOf(tx, {
    municipalityId: revoked.municipalityId,
    identityHash: revoked.identityHash,
    at: revoked.at,
  });
}

/** Staff revoke a verification; a reason is required and logged. */
export async function revokeVerification(
  db: Db,
  access: Actor,
  input: { verificationId: string; reason: string; now?: Date },
) {
  const reason = checkReason(input.reason);
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const revocationRef = randomUUID();
    const [row] = await tx
      .update(verifications)
      .set({ revokedAt: now, revokedBy: access.user.id, revokeReason: reason, revocationRef })
      .where(
        and(
          eq(verifications.id, input.verificationId),
          eq(verifications.municipalityId, access.municipality.id),
          isNull(verifications.revokedAt),
        ),
      )
      .returning();
    if (!row) throw new VerificationRefused("verification_unknown", "form", 404);
    await onVerificationRevoked(tx, {
      verificationId: row.id,
      municipalityId: row.municipalityId,
      identityHash: row.identityHash,
      at: now,
    });
    // Keep the transparency, lose the link (ADR 0017): a reference of its own rather than the
    // verification's id, no method, and during voting only the hour, as for the withdrawal leaf.
    const duringVoting = (await openVoting(tx, access.municipality, now)).length > 0;
    await recordAction(tx, {
      ...logFor(access),
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
  access: Actor,
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
            eq(verifications.municipalityId, access.municipality.id),
            isNull(verifications.revokedAt),
          ),
        );
      if (!from) throw new VerificationRefused("verification_unknown", "form", 404);
      if (from.userId === input.toUserId) throw new VerificationRefused("already_verified", "form", 409);
      const [target] = await tx.select({ id: users.id }).from(users).where(eq(users.id, input.toUserId));
      if (!target) throw new VerificationRefused("user_unknown", "form", 404);
      if (await activeVerification(tx, access.municipality.id, target.id)) {
        throw new VerificationRefused("already_verified", "form", 409);
      }
      await tx
        .update(verifications)
        .set({ revokedAt: now, revokedBy: access.user.id, revokeReason: `moved: ${reason}` })
        .where(eq(verifications.id, from.id));
      const verificationId = await createVerification(tx, {
        municipalityId: from.municipalityId,
        userId: target.id,
        method: "staff",
        identityHash: from.identityHash,
        birthDate: from.birthDate,
        districtId: from.districtId,
        voterClass: from.voterClass,
        verifiedBy: access.user.id,
        at: new Date(now.getTime() + 1),
      });
      await recordAction(tx, {
        ...logFor(access),
        action: "verification.move",
        target: `verification:${from.id}`,
        before: { verification: from.id },
        after: { verification: verificationId, reason },
        at: now,
      });
      return { verificationId };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new VerificationRefused("already_verified", "form", 409);
      throw error;
    });
}

/** Active verifications by method (counts for the staff page). */
export async function verificationCounts(db: Db, municipalityId: string) {
  return db
    .select({ method: verifications.method, n: sql<number>`count(*)::int` })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, municipalityId), isNull(verifications.revokedAt)))
    .groupBy(verifications.method);
}

/* ------------------------------------------------------------------ letter codes */

export { MAX_LETTER_BATCH } from "../../domain/verification/codes";
import { MAX_LETTER_BATCH } from "../../domain/verification/codes";

export interface LetterRow {
  line: number;
  district: string;
  voterClass: string;
  code: string;
  expiresOn: string;
}

/**
 * Generates one-time codes for census entries that are not yet verified (optionally one district).
 * Only keyed hashes of the codes are stored, so the returned list is the only copy: it goes straight
 * into the downloaded CSV. A new code replaces an entry's earlier unused code.
 */
export async function generateLetterCodes(
  db: Db,
  access: Actor,
  input: { districtId: string | null; validDays: number; limit: number; now?: Date },
): Promise<{ batch: string; rows: LetterRow[] }> {
  const now = input.now ?? new Date();
  const municipalityId = access.municipality.id;
  if (!Number.isInteger(input.validDays) || input.validDays < 1 || input.validDays > 365) {
    throw new VerificationRefused("valid_days", "validDays");
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_LETTER_BATCH) {
    throw new VerificationRefused("limit", "limit", 400, { max: MAX_LETTER_BATCH });
  }
  const districtRows = await db.select().from(districts).where(eq(districts.municipalityId, municipalityId));
  if (input.districtId && !districtRows.some((d) => d.id === input.districtId)) {
    throw new VerificationRefused("district_unknown", "districtId");
  }
  const codeOf = new Map(districtRows.map((d) => [d.id, d.code]));
  const secret = await censusSecret(db, municipalityId);
  const expiresAt = new Date(now.getTime() + input.validDays * 86_400_000);
  const batch = randomBytes(6).toString("hex");
  return db.transaction(async (tx) => {
    const entries = await tx
      .select({
        identityHash: censusRecords.identityHash,
        line: censusRecords.line,
        districtId: censusRecords.districtId,
        voterClass: censusRecords.voterClass,
      })
      .from(censusRecords)
      .innerJoin(censusImports, eq(censusImports.id, censusRecords.importId))
      .where(
        and(
          eq(censusImports.municipalityId, municipalityId),
          eq(censusImports.status, "active"),
          input.districtId ? eq(censusRecords.districtId, input.districtId) : undefined,
          sql`not exists (select 1 from ${verifications} v where v.municipality_id = ${municipalityId}
                and v.identity_hash = ${censusRecords.identityHash} and v.revoked_at is null)`,
        ),
      )
      .orderBy(asc(censusRecords.line))
      .limit(input.limit);
    if (entries.length === 0) throw new VerificationRefused("no_entries", "form", 409);
    const rows: LetterRow[] = [];
    const expiresOn = dayIn(access.municipality.timeZone, expiresAt);
    for (let start = 0; start < entries.length; start += 5000) {
      const slice = entries.slice(start, start + 5000);
      const values = slice.map((e) => {
        const code = formatCode(randomBytes(12));
        rows.push({
          line: e.line,
          district: codeOf.get(e.districtId) ?? "",
          voterClass: e.voterClass,
          code,
          expiresOn,
        });
        return {
          id: randomUUID(),
          municipalityId,
          codeHash: letterCodeHash(secret, normalizeCode(code)!),
          identityHash: e.identityHash,
          batch,
          createdBy: access.user.id,
          createdAt: now,
          expiresAt,
        };
      });
      await tx.delete(letterCodes).where(
        and(
          eq(letterCodes.municipalityId, municipalityId),
          isNull(letterCodes.usedAt),
          inArray(
            letterCodes.identityHash,
            slice.map((e) => e.identityHash),
          ),
        ),
      );
      await tx.insert(letterCodes).values(values);
    }
    await recordAction(tx, {
      ...logFor(access),
      action: "verification.letter_codes",
      target: `letters:${batch}`,
      after: { codes: rows.length, districtId: input.districtId, validDays: input.validDays },
      at: now,
    });
    return { batch, rows };
  });
}

/** The mailing list: census line (staff match it to their own register), district, class, code, expiry. */
export function letterCsv(rows: readonly LetterRow[]): string {
  const lines = ["census_line,district,voter_class,code,expires_on"];
  for (const r of rows) lines.push(csvLine([r.line, r.district, r.voterClass, r.code, r.expiresOn]));
  return `${lines.join("\n")}\n`;
}

/** Letter codes issued, used and still open (counts). */
export async function letterCodeCounts(db: Db, municipalityId: string, now = new Date()) {
  const [row] = await db
    .select({
      issued: sql<number>`count(*)::int`,
      used: sql<number>`count(${letterCodes.usedAt})::int`,
      open: sql<number>`count(*) filter (where ${letterCodes.usedAt} is null and ${letterCodes.expiresAt} > ${now})::int`,
    })
    .from(letterCodes)
    .where(eq(letterCodes.municipalityId, municipalityId));
  return row;
}

/* ------------------------------------------------------------------ rounds: classes and eligibility */

async function roundOf(db: Db | Tx, municipalityId: string, slug: string) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipalityId), eq(rounds.slug, slug)));
  if (!round) throw new VerificationRefused("round_unknown", "form", 404);
  return round;
}

/** The round's voter classes, eligibility rules and whether they are frozen (voting has opened). */
export async function roundRules(db: Db | Tx, round: { id: string }, timeZone: string, now = new Date()) {
  const [classes, [eligibility], phaseRows] = await Promise.all([
    db
      .select()
      .from(roundVoterClasses)
      .where(eq(roundVoterClasses.roundId, round.id))
      .orderBy(asc(roundVoterClasses.position), asc(roundVoterClasses.code)),
    db.select().from(roundEligibility).where(eq(roundEligibility.roundId, round.id)),
    db.select().from(phases).where(eq(phases.roundId, round.id)),
  ]);
  return rulesOf(classes, eligibility, phaseRows, timeZone, now);
}

type EligibilityRow = Pick<
  typeof roundEligibility.$inferSelect,
  "districtIds" | "minAge" | "verifiedToPropose" | "verifiedToComment"
>;

function rulesOf(
  classes: (typeof roundVoterClasses.$inferSelect)[],
  eligibility: EligibilityRow | undefined | null,
  phaseRows: (typeof phases.$inferSelect)[],
  timeZone: string,
  now: Date,
) {
  const today = dayIn(timeZone, now);
  const voting = phaseRows.find((p) => p.kind === "voting");
  return {
    classes,
    phases: phaseRows,
    districtIds: eligibility?.districtIds ?? null,
    minAge: eligibility?.minAge ?? null,
    verifiedToPropose: eligibility?.verifiedToPropose ?? false,
    verifiedToComment: eligibility?.verifiedToComment ?? false,
    frozen: rulesFrozen(phaseRows, today),
    votingStartsOn: voting?.startsOn ?? null,
    ageDay: voting?.startsOn ?? today,
  };
}

/** What the eligibility verdict needs of a round's rules. */
function eligibilityRulesOf(rules: ReturnType<typeof rulesOf>): EligibilityRules {
  return {
    districtIds: rules.districtIds,
    minAge: rules.minAge,
    classes: rules.classes.map((c) => ({ code: c.code, weight: c.weight })),
    ageDay: rules.ageDay,
  };
}

/**
 * `roundRules` and the resident's active verification in one statement (the ballot page and every cast
 * need both; four round trips cost the server more than the rows). Rows come back as JSON with the
 * same fields and order as the four separate reads give.
 */
async function roundRulesAndVerification(
  db: Db,
  input: { round: { id: string }; municipalityId: string; userId: string; timeZone: string; now: Date },
) {
  const roundId = input.round.id;
  const result = await db.execute(sql`select
    (select coalesce(json_agg(json_build_object('roundId', c.round_id, 'code', c.code, 'name', c.name,
        'weight', c.weight, 'position', c.position) order by c.position, c.code), '[]'::json)
       from ${roundVoterClasses} c where c.round_id = ${roundId}) as classes,
    (select json_build_object('districtIds', e.district_ids, 'minAge', e.min_age,
        'verifiedToPropose', e.verified_to_propose, 'verifiedToComment', e.verified_to_comment)
       from ${roundEligibility} e where e.round_id = ${roundId}) as eligibility,
    (select coalesce(json_agg(json_build_object('id', p.id, 'roundId', p.round_id, 'kind', p.kind,
        'startsOn', p.starts_on, 'endsOn', p.ends_on)), '[]'::json)
       from ${phases} p where p.round_id = ${roundId}) as phases,
    (select json_build_object('identityHash', v.identity_hash, 'districtId', v.district_id,
        'voterClass', v.voter_class, 'birthDate', v.birth_date)
       from ${verifications} v
       where v.municipality_id = ${input.municipalityId} and v.user_id = ${input.userId} and v.revoked_at is null
       limit 1) as verification`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  const json = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;
  return {
    rules: rulesOf(
      json(row.classes),
      json<EligibilityRow | null>(row.eligibility),
      json(row.phases),
      input.timeZone,
      input.now,
    ),
    verification: json<{ identityHash: string; districtId: string; voterClass: string; birthDate: string } | null>(
      row.verification,
    ),
  };
}

/** Classes and eligibility are frozen once voting opens: checked under the round's rules lock (ADR 0018). */
async function assertNotFrozen(tx: Tx, roundId: string, timeZone: string, now: Date) {
  await lockRoundRules(tx, roundId);
  const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, roundId));
  if (rulesFrozen(phaseRows, dayIn(timeZone, now))) throw new VerificationRefused("frozen", "form", 409);
}

export interface VoterClassInput {
  code: string;
  name: LocalizedText;
  weight: number;
  position?: number;
}

/** Adds or changes a voter class of a round (refused once voting has opened). */
export async function saveVoterClass(
  db: Db,
  access: Actor,
  roundSlug: string,
  input: VoterClassInput,
  now = new Date(),
) {
  const problems = checkVoterClass({ code: input.code, weight: input.weight });
  if (problems.length) throw new VerificationRefused(`class_${problems[0]}`, problems[0]);
  const round = await roundOf(db, access.municipality.id, roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, round.id, access.municipality.timeZone, now);
    const [before] = await tx
      .select()
      .from(roundVoterClasses)
      .where(and(eq(roundVoterClasses.roundId, round.id), eq(roundVoterClasses.code, input.code)));
    const values = { name: input.name, weight: input.weight, position: input.position ?? before?.position ?? 0 };
    await tx
      .insert(roundVoterClasses)
      .values({ roundId: round.id, code: input.code, ...values })
      .onConflictDoUpdate({ target: [roundVoterClasses.roundId, roundVoterClasses.code], set: values });
    await recordAction(tx, {
      ...logFor(access),
      action: "round.voter_class",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: before ? { code: before.code, weight: before.weight, name: before.name } : null,
      after: { code: input.code, weight: input.weight, name: input.name },
      at: now,
    });
  });
}

export async function deleteVoterClass(db: Db, access: Actor, roundSlug: string, code: string, now = new Date()) {
  const round = await roundOf(db, access.municipality.id, roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, round.id, access.municipality.timeZone, now);
    const removed = await tx
      .delete(roundVoterClasses)
      .where(and(eq(roundVoterClasses.roundId, round.id), eq(roundVoterClasses.code, code)))
      .returning();
    if (!removed.length) throw new VerificationRefused("class_unknown", "form", 404);
    await recordAction(tx, {
      ...logFor(access),
      action: "round.voter_class_delete",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: { code, weight: removed[0].weight },
      at: now,
    });
  });
}

export interface EligibilityInput {
  districtIds: string[] | null;
  minAge: number | null;
  verifiedToPropose: boolean;
  verifiedToComment: boolean;
}

/** Sets who may take part in a round (refused once voting has opened). */
export async function saveEligibility(
  db: Db,
  access: Actor,
  roundSlug: string,
  input: EligibilityInput,
  now = new Date(),
) {
  if (input.minAge !== null && (!Number.isInteger(input.minAge) || input.minAge < 0 || input.minAge > 120)) {
    throw new VerificationRefused("min_age", "minAge");
  }
  const own = await db
    .select({ id: districts.id })
    .from(districts)
    .where(eq(districts.municipalityId, access.municipality.id));
  if (input.districtIds) {
    if (input.districtIds.length === 0) throw new VerificationRefused("districts_none", "districtIds");
    if (input.districtIds.some((id) => !own.some((d) => d.id === id)))
      throw new VerificationRefused("district_unknown", "districtIds");
  }
  const round = await roundOf(db, access.municipality.id, roundSlug);
  await db.transaction(async (tx) => {
    await assertNotFrozen(tx, round.id, access.municipality.timeZone, now);
    const [before] = await tx.select().from(roundEligibility).where(eq(roundEligibility.roundId, round.id));
    const values = {
      districtIds: input.districtIds ? [...new Set(input.districtIds)].sort() : null,
      minAge: input.minAge,
      verifiedToPropose: input.verifiedToPropose,
      verifiedToComment: input.verifiedToComment,
      updatedAt: now,
    };
    await tx
      .insert(roundEligibility)
      .values({ roundId: round.id, ...values })
      .onConflictDoUpdate({ target: roundEligibility.roundId, set: values });
    await recordAction(tx, {
      ...logFor(access),
      action: "round.eligibility",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: before
        ? {
            districtIds: before.districtIds,
            minAge: before.minAge,
            propose: before.verifiedToPropose,
            comment: before.verifiedToComment,
          }
        : null,
      after: {
        districtIds: values.districtIds,
        minAge: values.minAge,
        propose: values.verifiedToPropose,
        comment: values.verifiedToComment,
      },
      at: now,
    });
  });
}

function standingOf(v: { districtId: string; voterClass: string; birthDate: string } | null): Standing | null {
  return v ? { districtId: v.districtId, voterClass: v.voterClass, birthDate: v.birthDate } : null;
}

/**
 * Why a resident may or may not take part in a round, and in which envelopes (district-bound envelopes
 * are only for residents verified in that district). No birth date leaves this function: only the age
 * rule and whether it is met.
 */
export async function eligibilityFor(
  db: Db,
  input: { municipality: Municipality; roundSlug: string; userId: string | null; now?: Date },
) {
  const now = input.now ?? new Date();
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, input.municipality.id), eq(rounds.slug, input.roundSlug)));
  if (!round) return null;
  const rules = await roundRules(db, round, input.municipality.timeZone, now);
  const verification = input.userId ? await activeVerification(db, input.municipality.id, input.userId) : null;
  const standing = standingOf(verification);
  const verdict: Verdict = roundVerdict(standing, eligibilityRulesOf(rules));
  const envelopeRows = await db
    .select({ slug: envelopes.slug, name: envelopes.name, districtId: envelopes.districtId })
    .from(envelopes)
    .where(eq(envelopes.roundId, round.id))
    .orderBy(asc(envelopes.position), asc(envelopes.slug));
  return {
    round,
    rules,
    verification: verification
      ? { districtId: verification.districtId, voterClass: verification.voterClass, method: verification.method }
      : null,
    verdict: {
      eligible: verdict.eligible,
      weight: verdict.weight,
      // The age reason keeps the rule, not the person's age (which would reveal the birth year).
      reasons: verdict.reasons.map((r) =>
        r.code === "age" ? { code: "age" as const, minAge: r.minAge, on: r.on } : r,
      ),
    },
    envelopes: envelopeRows.map((e) => ({ ...e, open: verdict.eligible && envelopeOpenTo(standing, e.districtId) })),
  };
}

/**
 * What the ballots area needs to cast a ballot for a verified, eligible resident: identity (the
 * verification's identity hash), weight, district and class — or null when they may not vote.
 */
export async function voterStanding(
  db: Db,
  input: {
    municipality: Municipality;
    roundSlug: string;
    userId: string;
    envelopeDistrictId?: string | null;
    now?: Date;
  },
) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, input.municipality.id), eq(rounds.slug, input.roundSlug)));
  if (!round) return null;
  return (await voterStandingIn(db, { ...input, round })).standing;
}

/**
 * `voterStanding` in a round the caller has already read, with the round's rules (whose phases tell
 * the ballot page whether voting is open, so it need not read them again). The same verdict as
 * `eligibilityFor`, from one statement.
 */
export async function voterStandingIn(
  db: Db,
  input: {
    municipality: Municipality;
    round: { id: string };
    userId: string;
    envelopeDistrictId?: string | null;
    now?: Date;
  },
) {
  const { rules, verification } = await roundRulesAndVerification(db, {
    round: input.round,
    municipalityId: input.municipality.id,
    userId: input.userId,
    timeZone: input.municipality.timeZone,
    now: input.now ?? new Date(),
  });
  const verdict = roundVerdict(standingOf(verification), eligibilityRulesOf(rules));
  const standing =
    verification &&
    verdict.eligible &&
    verdict.weight !== null &&
    (input.envelopeDistrictId === undefined || envelopeOpenTo(standingOf(verification), input.envelopeDistrictId))
      ? {
          identity: verification.identityHash,
          weight: verdict.weight,
          district: verification.districtId,
          voterClass: verification.voterClass,
        }
      : null;
  return { rules, standing };
}

/** Whether a resident may propose or comment in a round (only restricted when the round requires verification). */
export async function mayParticipate(
  db: Db,
  input: { municipalityId: string; roundId: string; userId: string; action: "propose" | "comment" },
): Promise<boolean> {
  const [rule] = await db.select().from(roundEligibility).where(eq(roundEligibility.roundId, input.roundId));
  const required = input.action === "propose" ? rule?.verifiedToPropose : rule?.verifiedToComment;
  if (!required) return true;
  return (await activeVerification(db, input.municipalityId, input.userId)) !== null;
}
