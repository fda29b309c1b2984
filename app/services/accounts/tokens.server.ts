/**
 * Single-use links sent by mail (ADR 0025): address confirmation (24 hours) and password reset (one
 * hour). The token is 32 random bytes; only its SHA-256 is stored, so a copy of the database opens
 * nothing. A token works once (the row is marked used by a conditional update) and only for the
 * address it was sent to.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { accountTokens, authAttempts, sessions, users } from "../../../db/schema";
import { enqueueMessage } from "../mail/outbox.server";
import { type PlatformScope, actorUserId } from "../scope";
import { hashPassword, normalizeEmail } from "./auth.server";

const HOUR = 3_600_000;
export const CONFIRM_TTL_MS = 24 * HOUR;
export const RESET_TTL_MS = HOUR;
/** Reset requests per address and per client address in an hour; more are ignored (same answer). */
export const RESET_PER_ADDRESS_HOUR = 3;
export const RESET_PER_IP_HOUR = 10;
/** Confirmation links a person may ask for again in an hour. */
export const CONFIRM_RESENDS_HOUR = 3;

export const tokenHash = (token: string) => createHash("sha256").update(token).digest("hex");

async function issue(
  tx: Db | Tx,
  input: { userId: string; email: string; purpose: "confirm" | "reset"; now: Date },
): Promise<{ id: string; token: string }> {
  const token = randomBytes(32).toString("base64url");
  const id = randomUUID();
  await tx.insert(accountTokens).values({
    id,
    userId: input.userId,
    purpose: input.purpose,
    tokenHash: tokenHash(token),
    email: input.email,
    expiresAt: new Date(input.now.getTime() + (input.purpose === "confirm" ? CONFIRM_TTL_MS : RESET_TTL_MS)),
    createdAt: input.now,
  });
  return { id, token };
}

/** Queues a confirmation link for the user's address, in the caller's transaction. */
export async function sendConfirmation(tx: Db | Tx, input: { userId: string; email: string; now?: Date }) {
  const now = input.now ?? new Date();
  const { id, token } = await issue(tx, { ...input, purpose: "confirm", now });
  await enqueueMessage(tx, {
    kind: "account.confirm",
    userId: input.userId,
    toAddress: input.email,
    payload: { path: `/confirm/${token}` },
    idempotencyKey: `confirm:${id}`,
    now,
  });
}

/** Tells the owner of an address that someone tried to sign up with it (at most once an hour). */
export async function sendAlreadyRegistered(tx: Db | Tx, input: { email: string; now?: Date }) {
  const now = input.now ?? new Date();
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, normalizeEmail(input.email)));
  if (!user) return;
  await enqueueMessage(tx, {
    kind: "account.registered",
    userId: user.id,
    payload: { path: "/forgot-password" },
    idempotencyKey: `registered:${user.id}:${Math.floor(now.getTime() / HOUR)}`,
    now,
  });
}

/** The signed-in person asks for a new confirmation link (a few an hour). */
export async function resendConfirmation(db: Db, scope: PlatformScope, input: { now?: Date } = {}) {
  const now = input.now ?? new Date();
  const userId = actorUserId(scope);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`confirm:${userId}`}))`);
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user || user.emailConfirmedAt) return { sent: false as const };
    const [recent] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(accountTokens)
      .where(
        and(
          eq(accountTokens.userId, userId),
          eq(accountTokens.purpose, "confirm"),
          gt(accountTokens.createdAt, new Date(now.getTime() - HOUR)),
        ),
      );
    if ((recent?.n ?? 0) >= CONFIRM_RESENDS_HOUR) return { sent: false as const };
    await sendConfirmation(tx, { userId, email: user.email, now });
    return { sent: true as const, email: user.email };
  });
}

/** Uses a token once: the row is marked used only if it was unused, unexpired and for the current address. */
async function consume(tx: Tx, input: { token: string; purpose: "confirm" | "reset"; now: Date }) {
  const [row] = await tx
    .update(accountTokens)
    .set({ usedAt: input.now })
    .where(
      and(
        eq(accountTokens.tokenHash, tokenHash(input.token)),
        eq(accountTokens.purpose, input.purpose),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, input.now),
      ),
    )
    .returning({ userId: accountTokens.userId, email: accountTokens.email });
  if (!row) return null;
  const [user] = await tx.select().from(users).where(eq(users.id, row.userId));
  if (!user || user.email !== row.email) return null;
  return user;
}

/**
 * Whether a confirmation link would still confirm (unknown, used and expired ones would not), without
 * using it: what a GET of the link shows, so that a mail scanner fetching it changes nothing (ADR 0033).
 */
export async function confirmationPending(
  db: Db,
  _scope: PlatformScope,
  input: { token: string; now?: Date },
): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.token)) return false;
  const [row] = await db
    .select({ email: accountTokens.email, current: users.email })
    .from(accountTokens)
    .innerJoin(users, eq(users.id, accountTokens.userId))
    .where(
      and(
        eq(accountTokens.tokenHash, tokenHash(input.token)),
        eq(accountTokens.purpose, "confirm"),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, input.now ?? new Date()),
      ),
    );
  return Boolean(row && row.email === row.current);
}

/** Follows a confirmation link: the address is confirmed, or `ok: false` (unknown, used, expired). */
export async function confirmAddress(
  db: Db,
  _scope: PlatformScope,
  input: { token: string; now?: Date },
): Promise<{ ok: true; email: string; userId: string } | { ok: false }> {
  const now = input.now ?? new Date();
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.token)) return { ok: false };
  return db.transaction(async (tx) => {
    const user = await consume(tx, { token: input.token, purpose: "confirm", now });
    if (!user) return { ok: false as const };
    await tx.update(users).set({ emailConfirmedAt: now }).where(eq(users.id, user.id));
    return { ok: true as const, email: user.email, userId: user.id };
  });
}

export async function isAddressConfirmed(db: Db | Tx, input: { userId: string }): Promise<boolean> {
  const [user] = await db
    .select({ email: users.emailConfirmedAt, phone: users.phoneConfirmedAt })
    .from(users)
    .where(eq(users.id, input.userId));
  // A confirmed phone counts as much as a confirmed e-mail address (ADR 0025).
  return Boolean(user?.email || user?.phone);
}

async function resetCount(tx: Tx, subject: string, now: Date) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(authAttempts)
    .where(
      and(
        eq(authAttempts.subject, subject),
        eq(authAttempts.kind, "reset"),
        gt(authAttempts.at, new Date(now.getTime() - HOUR)),
      ),
    );
  return row?.n ?? 0;
}

/**
 * A reset is asked for: whatever the address, the caller shows the same answer. Throttled per address
 * and per client address (requests over the ceiling are counted and dropped silently).
 */
export async function requestPasswordReset(
  db: Db,
  _scope: PlatformScope,
  input: { email: string; ip: string; now?: Date },
): Promise<void> {
  const now = input.now ?? new Date();
  const email = normalizeEmail(input.email);
  const subjects = [`reset:${email}`, `ip:${input.ip}`].sort();
  await db.transaction(async (tx) => {
    for (const s of subjects) await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`auth:reset:${s}`}))`);
    const overAddress = (await resetCount(tx, `reset:${email}`, now)) >= RESET_PER_ADDRESS_HOUR;
    const overIp = (await resetCount(tx, `ip:${input.ip}`, now)) >= RESET_PER_IP_HOUR;
    await tx.insert(authAttempts).values([
      { subject: `reset:${email}`, kind: "reset", at: now },
      { subject: `ip:${input.ip}`, kind: "reset", at: now },
    ]);
    if (overAddress || overIp) return;
    const [user] = await tx.select().from(users).where(eq(users.email, email));
    if (!user) return;
    const { id, token } = await issue(tx, { userId: user.id, email: user.email, purpose: "reset", now });
    await enqueueMessage(tx, {
      kind: "account.reset",
      userId: user.id,
      payload: { path: `/reset-password/${token}` },
      idempotencyKey: `reset:${id}`,
      now,
    });
  });
}

