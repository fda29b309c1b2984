/**
 * Sign-in with an OpenID Connect provider and verification from it (ADR 0038), against a real
 * provider (oidc-provider on a local port) and a local HTTP server playing the live census service.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, eidSessions, externalIdentities, sessions, users, verifications } from "../../db/schema";
import * as eidStart from "../../app/routes/auth.eid";
import * as eidCallback from "../../app/routes/auth.eid_.callback";
import * as eidLink from "../../app/routes/auth.eid_.link";
import * as login from "../../app/routes/login";
import * as logout from "../../app/routes/logout";
import * as verify from "../../app/routes/m.$slug.verify";
import { saveEidSettings } from "../../app/services/eid/eid-verification.server";
import { censusSecret, identityHash } from "../../app/services/verification/census.server";
import { type Town, makeCensus, makeMunicipality, makeUser, nationalId } from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import { type TestProvider, signInAtProvider, startTestProvider } from "../support/oidc-provider";

const APP = "http://localhost";
const CALLBACK = `${APP}/auth/eid/callback`;

let database: Database;
let provider: TestProvider;
let town: Town;
const saved: Record<string, string | undefined> = {};
const RESIDENT = { nationalId: nationalId(412_000_001), birthDate: "1980-05-17" };

function configure(env: Record<string, string | undefined>) {
  for (const [k, v] of Object.entries(env)) {
    if (!(k in saved)) saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

beforeAll(async () => {
  database = await testDatabase();
  provider = await startTestProvider({ redirectUri: CALLBACK, postLogoutUri: `${APP}/` });
  configure({
    SHORA_PUBLIC_URL: APP,
    SHORA_OIDC_ISSUER: provider.issuer,
    SHORA_OIDC_CLIENT_ID: provider.clientId,
    SHORA_OIDC_CLIENT_SECRET: provider.clientSecret,
    SHORA_OIDC_SCOPES: "openid email profile national_id",
    SHORA_OIDC_LABEL_EN: "Sign in with TestID",
    SHORA_OIDC_LABEL_FA: "ورود با شناسهٔ آزمایشی",
  });
  town = await makeMunicipality(database.db, { districts: ["north", "south"] });
  await makeCensus(database.db, {
    by: town.admin,
    rows: [{ ...RESIDENT, district: "south", voterClass: "resident" }],
  });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await provider?.close();
  await database.close();
});

/** A person at the provider: the login name picks them; `extra` their claims. */
function person(extra: Record<string, unknown> = {}) {
  const login = unique("person");
  provider.people.set(login, {
    email: `${login}@people.example`,
    email_verified: true,
    name: "Ada Resident",
    ...extra,
  });
  return login;
}

/** The browser posts the e-ID button and comes back to Shora's callback with the provider's answer. */
async function startAndReturn(
  browser: TestBrowser,
  login: string,
  options: { municipality?: string; next?: string; consent?: boolean } = {},
) {
  const fields: Record<string, string> = { next: options.next ?? "/" };
  if (options.municipality) fields.municipality = options.municipality;
  const started = await call(eidStart.action, browser, browser.post("/auth/eid", fields));
  expect(started.status).toBe(302);
  const authorization = started.headers.get("location")!;
  expect(authorization.startsWith(provider.issuer)).toBe(true);
  const url = new URL(authorization);
  expect(url.searchParams.get("code_challenge_method")).toBe("S256");
  expect(url.searchParams.get("state")).toBeTruthy();
  expect(url.searchParams.get("nonce")).toBeTruthy();
  return signInAtProvider(authorization, { login, stopAt: CALLBACK, consent: options.consent });
}

async function callback(browser: TestBrowser, returned: string) {
  const url = new URL(returned);
  return call(eidCallback.loader, browser, browser.get(`${url.pathname}${url.search}`));
}

async function messageOf(response: Response): Promise<string> {
  return ((await response.json()) as { message: string }).message;
}

