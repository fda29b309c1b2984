import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { sessions, users } from "../../db/schema";
import * as account from "../../app/routes/account";
import * as login from "../../app/routes/login";
import * as logout from "../../app/routes/logout";
import * as signup from "../../app/routes/signup";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

const PASSWORD = "correct horse battery";

async function signUp(browser: TestBrowser, email: string, password = PASSWORD) {
  return call(signup.action, browser, browser.post("/signup", { displayName: "Ada Resident", email, password }));
}

async function logIn(browser: TestBrowser, email: string, password = PASSWORD) {
  return call(login.action, browser, browser.post("/login", { email, password }));
}

async function body(response: Response) {
  return JSON.parse(await response.text());
}

describe("sign up", () => {
  it("creates the account with an argon2id hash and starts a session in an HttpOnly SameSite=Lax cookie", async () => {
    const browser = new TestBrowser(database.db);
    const email = `${unique("ada")}@example.org`;
    const response = await signUp(browser, email.toUpperCase());
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/account");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^shora_session=\w+/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).not.toContain("Secure"); // plain http on localhost
    const [row] = await database.db.select().from(users).where(eq(users.email, email));
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
    const page = await call(account.loader, browser, browser.get("/account"));
    expect(page.status).toBe(200);
    expect((await body(page)).user.email).toBe(email);
  });

  it("marks the session cookie Secure outside localhost", async () => {
    const browser = new TestBrowser(database.db);
    const email = `${unique("secure")}@example.org`;
    const request = new Request("https://shora.example.org/signup", {
      method: "POST",
      headers: { cookie: browser.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ displayName: "S", email, password: PASSWORD, _csrf: "t".repeat(32) }),
    });
    const response = await call(signup.action, browser, request);
    expect(response.headers.get("set-cookie")).toContain("Secure");
  });

  it("refuses a short password with a message naming the field and keeps what was typed", async () => {
    const browser = new TestBrowser(database.db);
    const response = await signUp(browser, "short@example.org", "123456789");
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.errors.password).toBe("Password must be at least 10 characters.");
    expect(data.values.email).toBe("short@example.org");
    expect(data.values.password).toBeUndefined();
    const rows = await database.db.select().from(users).where(eq(users.email, "short@example.org"));
    expect(rows).toHaveLength(0);
  });

  it("answers in Persian when the visitor chose Persian", async () => {
    const browser = new TestBrowser(database.db);
    browser.cookies.set("shora_lang", "fa");
    const response = await call(
      signup.action,
      browser,
      browser.post("/signup", { displayName: "", email: "not-an-email", password: PASSWORD }),
    );
    expect(response.status).toBe(400);
    const data = await body(response);
    expect(data.errors.email).toBe("ایمیل باید یک نشانی ایمیل درست باشد.");
    expect(data.errors.displayName).toBe("نام شما لازم است.");
  });

  it("refuses a second account with the same email", async () => {
    const email = `${unique("twice")}@example.org`;
    expect((await signUp(new TestBrowser(database.db), email)).status).toBe(302);
    const second = await signUp(new TestBrowser(database.db), email);
    expect(second.status).toBe(400);
    expect((await body(second)).errors.email).toBe("An account with this email already exists.");
  });
});