/** Whether a reset link can still be used (the page shows the form, or says why not). */
export async function resetTokenUsable(db: Db, _scope: PlatformScope, input: { token: string; now?: Date }) {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.token)) return false;
  const [row] = await db
    .select({ id: accountTokens.id })
    .from(accountTokens)
    .innerJoin(users, and(eq(users.id, accountTokens.userId), eq(users.email, accountTokens.email)))
    .where(
      and(
        eq(accountTokens.tokenHash, tokenHash(input.token)),
        eq(accountTokens.purpose, "reset"),
        isNull(accountTokens.usedAt),
        gt(accountTokens.expiresAt, input.now ?? new Date()),
      ),
    );
  return Boolean(row);
}

/**
 * Sets a new password with a reset link: once, within the hour. Every session of the account ends
 * (whoever had the old password is signed out), the account's other reset links stop working, and
 * the address counts as confirmed (the link reached its mailbox).
 */
export async function resetPassword(
  db: Db,
  _scope: PlatformScope,
  input: { token: string; password: string; now?: Date },
): Promise<{ ok: true; userId: string } | { ok: false }> {
  const now = input.now ?? new Date();
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(input.token)) return { ok: false };
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const user = await consume(tx, { token: input.token, purpose: "reset", now });
    if (!user) return { ok: false as const };
    await tx
      .update(users)
      .set({ passwordHash, emailConfirmedAt: user.emailConfirmedAt ?? now })
      .where(eq(users.id, user.id));
    await tx
      .update(accountTokens)
      .set({ usedAt: now })
      .where(and(eq(accountTokens.userId, user.id), eq(accountTokens.purpose, "reset"), isNull(accountTokens.usedAt)));
    await tx.delete(sessions).where(eq(sessions.userId, user.id));
    return { ok: true as const, userId: user.id };
  });
}

/**
 * The signed-in person changes their address: the new one must be confirmed again (a link goes
 * there), and the old one is told. Returns false when the address belongs to another account.
 */
export async function changeEmail(db: Db, scope: PlatformScope, input: { email: string; now?: Date }) {
  const now = input.now ?? new Date();
  const userId = actorUserId(scope);
  const email = normalizeEmail(input.email);
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    if (!user) return { ok: false as const };
    if (user.email === email) return { ok: true as const, changed: false };
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (taken) {
      await sendAlreadyRegistered(tx, { email, now });
      // The same answer as a free address: nobody learns whose address it is.
      return { ok: true as const, changed: false };
    }
    await tx.update(users).set({ email, emailConfirmedAt: null }).where(eq(users.id, userId));
    await enqueueMessage(tx, {
      kind: "account.email_changed",
      userId,
      toAddress: user.email,
      payload: { email, path: "/forgot-password" },
      idempotencyKey: `email_changed:${userId}:${now.getTime()}`,
      now,
    });
    await sendConfirmation(tx, { userId, email, now });
    return { ok: true as const, changed: true };
  });
}
