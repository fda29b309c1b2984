/**
 * The links of the messages Shora sends, followed in the browser with JavaScript off, in English and
 * in Persian (ADR 0025): mail arrives at a real SMTP server of the test's, which the test reads as a
 * person would, then opens the confirmation, password-reset and unsubscribe links. A used, garbled,
 * tampered or expired link gets a page in the visitor's language saying so (4xx, never a 500); a
 * broken mail server leaves the message queued with its error while the sign-up succeeds.
 */
import { randomBytes } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolated } from "../../app/domain/accounts/names";
import { type Locale, direction, translator } from "../../app/domain/i18n";
import { censusPerson, solarHijri, typed } from "../support/census-people";
import { appAndBrowserPerFile, expectAccessible, finishLogIn, logIn, switchLanguage } from "../support/e2e-server";
import { type ReceivedMail, headerOf } from "../support/mail";

const PASSWORD = "a long enough password";
const HOUR = 3600_000;

/** Accounts whose links are already too old when the server starts: signed up 25 hours ago, reset asked 2 hours ago. */
const late = { en: "late-en@example.org", fa: "late-fa@example.org" } as const;

const env = appAndBrowserPerFile(
  { beforeAll, afterAll },
  {
    // This file signs up more accounts from one address than an hour allows by default.
    env: { SHORA_SIGNUPS_PER_IP_HOUR: "100" },
    async prepare(db) {
      const { signup } = await import("../../app/services/accounts/auth.server");
      const { requestPasswordReset } = await import("../../app/services/accounts/tokens.server");
      const { observer } = await import("../../app/services/scope");
      for (const locale of ["en", "fa"] as const) {
        const email = late[locale];
        await signup(
          db,
          { actor: observer },
          {
            email,
            password: PASSWORD,
            displayName: "Late",
            locale,
            ip: "203.0.113.7",
            now: new Date(Date.now() - 25 * HOUR),
          },
        );
        await requestPasswordReset(
          db,
          { actor: observer },
          { email, ip: "203.0.113.7", now: new Date(Date.now() - 2 * HOUR) },
        );
      }
    },
  },
);

const LOCALES = ["en", "fa"] as const;

/** A browser without JavaScript, asking for the language as a person's browser in that language does. */
async function newPage(locale: Locale = "en"): Promise<Page> {
  const context = await env.browser.newContext({
    locale: locale === "fa" ? "fa-IR" : "en-GB",
    javaScriptEnabled: false,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  return page;
}

const text = async (page: Page, selector = "main") => (await page.locator(selector).first().textContent()) ?? "";

async function expectLanguage(page: Page, locale: Locale) {
  expect(await page.locator("html").getAttribute("lang")).toBe(locale);
  expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
}

/** The mail to `email` with this subject, once it arrived (waits for the delivery worker). */
async function mailTo(email: string, subject: string, count = 1): Promise<ReceivedMail> {
  await expect
    .poll(() => env.smtp.to(email).filter((m) => m.subject === subject).length, { timeout: 30_000, interval: 200 })
    .toBeGreaterThanOrEqual(count);
  return env.smtp.to(email).filter((m) => m.subject === subject)[count - 1] as ReceivedMail;
}

/** The first link of the mail's text to a path under `prefix`, as an address of the running app. */
function linkOf(mail: ReceivedMail, prefix: string): string {
  const found = new RegExp(`https?://\\S+(${prefix}[A-Za-z0-9_.%-]+)`).exec(mail.text);
  if (!found) throw new Error(`no ${prefix} link in: ${mail.text}`);
  return `${env.app.url}${found[1]}`;
}

/** Where each page's last sign-up form was answered to (the POST's redirect). */
const signupAnswers = new WeakMap<Page, string | null>();

/** A visitor creates an account on the sign-up page in the language, JavaScript off. */
async function signUp(page: Page, locale: Locale, name: string, email = newAddress(locale)): Promise<string> {
  const t = translator(locale);
  await page.goto(`${env.app.url}/signup`);
  await switchLanguage(page, locale);
  await page.getByLabel(t("auth.displayName")).fill(name);
  await page.getByLabel(t("auth.email")).fill(email);
  await page.getByLabel(t("auth.password")).fill(PASSWORD);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === "/signup" && r.request().method() === "POST"),
    page.getByRole("button", { name: t("auth.signup.submit"), exact: true }).click(),
  ]);
  signupAnswers.set(page, `${answer.status()} ${answer.headers().location ?? ""}`);
  await page.waitForLoadState("load");
  return email;
}

