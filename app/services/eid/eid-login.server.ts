/**
 * Sign-in with the installation's OpenID Connect provider (ADR 0038). The browser carries a random
 * token (cookie); its pending row holds `state`, `nonce` and the PKCE verifier and is used once. The
 * provider's subject is bound to one account: the first sign-in creates an account, or links the one
 * whose address the provider asserts (at once when both the provider and Shora confirmed that
 * address, else only after the account's password is given).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { eidLogins, eidSessions, externalIdentities, users } from "../../../db/schema";
import { nameIsPlain } from "../../domain/accounts/names";
import { RefusedError } from "../errors.server";
import { hashPassword, login, normalizeEmail } from "../accounts/auth.server";
import { sendConfirmation, tokenHash } from "../accounts/tokens.server";
import type { PlatformScope } from "../scope";
import { eidProviderByIssuer, eidProviderFor, municipalityIssuers } from "./municipality-provider.server";
import {
  type ProviderClaims,
  authorizationUrl,
  eidProvider,
  endSessionUrl,
  exchangeCode,
  newChecks,
} from "./provider.server";

export type EidRefusal =
  | "not_configured"
  | "no_login"
  | "cancelled"
  | "provider_error"
  | "rejected"
  | "unavailable"
  | "no_email"
  | "account_closed"
  | "linked_elsewhere"
  | "invalid_credentials"
  | "throttled";
export const EidRefused = RefusedError<EidRefusal>;
export type EidRefused = RefusedError<EidRefusal>;

/** Minutes a sign-in may spend at the provider. */
const LOGIN_TTL_MS = 15 * 60_000;

/** The provider of a sign-in from this municipality (its own, else the installation's), or a refusal. */
async function settingsOrRefuse(db: Db, municipalityId: string | null) {
  const settings = await eidProviderFor(db, { municipalityId });
  if (!settings) throw new EidRefused("not_configured", null, {}, 404);
  return settings;
}

/** Starts a sign-in: the browser's token (for its cookie) and the provider's address to send it to. */
export async function beginEidLogin(
  db: Db,
  _scope: PlatformScope,
  input: { next: string; municipalityId: string | null; sessionUserId: string | null; locale: string; now?: Date },
): Promise<{ browserToken: string; url: string }> {
  const settings = await settingsOrRefuse(db, input.municipalityId);
  const now = input.now ?? new Date();
  const checks = newChecks();
  let url: URL;
  try {
    url = await authorizationUrl(settings, checks, input.locale);
  } catch {
    throw new EidRefused("unavailable", null, {}, 503);
  }
  const browserToken = randomBytes(32).toString("base64url");
  await db.transaction(async (tx) => {
    await tx.delete(eidLogins).where(lt(eidLogins.expiresAt, now));
    await tx.insert(eidLogins).values({
      id: randomUUID(),
      browserHash: tokenHash(browserToken),
      issuer: settings.issuer,
      state: checks.state,
      nonce: checks.nonce,
      codeVerifier: checks.codeVerifier,
      next: input.next,
      municipalityId: input.municipalityId,
      sessionUserId: input.sessionUserId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
    });
  });
  return { browserToken, url: url.toString() };
}

export type EidLoginOutcome =
  | {
      kind: "signed_in";
      userId: string;
      next: string;
      municipalityId: string | null;
      claims: ProviderClaims;
      created: boolean;
    }
  | { kind: "link"; next: string };

const errorOf = (query: URLSearchParams) => query.get("error");

/** Whether a failure of the exchange is the provider being out of reach rather than a failed check. */
function isUnreachable(error: unknown): boolean {
  for (let e = error as { name?: string; code?: string; cause?: unknown } | undefined, i = 0; e && i < 4; i++) {
    if (e.name === "TimeoutError" || e.name === "AbortError" || e.code === "ECONNREFUSED") return true;
    if (e instanceof TypeError && /fetch failed/.test(String(e.message))) return true;
    e = e.cause as typeof e;
  }
  return false;
}