describe("sign-in with the provider", () => {
  it("shows the button only with a provider configured, labelled in the visitor's language", async () => {
    const browser = new TestBrowser(database.db);
    const en = (await (await call(login.loader, browser, browser.get("/login"))).json()) as { eid: string | null };
    expect(en.eid).toBe("Sign in with TestID");
    browser.cookies.set("shora_lang", "fa");
    const fa = (await (await call(login.loader, browser, browser.get("/login"))).json()) as { eid: string | null };
    expect(fa.eid).toBe("ورود با شناسهٔ آزمایشی");
  });

  it("creates an account at the first sign-in, signs it in, and finds it again the next time", async () => {
    const name = person();
    const browser = new TestBrowser(database.db);
    const first = await callback(browser, await startAndReturn(browser, name, { next: "/account" }));
    expect(first.status).toBe(302);
    expect(first.headers.get("location")).toBe("/account");
    const sessionId = browser.cookies.get("shora_session")!;
    expect(sessionId).toBeTruthy();
    expect(browser.cookies.has("shora_eid")).toBe(false);
    const [account] = await database.db.select().from(users).where(eq(users.email, `${name}@people.example`));
    expect(account.displayName).toBe("Ada Resident");
    expect(account.emailConfirmedAt).not.toBeNull();
    const links = await database.db.select().from(externalIdentities).where(eq(externalIdentities.userId, account.id));
    expect(links).toEqual([expect.objectContaining({ issuer: provider.issuer, subject: name })]);
    const [kept] = await database.db.select().from(eidSessions).where(eq(eidSessions.sessionId, sessionId));
    expect(kept.idToken.split(".")).toHaveLength(3);

    const again = new TestBrowser(database.db);
    expect((await callback(again, await startAndReturn(again, name))).status).toBe(302);
    const [{ n }] = await database.db
      .select({ n: database.db.$count(users, eq(users.email, `${name}@people.example`)) })
      .from(users)
      .limit(1);
    expect(n).toBe(1);
    const [session] = await database.db.select().from(sessions).where(eq(sessions.id, again.cookies.get("shora_session")!));
    expect(session.userId).toBe(account.id);
  });

  it("ends the provider's session too when signing out (RP-initiated logout)", async () => {
    const name = person();
    const browser = new TestBrowser(database.db);
    await callback(browser, await startAndReturn(browser, name));
    const sessionId = browser.cookies.get("shora_session")!;
    const out = await call(logout.action, browser, browser.post("/logout", {}));
    expect(out.status).toBe(302);
    const target = new URL(out.headers.get("location")!);
    expect(`${target.origin}`).toBe(provider.issuer);
    expect(target.searchParams.get("id_token_hint")).toBeTruthy();
    expect(target.searchParams.get("post_logout_redirect_uri")).toBe(`${APP}/`);
    expect(await database.db.select().from(sessions).where(eq(sessions.id, sessionId))).toEqual([]);
    // The provider accepts the logout request it is sent to.
    const atProvider = await fetch(target, { redirect: "manual" });
    expect(atProvider.status).toBe(200);
  });

  it("links an existing account only with its password when the address is not confirmed on both sides", async () => {
    const email = `${unique("owner")}@people.example`;
    const owner = await makeUser(database.db, { email, password: "owner password 1", confirmed: false });
    const name = unique("linker");
    provider.people.set(name, { email, email_verified: true, name: "Owner" });
    const browser = new TestBrowser(database.db);
    const back = await callback(browser, await startAndReturn(browser, name, { next: "/account" }));
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe("/auth/eid/link");
    expect(browser.cookies.has("shora_session")).toBe(false);
    const page = (await (await call(eidLink.loader, browser, browser.get("/auth/eid/link"))).json()) as {
      email: string;
    };
    expect(page.email).toBe(email);
    const wrong = await call(eidLink.action, browser, browser.post("/auth/eid/link", { password: "not it at all" }));
    expect(wrong.status).toBe(400);
    expect(await database.db.select().from(externalIdentities).where(eq(externalIdentities.userId, owner.id))).toEqual(
      [],
    );
    const right = await call(eidLink.action, browser, browser.post("/auth/eid/link", { password: "owner password 1" }));
    expect(right.status).toBe(302);
    expect(right.headers.get("location")).toBe("/account");
    const [session] = await database.db.select().from(sessions).where(eq(sessions.id, browser.cookies.get("shora_session")!));
    expect(session.userId).toBe(owner.id);
    expect(await database.db.select().from(externalIdentities).where(eq(externalIdentities.userId, owner.id))).toHaveLength(1);
  });
});

