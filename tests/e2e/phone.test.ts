/**
 * Confirming a mobile number in the browser (ADR 0025): the code goes through the outbox to a real
 * HTTP SMS gateway of the test's, which the test reads as the phone would. A Persian resident on a
 * small screen without JavaScript types the number and the code in Persian digits; an English
 * resident with JavaScript meets the wrong-code, too-many-tries and once-a-minute refusals; a number
 * confirmed on another account is refused; the page wants a session and a CSRF token.
 *
 * The server's clock cannot be moved, so what needs more than a minute to pass (a new code after
 * five wrong ones) starts from a code written before the server starts, dated two minutes earlier.
 */
import http from "node:http";
import { eq } from "drizzle-orm";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Locale, direction, isolated, translator } from "../../app/domain/i18n";
import { DEMO_CENSUS_RESIDENTS } from "../../app/services/demo/demo-census.server";
import { appAndBrowserPerFile, expectAccessible, finishLogIn, switchLanguage } from "../support/e2e-server";

const PASSWORD = "a long enough password";
const MINUTE = 60_000;

/** Every text message the gateway received. */
const texts: { to: string; text: string }[] = [];
let gateway: http.Server;
const serverEnv: Record<string, string> = {};

// Registered before the app's hooks: the gateway listens before the app (which sends to it) starts.
beforeAll(async () => {
  gateway = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const { to, text } = JSON.parse(raw) as { to: string; text: string };
      texts.push({ to, text });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
  serverEnv.SHORA_SMS_URL = `http://127.0.0.1:${(gateway.address() as { port: number }).port}/sms`;
});
afterAll(async () => {
  await new Promise((resolve) => gateway?.close(resolve));
});

/** Accounts this file signs up before the server starts (residents without a second factor). */
const accounts = {
  /** Asked for a code two minutes ago and typed five wrong ones: the code is spent, a new one may be sent. */
  spent: "spent-code@example.org",
  /** Types a number another account confirmed. */
  taker: "taker@example.org",
  /** Posts without the CSRF token. */
  forger: "forger@example.org",
} as const;
/** The number the demo platform administrator confirmed, before the server starts. */
const TAKEN = "+989121112233";

const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    env: serverEnv,
    async prepare(db) {
      const { users } = await import("../../db/schema");
      const { signup } = await import("../../app/services/accounts/auth.server");
      const { confirmPhoneCode, sendPhoneCode } = await import("../../app/services/accounts/phones.server");
      const { observer, userActor } = await import("../../app/services/scope");
      const ids: Record<string, string> = {};
      for (const [key, email] of Object.entries(accounts)) {
        const outcome = await signup(
          db,
          { actor: observer },
          { email, password: PASSWORD, displayName: key, locale: "en", ip: "203.0.113.9" },
        );
        if (!outcome.ok) throw new Error(`sign-up of ${email}: ${outcome.code}`);
        ids[key] = outcome.userId;
      }
      const earlier = new Date(Date.now() - 2 * MINUTE);
      const scope = { actor: userActor({ id: ids.spent }) };
      await sendPhoneCode(db, scope, { phone: "+989350000001", now: earlier });
      for (let i = 0; i < 5; i++)
        await expect(confirmPhoneCode(db, scope, { code: "000000", now: earlier })).rejects.toMatchObject({
          code: i < 4 ? "code_wrong" : "too_many",
        });
      await db
        .update(users)
        .set({ phone: TAKEN, phoneConfirmedAt: earlier })
        .where(eq(users.email, "platform@demo.shora.local"));
    },
  },
);

const ASCII = "0123456789";
const PERSIAN = "۰۱۲۳۴۵۶۷۸۹";
const persianDigits = (s: string) => s.replace(/[0-9]/g, (d) => PERSIAN[Number(d)]);
const latin = (s: string) => s.replace(/[۰-۹]/g, (d) => ASCII[PERSIAN.indexOf(d)]);

/** The texts sent to this number (E.164). */
const textsTo = (to: string) => texts.filter((m) => m.to === to);

