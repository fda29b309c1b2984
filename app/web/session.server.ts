/**
 * The one module that knows how sessions work (lucia 3 + drizzle adapter). Routes and services
 * call these functions only, so moving to lucia's "guide" form later needs no change elsewhere
 * and no migration (same table shape). See docs/decisions/0001-sessions-lucia.md.
 */
import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { eq, sql } from "drizzle-orm";
import { type DatabaseSession, type DatabaseUser, Lucia, type Session, TimeSpan } from "lucia";
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

/** What a session records beyond its user: when it passed the second factor (ADR 0026), else null. */
export interface SessionAttributes {
  secondFactorAt: Date | null;
}

declare module "lucia" {
  interface Register {
    Lucia: Lucia<SessionAttributes, Omit<SessionUser, "id">>;
    DatabaseUserAttributes: Omit<SessionUser, "id">;
    DatabaseSessionAttributes: SessionAttributes;
  }
}

/**
 * The drizzle adapter with its hot query prepared: every page a logged-in visitor opens validates the
 * session, and building the session-and-user select each time cost drizzle more CPU than running it.
 * Same query, same rows, same shapes as the adapter's own `getSessionAndUser`; everything else is
 * the adapter's.
 */
class PreparedDrizzleAdapter extends DrizzlePostgreSQLAdapter {
  private readonly sessionAndUser;

  constructor(db: Db) {
    // biome-ignore lint/suspicious/noExplicitAny: the adapter's types name the node-postgres driver only; PGlite has the same query API.
    super(db as any, sessions, users);
    this.sessionAndUser = db
      .select({ user: users, session: sessions })
      .from(sessions)
      .innerJoin(users, eq(sessions.userId, users.id))
      .where(eq(sessions.id, sql.placeholder("id")))
      .prepare("shora_session_and_user");
  }

  override async getSessionAndUser(sessionId: string): Promise<[DatabaseSession | null, DatabaseUser | null]> {
    const result = await this.sessionAndUser.execute({ id: sessionId });
    if (result.length !== 1) return [null, null];
    const { id, userId, expiresAt, ...sessionAttributes } = result[0].session;
    const { id: uid, ...userAttributes } = result[0].user;
    return [
      { id, userId, expiresAt, attributes: sessionAttributes },
      { id: uid, attributes: userAttributes },
    ];
  }
}

const instances = new WeakMap<Db, Lucia<SessionAttributes, Omit<SessionUser, "id">>>();

function luciaFor(db: Db) {
  let lucia = instances.get(db);
  if (!lucia) {
    lucia = new Lucia(new PreparedDrizzleAdapter(db), {
      sessionExpiresIn: new TimeSpan(30, "d"),
      sessionCookie: { name: SESSION_COOKIE, attributes: { sameSite: "lax" } },
      getSessionAttributes: (row) => ({ secondFactorAt: row.secondFactorAt ?? null }),
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
  return cookieIn(request.headers.get("cookie"), name);
}

/** `readCookie` on a raw Cookie header (the server's middleware reads it without building a Request). */
export function cookieIn(header: string | null | undefined, name: string): string | null {
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
 * The session of the request behind a loader's context: read once per GET request and shared by its
 * loaders (see `perRequest` in context.ts), read afresh everywhere else.
 */
export function sessionOf(
  context: { db: Db; perRequest?: Map<string, Promise<unknown>> },
  request: Request,
): Promise<CurrentSession | null> {
  const memo = context.perRequest;
  if (!memo) return getSession(context.db, request);
  // Keyed by the cookie as well, so a memo can never hand one browser's session to another.
  const key = `session:${readCookie(request, SESSION_COOKIE) ?? ""}`;
  let found = memo.get(key) as Promise<CurrentSession | null> | undefined;
  if (!found) {
    found = getSession(context.db, request);
    memo.set(key, found);
  }
  return found;
}

/**
 * Starts a new session for a user who just proved who they are. Any session the browser already
 * carried is invalidated first (rotation: a fixed or stolen pre-login id is never upgraded).
 */
export async function startSession(
  db: Db,
  request: Request,
  userId: string,
  options: { secondFactor?: boolean } = {},
): Promise<string> {
  const lucia = luciaFor(db);
  const previous = readCookie(request, SESSION_COOKIE);
  if (previous) await lucia.invalidateSession(previous);
  const session = await lucia.createSession(userId, { secondFactorAt: options.secondFactor ? new Date() : null });
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

/** Records on the current session that its second factor was just passed (after enrolment). */
export async function markSecondFactor(db: Db, request: Request): Promise<void> {
  const id = readCookie(request, SESSION_COOKIE);
  if (id) await db.update(sessions).set({ secondFactorAt: new Date() }).where(eq(sessions.id, id));
}