const newAddress = (locale: Locale) => `mail-${locale}-${randomBytes(4).toString("hex")}@example.org`;

const names = { en: "Mina Mailer", fa: "مینا نامه‌نگار" } as const;

/** Opens the mail's confirmation link and presses the button. */
async function confirmByLink(page: Page, locale: Locale, link: string) {
  const t = translator(locale);
  expect((await page.goto(link))?.status()).toBe(200);
  await page.getByRole("button", { name: t("confirm.submit"), exact: true }).click();
  await expect.poll(() => text(page, "[role=status]")).toContain(t("confirm.done"));
}

describe("mail links without JavaScript", () => {
  for (const locale of LOCALES) {
    const t = translator(locale);

    it(`sign-up mails a confirmation link that asks, confirms once, and refuses reuse or garbling (${locale})`, async () => {
      const page = await newPage();
      const email = await signUp(page, locale, names[locale]);
      await page.waitForURL(`${env.app.url}/account`);
      expect(await text(page)).toContain(t("account.signedInAs", { name: isolated(names[locale]) }));
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await text(page)).toContain(t("confirm.pending"));

      const mail = await mailTo(email, t("mail.confirm.subject"));
      expect(headerOf(mail, "content-type")).toMatch(/^multipart\/alternative/);
      expect(mail.text).toContain(t("mail.confirm.body", { name: names[locale] }));
      expect(mail.html).toMatch(new RegExp(`<html lang="${locale}" dir="${direction(locale)}">`));
      const link = linkOf(mail, "/confirm/");

      // Opening the link only asks; the address is still unconfirmed.
      expect((await page.goto(link))?.status()).toBe(200);
      await expectLanguage(page, locale);
      expect(await text(page, "main h1")).toBe(t("confirm.title"));
      expect(await text(page)).toContain(t("confirm.ask"));
      if (locale === "fa") await expectAccessible(page, "confirmation link (fa)");
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await text(page)).toContain(t("confirm.pending"));

      await confirmByLink(page, locale, link);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=status]")).toContain(email);
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await text(page)).not.toContain(t("confirm.pending"));
      expect(await text(page)).toContain(email);

      // The same link again, and a garbled one: a page saying so, in the page's language.
      for (const address of [link, `${link.slice(0, -6)}xxxxxx`, `${env.app.url}/confirm/%E2%80%AEnot-a-token`]) {
        const response = await page.goto(address);
        expect(response?.status(), address).toBe(404);
        await expectLanguage(page, locale);
        expect(await text(page, "[role=alert]")).toBe(t("confirm.invalid"));
      }
      await page.context().close();
    });

    it(`a sign-up with a taken address says a message was sent, logs no one in and mails the owner (${locale})`, async () => {
      const owner = await newPage();
      const email = await signUp(owner, locale, names[locale]);
      await owner.waitForURL(`${env.app.url}/account`);
      const fresh = signupAnswers.get(owner);
      await owner.context().close();

      // The same answer as the new address got, without a session: a page saying a message was sent.
      const page = await newPage();
      await signUp(page, locale, "Someone Else", email.toUpperCase());
      expect(signupAnswers.get(page)).toBe(fresh);
      expect(fresh).toMatch(/^302 \/signup\?sent=1$/);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=status]")).toBe(t("confirm.signupSent"));
      expect(await page.locator(".error-summary").count()).toBe(0);
      // No session came with the answer.
      expect((await page.goto(`${env.app.url}/account`))?.status()).toBe(403);

      const mail = await mailTo(email, t("mail.registered.subject"));
      expect(mail.text).toContain(t("mail.registered.body", { name: names[locale] }));
      expect(mail.html).toMatch(new RegExp(`<html lang="${locale}" dir="${direction(locale)}">`));
      expect(mail.text).toContain("/forgot-password");
      await page.context().close();
    });

    it(`resets a forgotten password by mail: other sessions end, the link works once, the old password stops (${locale})`, async () => {
      const before = await newPage();
      const email = await signUp(before, locale, names[locale]);
      await before.waitForURL(`${env.app.url}/account`);

      const page = await newPage();
      await page.goto(`${env.app.url}/login`);
      await switchLanguage(page, locale);
      await page.getByRole("link", { name: t("forgot.link"), exact: true }).click();
      await page.waitForURL(`${env.app.url}/forgot-password`);
      const ask = async (address: string) => {
        await page.getByLabel(t("auth.email")).fill(address);
        const [response] = await Promise.all([
          page.waitForResponse(
            (r) => r.url().startsWith(`${env.app.url}/forgot-password`) && r.request().method() === "POST",
          ),
          page.getByRole("button", { name: t("forgot.submit"), exact: true }).click(),
        ]);
        await page.waitForLoadState("load");
        return { status: response.status(), text: await text(page) };
      };
      const known = await ask(email);
      const unknown = await ask(newAddress(locale));
      expect(known.status).toBe(200);
      expect(unknown).toEqual(known);
      expect(known.text).toContain(t("forgot.sent"));
      await expectLanguage(page, locale);

      const mail = await mailTo(email, t("mail.reset.subject"));
      expect(mail.html).toMatch(new RegExp(`<html lang="${locale}" dir="${direction(locale)}">`));
      const link = linkOf(mail, "/reset-password/");
      expect((await page.goto(link))?.status()).toBe(200);
      await expectLanguage(page, locale);
      expect(await text(page, "main h1")).toBe(t("reset.title"));
      if (locale === "fa") await expectAccessible(page, "password reset link (fa)");
      const newPassword = `new ${PASSWORD} ${locale}`;
      await page.getByLabel(t("auth.password")).fill(newPassword);
      await page.getByRole("button", { name: t("reset.submit"), exact: true }).click();
      await expect.poll(() => text(page)).toContain(t("reset.done"));

      // The browser logged in before the reset is signed out.
      expect((await before.goto(`${env.app.url}/account`))?.status()).toBe(403);
      expect(await text(before)).not.toContain(t("account.signedInAs", { name: isolated(names[locale]) }));
      await before.context().close();

      // The link a second time.
      expect((await page.goto(link))?.status()).toBe(404);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=alert]")).toBe(t("reset.invalid"));

      // The old password is refused, the new one logs in.
      const logInWith = async (password: string) => {
        await page.goto(`${env.app.url}/login`);
        await page.getByLabel(t("auth.email")).fill(email);
        await page.getByLabel(t("auth.password")).fill(password);
        await page.getByRole("button", { name: t("auth.login.submit"), exact: true }).click();
        await page.waitForLoadState("load");
      };
      await logInWith(PASSWORD);
      await expect.poll(() => text(page, ".error-summary")).toContain(t("auth.error.invalidCredentials"));
      await logInWith(newPassword);
      await finishLogIn(page, env.app.url, email);
      await page.goto(`${env.app.url}/account`);
      expect(await text(page)).toContain(t("account.signedInAs", { name: isolated(names[locale]) }));
      await page.context().close();
    });

    it(`unsubscribes from a topic by the mail's link and by its one-click POST; a tampered link is refused (${locale})`, async () => {
      // The cheapest topic message a resident gets: "you are verified" after a census match.
      const page = await newPage();
      const email = await signUp(page, locale, names[locale]);
      await page.waitForURL(`${env.app.url}/account`);
      await confirmByLink(page, locale, linkOf(await mailTo(email, t("mail.confirm.subject")), "/confirm/"));
      await page.goto(`${env.app.url}/m/demo/verify`);
      const person = censusPerson(locale === "fa" ? 53 : 51);
      await page.getByLabel(t("verification.nationalId"), { exact: true }).fill(typed(locale, person.id));
      await page
        .getByLabel(t("verification.birthDate"), { exact: true })
        .fill(typed(locale, locale === "fa" ? solarHijri(person.birthDate) : person.birthDate));
      await page.getByRole("button", { name: t("verification.match.submit"), exact: true }).click();
      await page.waitForURL(/\/m\/demo\/verify\?done=1$/);

      const mail = await mailTo(email, t("mail.verification.subject"));
      const header = headerOf(mail, "List-Unsubscribe") ?? "";
      expect(header).toMatch(/^<https?:\/\/\S+\/unsubscribe\/\S+>$/);
      expect(headerOf(mail, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
      const footer = linkOf(mail, "/unsubscribe/");
      expect(header).toContain(new URL(footer).pathname);
      const topic = t("notifications.topic.verification");

      // The footer link, in a browser with no session: the page asks first.
      const visitor = await newPage(locale);
      expect((await visitor.goto(footer))?.status()).toBe(200);
      await expectLanguage(visitor, locale);
      expect(await text(visitor, "main h1")).toBe(t("unsubscribe.title"));
      expect(await text(visitor)).toContain(t("unsubscribe.confirm", { topic }));
      if (locale === "fa") await expectAccessible(visitor, "unsubscribe link (fa)");
      const checkbox = () => page.locator("#topic-verification");
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await checkbox().isChecked()).toBe(true);
      await visitor.getByRole("button", { name: t("unsubscribe.submit"), exact: true }).click();
      await expect.poll(() => text(visitor, "[role=status]")).toBe(t("unsubscribe.done", { topic }));
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await checkbox().isChecked()).toBe(false);

      // Switched on again, then off by a mail client's one-click POST: no cookie, no CSRF token.
      await checkbox().check();
      await page.getByRole("button", { name: t("notifications.save"), exact: true }).click();
      await expect.poll(() => text(page, "[role=status]")).toContain(t("notifications.saved"));
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await checkbox().isChecked()).toBe(true);
      const oneClick = await fetch(footer, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
        redirect: "manual",
      });
      expect(oneClick.status).toBeGreaterThanOrEqual(200);
      expect(oneClick.status).toBeLessThan(300);
      await page.goto(`${env.app.url}/account/notifications`);
      expect(await checkbox().isChecked()).toBe(false);

      // A tampered link: another topic under this signature, or a changed signature.
      const path = new URL(footer).pathname;
      const [user, , mac] = path.slice("/unsubscribe/".length).split(".");
      const flipped = `${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`;
      for (const tampered of [`/unsubscribe/${user}.vote.${mac}`, `/unsubscribe/${user}.verification.${flipped}`]) {
        expect((await visitor.goto(`${env.app.url}${tampered}`))?.status(), tampered).toBe(404);
        await expectLanguage(visitor, locale);
        expect(await text(visitor, "[role=alert]")).toBe(t("unsubscribe.invalid"));
        const forged = await fetch(`${env.app.url}${tampered}`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: "List-Unsubscribe=One-Click",
        });
        expect(forged.status, tampered).toBe(404);
      }
      await visitor.context().close();
      await page.context().close();
    });

    it(`an expired confirmation or reset link gets a page saying so (${locale})`, async () => {
      const page = await newPage(locale);
      const confirm = linkOf(await mailTo(late[locale], t("mail.confirm.subject")), "/confirm/");
      const reset = linkOf(await mailTo(late[locale], t("mail.reset.subject")), "/reset-password/");
      expect((await page.goto(confirm))?.status()).toBe(404);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=alert]")).toBe(t("confirm.invalid"));
      expect(await page.getByRole("button", { name: t("confirm.submit") }).count()).toBe(0);
      expect((await page.goto(reset))?.status()).toBe(404);
      await expectLanguage(page, locale);
      expect(await text(page, "[role=alert]")).toBe(t("reset.invalid"));
      expect(await page.getByLabel(t("auth.password")).count()).toBe(0);
      await page.context().close();
    });
  }

  it("a broken mail server: sign-up still succeeds, the message stays queued with the error (en, fa)", async () => {
    env.smtp.broken = true;
    try {
      const emails: Record<Locale, string> = { en: "", fa: "" };
      for (const locale of LOCALES) {
        const page = await newPage();
        emails[locale] = await signUp(page, locale, names[locale]);
        await page.waitForURL(`${env.app.url}/account`);
        await expectLanguage(page, locale);
        expect(await text(page)).toContain(translator(locale)("account.signedInAs", { name: isolated(names[locale]) }));
        await page.context().close();
      }
      // The platform administrator's mail viewer shows each message queued, with the server's refusal.
      const admin = await newPage();
      await logIn(admin, env.app.url, "platform@demo.shora.local");
      const t = translator("en");
      for (const locale of LOCALES) {
        const message = admin.locator("article", { hasText: emails[locale] });
        await expect
          .poll(
            async () => {
              await admin.goto(`${env.app.url}/admin/mail`);
              return (await message.count()) ? await message.first().textContent() : "";
            },
            { timeout: 30_000, interval: 500 },
          )
          .toContain(`${t("outbox.error")}: `);
        expect(await message.first().textContent()).toMatch(/mailbox unavailable/);
        expect(await message.first().textContent()).toContain(t("outbox.queued"));
        expect(await message.first().textContent()).toContain(translator(locale)("mail.confirm.subject"));
      }
      expect(env.smtp.to(emails.en)).toEqual([]);
      await admin.context().close();
    } finally {
      env.smtp.broken = false;
    }
  });
});
