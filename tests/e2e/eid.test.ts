/**
 * Sign-in with the national e-ID in the browser (ADR 0038), through a real OpenID provider
 * (`oidc-provider` on a local port, its own login and consent pages): a resident goes from the
 * municipality page to the provider and comes back signed in and verified in one step, in English
 * with JavaScript on and in Persian with it off; signing out ends the provider's session too. Every
 * failure (a wrong `state`, another issuer, a tampered or expired ID token, a cancelled consent) lands
 * on a clear page in the page's language with a 4xx, and signs nobody in.
 */
import { eq } from "drizzle-orm";
import type { BrowserContext, Page, Response } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { municipalities, users } from "../../db/schema";
import { type Locale, direction, translator } from "../../app/domain/i18n";
import { saveEidSettings } from "../../app/services/eid/eid-verification.server";
import { scopeOf, userActor } from "../../app/services/scope";
import { type AppOptions, appAndBrowserPerFile, expectAccessible, freePort, logIn } from "../support/e2e-server";
import { nationalId } from "../support/factories/census";
import { type TestProvider, startTestProvider } from "../support/oidc-provider";

const LABEL = { en: "Sign in with TestID", fa: "ورود با شناسهٔ آزمایشی" };

let provider: TestProvider;
/** The demo municipality's own provider, configured by its administrator in the last test. */
let cityProvider: TestProvider;
const options: AppOptions & { env: Record<string, string> } = {
  env: {},
  // The demo municipality trusts the e-ID directly: its default district and class.
  prepare: async (db) => {
    const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, "demo"));
    const [admin] = await db.select().from(users).where(eq(users.email, "admin@demo.shora.local"));
    await saveEidSettings(db, scopeOf(municipality, userActor({ ...admin, isPlatformAdmin: false })), {
      trust: "direct",
      defaultVoterClass: "resident",
      defaultDistrictCode: "north",
      censusServiceUrl: null,
      censusServiceTimeoutMs: 5000,
      credential: null,
      clearCredential: false,
    });
  },
};

// The app's address is needed before it starts: the provider knows it as the client's redirect address.
beforeAll(async () => {
  options.port = await freePort();
  const app = `http://localhost:${options.port}`;
  provider = await startTestProvider({ redirectUri: `${app}/auth/eid/callback`, postLogoutUri: `${app}/` });
  cityProvider = await startTestProvider({ redirectUri: `${app}/auth/eid/callback`, postLogoutUri: `${app}/` });
  Object.assign(options.env, {
    SHORA_PUBLIC_URL: app,
    SHORA_OIDC_ISSUER: provider.issuer,
    SHORA_OIDC_CLIENT_ID: provider.clientId,
    SHORA_OIDC_CLIENT_SECRET: provider.clientSecret,
    SHORA_OIDC_SCOPES: "openid email profile national_id",
    SHORA_OIDC_LABEL_EN: LABEL.en,
    SHORA_OIDC_LABEL_FA: LABEL.fa,
  });
});
const env = appAndBrowserPerFile({ beforeAll, afterAll }, options);
afterAll(async () => {
  await provider?.close();
  await cityProvider?.close();
});

let people = 0;
/** A person at the provider, with a national ID and a birth date in their claims; their login name. */
function person(): string {
  people += 1;
  const login = `person-${people}-${Date.now().toString(36)}`;
  provider.people.set(login, {
    email: `${login}@people.example`,
    email_verified: true,
    name: `Ada ${people}`,
    national_id: nationalId(512_000_000 + people),
    birthdate: "1980-05-17",
  });
  return login;
}

/** A browser in `locale`, JavaScript on or off; the provider's pages fetch no fonts from the Internet. */
async function browserIn(locale: Locale, javaScriptEnabled: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await env.browser.newContext({ locale: locale === "fa" ? "fa-IR" : "en-GB", javaScriptEnabled });
  await context.addCookies([{ name: "shora_lang", value: locale, url: env.app.url }]);
  await context.route(
    (u) => u.hostname === "fonts.googleapis.com",
    (route) => route.abort(),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/** From the municipality page to the e-ID button, and through the provider's login page (not its consent). */
async function toConsent(page: Page, locale: Locale, login: string) {
  const t = translator(locale);
  await page.goto(`${env.app.url}/m/demo`);
  await page.getByRole("link", { name: t("verification.title"), exact: true }).click();
  await page.waitForURL((u) => u.pathname === "/login");
  await page.getByRole("button", { name: LABEL[locale], exact: true }).click();
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
}

const atCallback = (r: Response) => new URL(r.url()).pathname === "/auth/eid/callback";

/** Gives consent at the provider; the answer of Shora's callback. */
async function consent(page: Page): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse(atCallback),
    page.locator('button[type="submit"]').click(),
  ]);
  return response;
}