describe("failures land on a clear page", () => {
  it("a cancelled consent, in English and in Persian", async () => {
    for (const [locale, text] of [
      ["en", "You cancelled the sign-in"],
      ["fa", "ورود را نزد ارائه‌دهندهٔ هویت لغو کردید"],
    ] as const) {
      const browser = new TestBrowser(database.db);
      browser.cookies.set("shora_lang", locale);
      const returned = await startAndReturn(browser, person(), { consent: false });
      expect(new URL(returned).searchParams.get("error")).toBe("access_denied");
      const page = await callback(browser, returned);
      expect(page.status).toBe(400);
      expect(await messageOf(page)).toContain(text);
      expect(browser.cookies.has("shora_session")).toBe(false);
    }
  });

  it("a wrong state is refused and signs nobody in", async () => {
    const browser = new TestBrowser(database.db);
    const returned = new URL(await startAndReturn(browser, person()));
    returned.searchParams.set("state", "forged-state-value");
    const page = await callback(browser, returned.toString());
    expect(page.status).toBe(400);
    expect(await messageOf(page)).toContain("failed Shora's checks");
    expect(browser.cookies.has("shora_session")).toBe(false);
  });

  it("an answer naming another issuer is refused", async () => {
    const browser = new TestBrowser(database.db);
    const returned = new URL(await startAndReturn(browser, person()));
    returned.searchParams.set("iss", "http://127.0.0.1:9/unknown-issuer");
    const page = await callback(browser, returned.toString());
    expect(page.status).toBe(400);
    expect(await messageOf(page)).toContain("failed Shora's checks");
    expect(browser.cookies.has("shora_session")).toBe(false);
  });

  it("a tampered ID token is refused", async () => {
    const browser = new TestBrowser(database.db);
    const returned = await startAndReturn(browser, person({ national_id: RESIDENT.nationalId }));
    provider.tamperNextIdToken();
    const page = await callback(browser, returned);
    expect(page.status).toBe(400);
    expect(await messageOf(page)).toContain("failed Shora's checks");
    expect(browser.cookies.has("shora_session")).toBe(false);
  });

  it("an expired ID token is refused", async () => {
    const browser = new TestBrowser(database.db);
    const returned = await startAndReturn(browser, person());
    provider.holdNextToken(7_500);
    provider.idTokenSeconds(1);
    try {
      const page = await callback(browser, returned);
      expect(page.status).toBe(400);
      expect(await messageOf(page)).toContain("failed Shora's checks");
    } finally {
      provider.idTokenSeconds(3600);
    }
    expect(browser.cookies.has("shora_session")).toBe(false);
  }, 20_000);

  it("a callback without a sign-in begun in this browser, and a used one, are refused", async () => {
    const browser = new TestBrowser(database.db);
    const returned = await startAndReturn(browser, person());
    const stranger = new TestBrowser(database.db);
    const page = await callback(stranger, returned);
    expect(page.status).toBe(400);
    expect(await messageOf(page)).toContain("expired or was started in another browser");
    expect((await callback(browser, returned)).status).toBe(302);
    const replay = new TestBrowser(database.db);
    replay.cookies.set("shora_eid", "x".repeat(43));
    expect((await callback(replay, returned)).status).toBe(400);
  });
});