describe("log in and log out", () => {
  it("gives the same answer for an unknown email and a wrong password", async () => {
    const email = `${unique("same")}@example.org`;
    await signUp(new TestBrowser(database.db), email);
    const unknown = await logIn(new TestBrowser(database.db), `${unique("nobody")}@example.org`);
    const wrong = await logIn(new TestBrowser(database.db), email, "wrong password!!");
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(await body(wrong)).toEqual({ ...(await body(unknown)), values: { email } });
  });

  it("rotates the session on log in: the session the browser carried before is invalidated", async () => {
    const email = `${unique("rotate")}@example.org`;
    const browser = new TestBrowser(database.db);
    await signUp(browser, email);
    const before = browser.cookies.get("shora_session");
    const response = await logIn(browser, email);
    expect(response.status).toBe(302);
    const after = browser.cookies.get("shora_session");
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    expect(
      await database.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, before ?? "")),
    ).toHaveLength(0);
    expect(
      await database.db
        .select()
        .from(sessions)
        .where(eq(sessions.id, after ?? "")),
    ).toHaveLength(1);
  });

  it("redirects only to same-site paths after log in", async () => {
    const email = `${unique("next")}@example.org`;
    await signUp(new TestBrowser(database.db), email);
    const browser = new TestBrowser(database.db);
    const evil = await call(
      login.action,
      browser,
      browser.post("/login", { email, password: PASSWORD, next: "//evil.example" }),
    );
    expect(evil.headers.get("location")).toBe("/");
    const good = await call(
      login.action,
      browser,
      browser.post("/login", { email, password: PASSWORD, next: "/m/demo" }),
    );
    expect(good.headers.get("location")).toBe("/m/demo");
  });

  it("invalidates the session on the server at log out (the old cookie no longer works)", async () => {
    const email = `${unique("out")}@example.org`;
    const browser = new TestBrowser(database.db);
    await signUp(browser, email);
    const id = browser.cookies.get("shora_session") ?? "";
    const stolen = new TestBrowser(database.db);
    stolen.cookies.set("shora_session", id);
    const response = await call(logout.action, browser, browser.post("/logout", {}));
    expect(response.status).toBe(302);
    expect(response.headers.get("set-cookie")).toContain("Max-Age=0");
    expect(await database.db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(0);
    expect((await call(account.loader, stolen, stolen.get("/account"))).status).toBe(403);
  });

  it("logs out everywhere: every session of the account ends", async () => {
    const email = `${unique("everywhere")}@example.org`;
    const phone = new TestBrowser(database.db);
    const laptop = new TestBrowser(database.db);
    await signUp(phone, email);
    await logIn(laptop, email);
    const [user] = await database.db.select().from(users).where(eq(users.email, email));
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(2);
    const response = await call(account.action, phone, phone.post("/account", { intent: "logout-everywhere" }));
    expect(response.status).toBe(302);
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toHaveLength(0);
    expect((await call(account.loader, laptop, laptop.get("/account"))).status).toBe(403);
  });
});

describe("throttling", () => {
  it("answers the 6th failed log-in for one account within a minute with 429, even from other addresses", async () => {
    const email = `${unique("victim")}@example.org`;
    await signUp(new TestBrowser(database.db), email);
    for (let i = 0; i < 5; i++) {
      const attempt = await logIn(new TestBrowser(database.db), email, `wrong-password-${i}`);
      expect(attempt.status).toBe(401);
    }
    const sixth = await logIn(new TestBrowser(database.db), email); // even the right password
    expect(sixth.status).toBe(429);
    expect((await body(sixth)).errors.form).toBe("Too many attempts. Wait a minute and try again.");
    expect(
      await database.db
        .select()
        .from(sessions)
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(users.email, email)),
    ).toHaveLength(1);
  });

  it("answers the 6th failed log-in from one address with 429, whatever the accounts", async () => {
    const browser = new TestBrowser(database.db, `192.0.2.${Math.floor(Math.random() * 250)}`);
    for (let i = 0; i < 5; i++) {
      expect((await logIn(browser, `${unique("guess")}@example.org`)).status).toBe(401);
    }
    expect((await logIn(browser, `${unique("guess")}@example.org`)).status).toBe(429);
    // Another address is not affected.
    expect((await logIn(new TestBrowser(database.db), `${unique("guess")}@example.org`)).status).toBe(401);
  });

  it("throttles failed sign-ups from one address", async () => {
    const browser = new TestBrowser(database.db, `198.51.100.${Math.floor(Math.random() * 250)}`);
    for (let i = 0; i < 5; i++) {
      expect((await signUp(browser, `${unique("bad")}@example.org`, "short")).status).toBe(400);
    }
    expect((await signUp(browser, `${unique("good")}@example.org`)).status).toBe(429);
  });
});

describe("CSRF", () => {
  it("refuses a POST without the token or with another browser's token (403), and changes nothing", async () => {
    const email = `${unique("csrf")}@example.org`;
    const browser = new TestBrowser(database.db);
    await signUp(browser, email);
    const id = browser.cookies.get("shora_session") ?? "";
    const missing = await call(logout.action, browser, browser.post("/logout", {}, { csrf: null }));
    expect(missing.status).toBe(403);
    expect((await body(missing)).reason).toBe("csrf");
    const wrong = await call(logout.action, browser, browser.post("/logout", {}, { csrf: "x".repeat(32) }));
    expect(wrong.status).toBe(403);
    expect(await database.db.select().from(sessions).where(eq(sessions.id, id))).toHaveLength(1);
    const noCookie = new TestBrowser(database.db);
    noCookie.cookies.delete("shora_csrf");
    const signupWithout = await signUp(noCookie, `${unique("nocookie")}@example.org`);
    expect(signupWithout.status).toBe(403);
  });

  it("never changes state on GET: GET /logout is a 404 and the session stays", async () => {
    const browser = new TestBrowser(database.db);
    await signUp(browser, `${unique("get")}@example.org`);
    const response = await call(logout.loader, browser, browser.get("/logout"));
    expect(response.status).toBe(404);
    expect((await call(account.loader, browser, browser.get("/account"))).status).toBe(200);
  });
});