/** The six-digit code of the `count`th text to the number, once it arrived (Latin digits). */
async function codeSentTo(to: string, count = 1): Promise<{ code: string; text: string }> {
  await expect.poll(() => textsTo(to).length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(count);
  const { text } = textsTo(to)[count - 1];
  const found = /(?<![0-9۰-۹])[0-9۰-۹]{6}(?![0-9۰-۹])/.exec(text);
  if (!found) throw new Error(`no six-digit code in: ${text}`);
  return { code: latin(found[0]), text };
}

/** A code that is not `code`. */
const wrongCode = (code: string) => (code === "000000" ? "111111" : "000000");

async function newPage(
  locale: Locale,
  options: { javaScript: boolean; phone?: boolean } = { javaScript: false },
): Promise<Page> {
  const context = await env.browser.newContext({
    locale: locale === "fa" ? "fa-IR" : "en-GB",
    javaScriptEnabled: options.javaScript,
    ...(options.phone ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : {}),
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

/** Logs in on the log-in page in the language, as a person does. */
async function logInAs(page: Page, locale: Locale, email: string, password: string, landing?: string) {
  const t = translator(locale);
  if (!page.url().includes("/login")) await page.goto(`${env.app.url}/login`);
  await switchLanguage(page, locale);
  await page.getByLabel(t("auth.email"), { exact: true }).fill(email);
  await page.getByLabel(t("auth.password"), { exact: true }).fill(password);
  await page.getByRole("button", { name: t("auth.login.submit"), exact: true }).click();
  await finishLogIn(page, env.app.url, email, landing);
}

/** Opens the phone page in the language (the account's language too: its text messages follow it). */
async function openPhonePage(page: Page, locale: Locale) {
  const t = translator(locale);
  await page.goto(`${env.app.url}/account/phone`);
  await switchLanguage(page, locale);
  expect(await page.locator("main h1").textContent()).toBe(t("phone.title"));
}

const textOf = async (page: Page, selector: string) => (await page.locator(selector).first().textContent()) ?? "";

/** The field's error as a screen reader reads it with the field: its description, and the summary's link. */
async function expectFieldError(page: Page, locale: Locale, field: "phone" | "code", message: string) {
  const t = translator(locale);
  const input = page.getByLabel(t(field === "phone" ? "phone.number" : "phone.code"), { exact: true });
  await expect.poll(() => input.getAttribute("aria-invalid")).toBe("true");
  const described = (await input.getAttribute("aria-describedby"))?.split(" ") ?? [];
  const descriptions = await Promise.all(described.map((id) => page.locator(`[id="${id}"]`).textContent()));
  expect(descriptions).toContain(message);
  const summary = page.getByRole("alert");
  expect(await summary.getByRole("link", { name: message, exact: true }).getAttribute("href")).toBe(`#field-${field}`);
}

describe("confirming a phone", () => {
  it("in Persian on a small screen without JavaScript, with Persian digits (fa)", async () => {
    const locale = "fa";
    const t = translator(locale);
    const person = DEMO_CENSUS_RESIDENTS[0];
    const page = await newPage(locale, { javaScript: false, phone: true });
    await logInAs(page, locale, person.email, "shora-demo-2026");
    await openPhonePage(page, locale);
    expect(await page.locator("html").getAttribute("lang")).toBe("fa");
    expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
    expect(await textOf(page, "main")).toContain(t("phone.none"));
    await expectAccessible(page, "phone page (fa)");

    // A number too short: refused with the field named, what was typed kept.
    const number = page.getByLabel(t("phone.number"), { exact: true });
    await number.fill("۰۹۱۲ ۳۴۵");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    await expectFieldError(page, locale, "phone", t("phone.error.bad_phone"));
    expect(await number.inputValue()).toBe("۰۹۱۲ ۳۴۵");
    await expectAccessible(page, "phone page, number refused (fa)");

    await number.fill("۰۹۱۲ ۳۴۵ ۶۷۸۹");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    await expect.poll(() => textOf(page, "[role=status]")).toBe(t("phone.sent", { phone: isolated("+98912•••6789") }));
    const { code, text } = await codeSentTo("+989123456789");
    // In the account's language.
    expect(text).toBe(t("mail.sms.generic", { subject: t("mail.phoneCode", { code }), link: "" }).trim());
    expect(textsTo("+989123456789")).toHaveLength(1);
    await expectAccessible(page, "phone page, code sent (fa)");

    // A wrong code, in Persian digits: refused, the code field named, what was typed kept.
    const codeField = page.getByLabel(t("phone.code"), { exact: true });
    await codeField.fill(persianDigits(wrongCode(code)));
    await page.getByRole("button", { name: t("phone.confirm"), exact: true }).click();
    await expectFieldError(page, locale, "code", t("phone.error.code_wrong"));
    expect(await codeField.inputValue()).toBe(persianDigits(wrongCode(code)));
    await expectAccessible(page, "phone page, code refused (fa)");

    await codeField.fill(persianDigits(code));
    await page.getByRole("button", { name: t("phone.confirm"), exact: true }).click();
    await expect
      .poll(() => textOf(page, "[role=status]"))
      .toBe(t("phone.confirmed", { phone: isolated("+98912•••6789") }));
    expect(await textOf(page, "main")).toContain(t("phone.current", { phone: isolated("+98912•••6789") }));
    expect(await page.getByLabel(t("phone.code"), { exact: true }).count()).toBe(0);
    expect(await page.locator("html").getAttribute("dir")).toBe("rtl");
    await expectAccessible(page, "phone page, confirmed (fa)");
    expect(textsTo("+989123456789")).toHaveLength(1);
    await page.context().close();
  });

  it("refuses wrong codes, five at most, and a new code within a minute, with JavaScript (en)", async () => {
    const locale = "en";
    const t = translator(locale);
    const person = DEMO_CENSUS_RESIDENTS[1];
    const to = "+447700900123";
    const masked = isolated("+44770•••0123");
    const page = await newPage(locale, { javaScript: true });
    await logInAs(page, locale, person.email, "shora-demo-2026");
    await openPhonePage(page, locale);
    const number = page.getByLabel(t("phone.number"), { exact: true });
    await number.fill("+44 7700 900123");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    await expect.poll(() => textOf(page, "[role=status]")).toBe(t("phone.sent", { phone: masked }));
    const { code } = await codeSentTo(to);

    const codeField = page.getByLabel(t("phone.code"), { exact: true });
    const confirm = page.getByRole("button", { name: t("phone.confirm"), exact: true });
    const wrong = wrongCode(code);
    for (let i = 1; i <= 5; i++) {
      await codeField.fill(wrong);
      const answered = page.waitForResponse((r) => r.request().method() === "POST");
      await confirm.click();
      await answered;
      const message = i < 5 ? t("phone.error.code_wrong") : t("phone.error.too_many");
      await expect.poll(() => textOf(page, "[role=alert]")).toContain(message);
      await expectFieldError(page, locale, "code", message);
      expect(await codeField.inputValue()).toBe(wrong);
    }
    await expectAccessible(page, "phone page, too many codes (en)");

    // The right code no longer works.
    await codeField.fill(code);
    const answered = page.waitForResponse((r) => r.request().method() === "POST");
    await confirm.click();
    expect((await answered).status()).toBe(429);
    await expectFieldError(page, locale, "code", t("phone.error.too_many"));
    expect(await textOf(page, "main")).toContain(t("phone.none"));

    // A new code so soon is refused, the number kept, and nothing is sent.
    await number.fill("+44 7700 900123");
    const again = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    expect((await again).status()).toBe(429);
    await expectFieldError(page, locale, "phone", t("phone.error.too_soon"));
    expect(await number.inputValue()).toBe("+44 7700 900123");
    await expectAccessible(page, "phone page, new code too soon (en)");
    expect(textsTo(to)).toHaveLength(1);
    await page.context().close();
  });

  it("sends a new code once a minute has passed after five wrong ones, and it works (en)", async () => {
    const locale = "en";
    const t = translator(locale);
    const to = "+989350000002";
    const page = await newPage(locale, { javaScript: true });
    await logInAs(page, locale, accounts.spent, PASSWORD);
    await openPhonePage(page, locale);
    // The code asked for two minutes ago, five wrong tries spent.
    const codeField = page.getByLabel(t("phone.code"), { exact: true });
    await codeField.fill("123456");
    await page.getByRole("button", { name: t("phone.confirm"), exact: true }).click();
    await expectFieldError(page, locale, "code", t("phone.error.too_many"));

    await page.getByLabel(t("phone.number"), { exact: true }).fill("0935 000 0002");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    await expect.poll(() => textOf(page, "[role=status]")).toBe(t("phone.sent", { phone: isolated("+98935•••0002") }));
    const { code } = await codeSentTo(to);
    await codeField.fill(code);
    await page.getByRole("button", { name: t("phone.confirm"), exact: true }).click();
    await expect
      .poll(() => textOf(page, "[role=status]"))
      .toBe(t("phone.confirmed", { phone: isolated("+98935•••0002") }));
    await expect.poll(() => textOf(page, "main")).toContain(t("phone.current", { phone: isolated("+98935•••0002") }));
    await page.context().close();
  });

  it("refuses a number confirmed on another account once its code is typed, which the owner keeps (en)", async () => {
    const locale = "en";
    const t = translator(locale);
    const page = await newPage(locale, { javaScript: false });
    await logInAs(page, locale, accounts.taker, PASSWORD);
    await openPhonePage(page, locale);
    // Asking for a code answers as for any number (whether a number is on an account is told only to
    // whoever holds the phone), and the code goes to the phone.
    await page.getByLabel(t("phone.number"), { exact: true }).fill("+98 912 111 2233");
    await page.getByRole("button", { name: t("phone.send"), exact: true }).click();
    await expect.poll(() => textOf(page, "[role=status]")).toBe(t("phone.sent", { phone: isolated("+98912•••2233") }));
    const { code } = await codeSentTo(TAKEN);
    await page.getByLabel(t("phone.code"), { exact: true }).fill(code);
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: t("phone.confirm"), exact: true }).click(),
    ]);
    expect(answer.status()).toBe(409);
    await expectFieldError(page, locale, "code", t("phone.error.phone_taken"));
    expect(await textOf(page, "main")).toContain(t("phone.none"));
    expect(await textOf(page, "main")).not.toContain(t("phone.current", { phone: isolated("+98912•••2233") }));
    await expectAccessible(page, "phone page, number taken (en)");
    expect(textsTo(TAKEN)).toHaveLength(1);

    // The owner keeps it.
    const owner = await newPage(locale, { javaScript: false });
    await logInAs(owner, locale, "platform@demo.shora.local", "shora-demo-2026");
    await openPhonePage(owner, locale);
    expect(await textOf(owner, "main")).toContain(t("phone.current", { phone: isolated("+98912•••2233") }));
    await owner.context().close();
    await page.context().close();
  });
});

