/**
 * The one module that knows how sessions work (lucia 3 + drizzle adapter). Routes and services
 * call these functions only, so moving to lucia's "guide" form later needs no change elsewhere
 * and no migration (same table shape). See docs/decisions/0001-sessions-lucia.md.
 */
import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { Lucia, type Session, TimeSpan } from "lucia";
import type { Db } from "../../db/client";
import { sessions, users } from "../../db/schema";

export const SESSION_COOKIE = "shora_session";
/**
 * The cookie outlives the server-side session on purpose: lucia extends an active session in the
 * database, and the database (not the cookie) decides when it expires.
 */
const COOKIE_MAX_AGE = 400 * 24 * 3600;

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  locale: string;
  isPlatformAdmin: boolean;
}

declare module "lucia" {
  interface Register {
    Lucia: Lucia<Record<never, never>, Omit<SessionUser, "id">>;
    DatabaseUserAttributes: Omit<SessionUser, "id">;
  }
}

const instances = new WeakMap<Db, Lucia<Record<never, never>, Omit<SessionUser, "id">>>();

function luciaFor(db: Db) {
  let lucia = instances.get(db);
  if (!lucia) {
    // biome-ignore lint/suspicious/noExplicitAny: the adapter's types name the node-postgres driver only; PGlite has the same query API.
    const adapter = new DrizzlePostgreSQLAdapter(db as any, sessions, users);
    lucia = new Lucia(adapter, {
      sessionExpiresIn: new TimeSpan(30, "d"),
      sessionCookie: { name: SESSION_COOKIE, attributes: { sameSite: "lax" } },
      getUserAttributes: (row) => ({
        email: row.email,
        displayName: row.displayName,
        locale: row.locale,
        isPlatformAdmin: row.isPlatformAdmin,
      }),
    });
    instances.set(db, lucia);
  }
  return lucia;
}

/** `Secure` everywhere except plain http on localhost (development and the demo). */
export function cookieIsSecure(request: { url: string }): boolean {
  const url = new URL(request.url);
  const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  return !(local && url.protocol === "http:");
}

export function serializeCookie(
  request: { url: string },
  name: string,
  value: string,
  options: { maxAge?: number; httpOnly?: boolean } = {},
): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax"];
  if (options.httpOnly !== false) parts.push("HttpOnly");
  if (cookieIsSecure(request)) parts.push("Secure");
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  return parts.join("; ");
}

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

export interface CurrentSession {
  user: SessionUser;
  session: Session;
}

/** Reads and validates the session cookie. Returns null for observers (no or invalid session). */
export async function getSession(db: Db, request: Request): Promise<CurrentSession | null> {
  const id = readCookie(request, SESSION_COOKIE);
  if (!id) return null;
  const { session, user } = await luciaFor(db).validateSession(id);
  if (!session || !user) return null;
  return { user: { ...user }, session };
}

/**
 * Starts a new session for a user who just proved who they are. Any session the browser already
 * carried is invalidated first (rotation: a fixed or stolen pre-login id is never upgraded).
 */
export async function startSession(db: Db, request: Request, userId: string): Promise<string> {
  const lucia = luciaFor(db);
  const previous = readCookie(request, SESSION_COOKIE);
  if (previous) await lucia.invalidateSession(previous);
  const session = await lucia.createSession(userId, {});
  return serializeCookie(request, SESSION_COOKIE, session.id, { maxAge: COOKIE_MAX_AGE });
}

/** Ends the session on the server and returns the header that clears the cookie. */
export async function endSession(db: Db, request: Request): Promise<string> {
  const id = readCookie(request, SESSION_COOKIE);
  if (id) await luciaFor(db).invalidateSession(id);
  return serializeCookie(request, SESSION_COOKIE, "", { maxAge: 0 });
}

/** "Log out everywhere": every session of the user, on every device, is removed server-side. */
export async function endAllSessions(db: Db, request: Request, userId: string): Promise<string> {
  await luciaFor(db).invalidateUserSessions(userId);
  return serializeCookie(request, SESSION_COOKIE, "", { maxAge: 0 });
}

export async function listSessions(db: Db, userId: string): Promise<Session[]> {
  return luciaFor(db).getUserSessions(userId);
}
