/**
 * Address confirmation, password reset and unsubscribe (ADR 0025), through the routes, with the links
 * read from mail a real SMTP server received.
 */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { notificationOptOuts, sessions, users } from "../../db/schema";
import * as confirmPage from "../../app/routes/confirm.$token";
import * as forgotPage from "../../app/routes/forgot-password";
import * as login from "../../app/routes/login";
import * as resetPage from "../../app/routes/reset-password.$token";
import * as signup from "../../app/routes/signup";
import * as unsubscribePage from "../../app/routes/unsubscribe.$token";
import { confirmAddress } from "../../app/services/accounts/tokens.server";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { enqueueMessage } from "../../app/services/mail/outbox.server";
import { smtpTransport, viewerTransport } from "../../app/services/mail/transports.server";
import { observer } from "../../app/services/scope";
import { makeUser, signIn } from "../support/factories";
import { type TestSmtp, headerOf, linkIn, startSmtp } from "../support/mail";
import { privateDatabase, unique } from "../support/db";
import { TestBrowser, call } from "../support/requests";

let database: Database;
// A database of its own: delivery sends every due message in it, so no other file's mail (ADR 0025).
let dropDatabase: () => Promise<void>;
let smtp: TestSmtp;
const PUBLIC = "https://shora.test";
const system = { actor: { kind: "system" as const, name: "test" } };
const PASSWORD = "a long enough password";

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await dropDatabase();
});

const deliver = () =>
  deliverDueMessages(database.db, system, {
    transports: { mail: smtpTransport(smtp.url, "Shora <shora@shora.test>"), sms: viewerTransport, publicUrl: PUBLIC },
  });
const tokenOf = (link: string) => link.split("/").pop() ?? "";
const userByEmail = async (email: string) => (await database.db.select().from(users).where(eq(users.email, email)))[0];

describe("address confirmation", () => {
  it("sign-up sends a link that confirms once; a reused, unknown or expired link gets a clear page", async () => {
    const email = `${unique("signup")}@example.org`;
    const browser = new TestBrowser(database.db);
    const response = await call(
      signup.action,
      browser,
      browser.post("/signup", { displayName: "Ada", email, password: PASSWORD }),
    );
    expect(response.status).toBe(302);
    expect((await userByEmail(email)).emailConfirmedAt).toBeNull();
    await deliver();
    const [mail] = smtp.to(email);
    expect(mail.subject).toBe("Confirm your e-mail address");
    const link = linkIn(mail, `${PUBLIC}/confirm/`);
    const visitor = new TestBrowser(database.db);
    // Opening the link (as a mail scanner would) only asks; pressing the button confirms (ADR 0033).
    for (let i = 0; i < 2; i += 1) {
      const opened = await call(confirmPage.loader, visitor, visitor.get("/"), { token: tokenOf(link) });
      expect(opened.status).toBe(200);
      const asked = await opened.json();
      expect(asked).toMatchObject({ pending: true, message: null });
      // The page's own strings come with it (ADR 0011).
      expect(Object.keys(asked.pageStrings)).toContain("confirm.submit");
    }
    expect((await userByEmail(email)).emailConfirmedAt).toBeNull();
    const confirmed = await call(confirmPage.action, visitor, visitor.post("/", {}), { token: tokenOf(link) });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toEqual({ ok: true, email, errors: null });
    expect((await userByEmail(email)).emailConfirmedAt).not.toBeNull();
    expect((await call(confirmPage.loader, visitor, visitor.get("/"), { token: tokenOf(link) })).status).toBe(404);
    const reused = await call(confirmPage.action, visitor, visitor.post("/", {}), { token: tokenOf(link) });
    expect(reused.status).toBe(404);
    for (const token of ["A".repeat(43), "../../etc/passwd", "", "x".repeat(500)]) {
      expect((await call(confirmPage.loader, visitor, visitor.get("/"), { token })).status).toBe(404);
      expect((await call(confirmPage.action, visitor, visitor.post("/", {}), { token })).status).toBe(404);
    }
  });

  it("a link older than 24 hours no longer confirms", async () => {
    const email = `${unique("late")}@example.org`;
    const browser = new TestBrowser(database.db);
    await call(signup.action, browser, browser.post("/signup", { displayName: "Late", email, password: PASSWORD }));
    await deliver();
    const token = tokenOf(linkIn(smtp.to(email)[0], `${PUBLIC}/confirm/`));
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await confirmAddress(database.db, { actor: observer }, { token, now: later })).toEqual({ ok: false });
    expect((await userByEmail(email)).emailConfirmedAt).toBeNull();
  });

  it("a second sign-up with an address answers the same, starts no session and mails its owner instead", async () => {
    const owner = await makeUser(database.db, { email: `${unique("owner")}@example.org` });
    const browser = new TestBrowser(database.db);
    const response = await call(
      signup.action,
      browser,
      browser.post("/signup", { displayName: "Mallory", email: owner.email, password: PASSWORD }),
    );
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/signup?sent=1");
    expect(response.headers.get("set-cookie")).toBeNull();
    await deliver();
    expect(smtp.to(owner.email).map((m) => m.subject)).toContain("Someone tried to sign up with your address");
  });
});

