/**
 * Logging in through the log-in form as a person does, second factor included (ADR 0026): staff
 * without an authenticator enrol on the security page, enrolled accounts type a code (or, when this
 * account already used the current and the next time step, one of its recovery codes).
 */
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { generate } from "otplib";
import type { Db } from "../../db/client";
import { users, userTotp } from "../../db/schema";
import * as login from "../../app/routes/login";
import * as security from "../../app/routes/account_.security";
import { authenticators } from "./factories";
import { TestBrowser, call } from "./requests";

export async function logInThroughForm(
  db: Db,
  input: { email: string; password: string; browser?: TestBrowser },
): Promise<TestBrowser> {
  const browser = input.browser ?? new TestBrowser(db);
  const response = await call(
    login.action,
    browser,
    browser.post("/login", { email: input.email, password: input.password }),
  );
  expect(response.status, `log-in of ${input.email}`).toBe(302);
  const location = response.headers.get("location") ?? "";
  if (!location.startsWith("/account/security") && !location.startsWith("/login?step=code")) return browser;
  const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, input.email.toLowerCase()));
  if (location.startsWith("/account/security")) {
    await call(security.action, browser, browser.post("/account/security", { intent: "start" }));
    const page = (await (await call(security.loader, browser, browser.get("/account/security"))).json()) as {
      status: { enrolling: { secret: string } };
    };
    const { secret } = page.status.enrolling;
    const confirmed = await call(
      security.action,
      browser,
      browser.post("/account/security", { intent: "confirm", code: await generate({ secret }) }),
    );
    expect(confirmed.status, `enrolment of ${input.email}`).toBe(200);
    const { recoveryCodes } = (await confirmed.json()) as { recoveryCodes: string[] };
    authenticators.set(user.id, { secret, recoveryCodes });
    return browser;
  }
  const known = authenticators.get(user.id);
  if (!known) throw new Error(`no authenticator known for ${input.email}`);
  const [totp] = await db.select({ lastStep: userTotp.lastStep }).from(userTotp).where(eq(userTotp.userId, user.id));
  const now = Math.floor(Date.now() / 30_000);
  const step = Math.max(now, (totp?.lastStep ?? -1) + 1);
  let code: string;
  if (step <= now + 1) code = await generate({ secret: known.secret, epoch: step * 30 });
  else {
    const spare = known.recoveryCodes.shift();
    if (!spare) throw new Error(`${input.email} has used every recovery code the tests know`);
    code = spare;
  }
  const passed = await call(login.action, browser, browser.post("/login", { intent: "code", code }));
  expect(passed.status, `second factor of ${input.email}`).toBe(302);
  return browser;
}