/**
 * The provider's answer at the callback. The pending row is used up whatever happens; a cancelled
 * sign-in, a provider error, a failed check and a missing row are refusals the page explains.
 */
export async function completeEidLogin(
  db: Db,
  _scope: PlatformScope,
  input: { browserToken: string | null; query: string; now?: Date },
): Promise<EidLoginOutcome> {
  const now = input.now ?? new Date();
  const query = new URLSearchParams(input.query);
  // No provider anywhere (the installation's nor a municipality's): nothing can come back here.
  if (!eidProvider() && (await municipalityIssuers(db)).length === 0)
    throw new EidRefused("not_configured", null, {}, 404);
  if (!input.browserToken) throw new EidRefused("no_login");
  const [row] = await db
    .delete(eidLogins)
    .where(and(eq(eidLogins.browserHash, tokenHash(input.browserToken)), isNull(eidLogins.linkUserId)))
    .returning();
  if (!row || row.expiresAt <= now) throw new EidRefused("no_login");
  // The answer is checked against the provider the sign-in went to (the municipality's or the
  // installation's); one that changed meanwhile leaves the sign-in unfinished.
  const settings = await settingsOrRefuse(db, row.municipalityId);
  if (row.issuer !== settings.issuer) throw new EidRefused("no_login");
  const error = errorOf(query);
  if (error === "access_denied") throw new EidRefused("cancelled");
  if (error) throw new EidRefused("provider_error", null, { code: error.slice(0, 64) });
  let claims: ProviderClaims;
  try {
    claims = await exchangeCode(settings, input.query.startsWith("?") ? input.query : `?${input.query}`, {
      state: row.state,
      nonce: row.nonce,
      codeVerifier: row.codeVerifier,
    });
  } catch (failure) {
    if (isUnreachable(failure)) throw new EidRefused("unavailable", null, {}, 503);
    throw new EidRefused("rejected");
  }
  return db.transaction(async (tx) => {
    const [known] = await tx
      .select({ userId: externalIdentities.userId, deletedAt: users.deletedAt })
      .from(externalIdentities)
      .innerJoin(users, eq(users.id, externalIdentities.userId))
      .where(and(eq(externalIdentities.issuer, claims.issuer), eq(externalIdentities.subject, claims.subject)));
    const signedIn = (userId: string, created: boolean) => ({
      kind: "signed_in" as const,
      userId,
      next: row.next,
      municipalityId: row.municipalityId,
      claims,
      created,
    });
    if (known) {
      if (known.deletedAt) throw new EidRefused("account_closed", null, {}, 403);
      // Begun by a signed-in person: the e-ID must be theirs, never another account's.
      if (row.sessionUserId && row.sessionUserId !== known.userId)
        throw new EidRefused("linked_elsewhere", null, {}, 409);
      return signedIn(known.userId, false);
    }
    if (row.sessionUserId) {
      // The person proved who they are to Shora (their session) and to the provider: bind the two.
      await tx
        .insert(externalIdentities)
        .values({ issuer: claims.issuer, subject: claims.subject, userId: row.sessionUserId });
      return signedIn(row.sessionUserId, false);
    }
    if (!claims.email) throw new EidRefused("no_email");
    const email = normalizeEmail(claims.email);
    const [existing] = await tx
      .select({ id: users.id, confirmedAt: users.emailConfirmedAt, deletedAt: users.deletedAt })
      .from(users)
      .where(eq(users.email, email));
    if (existing) {
      if (existing.deletedAt) throw new EidRefused("account_closed", null, {}, 403);
      if (claims.emailVerified && existing.confirmedAt) {
        await tx
          .insert(externalIdentities)
          .values({ issuer: claims.issuer, subject: claims.subject, userId: existing.id });
        return signedIn(existing.id, false);
      }
      // The address is not confirmed on both sides: the account's password decides.
      await tx.insert(eidLogins).values({
        ...row,
        id: randomUUID(),
        linkUserId: existing.id,
        linkSubject: claims.subject,
        linkIdToken: claims.idToken,
        expiresAt: new Date(now.getTime() + LOGIN_TTL_MS),
      });
      return { kind: "link" as const, next: row.next };
    }
    const userId = randomUUID();
    const name =
      claims.name && claims.name.length <= 120 && nameIsPlain(claims.name) ? claims.name : email.split("@")[0];
    await tx.insert(users).values({
      id: userId,
      email,
      // No password: the account signs in at the provider (a password can be set by "forgot password").
      passwordHash: await hashPassword(randomBytes(32).toString("base64url")),
      displayName: name.slice(0, 120),
      emailConfirmedAt: claims.emailVerified ? now : null,
      createdAt: now,
    });
    if (!claims.emailVerified) await sendConfirmation(tx, { userId, email, now });
    await tx.insert(externalIdentities).values({ issuer: claims.issuer, subject: claims.subject, userId });
    return signedIn(userId, true);
  });
}

