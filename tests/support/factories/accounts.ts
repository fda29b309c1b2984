/**
 * Accounts, memberships and signed-in browsers. Accounts are inserted with a password hash computed
 * once per password (the sign-up service hashes and throttles per address, which a test of something
 * else must not depend on); memberships go through the staff service, as an administrator adds them.
 */
import { randomUUID } from "node:crypto";
import type { Db } from "../../../db/client";
import { and, desc, eq } from "drizzle-orm";
import { outbox, users } from "../../../db/schema";
import { confirmAddress, sendConfirmation } from "../../../app/services/accounts/tokens.server";
import { hashPassword } from "../../../app/services/accounts/auth.server";
import { addMember } from "../../../app/services/accounts/memberships.server";
import type { Municipality } from "../../../app/services/tenancy/municipality.server";
import { type Actor, observer, userActor } from "../../../app/services/scope";
import { type SessionUser, startSession } from "../../../app/web/session.server";
import { generate } from "otplib";
import {
  checkSecondFactor,
  confirmTotpEnrolment,
  isEnrolled,
  secondFactorRequired,
  startTotpEnrolment,
} from "../../../app/services/accounts/two-factor.server";
import { CSRF, TestBrowser } from "../requests";

/** The password of every account the factories make unless told otherwise. */
export const PASSWORD = "factory password 2026";

/** A member of a municipality's staff, in the shape staff use cases take (user, municipality, role). */
/** A staff member or administrator; also the scope (municipality and actor) their use cases take. */
export interface Member {
  user: SessionUser;
  municipality: Municipality;
  role: "staff" | "admin";
  actor: Actor;
}

const hashes = new Map<string, Promise<string>>();
/** The argon2 hash of a password, computed once per test file. */
export function passwordHash(password = PASSWORD): Promise<string> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPassword(password);
    hashes.set(password, hash);
  }
  return hash;
}

/**
 * An account. Its address is confirmed by following the real link (the token the confirmation
 * message carries) unless `confirmed: false` (ADR 0025: verification needs a confirmed address).
 */
export async function makeUser(
  db: Db,
  input: {
    email: string;
    displayName?: string;
    password?: string;
    locale?: string;
    platformAdmin?: boolean;
    confirmed?: boolean;
  },
): Promise<SessionUser> {
  const user: SessionUser = {
    id: randomUUID(),
    email: input.email,
    displayName: input.displayName ?? input.email.split("@")[0],
    locale: input.locale ?? "en",
    isPlatformAdmin: input.platformAdmin ?? false,
  };
  await db.insert(users).values({
    id: user.id,
    email: user.email,
    passwordHash: await passwordHash(input.password),
    displayName: user.displayName,
    locale: user.locale,
    isPlatformAdmin: user.isPlatformAdmin,
  });
  if (input.confirmed !== false) await confirmByLink(db, user);
  return user;
}

/** Follows the confirmation link of a new message to the user, as the person would. */
export async function confirmByLink(db: Db, user: { id: string; email: string }): Promise<void> {
  await sendConfirmation(db, { userId: user.id, email: user.email });
  const [message] = await db
    .select({ payload: outbox.payload })
    .from(outbox)
    .where(and(eq(outbox.userId, user.id), eq(outbox.kind, "account.confirm")))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  const token = String(message.payload.path).split("/").pop() ?? "";
  const outcome = await confirmAddress(db, { actor: observer }, { token });
  if (!outcome.ok) throw new Error(`confirmByLink: the link of ${user.email} did not confirm it`);
}

/** A new account given a role in the municipality by its administrator (`by`). */
export async function makeMember(
  db: Db,
  input: { by: Member; email: string; displayName?: string; role?: "staff" | "admin"; password?: string },
): Promise<Member> {
  const user = await makeUser(db, { email: input.email, displayName: input.displayName, password: input.password });
  const role = input.role ?? "staff";
  await addMember(db, input.by, { email: user.email, role });
  return { user, municipality: input.by.municipality, role, actor: userActor(user) };
}

/**
 * A browser signed in as the user (a session row, as logging in makes), with the CSRF cookie set;
 * `browser` re-signs an existing one. No user: a visitor who is not logged in.
 */
export async function signIn(db: Db, user: { id: string } | null, browser = new TestBrowser(db)): Promise<TestBrowser> {
  browser.cookies.set("shora_csrf", CSRF);
  if (!user) {
    browser.cookies.delete("shora_session");
    return browser;
  }
  browser.cookies.set("shora_session", await sessionFor(db, user.id));
  return browser;
}

/** What the factories know of an account's authenticator: its secret and its recovery codes. */
export const authenticators = new Map<string, { secret: string; recoveryCodes: string[] }>();
/**
 * Each check is two minutes after the last one: a code is never reused, and a check never shares the
 * code throttle's one-minute window with wrong codes a test typed just now (ADR 0026).
 */
let clockSteps = 0;

/** A TOTP code of the secret at a time, computed as an authenticator app would. */
export function totpCode(secret: string, at = new Date()): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

/**
 * The second factor through the services the sign-in uses (ADR 0026): a staff account is enrolled the
 * first time (a code from its new secret confirms it), and later passes a fresh code.
 */
export async function passSecondFactor(db: Db, userId: string): Promise<void> {
  const scope = { actor: userActor({ id: userId }) };
  if (!(await isEnrolled(db, { userId }))) {
    const { secret } = await startTotpEnrolment(db, scope);
    const { recoveryCodes } = await confirmTotpEnrolment(db, scope, { code: await totpCode(secret) });
    authenticators.set(userId, { secret, recoveryCodes });
    return;
  }
  const known = authenticators.get(userId);
  if (!known) throw new Error("an account enrolled outside the factories: sign it in through its test");
  const at = new Date(Date.now() + ++clockSteps * 120_000);
  await checkSecondFactor(db, scope, { code: await totpCode(known.secret, at), now: at });
}

/**
 * The session cookie's value for a user, as logging in makes it: staff (and enrolled residents) pass
 * the second factor first, so their session records it.
 */
export async function sessionFor(db: Db, userId: string): Promise<string> {
  const secondFactor = (await secondFactorRequired(db, { userId })) || (await isEnrolled(db, { userId }));
  if (secondFactor) await passSecondFactor(db, userId);
  const cookie = await startSession(db, new Request("http://localhost/"), userId, { secondFactor });
  return cookie.split(";")[0].split("=")[1];
}
