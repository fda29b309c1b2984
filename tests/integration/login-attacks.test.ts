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
import { THROTTLE_LIMIT } from "../../app/services/accounts/auth.server";
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
    const elsewhere = await call(
      login.action,
      fromElsewhere,
      fromElsewhere.post("/login", { email, password: PASSWORD }),
    );
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
    const rows = await database.db
      .select()
      .from(authAttempts)
      .where(like(authAttempts.subject, `account:${email}`));
    expect(rows).toHaveLength(0);
  });
});

/** Hostile return addresses as they arrive (after the query string or form was decoded once). */
const foreign: [string, string][] = [
  ["two slashes", "//evil.example/path"],
  ["slash backslash", "/\\evil.example/path"],
  ["encoded backslash", "/%5cevil.example/path"],
  ["encoded backslash, upper case", "/%5Cevil.example"],
  ["encoded slash", "/%2F/evil.example"],
  ["encoded slash, lower case", "/%2f%2fevil.example"],
  ["https scheme", "https://evil.example/"],
  ["scheme-relative with spaces", " //evil.example"],
  ["javascript scheme", "javascript:alert(1)"],
  ["encoded javascript", "javascript%3Aalert(1)"],
  ["data scheme", "data:text/html,<script>alert(1)</script>"],
  ["fullwidth slash", "/\uff0fevil.example"],
  ["division slash", "/\u2215evil.example"],
  ["fraction slash", "/\u2044evil.example"],
  ["fullwidth backslash", "/\uff3cevil.example"],
  ["encoded fullwidth slash", "/%EF%BC%8Fevil.example"],
  ["backslash inside", "/m/x\\..\\..\\evil.example"],
  ["no leading slash", "evil.example"],
];
const control: [string, string][] = [
  ["tab", "/\t/evil.example/path"],
  ["line feed", "/\n/x"],
  ["carriage return", "/\r/x"],
  ["NUL", "/\u0000/x"],
  ["encoded tab", "/%09/evil.example"],
  ["encoded line feed", "/%0a/x"],
  ["encoded carriage return", "/%0D%0ASet-Cookie:x=1"],
  ["C1 control", "/\u0085/x"],
];
const kept: [string, string][] = [
  ["a page", "/account"],
  ["a page with query and fragment", "/m/demo/rounds/budget?tab=2#top"],
  ["Persian text in the query", "/m/demo?q=%D8%B4%D9%88%D8%B1%D8%A7"],
];

/** The three routes that take a return address, each given `value`. */
async function throughRoutes(value: string) {
  const email = `${unique("next")}@example.org`;
  const browser = new TestBrowser(database.db, randomIp());
  await signUp(browser, email);
  const loggedInGet = await call(login.loader, browser, browser.get(`/login?next=${encodeURIComponent(value)}`));
  const fresh = new TestBrowser(database.db, randomIp());
  const loginPost = await call(login.action, fresh, fresh.post("/login", { email, password: PASSWORD, next: value }));
  const switcher = await call(locale.action, browser, browser.post("/locale", { locale: "fa", redirectTo: value }));
  return { loggedInGet, loginPost, switcher, fresh };
}

describe("return addresses", () => {
  it.each(foreign)("%s: every route sends the user home on this site", async (_name, value) => {
    const responses = await throughRoutes(value);
    for (const response of [responses.loggedInGet, responses.loginPost, responses.switcher]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe("/");
    }
  });

  it.each(control)("%s: every route answers 400 with a readable message, never 500", async (_name, value) => {
    const responses = await throughRoutes(value);
    for (const response of [responses.loggedInGet, responses.loginPost, responses.switcher]) {
      expect(response.status).toBe(400);
      const body = await response.json();
      // A NUL in any form field is refused before (csrf.server.ts), with the general 400.
      expect(body.reason).toBe(
        value.includes("\u0000") && response !== responses.loggedInGet ? "bad_request" : "bad_address",
      );
    }
    // The refused log-in started no session.
    expect(responses.fresh.cookies.has("shora_session")).toBe(false);
  });

  it.each(kept)("%s: kept as it was", async (_name, value) => {
    const responses = await throughRoutes(value);
    for (const response of [responses.loggedInGet, responses.loginPost, responses.switcher]) {
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(value);
    }
  });

  it("the logged-out log-in page carries only a checked address into its form", async () => {
    const browser = new TestBrowser(database.db);
    const page = await call(login.loader, browser, browser.get(`/login?next=${encodeURIComponent("//evil.example")}`));
    expect(page.status).toBe(200);
    expect((await page.json()).next).toBe("/");
  });
});
