/**
 * A municipality's own OpenID Connect provider (ADR 0038): only its administrators configure it on
 * the settings page (each bad field named, the client secret in the key store, never in the
 * database or shown back, every change in the action log); its pages then offer that provider, a
 * sign-in begun there goes to it, is recorded with its issuer and checked against it, while the
 * installation's provider stays the default. Two real providers (`oidc-provider`) on local ports.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, eidLogins, eidProviders, externalIdentities, users, verifications } from "../../db/schema";
import * as settingsPage from "../../app/routes/m.$slug.admin.eid";
import * as eidStart from "../../app/routes/auth.eid";
import * as eidCallback from "../../app/routes/auth.eid_.callback";
import * as login from "../../app/routes/login";
import * as verify from "../../app/routes/m.$slug.verify";
import { type Town, makeMember, makeMunicipality, nationalId, signIn } from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import { eidProviderFor } from "../../app/services/eid/municipality-provider.server";
import { type TestProvider, signInAtProvider, startTestProvider } from "../support/oidc-provider";

const APP = "http://localhost";
const CALLBACK = `${APP}/auth/eid/callback`;

let database: Database;
let installation: TestProvider;
let cityProvider: TestProvider;
let town: Town;
let other: Town;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  database = await testDatabase();
  installation = await startTestProvider({ redirectUri: CALLBACK, postLogoutUri: `${APP}/` });
  cityProvider = await startTestProvider({ redirectUri: CALLBACK, postLogoutUri: `${APP}/` });
  const env = {
    SHORA_PUBLIC_URL: APP,
    SHORA_OIDC_ISSUER: installation.issuer,
    SHORA_OIDC_CLIENT_ID: installation.clientId,
    SHORA_OIDC_CLIENT_SECRET: installation.clientSecret,
    SHORA_OIDC_SCOPES: "openid email profile national_id",
    SHORA_OIDC_LABEL_EN: "Sign in with the national e-ID",
    SHORA_OIDC_LABEL_FA: "ورود با شناسهٔ ملی",
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  town = await makeMunicipality(database.db, { districts: ["north"] });
  other = await makeMunicipality(database.db, { districts: ["east"] });
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await installation?.close();
  await cityProvider?.close();
  await database.close();
});

const SECRET = "city-secret-which-never-shows-0123456789";

function providerForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    intent: "provider",
    issuer: cityProvider.issuer,
    clientId: cityProvider.clientId,
    clientSecret: cityProvider.clientSecret,
    scopes: "openid email profile national_id",
    idClaim: "national_id",
    birthDateClaim: "birthdate",
    labelEn: "Sign in with CityID",
    labelFa: "ورود با شناسهٔ شهر",
    ...overrides,
  };
}

async function postSettings(browser: TestBrowser, slug: string, fields: Record<string, string>) {
  return call(settingsPage.action, browser, browser.post(`/m/${slug}/admin/eid`, fields), { slug });
}

describe("the settings page", () => {
  it("is only for this municipality's administrators", async () => {
    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@town.example` });
    const slug = town.municipality.slug;
    const visitors = {
      anonymous: await signIn(database.db, null),
      staff: await signIn(database.db, staff.user),
      otherAdmin: await signIn(database.db, other.admin.user),
    };
    for (const [who, browser] of Object.entries(visitors)) {
      const page = await call(settingsPage.loader, browser, browser.get(`/m/${slug}/admin/eid`), { slug });
      expect(page.status, `${who} reads`).toBe(403);
      const posted = await postSettings(browser, slug, providerForm());
      expect(posted.status, `${who} saves`).toBe(403);
    }
    expect(
      await database.db.select().from(eidProviders).where(eq(eidProviders.municipalityId, town.municipality.id)),
    ).toEqual([]);
    const admin = await signIn(database.db, town.admin.user);
    expect((await call(settingsPage.loader, admin, admin.get(`/m/${slug}/admin/eid`), { slug })).status).toBe(200);
  });

  it("refuses bad input naming the field, and saves nothing", async () => {
    const admin = await signIn(database.db, other.admin.user);
    const slug = other.municipality.slug;
    const bad: [Record<string, string>, string, string][] = [
      [{ issuer: "http://id.example" }, "issuer", "https://"],
      [{ issuer: "https://user:pw@id.example" }, "issuer", "https://"],
      [{ issuer: "not a url" }, "issuer", "https://"],
      [{ clientId: " " }, "clientId", "client id"],
      [{ scopes: "email profile" }, "scopes", "openid"],
      [{ idClaim: "national id" }, "idClaim", "claim name"],
      [{ birthDateClaim: "" }, "birthDateClaim", "claim name"],
      [{ labelEn: "" }, "labelEn", "button label"],
      [{ labelFa: "x".repeat(81) }, "labelFa", "button label"],
    ];
    for (const [change, field, words] of bad) {
      const response = await postSettings(admin, slug, providerForm(change));
      expect(response.status, field).toBe(400);
      const body = (await response.json()) as { errors: Record<string, string>; values: Record<string, string> };
      expect(Object.keys(body.errors)).toEqual([field]);
      expect(body.errors[field]).toContain(words);
      // What was typed comes back, the secret never.
      expect(body.values.clientSecret).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain(cityProvider.clientSecret);
    }
    const persian = await postSettings(
      (() => {
        admin.cookies.set("shora_lang", "fa");
        return admin;
      })(),
      slug,
      providerForm({ issuer: "ftp://id.example" }),
    );
    expect(((await persian.json()) as { errors: Record<string, string> }).errors.issuer).toContain("https://");
    admin.cookies.delete("shora_lang");
    expect(
      await database.db.select().from(eidProviders).where(eq(eidProviders.municipalityId, other.municipality.id)),
    ).toEqual([]);
  });

  it("keeps the client secret in the key store only, never shows it back, and logs the change", async () => {
    const admin = await signIn(database.db, town.admin.user);
    const slug = town.municipality.slug;
    const saved = await postSettings(admin, slug, providerForm({ clientSecret: SECRET }));
    expect(saved.status).toBe(200);
    const [row] = await database.db
      .select()
      .from(eidProviders)
      .where(eq(eidProviders.municipalityId, town.municipality.id));
    expect(row).toMatchObject({
      issuer: cityProvider.issuer,
      clientId: cityProvider.clientId,
      labelEn: "Sign in with CityID",
    });
    expect(JSON.stringify(row)).not.toContain(SECRET);
    expect((await eidProviderFor(database.db, { municipalityId: town.municipality.id }))?.clientSecret).toBe(SECRET);
    const page = await call(settingsPage.loader, admin, admin.get(`/m/${slug}/admin/eid`), { slug });
    const text = await page.text();
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text).own).toMatchObject({ issuer: cityProvider.issuer, hasSecret: true });
    const entries = await database.db
      .select()
      .from(actionLog)
      .where(
        and(eq(actionLog.action, "verification.eid_provider"), eq(actionLog.municipalityId, town.municipality.id)),
      );
    expect(entries).toHaveLength(1);
    expect(entries[0].summary.after).toMatchObject({ issuer: cityProvider.issuer, secret: "replaced" });
    expect(JSON.stringify(entries)).not.toContain(SECRET);

    // Saved again without a secret: the stored one is kept; then the right one for the provider.
    expect((await postSettings(admin, slug, providerForm({ clientSecret: "" }))).status).toBe(200);
    const again = JSON.parse(
      await (await call(settingsPage.loader, admin, admin.get(`/m/${slug}/admin/eid`), { slug })).text(),
    );
    expect(again.own.hasSecret).toBe(true);
    expect((await postSettings(admin, slug, providerForm())).status).toBe(200);
  });
});

describe("sign-in through the municipality's provider", () => {
  it("offers its button, goes to it, records and checks its issuer, and verifies there", async () => {
    const admin = await signIn(database.db, town.admin.user);
    const slug = town.municipality.slug;
    expect((await postSettings(admin, slug, providerForm())).status).toBe(200);
    expect(
      (
        await postSettings(admin, slug, {
          intent: "trust",
          trust: "direct",
          defaultVoterClass: "resident",
          defaultDistrictCode: "north",
          censusServiceUrl: "",
          censusServiceTimeoutMs: "5000",
        })
      ).status,
    ).toBe(200);

    // Its button on the way to its pages; the installation's elsewhere.
    const visitor = new TestBrowser(database.db);
    const toTown = (await (
      await call(login.loader, visitor, visitor.get(`/login?next=${encodeURIComponent(`/m/${slug}/verify`)}`))
    ).json()) as { eid: string };
    expect(toTown.eid).toBe("Sign in with CityID");
    const toOther = (await (
      await call(
        login.loader,
        visitor,
        visitor.get(`/login?next=${encodeURIComponent(`/m/${other.municipality.slug}/verify`)}`),
      )
    ).json()) as { eid: string };
    expect(toOther.eid).toBe("Sign in with the national e-ID");

    const name = unique("citizen");
    cityProvider.people.set(name, {
      email: `${name}@people.example`,
      email_verified: true,
      name: "City Resident",
      national_id: nationalId(613_000_001),
      birthdate: "1985-03-04",
    });
    const browser = new TestBrowser(database.db);
    const started = await call(
      eidStart.action,
      browser,
      browser.post("/auth/eid", { next: `/m/${slug}/verify`, municipality: slug }),
    );
    expect(started.status).toBe(302);
    const authorization = started.headers.get("location")!;
    expect(authorization.startsWith(`${cityProvider.issuer}/`)).toBe(true);
    const [pending] = await database.db
      .select()
      .from(eidLogins)
      .where(eq(eidLogins.municipalityId, town.municipality.id));
    expect(pending.issuer).toBe(cityProvider.issuer);

    const returned = new URL(await signInAtProvider(authorization, { login: name, stopAt: CALLBACK }));
    const back = await call(eidCallback.loader, browser, browser.get(`${returned.pathname}${returned.search}`));
    expect(back.status).toBe(302);
    expect(back.headers.get("location")).toBe(`/m/${slug}/verify?eid=done`);
    const [account] = await database.db
      .select()
      .from(users)
      .where(eq(users.email, `${name}@people.example`));
    expect(
      await database.db.select().from(externalIdentities).where(eq(externalIdentities.userId, account.id)),
    ).toEqual([expect.objectContaining({ issuer: cityProvider.issuer, subject: name })]);
    const [verified] = await database.db.select().from(verifications).where(eq(verifications.userId, account.id));
    expect(verified).toMatchObject({ method: "eid", municipalityId: town.municipality.id });
    const page = (await (
      await call(verify.loader, browser, browser.get(`/m/${slug}/verify?eid=done`), { slug })
    ).json()) as { eidOutcome: { ok: boolean } };
    expect(page.eidOutcome.ok).toBe(true);
  });

  it("an answer of the installation's provider to a sign-in begun at the municipality's is refused", async () => {
    const slug = town.municipality.slug;
    const name = unique("mixed");
    installation.people.set(name, { email: `${name}@people.example`, email_verified: true });
    // The browser starts at the installation's provider (no municipality), then swaps cookies with a
    // sign-in begun at the municipality's: the pending row names the other issuer.
    const atInstallation = new TestBrowser(database.db);
    const started = await call(eidStart.action, atInstallation, atInstallation.post("/auth/eid", { next: "/" }));
    expect(started.headers.get("location")!.startsWith(`${installation.issuer}/`)).toBe(true);
    const returned = new URL(
      await signInAtProvider(started.headers.get("location")!, { login: name, stopAt: CALLBACK }),
    );
    const atTown = new TestBrowser(database.db);
    await call(eidStart.action, atTown, atTown.post("/auth/eid", { next: `/m/${slug}/verify`, municipality: slug }));
    const page = await call(eidCallback.loader, atTown, atTown.get(`${returned.pathname}${returned.search}`));
    expect(page.status).toBe(400);
    expect(atTown.cookies.has("shora_session")).toBe(false);
  });

  it("back to the installation's provider once the municipality removes its own (logged)", async () => {
    const admin = await signIn(database.db, town.admin.user);
    const slug = town.municipality.slug;
    expect((await postSettings(admin, slug, { intent: "removeProvider" })).status).toBe(200);
    expect(
      await database.db.select().from(eidProviders).where(eq(eidProviders.municipalityId, town.municipality.id)),
    ).toEqual([]);
    const browser = new TestBrowser(database.db);
    const started = await call(
      eidStart.action,
      browser,
      browser.post("/auth/eid", { next: `/m/${slug}/verify`, municipality: slug }),
    );
    expect(started.headers.get("location")!.startsWith(`${installation.issuer}/`)).toBe(true);
    const entries = await database.db
      .select()
      .from(actionLog)
      .where(
        and(eq(actionLog.action, "verification.eid_provider"), eq(actionLog.municipalityId, town.municipality.id)),
      );
    expect(entries.at(-1)?.summary.after).toBeNull();
  });
});