describe("password reset", () => {
  it("answers the same for any address, mails a one-hour single-use link, and the reset ends every session", async () => {
    const user = await makeUser(database.db, { email: `${unique("forgot")}@example.org`, locale: "fa" });
    const old = await signIn(database.db, user);
    expect((await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).length).toBe(1);
    const visitor = new TestBrowser(database.db);
    const known = await call(forgotPage.action, visitor, visitor.post("/forgot-password", { email: user.email }));
    const unknown = await call(
      forgotPage.action,
      visitor,
      visitor.post("/forgot-password", { email: `${unique("nobody")}@example.org` }),
    );
    expect(known.status).toBe(200);
    expect(await known.text()).toBe(await unknown.text());
    await deliver();
    const mail = smtp.to(user.email).find((m) => m.subject === "بازنشانی گذرواژه");
    if (!mail) throw new Error("no reset mail");
    expect(mail.html).toContain('dir="rtl"');
    const token = tokenOf(linkIn(mail, `${PUBLIC}/reset-password/`));
    expect((await call(resetPage.loader, visitor, visitor.get("/"), { token })).status).toBe(200);
    const short = await call(resetPage.action, visitor, visitor.post("/", { password: "short" }), { token });
    expect(short.status).toBe(400);
    const done = await call(resetPage.action, visitor, visitor.post("/", { password: "my brand new password" }), {
      token,
    });
    expect(done.status).toBe(200);
    expect((await done.json()).done).toBe(true);
    expect(await database.db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    expect(old.cookies.get("shora_session")).toBeTruthy();
    const reused = await call(resetPage.action, visitor, visitor.post("/", { password: "another new password" }), {
      token,
    });
    expect(reused.status).toBe(404);
    expect((await call(resetPage.loader, visitor, visitor.get("/"), { token })).status).toBe(404);
    const fresh = new TestBrowser(database.db);
    const loggedIn = await call(
      login.action,
      fresh,
      fresh.post("/login", { email: user.email, password: "my brand new password" }),
    );
    expect(loggedIn.status).toBe(302);
  });

  it("is throttled per address: the fourth request in an hour sends nothing, with the same answer", async () => {
    const user = await makeUser(database.db, { email: `${unique("often")}@example.org` });
    const answers = [];
    for (let i = 0; i < 4; i++) {
      const visitor = new TestBrowser(database.db);
      answers.push(
        await (await call(forgotPage.action, visitor, visitor.post("/forgot-password", { email: user.email }))).text(),
      );
    }
    expect(new Set(answers).size).toBe(1);
    await deliver();
    expect(smtp.to(user.email).filter((m) => m.subject === "Reset your password")).toHaveLength(3);
  });
});

describe("unsubscribe", () => {
  it("the mail's one-click POST works without a cookie; the page asks first; a forged link is refused", async () => {
    const user = await makeUser(database.db, { email: `${unique("unsub")}@example.org` });
    await enqueueMessage(database.db, {
      kind: "comment.reply",
      userId: user.id,
      payload: { title: { en: "Trees" }, path: "/m/x" },
      idempotencyKey: unique("reply"),
    });
    await deliver();
    const mail = smtp.to(user.email).find((m) => m.subject.startsWith("A reply"));
    if (!mail) throw new Error("no reply mail");
    const url = String(headerOf(mail, "List-Unsubscribe")).slice(1, -1);
    expect(mail.text).toContain(url);
    const token = tokenOf(url);
    const visitor = new TestBrowser(database.db);
    const page = await call(unsubscribePage.loader, visitor, visitor.get("/"), { token });
    const asked = await page.json();
    expect(asked).toMatchObject({ topic: "replies" });
    expect(Object.keys(asked.pageStrings)).toContain("unsubscribe.submit");
    expect(await database.db.select().from(notificationOptOuts).where(eq(notificationOptOuts.userId, user.id))).toEqual(
      [],
    );
    const oneClick = new Request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "content-length": "26" },
      body: "List-Unsubscribe=One-Click",
    });
    const mailClient = new TestBrowser(database.db);
    mailClient.cookies.clear();
    expect((await call(unsubscribePage.action, mailClient, oneClick, { token })).status).toBe(200);
    const off = await database.db.select().from(notificationOptOuts).where(eq(notificationOptOuts.userId, user.id));
    expect(off.map((o) => o.topic)).toEqual(["replies"]);
    // Any other POST without the CSRF token is refused.
    const forged = await call(unsubscribePage.action, mailClient, mailClient.post("/", {}, { csrf: null }), { token });
    expect(forged.status).toBe(403);
    const wrong = `${token.slice(0, -4)}AAAA`;
    expect((await call(unsubscribePage.loader, visitor, visitor.get("/"), { token: wrong })).status).toBe(404);
  });
});
