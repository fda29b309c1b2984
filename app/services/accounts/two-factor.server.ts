/**
 * Two-factor sign-in (ADR 0026): a TOTP authenticator confirmed with a first code, ten single-use
 * recovery codes shown once and stored hashed, a pending sign-in between the password and the code,
 * and a throttle on codes per account. Required for staff (a membership or platform administration),
 * optional for residents.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import { generateSecret, generateURI, verify } from "otplib";
import type { Db, Tx } from "../../../db/client";
import { authAttempts, memberships, pendingSignIns, recoveryCodes, users, userTotp } from "../../../db/schema";
import { asciiDigits } from "../../domain/verification/ids";
import { RefusedError } from "../errors.server";
import { type PlatformScope, actorUserId } from "../scope";

export type TwoFactorRefusal = "bad_code" | "throttled" | "already_enrolled" | "not_enrolling" | "required";

const ISSUER = "Shora";
const RECOVERY_CODES = 10;
const PENDING_MS = 10 * 60_000;
const THROTTLE_WINDOW_MS = 60_000;
/** Wrong codes allowed per account within the window; the next try gets 429. */
export const CODE_THROTTLE_LIMIT = 5;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

function recoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => BASE32[b % 32]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`.toLowerCase();
}
const normalizeRecovery = (code: string) => code.replace(/[\s-]/g, "").toUpperCase();

/** Whether the account holds a staff role anywhere (and so must use a second factor). */
export async function secondFactorRequired(db: Db, input: { userId: string }): Promise<boolean> {
  const [row] = await db
    .select({
      admin: users.isPlatformAdmin,
      member: sql<boolean>`exists (select 1 from ${memberships} where ${memberships.userId} = ${users.id})`,
    })
    .from(users)
    .where(eq(users.id, input.userId));
  return Boolean(row && (row.admin || row.member));
}

export async function isEnrolled(db: Db, input: { userId: string }): Promise<boolean> {
  const [row] = await db
    .select({ confirmedAt: userTotp.confirmedAt })
    .from(userTotp)
    .where(eq(userTotp.userId, input.userId));
  return Boolean(row?.confirmedAt);
}

export interface TwoFactorStatus {
  enrolled: boolean;
  required: boolean;
  recoveryCodesLeft: number;
  /** While enrolling: the secret to type into an authenticator and its otpauth:// address. */
  enrolling: { secret: string; uri: string } | null;
}

export async function twoFactorStatus(db: Db, scope: PlatformScope): Promise<TwoFactorStatus> {
  const userId = actorUserId(scope);
  const [[totp], [user], required, [left]] = await Promise.all([
    db.select().from(userTotp).where(eq(userTotp.userId, userId)),
    db.select({ email: users.email }).from(users).where(eq(users.id, userId)),
    secondFactorRequired(db, { userId }),
    db
      .select({ n: sql<number>`count(*)::int` })
      .from(recoveryCodes)
      .where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt))),
  ]);
  const enrolled = Boolean(totp?.confirmedAt);
  return {
    enrolled,
    required,
    recoveryCodesLeft: left?.n ?? 0,
    enrolling: totp && !enrolled ? { secret: totp.secret, uri: otpauthUri(user?.email ?? "", totp.secret) } : null,
  };
}

function otpauthUri(email: string, secret: string): string {
  return generateURI({ issuer: ISSUER, label: email, secret });
}

/** Starts (or restarts) enrolment: a new secret, not used for sign-in until a code from it is checked. */
export async function startTotpEnrolment(db: Db, scope: PlatformScope): Promise<{ secret: string; uri: string }> {
  const userId = actorUserId(scope);
  if (await isEnrolled(db, { userId })) throw new RefusedError<TwoFactorRefusal>("already_enrolled", null, {}, 409);
  const secret = generateSecret();
  await db
    .insert(userTotp)
    .values({ userId, secret })
    .onConflictDoUpdate({ target: userTotp.userId, set: { secret, lastStep: null, createdAt: new Date() } });
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return { secret, uri: otpauthUri(user?.email ?? "", secret) };
}

/**
 * Counts a code try before it is checked (as passwords are, ADR 0015): refused with 429 when the window
 * is full. Returns the try's row id, given back on success.
 */
async function admitCode(db: Db, userId: string, now: Date): Promise<string> {
  const subject = `user:${userId}`;
  const id = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`auth:second_factor:${subject}`}))`);
    const [row] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(authAttempts)
      .where(
        and(
          eq(authAttempts.subject, subject),
          eq(authAttempts.kind, "second_factor"),
          gt(authAttempts.at, new Date(now.getTime() - THROTTLE_WINDOW_MS)),
        ),
      );
    if ((row?.n ?? 0) >= CODE_THROTTLE_LIMIT) return null;
    await tx
      .delete(authAttempts)
      .where(
        and(
          eq(authAttempts.kind, "second_factor"),
          lt(authAttempts.at, new Date(now.getTime() - 10 * THROTTLE_WINDOW_MS)),
        ),
      );
    const [inserted] = await tx
      .insert(authAttempts)
      .values({ subject, kind: "second_factor", at: now })
      .returning({ id: authAttempts.id });
    return inserted.id;
  });
  if (!id) throw new RefusedError<TwoFactorRefusal>("throttled", "code", {}, 429);
  return id;
}