/** The failure page: its status, the page's language and direction, the title and the message; nobody signed in. */
async function expectFailurePage(page: Page, response: Response | null, locale: Locale, key: "rejected" | "cancelled") {
  const t = translator(locale);
  await page.waitForURL((u) => u.pathname === "/auth/eid/callback");
  await page.waitForLoadState("load");
  expect(response?.status()).toBe(400);
  expect(await page.locator("html").getAttribute("lang")).toBe(locale);
  expect(await page.locator("html").getAttribute("dir")).toBe(direction(locale));
  expect(await page.locator("main h1").textContent()).toBe(t("eid.error.title"));
  expect(await page.getByRole("alert").textContent()).toBe(t(`eid.error.${key}`));
  expect(await page.getByRole("link", { name: t("eid.error.back"), exact: true }).getAttribute("href")).toBe("/login");
  expect((await page.goto(`${env.app.url}/account`))?.status()).toBe(403);
}

describe("a resident signs in at the provider and is verified in one step", () => {
  for (const [locale, javaScript] of [
    ["en", true],
    ["fa", false],
  ] as const) {
    it(`from the municipality page and back, then signs out of both (${locale}, JavaScript ${javaScript ? "on" : "off"})`, async () => {
      const t = translator(locale);
      const { context, page } = await browserIn(locale, javaScript);
      const login = person();
      await toConsent(page, locale, login);
      const back = await consent(page);
      expect(back.status()).toBe(302);
      await page.waitForURL((u) => u.pathname === "/m/demo/verify" && u.searchParams.get("eid") === "done");
      expect(await page.locator("html").getAttribute("lang")).toBe(locale);
      expect(await page.getByRole("status").textContent()).toBe(t("eid.verify.done"));
      const status = await page.getByTestId("verification-status").textContent();
      expect(status).not.toBe(t("verification.status.not"));
      expect(status).toContain(locale === "fa" ? "منطقهٔ شمال" : "North district");
      expect(await page.locator("main").textContent()).toContain(t("verification.method.eid"));
      await expectAccessible(page, `verified by the e-ID (${locale})`);

      await page.goto(`${env.app.url}/account`);
      expect(await page.locator("main h1").textContent()).toBe(t("account.title"));
      expect(await page.locator("main").textContent()).toContain(`Ada ${people}`);

      // Signing out ends Shora's session and sends the browser to the provider's logout (RP-initiated).
      await page.getByRole("button", { name: t("nav.logout"), exact: true }).click();
      await page.waitForURL((u) => u.href.startsWith(provider.issuer));
      await page.getByRole("button", { name: "Yes, sign me out" }).click();
      await page.waitForURL(`${env.app.url}/`);
      expect((await page.goto(`${env.app.url}/account`))?.status()).toBe(403);
      // The provider's session ended too: the next sign-in asks for the login again.
      await page.goto(`${env.app.url}/login`);
      await page.getByRole("button", { name: LABEL[locale], exact: true }).click();
      await page.waitForURL((u) => u.href.startsWith(provider.issuer));
      await page.locator('input[name="prompt"][value="login"]').waitFor({ state: "attached" });
      await context.close();
    });
  }
});

describe("failures land on a clear page in the page's language", () => {
  it("a wrong state (en, JavaScript on)", async () => {
    const { context, page } = await browserIn("en", true);
    await toConsent(page, "en", person());
    provider.changeNextCallback((callback) => callback.searchParams.set("state", "forged-state-value"));
    const response = await consent(page);
    expect(new URL(response.url()).searchParams.get("state")).toBe("forged-state-value");
    await expectFailurePage(page, response, "en", "rejected");
    await context.close();
  });

  it("an answer naming another issuer (fa, JavaScript off)", async () => {
    const { context, page } = await browserIn("fa", false);
    await toConsent(page, "fa", person());
    provider.changeNextCallback((callback) => callback.searchParams.set("iss", "http://127.0.0.1:9/unknown-issuer"));
    const response = await consent(page);
    expect(new URL(response.url()).searchParams.get("iss")).toBe("http://127.0.0.1:9/unknown-issuer");
    await expectFailurePage(page, response, "fa", "rejected");
    await expectAccessible(page, "the failure page (fa)");
    await context.close();
  });

  it("a tampered ID token (en, JavaScript on)", async () => {
    const { context, page } = await browserIn("en", true);
    await toConsent(page, "en", person());
    provider.tamperNextIdToken();
    await expectFailurePage(page, await consent(page), "en", "rejected");
    await context.close();
  });

  it("an expired ID token (fa, JavaScript off)", async () => {
    const { context, page } = await browserIn("fa", false);
    await toConsent(page, "fa", person());
    provider.holdNextToken(7_500);
    provider.idTokenSeconds(1);
    try {
      await expectFailurePage(page, await consent(page), "fa", "rejected");
    } finally {
      provider.idTokenSeconds(3600);
    }
    await context.close();
  }, 30_000);

  for (const [locale, javaScript] of [
    ["en", true],
    ["fa", false],
  ] as const) {
    it(`a cancelled consent (${locale}, JavaScript ${javaScript ? "on" : "off"})`, async () => {
      const { context, page } = await browserIn(locale, javaScript);
      await toConsent(page, locale, person());
      const [response] = await Promise.all([
        page.waitForResponse(atCallback),
        page.getByRole("link", { name: "[ Cancel ]" }).click(),
      ]);
      expect(new URL(response.url()).searchParams.get("error")).toBe("access_denied");
      await expectFailurePage(page, response, locale, "cancelled");
      await context.close();
    });
  }
});

