import { randomUUID } from "node:crypto";
import { type PlatformScope, actorUserId } from "../scope";
import { hash, verify } from "@node-rs/argon2";
import { and, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { authAttempts, users } from "../../../db/schema";
import { nameIsPlain } from "../../domain/accounts/names";
import { limits } from "../limits.server";
import { sendAlreadyRegistered, sendConfirmation } from "./tokens.server";

/** argon2id (algorithm 2) with the library's recommended costs. */
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const MIN_PASSWORD_LENGTH = 10;
const THROTTLE_WINDOW_MS = 60_000;
/** Failed tries allowed per account and per address within the window; the next one gets 429. */
export const THROTTLE_LIMIT = 5;

type AuthFailure =
  | { ok: false; code: "throttled" }
  | { ok: false; code: "invalid_credentials" }
  | { ok: false; code: "email_taken" };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

let dummyHash: Promise<string> | undefined;
/** Verifying against a throw-away hash keeps "unknown email" as slow as "wrong password". */
function timingDummy(): Promise<string> {
  dummyHash ??= hashPassword("shora-timing-equaliser");
  return dummyHash;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

type AttemptKind = "login" | "signup" | "signup_ok" | "reset";
const HOUR = 3_600_000;

async function countSince(db: Db | Tx, kind: string, subject: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(authAttempts)
    .where(
      and(eq(authAttempts.subject, subject), eq(authAttempts.kind, kind as AttemptKind), gt(authAttempts.at, since)),
    );
  return row?.n ?? 0;
}

async function isThrottled(db: Db, kind: AttemptKind, subjects: string[], now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  for (const subject of subjects) {
    if ((await countSince(db, kind, subject, since)) >= THROTTLE_LIMIT) return true;
  }
  return false;
}

/** Serialises the counting for these subjects (sorted, so two requests never wait on each other in a cycle). */
async function lockSubjects(tx: Tx, kind: string, subjects: string[]) {
  for (const subject of [...subjects].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`auth:${kind}:${subject}`}))`);
  }
}

async function prune(db: Db | Tx, kind: AttemptKind, now: Date) {
  // Old rows are useless for throttling: prune them opportunistically.
  await db
    .delete(authAttempts)
    .where(
      and(eq(authAttempts.kind, kind), sql`${authAttempts.at} < ${new Date(now.getTime() - 10 * THROTTLE_WINDOW_MS)}`),
    );
}

async function recordFailure(db: Db, kind: AttemptKind, subjects: string[], now: Date): Promise<void> {
  await db.insert(authAttempts).values(subjects.map((subject) => ({ subject, kind, at: now })));
  await prune(db, kind, now);
}

/**
 * Counts a log-in try before the password is checked (ADR 0015): under a lock per subject, refuse when
 * the window is full, else insert the try's rows. Returns their ids, or null when throttled.
 */
async function admitLogin(db: Db, subjects: string[], now: Date): Promise<string[] | null> {
  const since = new Date(now.getTime() - THROTTLE_WINDOW_MS);
  return db.transaction(async (tx) => {
    await lockSubjects(tx, "login", subjects);
    for (const subject of subjects) {
      if ((await countSince(tx, "login", subject, since)) >= THROTTLE_LIMIT) return null;
    }
    const rows = await tx
      .insert(authAttempts)
      .values(subjects.map((subject) => ({ subject, kind: "login" as const, at: now })))
      .returning({ id: authAttempts.id });
    return rows.map((r) => r.id);
  });
}

/** Throttling subjects: the address, and the account when the email could name one. */
function subjectsOf(email: string, ip: string): string[] {
  const account = normalizeEmail(email);
  return /^[^@\s]+@[^@\s]+$/.test(account) ? [`account:${account}`, `ip:${ip}`] : [`ip:${ip}`];
}

export async function login(
  db: Db,
  _scope: PlatformScope,
  params: { email: string; password: string; ip: string; now?: Date },
): Promise<{ ok: true; userId: string } | AuthFailure> {
  const now = params.now ?? new Date();
  const subjects = subjectsOf(params.email, params.ip);
  const admitted = await admitLogin(db, subjects, now);
  if (!admitted) return { ok: false, code: "throttled" };
  const [user] = await db
    .select({ id: users.id, passwordHash: users.passwordHash })
    .from(users)
    .where(eq(users.email, normalizeEmail(params.email)));
  let valid = false;
  if (user) valid = await verify(user.passwordHash, params.password);
  else await verify(await timingDummy(), params.password);
  if (!user || !valid) {
    await prune(db, "login", now);
    return { ok: false, code: "invalid_credentials" };
  }
  // A success gives its own try back (earlier failures stay counted).
  await db.delete(authAttempts).where(inArray(authAttempts.id, admitted));
  return { ok: true, userId: user.id };
}

/** Called by sign-up when the form itself was invalid: that counts as a failed try too. */
export async function signupThrottled(
  db: Db,
  _scope: PlatformScope,
  params: { email: string; ip: string; now?: Date },
) {
  return isThrottled(db, "signup", subjectsOf(params.email, params.ip), params.now ?? new Date());
}

export async function recordSignupFailure(
  db: Db,
  _scope: PlatformScope,
  params: { email: string; ip: string; now?: Date },
) {
  await recordFailure(db, "signup", subjectsOf(params.email, params.ip), params.now ?? new Date());
}

export async function signup(
  db: Db,
  scope: PlatformScope,
  params: { email: string; password: string; displayName: string; locale: string; ip: string; now?: Date },
): Promise<{ ok: true; userId: string } | AuthFailure> {
  const now = params.now ?? new Date();
  if (await signupThrottled(db, scope, { email: params.email, ip: params.ip, now }))
    return { ok: false, code: "throttled" };
  if (params.password.length < MIN_PASSWORD_LENGTH)
    throw new Error("password too short: validate before calling signup");
  if (!nameIsPlain(params.displayName)) throw new Error("name with hidden characters: validate before calling signup");
  const email = normalizeEmail(params.email);
  const passwordHash = await hashPassword(params.password);
  const id = randomUUID();
  const subject = `ip:${params.ip}`;
  // Accounts created per address are counted under a lock, so parallel sign-ups cannot pass the ceiling.
  const inserted = await db.transaction(async (tx) => {
    await lockSubjects(tx, "signup_ok", [subject]);
    if ((await countSince(tx, "signup_ok", subject, new Date(now.getTime() - HOUR))) >= limits().signupsPerIpHour)
      return null;
    const rows = await tx
      .insert(users)
      .values({ id, email, passwordHash, displayName: params.displayName.trim(), locale: params.locale })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    if (rows.length) {
      // The confirmation link is queued with the account: both exist or neither (ADR 0025).
      await sendConfirmation(tx, { userId: id, email, now });
      await tx.insert(authAttempts).values({ subject, kind: "signup_ok", at: now });
      await tx
        .delete(authAttempts)
        .where(and(eq(authAttempts.kind, "signup_ok"), lt(authAttempts.at, new Date(now.getTime() - HOUR))));
    }
    return rows;
  });
  if (inserted === null) return { ok: false, code: "throttled" };
  if (inserted.length === 0) {
    await recordSignupFailure(db, scope, { email, ip: params.ip, now });
    // The owner of the address is told instead; the page answers as for a new address.
    await sendAlreadyRegistered(db, { email, now });
    return { ok: false, code: "email_taken" };
  }
  return { ok: true, userId: id };
}

/** The logged-in user's language for pages and mail. */
export async function setUserLocale(db: Db, scope: PlatformScope, input: { locale: string }): Promise<void> {
  await db
    .update(users)
    .set({ locale: input.locale })
    .where(eq(users.id, actorUserId(scope)));
}
