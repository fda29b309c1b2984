/**
 * Two-factor sign-in (ADR 0026): enrolment through the security page, the code step of the log-in,
 * single-use codes and recovery codes, the throttle, and the staff guard that sends staff without a
 * second factor to enrolment.
 */
import { and, eq, isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { recoveryCodes, sessions, userTotp } from "../../db/schema";
import * as login from "../../app/routes/login";
import * as security from "../../app/routes/account_.security";
import * as staffHome from "../../app/routes/m.$slug.admin._index";
import { CODE_THROTTLE_LIMIT } from "../../app/services/accounts/two-factor.server";
import { PASSWORD, makeMember, makeMunicipality, makeUser, totpCode } from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import type { Municipality } from "../../app/services/tenancy/municipality.server";
import type { Member } from "../support/factories";

let database: Database;
let town: { municipality: Municipality; admin: Member };
beforeAll(async () => {
  database = await testDatabase();
  town = await makeMunicipality(database.db, {});
});
afterAll(() => database.close());

async function logIn(browser: TestBrowser, email: string, next = "/account") {
  return call(login.action, browser, browser.post("/login", { email, password: PASSWORD, next }));
}

/** Enrols through the security page as a person would; returns the secret and the recovery codes. */
async function enrol(browser: TestBrowser, at = new Date()) {
  const started = await call(security.action, browser, browser.post("/account/security", { intent: "start" }));
  expect(started.status).toBe(302);
  const page = (await (await call(security.loader, browser, browser.get("/account/security"))).json()) as {
    status: { enrolling: { secret: string; uri: string } };
  };
  const { secret, uri } = page.status.enrolling;
  expect(uri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
  const confirmed = await call(
    security.action,
    browser,
    browser.post("/account/security", { intent: "confirm", code: await totpCode(secret, at) }),
  );
  expect(confirmed.status).toBe(200);
  const { recoveryCodes: codes } = (await confirmed.json()) as { recoveryCodes: string[] };
  return { secret, codes };
}

describe("staff without a second factor", () => {
  it("are sent to enrolment at log-in and by every staff page, and pass once enrolled", async () => {
    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@example.org` });
    const browser = new TestBrowser(database.db);
    const loggedIn = await logIn(browser, staff.user.email, `/m/${town.municipality.slug}/admin`);
    expect(loggedIn.status).toBe(302);
    expect(loggedIn.headers.get("location")).toBe(
      `/account/security?next=${encodeURIComponent(`/m/${town.municipality.slug}/admin`)}`,
    );
    const guarded = await call(staffHome.loader, browser, browser.get(`/m/${town.municipality.slug}/admin`), {
      slug: town.municipality.slug,
    });
    expect(guarded.status).toBe(302);
    expect(guarded.headers.get("location")).toMatch(/^\/account\/security\?next=/);

    await enrol(browser);
    const [row] = await database.db
      .select({ at: sessions.secondFactorAt })
      .from(sessions)
      .where(eq(sessions.id, browser.cookies.get("shora_session") ?? ""));
    expect(row.at).not.toBeNull();
    const open = await call(staffHome.loader, browser, browser.get(`/m/${town.municipality.slug}/admin`), {
      slug: town.municipality.slug,
    });
    expect(open.status).toBe(200);
  });
});

describe("the code step of the log-in", () => {
  it("asks an enrolled person for a code before any session, accepts it once, then a recovery code once", async () => {
    const user = await makeUser(database.db, { email: `${unique("resident")}@example.org` });
    const first = new TestBrowser(database.db);
    expect((await logIn(first, user.email)).status).toBe(302);
    const { secret, codes } = await enrol(first);
    expect(codes).toHaveLength(10);
    const stored = await database.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
    // Stored hashed: no code appears in the table.
    expect(stored.map((r) => r.codeHash)).not.toContain(codes[0]);

    const browser = new TestBrowser(database.db);
    const password = await logIn(browser, user.email);
    expect(password.status).toBe(302);
    expect(password.headers.get("location")).toBe("/login?step=code&next=%2Faccount");
    expect(browser.cookies.has("shora_session")).toBe(false);
    const step = await call(login.loader, browser, browser.get("/login?step=code&next=%2Faccount"));
    expect(((await step.json()) as { step: string }).step).toBe("code");

    const wrong = await call(login.action, browser, browser.post("/login", { intent: "code", code: "000000" }));
    expect(wrong.status).toBe(400);
    expect(browser.cookies.has("shora_session")).toBe(false);

    // The code the enrolment used is spent: the same time step is never accepted again.
    const later = new Date(Date.now() + 30_000);
    const code = await totpCode(secret, later);
    const ok = await call(login.action, browser, browser.post("/login", { intent: "code", code, next: "/account" }));
    expect(ok.status).toBe(302);
    expect(ok.headers.get("location")).toBe("/account");
    const [session] = await database.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, browser.cookies.get("shora_session") ?? ""), isNotNull(sessions.secondFactorAt)));
    expect(session.userId).toBe(user.id);

    const again = new TestBrowser(database.db);
    await logIn(again, user.email);
    const replay = await call(login.action, again, again.post("/login", { intent: "code", code }));
    expect(replay.status).toBe(400);
    const recovery = await call(login.action, again, again.post("/login", { intent: "code", code: codes[3] }));
    expect(recovery.status).toBe(302);

    const third = new TestBrowser(database.db);
    await logIn(third, user.email);
    const reused = await call(login.action, third, third.post("/login", { intent: "code", code: codes[3] }));
    expect(reused.status).toBe(400);
    expect(third.cookies.has("shora_session")).toBe(false);
  });

  it("throttles wrong codes per account: after the limit even the right code waits", async () => {
    const user = await makeUser(database.db, { email: `${unique("guess")}@example.org` });
    const first = new TestBrowser(database.db);
    await logIn(first, user.email);
    const { secret } = await enrol(first);
    const attacker = new TestBrowser(database.db);
    await logIn(attacker, user.email);
    const statuses: number[] = [];
    for (let i = 0; i < CODE_THROTTLE_LIMIT + 2; i++) {
      const r = await call(login.action, attacker, attacker.post("/login", { intent: "code", code: `11111${i}` }));
      statuses.push(r.status);
    }
    expect(statuses.slice(0, CODE_THROTTLE_LIMIT)).toEqual(Array(CODE_THROTTLE_LIMIT).fill(400));
    expect(statuses.slice(CODE_THROTTLE_LIMIT)).toEqual([429, 429]);
    const right = await call(
      login.action,
      attacker,
      attacker.post("/login", { intent: "code", code: await totpCode(secret, new Date(Date.now() + 30_000)) }),
    );
    expect(right.status).toBe(429);
    expect(attacker.cookies.has("shora_session")).toBe(false);
  });

  it("refuses the code step without a pending sign-in, and staff may not turn two-factor off", async () => {
    const stranger = new TestBrowser(database.db);
    const r = await call(login.action, stranger, stranger.post("/login", { intent: "code", code: "123456" }));
    expect(r.status).toBe(400);

    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("keep")}@example.org` });
    const browser = new TestBrowser(database.db);
    await logIn(browser, staff.user.email);
    const { secret } = await enrol(browser);
    const off = await call(
      security.action,
      browser,
      browser.post("/account/security", {
        intent: "disable",
        code: await totpCode(secret, new Date(Date.now() + 30_000)),
      }),
    );
    expect(off.status).toBe(403);
    const [row] = await database.db.select().from(userTotp).where(eq(userTotp.userId, staff.user.id));
    expect(row.confirmedAt).not.toBeNull();
  });
});