describe("a municipality's own provider", () => {
  it("its administrator configures it; its residents sign in there and are verified (en, JavaScript off)", async () => {
    const t = translator("en");
    const staff = await browserIn("en", false);
    await logIn(staff.page, env.app.url, "admin@demo.shora.local");
    await staff.page.goto(`${env.app.url}/m/demo/admin`);
    await staff.page.getByRole("link", { name: t("eid.admin.link"), exact: true }).click();
    await staff.page.waitForURL(`${env.app.url}/m/demo/admin/eid`);
    const fill = async (key: Parameters<typeof t>[0], value: string) => {
      await staff.page.getByLabel(t(key), { exact: true }).fill(value);
    };
    // A bad issuer first: the field is named, nothing is saved.
    await fill("eid.admin.own.issuer", "http://id.example");
    await fill("eid.admin.own.clientId", cityProvider.clientId);
    await fill("eid.admin.own.clientSecret", cityProvider.clientSecret);
    await fill("eid.admin.own.scopes", "openid email profile national_id");
    await fill("eid.admin.own.labelEn", "Sign in with CityID");
    await fill("eid.admin.own.labelFa", "ورود با شناسهٔ شهر");
    const [refused] = await Promise.all([
      staff.page.waitForResponse((r) => r.request().method() === "POST"),
      staff.page.getByRole("button", { name: t("eid.admin.own.save"), exact: true }).click(),
    ]);
    expect(refused.status()).toBe(400);
    expect(await staff.page.locator("main").textContent()).toContain(t("eid.error.provider_issuer"));
    await fill("eid.admin.own.issuer", cityProvider.issuer);
    await fill("eid.admin.own.clientSecret", cityProvider.clientSecret);
    const [saved] = await Promise.all([
      staff.page.waitForResponse((r) => r.request().method() === "POST"),
      staff.page.getByRole("button", { name: t("eid.admin.own.save"), exact: true }).click(),
    ]);
    expect(saved.status()).toBe(200);
    await staff.page.waitForLoadState("load");
    expect(await staff.page.locator("main").textContent()).toContain(t("eid.admin.own.secretSet"));
    expect(await staff.page.content()).not.toContain(cityProvider.clientSecret);
    await expectAccessible(staff.page, "the e-ID settings page");

    const login = `citizen-${Date.now().toString(36)}`;
    cityProvider.people.set(login, {
      email: `${login}@people.example`,
      email_verified: true,
      name: "City Resident",
      national_id: nationalId(512_900_001),
      birthdate: "1975-09-09",
    });
    const { context, page } = await browserIn("en", false);
    await page.goto(`${env.app.url}/m/demo`);
    await page.getByRole("link", { name: t("verification.title"), exact: true }).click();
    await page.waitForURL((u) => u.pathname === "/login");
    await page.getByRole("button", { name: "Sign in with CityID", exact: true }).click();
    await page.waitForURL((u) => u.href.startsWith(cityProvider.issuer));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("any password");
    await page.locator('button[type="submit"]').click();
    await page.locator('input[name="prompt"][value="consent"]').waitFor({ state: "attached" });
    expect((await consent(page)).status()).toBe(302);
    await page.waitForURL((u) => u.pathname === "/m/demo/verify" && u.searchParams.get("eid") === "done");
    expect(await page.getByRole("status").textContent()).toBe(t("eid.verify.done"));
    expect(await page.locator("main").textContent()).toContain(t("verification.method.eid"));
    await context.close();

    // Back to the installation's provider for everyone else.
    await staff.page.getByRole("button", { name: t("eid.admin.own.remove"), exact: true }).click();
    await expect.poll(() => staff.page.locator("main").textContent()).toContain(t("eid.admin.own.removed"));
    await staff.context.close();
  });
});