describe("verification from the provider's national ID", () => {
  it("matches the census: district and class from it, the method in the action log, no raw ID stored", async () => {
    await saveEidSettings(database.db, town.admin, {
      trust: "census",
      defaultVoterClass: null,
      defaultDistrictCode: null,
      censusServiceUrl: null,
      censusServiceTimeoutMs: 5000,
      credential: null,
      clearCredential: false,
    });
    const name = person({ national_id: RESIDENT.nationalId, birthdate: RESIDENT.birthDate });
    const browser = new TestBrowser(database.db);
    const back = await callback(browser, await startAndReturn(browser, name, { municipality: town.municipality.slug }));
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(`/m/${town.municipality.slug}/verify?eid=done`);
    const [account] = await database.db.select().from(users).where(eq(users.email, `${name}@people.example`));
    const [row] = await database.db.select().from(verifications).where(eq(verifications.userId, account.id));
    expect(row.method).toBe("eid");
    expect(row.districtId).toBe(town.districts.south);
    expect(row.voterClass).toBe("resident");
    expect(row.identityHash).toBe(
      identityHash(await censusSecret(database.db, town.municipality.id), RESIDENT.nationalId),
    );
    expect(JSON.stringify(row)).not.toContain(RESIDENT.nationalId);
    const [entry] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.action, "verification.eid"), eq(actionLog.target, `verification:${row.id}`)));
    expect(entry.summary.after).toEqual({ method: "eid", source: "census", voterClass: "resident" });
    const page = (await (
      await call(verify.loader, browser, browser.get(`/m/${town.municipality.slug}/verify?eid=done`), {
        slug: town.municipality.slug,
      })
    ).json()) as { eidOutcome: { text: string } };
    expect(page.eidOutcome.text).toBe("You are now verified through your e-ID.");

    // One person, one account: the same national ID on another provider account is refused.
    const twin = person({ national_id: RESIDENT.nationalId, birthdate: RESIDENT.birthDate });
    const other = new TestBrowser(database.db);
    const refused = await callback(other, await startAndReturn(other, twin, { municipality: town.municipality.slug }));
    expect(refused.headers.get("location")).toBe(`/m/${town.municipality.slug}/verify?eid=identity_taken`);
  });

  it("verifies directly with the default district and class where the municipality chooses", async () => {
    const direct = await makeMunicipality(database.db, { districts: ["centre"] });
    await saveEidSettings(database.db, direct.admin, {
      trust: "direct",
      defaultVoterClass: "resident",
      defaultDistrictCode: "centre",
      censusServiceUrl: null,
      censusServiceTimeoutMs: 5000,
      credential: null,
      clearCredential: false,
    });
    const name = person({ national_id: nationalId(412_000_777), birthdate: "1990-01-02" });
    const browser = new TestBrowser(database.db);
    const back = await callback(browser, await startAndReturn(browser, name, { municipality: direct.municipality.slug }));
    expect(back.headers.get("location")).toBe(`/m/${direct.municipality.slug}/verify?eid=done`);
    const [entry] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.action, "verification.eid"), eq(actionLog.municipalityId, direct.municipality.id)));
    expect(entry.summary.after).toEqual({ method: "eid", source: "direct", voterClass: "resident" });
  });

  it("a person the census does not list is told so, and not verified", async () => {
    const name = person({ national_id: nationalId(412_000_999), birthdate: "1970-01-01" });
    const browser = new TestBrowser(database.db);
    const back = await callback(browser, await startAndReturn(browser, name, { municipality: town.municipality.slug }));
    expect(back.headers.get("location")).toBe(`/m/${town.municipality.slug}/verify?eid=eid_not_in_census`);
  });
});

