import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Database } from "../../db/client";
import { outbox, sessions, users } from "../../db/schema";
import { serveCommand } from "../../app/cli/serve";
import * as account from "../../app/routes/account";
import * as locale from "../../app/routes/locale";
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
    // The same address as for a taken one (ADR 0025); with its session, the page sends on to /account.
    expect(response.headers.get("location")).toBe("/signup?sent=1");
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

  it("makes no second account with the same email, answering as for a new address and telling the owner", async () => {
    const email = `${unique("twice")}@example.org`;
    const first = await signUp(new TestBrowser(database.db), email);
    expect(first.status).toBe(302);
    const second = await signUp(new TestBrowser(database.db), email);
    expect(second.status).toBe(302);
    expect(second.headers.get("location")).toBe(first.headers.get("location"));
    expect(await database.db.select().from(users).where(eq(users.email, email))).toHaveLength(1);
    const [owner] = await database.db.select().from(users).where(eq(users.email, email));
    const kinds = (await database.db.select().from(outbox).where(eq(outbox.userId, owner.id))).map((m) => m.kind);
    expect(kinds.sort()).toEqual(["account.confirm", "account.registered"]);
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

describe("the language cookie", () => {
  it("is HttpOnly, SameSite=Lax, Path=/, kept a year, and Secure outside plain-http localhost", async () => {
    const browser = new TestBrowser(database.db);
    const plain = await call(locale.action, browser, browser.post("/locale", { locale: "fa", redirectTo: "/" }));
    expect(plain.status).toBe(302);
    expect(attributes(plain.headers.get("set-cookie") ?? "")).toEqual({
      name: "shora_lang=fa",
      flags: ["HttpOnly", "Max-Age=31536000", "Path=/", "SameSite=Lax"],
    });
    const secure = await call(
      locale.action,
      browser,
      new Request("https://shora.example.org/locale", {
        method: "POST",
        headers: { cookie: browser.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ locale: "en", _csrf: "t".repeat(32) }),
      }),
    );
    expect(attributes(secure.headers.get("set-cookie") ?? "").flags).toEqual([
      "HttpOnly",
      "Max-Age=31536000",
      "Path=/",
      "SameSite=Lax",
      "Secure",
    ]);
  });
});

/** A Set-Cookie header as its name=value and its sorted attributes. */
function attributes(header: string) {
  const [name, ...flags] = header.split(";").map((part) => part.trim());
  return { name, flags: flags.sort() };
}

/**
 * The whole server stack in this process: `shora serve --dev` (express with its middleware, Remix
 * through Vite, app/entry.server.tsx rendering the pages) on this run's database, behind a pretend
 * TLS proxy (SHORA_TRUST_PROXY=1, so X-Forwarded-Proto counts).
 */
describe("cookies and security headers from the server", () => {
  let base = "";
  let stop = async () => {};

  beforeAll(async () => {
    const saved = { ...process.env };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-auth-"));
    process.env.SHORA_TRUST_PROXY = "1";
    process.env.SHORA_DATA_DIR = dir;
    if (inject("databaseUrl")) {
      process.env.DATABASE_URL = inject("databaseUrl");
      // With DATABASE_URL the server refuses to start without a configured server secret (ADR 0016).
      process.env.SHORA_SECRET ??= "auth-test-server-secret";
    } else {
      // The migrated database the other tests load, as the server's data folder.
      delete process.env.DATABASE_URL;
      const seed = new PGlite(path.join(dir, "pgdata"), {
        loadDataDir: new Blob([fs.readFileSync(inject("pgliteDump"))]),
      });
      await seed.waitReady;
      await seed.close();
    }
    // What the server and Vite listen to on this process, to leave it as it was.
    const listeners = new Set([
      ...process.listeners("SIGINT"),
      ...process.listeners("SIGTERM"),
      ...process.stdin.listeners("end"),
    ]);
    let output = "";
    const write = (text: string) => {
      output += text;
    };
    const io = { out: write, err: write };
    const running = serveCommand.run(["--dev", "--port", "0", "--host", "127.0.0.1"], io);
    const port = await new Promise<string>((resolve, reject) => {
      const started = Date.now();
      const poll = setInterval(() => {
        const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
        if (match || Date.now() - started > 90_000) {
          clearInterval(poll);
          if (match) resolve(match[1]);
          else reject(new Error(`the server did not start:\n${output}`));
        }
      }, 50);
      running.catch((error) => {
        clearInterval(poll);
        process.env = saved;
        reject(error);
      });
    });
    base = `http://127.0.0.1:${port}`;
    stop = async () => {
      // SIGINT, as Ctrl-C would (Vite's own SIGTERM handler would end the test process).
      process.emit("SIGINT");
      await running;
      for (const signal of ["SIGINT", "SIGTERM"] as const)
        for (const listener of process.listeners(signal))
          if (!listeners.has(listener)) process.removeListener(signal, listener);
      for (const listener of process.stdin.listeners("end"))
        if (!listeners.has(listener as never)) process.stdin.removeListener("end", listener as never);
      process.env = saved;
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }, 120_000);
  afterAll(() => stop());

  const fetchFrom = (address: string, init: RequestInit = {}) =>
    fetch(`${base}${address}`, { redirect: "manual", ...init });

  /** A visitor of the server: the cookies it was given, sent back. */
  class Visitor {
    cookies = new Map<string, string>();
    constructor(readonly headers: Record<string, string> = {}) {}
    async request(address: string, init: { form?: Record<string, string> } = {}) {
      const headers: Record<string, string> = { ...this.headers };
      if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      let body: URLSearchParams | undefined;
      if (init.form) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams({ ...init.form, _csrf: this.cookies.get("shora_csrf") ?? "" });
      }
      const response = await fetchFrom(address, { method: init.form ? "POST" : "GET", headers, body });
      for (const header of response.headers.getSetCookie()) {
        const [pair] = header.split(";");
        const eq = pair.indexOf("=");
        this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
      }
      return response;
    }
  }

  /** The page policy: scripts only from the site or with this response's nonce, never inline otherwise. */
  async function expectPageHeaders(response: Response, what: string) {
    const csp = response.headers.get("content-security-policy") ?? "";
    const directives = new Map(
      csp.split(";").map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    const scripts = directives.get("script-src") ?? [];
    expect(scripts, what).not.toContain("'unsafe-inline'");
    expect(scripts, what).not.toContain("'unsafe-eval'");
    const nonce = scripts.find((s) => s.startsWith("'nonce-"))?.slice(7, -1);
    expect(nonce, what).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(directives.get("frame-ancestors"), what).toEqual(["'none'"]);
    expect(directives.get("object-src"), what).toEqual(["'none'"]);
    expect(response.headers.get("referrer-policy"), what).toBe("same-origin");
    expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(response.headers.get("x-frame-options"), what).toBe("DENY");
    // Every script the page carries has this response's nonce: none would run without it.
    const html = await response.text();
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length, what).toBeGreaterThan(0);
    expect(
      tags.filter((tag) => !tag.includes(`nonce="${nonce}"`)),
      what,
    ).toEqual([]);
  }

  /** Everything else (redirects, data, errors) gets the policy that forbids everything. */
  function expectNonPageHeaders(response: Response, what: string) {
    expect(response.headers.get("content-security-policy"), what).toBe(
      "default-src 'none'; frame-ancestors 'none'; sandbox",
    );
    expect(response.headers.get("referrer-policy"), what).toBe("same-origin");
    expect(response.headers.get("x-content-type-options"), what).toBe("nosniff");
    expect(response.headers.get("x-frame-options"), what).toBe("DENY");
  }

  it("gives a first visitor the CSRF cookie: HttpOnly, SameSite=Lax, Path=/, Secure only over https", async () => {
    const plain = await fetchFrom("/login");
    expect(plain.status).toBe(200);
    const [cookie, ...others] = plain.headers.getSetCookie();
    expect(others).toEqual([]);
    expect(attributes(cookie).name).toMatch(/^shora_csrf=[A-Za-z0-9_-]{32}$/);
    expect(attributes(cookie).flags).toEqual(["HttpOnly", "Path=/", "SameSite=Lax"]);
    const behindTls = await fetchFrom("/login", { headers: { "x-forwarded-proto": "https" } });
    expect(attributes(behindTls.headers.getSetCookie()[0]).flags).toEqual([
      "HttpOnly",
      "Path=/",
      "SameSite=Lax",
      "Secure",
    ]);
    // A browser that has one keeps it.
    const again = await fetchFrom("/login", { headers: { cookie: attributes(cookie).name } });
    expect(again.headers.getSetCookie()).toEqual([]);
  });

  it("sends the page policy with logged-in pages and with a page an action renders", async () => {
    const visitor = new Visitor({ "x-forwarded-proto": "https" });
    await expectPageHeaders(await visitor.request("/signup"), "sign-up page");
    const email = `${unique("headers")}@example.org`;
    // An action that refuses its form renders the page again (document POST, no JavaScript).
    const refused = await visitor.request("/signup", { form: { displayName: "H", email, password: "short" } });
    expect(refused.status).toBe(400);
    await expectPageHeaders(refused, "sign-up refused");
    const created = await visitor.request("/signup", { form: { displayName: "Hedda", email, password: PASSWORD } });
    expect(created.status).toBe(302);
    const session = created.headers.getSetCookie().find((c) => c.startsWith("shora_session="));
    expect(attributes(session ?? "").flags).toEqual([
      "HttpOnly",
      "Max-Age=34560000",
      "Path=/",
      "SameSite=Lax",
      "Secure",
    ]);
    const page = await visitor.request("/account");
    expect(page.status).toBe(200);
    await expectPageHeaders(page, "account page");
    // An action's redirect, an action's data for a script (?_data) and a refused action's error.
    const data = await visitor.request("/account?_data=routes%2Faccount", { form: { intent: "nothing" } });
    expect(data.status).toBe(400);
    expectNonPageHeaders(data, "action data");
    const switched = await visitor.request("/locale", { form: { locale: "en", redirectTo: "/account" } });
    expect(switched.status).toBe(302);
    expectNonPageHeaders(switched, "action redirect");
    const language = switched.headers.getSetCookie().find((c) => c.startsWith("shora_lang="));
    expect(attributes(language ?? "").flags).toEqual([
      "HttpOnly",
      "Max-Age=31536000",
      "Path=/",
      "SameSite=Lax",
      "Secure",
    ]);
    // A form posted from another site carries the cookies but not the token.
    const forged = await fetchFrom("/logout", {
      method: "POST",
      headers: {
        cookie: [...visitor.cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "",
    });
    expect(forged.status).toBe(403);
    expectNonPageHeaders(forged, "refused log-out");
    expect((await forged.json()).reason).toBe("csrf");
    const out = await visitor.request("/logout", { form: {} });
    expect(out.status).toBe(302);
    expectNonPageHeaders(out, "log-out redirect");
  });
});