/** A TOTP code of this secret, one time step either side, never a step already used. */
async function acceptTotp(db: Db | Tx, userId: string, secret: string, code: string, now: Date): Promise<boolean> {
  code = asciiDigits(code);
  if (!/^\d{6}$/.test(code)) return false;
  const epoch = Math.floor(now.getTime() / 1000);
  const result = await verify({ secret, token: code, epoch, epochTolerance: 30 });
  if (!result.valid) return false;
  const step = Math.floor(epoch / 30) + result.delta;
  // Single use: the step is taken by one statement, so two requests with the same code cannot both pass.
  const taken = await db
    .update(userTotp)
    .set({ lastStep: step })
    .where(and(eq(userTotp.userId, userId), or(isNull(userTotp.lastStep), lt(userTotp.lastStep, step))))
    .returning({ userId: userTotp.userId });
  return taken.length === 1;
}

/** Finishes enrolment with a first code; returns the recovery codes, shown this once. */
export async function confirmTotpEnrolment(
  db: Db,
  scope: PlatformScope,
  input: { code: string; now?: Date },
): Promise<{ recoveryCodes: string[] }> {
  const userId = actorUserId(scope);
  const now = input.now ?? new Date();
  const [totp] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  if (!totp || totp.confirmedAt) throw new RefusedError<TwoFactorRefusal>("not_enrolling", null, {}, 409);
  const attempt = await admitCode(db, userId, now);
  if (!(await acceptTotp(db, userId, totp.secret, input.code.trim(), now)))
    throw new RefusedError<TwoFactorRefusal>("bad_code", "code");
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await db.transaction(async (tx) => {
    await tx.update(userTotp).set({ confirmedAt: now }).where(eq(userTotp.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx
      .insert(recoveryCodes)
      .values(codes.map((code) => ({ id: randomUUID(), userId, codeHash: sha256(normalizeRecovery(code)) })));
    await tx.delete(authAttempts).where(eq(authAttempts.id, attempt));
  });
  return { recoveryCodes: codes };
}

/** New recovery codes replace the old ones (all of them); needs a current code. */
export async function renewRecoveryCodes(
  db: Db,
  scope: PlatformScope,
  input: { code: string; now?: Date },
): Promise<{ recoveryCodes: string[] }> {
  const userId = actorUserId(scope);
  await checkSecondFactor(db, scope, input);
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await db.transaction(async (tx) => {
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx
      .insert(recoveryCodes)
      .values(codes.map((code) => ({ id: randomUUID(), userId, codeHash: sha256(normalizeRecovery(code)) })));
  });
  return { recoveryCodes: codes };
}

/** Turns two-factor sign-in off (residents only: staff must keep it); needs a current code. */
export async function disableTotp(db: Db, scope: PlatformScope, input: { code: string; now?: Date }): Promise<void> {
  const userId = actorUserId(scope);
  if (await secondFactorRequired(db, { userId })) throw new RefusedError<TwoFactorRefusal>("required", null, {}, 403);
  await checkSecondFactor(db, scope, input);
  await db.transaction(async (tx) => {
    await tx.delete(userTotp).where(eq(userTotp.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
  });
}

/**
 * Checks the second factor of an enrolled account: a code of the authenticator, or an unused recovery
 * code (used up by this check). Refuses `bad_code` (400) or `throttled` (429).
 */
export async function checkSecondFactor(
  db: Db,
  scope: PlatformScope,
  input: { code: string; now?: Date },
): Promise<{ via: "totp" | "recovery" }> {
  const userId = actorUserId(scope);
  const now = input.now ?? new Date();
  const [totp] = await db.select().from(userTotp).where(eq(userTotp.userId, userId));
  if (!totp?.confirmedAt) throw new RefusedError<TwoFactorRefusal>("not_enrolling", null, {}, 409);
  const attempt = await admitCode(db, userId, now);
  const code = input.code.trim();
  let via: "totp" | "recovery" | null = null;
  if (await acceptTotp(db, userId, totp.secret, code.replace(/\s/g, ""), now)) via = "totp";
  else {
    const used = await db
      .update(recoveryCodes)
      .set({ usedAt: now })
      .where(
        and(
          eq(recoveryCodes.userId, userId),
          eq(recoveryCodes.codeHash, sha256(normalizeRecovery(code))),
          isNull(recoveryCodes.usedAt),
        ),
      )
      .returning({ id: recoveryCodes.id });
    if (used.length === 1) via = "recovery";
  }
  if (!via) throw new RefusedError<TwoFactorRefusal>("bad_code", "code");
  await db.delete(authAttempts).where(eq(authAttempts.id, attempt));
  return { via };
}

/** After the password of an enrolled account: a pending sign-in the code step finishes. Returns its token. */
export async function beginPendingSignIn(db: Db, input: { userId: string; now?: Date }): Promise<string> {
  const now = input.now ?? new Date();
  const token = randomBytes(24).toString("base64url");
  await db.delete(pendingSignIns).where(lt(pendingSignIns.expiresAt, now));
  await db
    .insert(pendingSignIns)
    .values({ idHash: sha256(token), userId: input.userId, expiresAt: new Date(now.getTime() + PENDING_MS) });
  return token;
}

/** The account of a pending sign-in that has not expired, or null. */
export async function pendingSignInUser(db: Db, input: { token: string; now?: Date }): Promise<string | null> {
  const now = input.now ?? new Date();
  const [row] = await db
    .select({ userId: pendingSignIns.userId })
    .from(pendingSignIns)
    .where(and(eq(pendingSignIns.idHash, sha256(input.token)), gt(pendingSignIns.expiresAt, now)));
  return row?.userId ?? null;
}

export async function endPendingSignIn(db: Db, input: { token: string }): Promise<void> {
  await db.delete(pendingSignIns).where(eq(pendingSignIns.idHash, sha256(input.token)));
}