/** The account a pending link names (only its address, to show whose password is asked), or null. */
export async function pendingLink(db: Db, _scope: PlatformScope, input: { browserToken: string | null; now?: Date }) {
  if (!input.browserToken) return null;
  const now = input.now ?? new Date();
  const [row] = await db
    .select({ email: users.email, next: eidLogins.next, expiresAt: eidLogins.expiresAt })
    .from(eidLogins)
    .innerJoin(users, eq(users.id, eidLogins.linkUserId))
    .where(eq(eidLogins.browserHash, tokenHash(input.browserToken)));
  return row && row.expiresAt > now ? { email: row.email, next: row.next } : null;
}

/** Links the pending e-ID to its account once the account's password is right (throttled like log-in). */
export async function linkEidAccount(
  db: Db,
  scope: PlatformScope,
  input: { browserToken: string | null; password: string; ip: string; now?: Date },
): Promise<{ userId: string; next: string; issuer: string; idToken: string }> {
  const now = input.now ?? new Date();
  if (!input.browserToken) throw new EidRefused("no_login");
  const [row] = await db
    .select({ login: eidLogins, email: users.email })
    .from(eidLogins)
    .innerJoin(users, eq(users.id, eidLogins.linkUserId))
    .where(eq(eidLogins.browserHash, tokenHash(input.browserToken)));
  if (!row || row.login.expiresAt <= now || !row.login.linkSubject || !row.login.linkUserId)
    throw new EidRefused("no_login");
  const checked = await login(db, scope, { email: row.email, password: input.password, ip: input.ip, now });
  if (!checked.ok)
    throw checked.code === "throttled"
      ? new EidRefused("throttled", null, {}, 429)
      : new EidRefused("invalid_credentials", "password", {}, 400);
  const { login: pending } = row;
  await db.transaction(async (tx) => {
    await tx.delete(eidLogins).where(eq(eidLogins.id, pending.id));
    await tx
      .insert(externalIdentities)
      .values({ issuer: pending.issuer, subject: pending.linkSubject!, userId: pending.linkUserId! })
      .onConflictDoNothing();
  });
  return {
    userId: pending.linkUserId!,
    next: pending.next,
    issuer: pending.issuer,
    idToken: pending.linkIdToken ?? "",
  };
}

/** Keeps a session's ID token for the provider's logout (`id_token_hint`). */
export async function rememberEidSession(
  db: Db,
  _scope: PlatformScope,
  input: { sessionId: string; issuer: string; idToken: string },
) {
  if (!input.idToken) return;
  await db.insert(eidSessions).values(input).onConflictDoNothing();
}

/** Where to send the browser after Shora's session ends, when the session began at a provider offering logout. */
export async function eidLogoutUrl(db: Db, _scope: PlatformScope, input: { sessionId: string | null }) {
  if (!input.sessionId) return null;
  const [row] = await db.select().from(eidSessions).where(eq(eidSessions.sessionId, input.sessionId));
  const settings = row ? await eidProviderByIssuer(db, { issuer: row.issuer }) : null;
  if (!row || !settings) return null;
  return endSessionUrl(settings, row.idToken);
}
