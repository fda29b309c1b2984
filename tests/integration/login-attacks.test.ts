/**
 * Attacks on log-in: parallel password guessing past the throttle, and open redirects through every
 * `next`/`redirectTo` address (ADR 0015).
 */
import { and, eq, like, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { authAttempts, sessions, users } from "../../db/schema";
import * as locale from "../../app/routes/locale";
import * as login from "../../app/routes/login";
import * as signup from "../../app/routes/signup";
import { THROTTLE_LIMIT } from "../../app/services/auth.server";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const PASSWORD = "correct horse battery";

async function signUp(browser: TestBrowser, email: string) {
  const response = await call(
    signup.action,
    browser,
    browser.post("/signup", { displayName: "Ada Resident", email, password: PASSWORD }),
  );
  expect(response.status).toBe(302);
}

function randomIp() {
  return `203.0.113.${Math.floor(Math.random() * 250)}`;
}

describe("parallel password guessing", () => {
  it("lets at most the limit of 100 parallel wrong passwords reach the password check; the right one is then refused", async () => {
    const email = `${unique("parallel")}@example.org`;
    await signUp(new TestBrowser(database.db), email);
    const attacker = new TestBrowser(database.db, `198.18.${Math.floor(Math.random() * 250)}.7`);
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        call(login.action, attacker, attacker.post("/login", { email, password: `wrong-guess-${i}` })),
      ),
    );
    const statuses = responses.map((r) => r.status);
    // A 401 is an answer after the password was checked; a 429 was refused before.
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeLessThanOrEqual(THROTTLE_LIMIT);
    expect(checked + statuses.filter((s) => s === 429).length).toBe(100);
    // Every check left its counted row, and no more.
    const [{ n }] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(authAttempts)
      .where(and(eq(authAttempts.subject, `account:${email}`), eq(authAttempts.kind, "login")));
    expect(n).toBe(checked);
    const right = await call(login.action, attacker, attacker.post("/login", { email, password: PASSWORD }));
    expect(right.status).toBe(429);
    const fromElsewhere = new TestBrowser(database.db);
    const elsewhere = await call(login.action, fromElsewhere, fromElsewhere.post("/login", { email, password: PASSWORD }));
    expect(elsewhere.status).toBe(429);
    const [user] = await database.db.select().from(users).where(eq(users.email, email));
    // Only the sign-up's session exists.
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(1);
  });

  it("a successful log-in does not use up a try: six right passwords in a row all log in", async () => {
    const email = `${unique("often")}@example.org`;
    await signUp(new TestBrowser(database.db), email);
    const browser = new TestBrowser(database.db, randomIp());
    for (let i = 0; i < THROTTLE_LIMIT + 1; i++) {
      const response = await call(login.action, browser, browser.post("/login", { email, password: PASSWORD }));
      expect(response.status).toBe(302);
    }
    const rows = await database.db.select().from(authAttempts).where(like(authAttempts.subject, `account:${email}`));
    expect(rows).toHaveLength(0);
  });
});