describe("the phone page's guards", () => {
  it("asks for a log-in without a session and comes back after it (en)", async () => {
    const t = translator("en");
    const page = await newPage("en", { javaScript: false });
    expect((await page.goto(`${env.app.url}/account/phone`))?.status()).toBe(403);
    expect(await textOf(page, "main h1")).toBe(t("error.403.title"));
    await page
      .locator("main")
      .getByRole("link", { name: t("nav.login"), exact: true })
      .click();
    await page.waitForURL((u) => u.pathname === "/login");
    await logInAs(page, "en", accounts.taker, PASSWORD, `${env.app.url}/account/phone`);
    expect(await textOf(page, "main h1")).toBe(t("phone.title"));
    await page.context().close();
  });

  it("refuses a POST without the CSRF token (403) and sends nothing", async () => {
    const t = translator("en");
    const page = await newPage("en", { javaScript: false });
    await logInAs(page, "en", accounts.forger, PASSWORD);
    await openPhonePage(page, "en");
    const response = await page.request.post(`${env.app.url}/account/phone`, {
      form: { intent: "send", phone: "+98 912 999 8877" },
      maxRedirects: 0,
    });
    expect(response.status()).toBe(403);
    // No code waits for the number: the page offers none to type.
    await page.reload();
    expect(await page.getByLabel(t("phone.code"), { exact: true }).count()).toBe(0);
    expect(await page.getByLabel(t("phone.number"), { exact: true }).count()).toBe(1);
    await page.context().close();
  });
});