describe("the live census service", () => {
  let service: http.Server;
  let serviceUrl: string;
  const asked: { authorization?: string; body: string }[] = [];
  let delayMs = 0;
  let answerStatus = 200;

  beforeAll(async () => {
    service = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        asked.push({ authorization: req.headers.authorization, body });
        const { nationalId: id } = JSON.parse(body) as { nationalId: string };
        const answer =
          id === nationalId(555_000_001)
            ? { resident: true, district: "north", voterClass: "senior", birthDate: "1950-02-03" }
            : { resident: false };
        setTimeout(() => {
          res.writeHead(answerStatus, { "content-type": "application/json" });
          res.end(JSON.stringify(answer));
        }, delayMs);
      });
    });
    await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}/census/ask`;
  });
  afterAll(async () => {
    service.closeAllConnections();
    await new Promise((resolve) => service.close(resolve));
  });

  async function configureService(t: Town, url: string, timeoutMs = 1000) {
    await saveEidSettings(database.db, t.admin, {
      trust: "census",
      defaultVoterClass: null,
      defaultDistrictCode: null,
      censusServiceUrl: url,
      censusServiceTimeoutMs: timeoutMs,
      credential: "census-credential-123",
      clearCredential: false,
    });
  }

  it("answers at verification time with its credential; district and class come from it", async () => {
    const t = await makeMunicipality(database.db, { districts: ["north"] });
    await configureService(t, serviceUrl);
    const name = person({ national_id: nationalId(555_000_001), birthdate: "1950-02-03" });
    const browser = new TestBrowser(database.db);
    const back = await callback(browser, await startAndReturn(browser, name, { municipality: t.municipality.slug }));
    expect(back.headers.get("location")).toBe(`/m/${t.municipality.slug}/verify?eid=done`);
    const last = asked.at(-1)!;
    expect(last.authorization).toBe("Bearer census-credential-123");
    expect(JSON.parse(last.body)).toEqual({ nationalId: nationalId(555_000_001), birthDate: "1950-02-03" });
    const [row] = await database.db
      .select()
      .from(verifications)
      .where(eq(verifications.municipalityId, t.municipality.id));
    expect(row).toMatchObject({ method: "eid", districtId: t.districts.north, voterClass: "senior" });
    expect(JSON.stringify(row)).not.toContain(nationalId(555_000_001));
  });

  it("serves the typed census form too; a service that is down or slow gives a clear 503 and costs no try", async () => {
    const t = await makeMunicipality(database.db, { districts: ["north"] });
    const resident = await makeUser(database.db, { email: `${unique("typed")}@people.example` });
    const browser = new TestBrowser(database.db);
    const { signIn } = await import("../support/factories");
    await signIn(database.db, resident, browser);
    const typed = () =>
      call(
        verify.action,
        browser,
        browser.post(`/m/${t.municipality.slug}/verify`, {
          intent: "census",
          nationalId: nationalId(555_000_001),
          birthDate: "1950-02-03",
        }),
        { slug: t.municipality.slug },
      );

    // Down: nothing listens on the address.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    await configureService(t, deadUrl);
    const down = await typed();
    expect(down.status).toBe(503);
    expect(JSON.stringify(await down.json())).toContain("census service cannot be reached");

    // Slow: the answer comes after the timeout.
    await configureService(t, serviceUrl, 300);
    delayMs = 2_000;
    const started = Date.now();
    const slow = await typed();
    delayMs = 0;
    expect(slow.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1_800);

    // A failing status.
    answerStatus = 500;
    expect((await typed()).status).toBe(503);
    answerStatus = 200;

    // Up again: verified, the failures cost none of the five tries.
    const ok = await typed();
    expect(ok.status).toBe(302);
    const [row] = await database.db.select().from(verifications).where(eq(verifications.userId, resident.id));
    expect(row).toMatchObject({ method: "census", voterClass: "senior", districtId: t.districts.north });
  }, 20_000);

  it("refuses a service address that is not https (outside this machine)", async () => {
    const t = await makeMunicipality(database.db, { districts: ["north"] });
    await expect(configureService(t, "http://census.example/ask")).rejects.toMatchObject({ code: "service_url" });
  });
});

describe("without a provider", () => {
  it("the sign-in page has no e-ID button and the start refuses plainly", async () => {
    const issuer = process.env.SHORA_OIDC_ISSUER;
    delete process.env.SHORA_OIDC_ISSUER;
    try {
      const browser = new TestBrowser(database.db);
      const page = (await (await call(login.loader, browser, browser.get("/login"))).json()) as { eid: string | null };
      expect(page.eid).toBeNull();
      const started = await call(eidStart.action, browser, browser.post("/auth/eid", { next: "/" }));
      expect(started.headers.get("location")).toBe("/auth/eid/callback?shora_error=not_configured");
      const shown = await call(
        eidCallback.loader,
        browser,
        browser.get("/auth/eid/callback?shora_error=not_configured"),
      );
      expect(await messageOf(shown)).toContain("not set up");
    } finally {
      process.env.SHORA_OIDC_ISSUER = issuer;
    }
  });
});
