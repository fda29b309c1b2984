import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { municipalities } from "../../db/schema";
import * as platform from "../../app/routes/admin._index";
import * as municipalityPage from "../../app/routes/m.$slug._index";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
import * as staffDashboard from "../../app/routes/m.$slug.admin._index";
import { createMunicipality } from "../../app/services/tenancy/municipality.server";
import { TestBrowser, call } from "../support/requests";
import { logInThroughForm } from "../support/log-in";
import { testDatabase, unique } from "../support/db";
import { makeMember, makeMunicipality, makeUser } from "../support/factories";

let database: Database;
const PASSWORD = "tenancy password";
let slug: string;
let otherSlug: string;

async function loggedIn(email: string) {
  return logInThroughForm(database.db, { email, password: PASSWORD });
}

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("town");
  otherSlug = unique("other");
  const towns = [];
  for (const s of [slug, otherSlug])
    towns.push(
      await makeMunicipality(database.db, {
        slug: s,
        name: { en: `Town ${s}`, fa: "شهر" },
        defaultLocale: "fa",
        timeZone: "Asia/Tehran",
        currency: "IRR",
        admin: { displayName: "Admin", password: PASSWORD },
      }),
    );
  await makeMember(database.db, { by: towns[0].admin, email: `staff@${slug}.example`, password: PASSWORD });
  await makeUser(database.db, { email: `resident@${slug}.example`, password: PASSWORD });
  await makeUser(database.db, { email: `root@${slug}.example`, password: PASSWORD, platformAdmin: true });
});
afterAll(() => database.close());

describe("staff area guard (deny by default)", () => {
  it("lets staff and admins of the municipality in", async () => {
    for (const who of ["staff", "admin"]) {
      const browser = await loggedIn(`${who}@${slug}.example`);
      const response = await call(staffDashboard.loader, browser, browser.get(`/m/${slug}/admin`), { slug });
      expect(response.status).toBe(200);
      const data = JSON.parse(await response.text());
      expect(data.role).toBe(who);
    }
  });

  it("refuses observers (login), residents and staff of another municipality (403 with the reason)", async () => {
    const observer = new TestBrowser(database.db);
    const cases: [TestBrowser, string][] = [
      [observer, "login"],
      [await loggedIn(`resident@${slug}.example`), "staff"],
      [await loggedIn(`admin@${otherSlug}.example`), "staff"],
      [await loggedIn(`root@${slug}.example`), "staff"],
    ];
    for (const [browser, reason] of cases) {
      const response = await call(staffDashboard.loader, browser, browser.get(`/m/${slug}/admin`), { slug });
      expect(response.status).toBe(403);
      expect(JSON.parse(await response.text()).reason).toBe(reason);
    }
  });

  it("answers 404 for an unknown municipality, even to staff", async () => {
    const browser = await loggedIn(`staff@${slug}.example`);
    const response = await call(staffDashboard.loader, browser, browser.get("/m/nowhere/admin"), { slug: "nowhere" });
    expect(response.status).toBe(404);
  });

  it("shows the public municipality page to observers", async () => {
    const browser = new TestBrowser(database.db);
    const response = await call(municipalityPage.loader, browser, browser.get(`/m/${slug}`), { slug });
    expect(response.status).toBe(200);
    const data = JSON.parse(await response.text());
    expect(data.municipality.name.en).toBe(`Town ${slug}`);
    expect(data.isStaff).toBe(false);
    const missing = await call(roundPage.loader, browser, browser.get(`/m/${slug}/rounds/x`), { slug, round: "x" });
    expect(missing.status).toBe(404);
  });
});

describe("platform administration", () => {
  const form = (s: string) => ({
    slug: s,
    nameEn: "New Town",
    nameFa: "شهر نو",
    defaultLocale: "fa",
    timeZone: "Asia/Tehran",
    currency: "irr",
    adminEmail: `first-admin@${s}.example`,
    adminName: "First Admin",
    adminPassword: "first admin password",
  });

  it("creates a municipality with its first admin, who can then enter its staff area", async () => {
    const browser = await loggedIn(`root@${slug}.example`);
    const newSlug = unique("newtown");
    const response = await call(platform.action, browser, browser.post("/admin", form(newSlug)));
    expect(response.status).toBe(200);
    const [row] = await database.db.select().from(municipalities).where(eq(municipalities.slug, newSlug));
    expect(row).toMatchObject({
      currency: "IRR",
      timeZone: "Asia/Tehran",
      defaultLocale: "fa",
      name: { en: "New Town", fa: "شهر نو" },
    });
    const admin = await logInThroughForm(database.db, {
      email: `first-admin@${newSlug}.example`,
      password: "first admin password",
    });
    const dash = await call(staffDashboard.loader, admin, admin.get(`/m/${newSlug}/admin`), { slug: newSlug });
    expect(dash.status).toBe(200);
  });

  it("names the bad field and creates nothing on invalid input", async () => {
    const browser = await loggedIn(`root@${slug}.example`);
    const bad = { ...form("Bad Slug!"), timeZone: "Mars/Olympus" };
    const response = await call(platform.action, browser, browser.post("/admin", bad));
    expect(response.status).toBe(400);
    const data = JSON.parse(await response.text());
    expect(data.errors.slug).toBe("Address name (slug) may only hold lower-case letters, digits and dashes.");
    expect(data.errors.timeZone).toBe("Time zone is not valid.");
    expect(data.values.nameEn).toBe("New Town");
    expect(await database.db.select().from(municipalities).where(eq(municipalities.slug, "Bad Slug!"))).toHaveLength(0);
    const taken = await call(platform.action, browser, browser.post("/admin", form(slug)));
    expect(taken.status).toBe(400);
    expect(JSON.parse(await taken.text()).errors.slug).toBe("This address name is already taken.");
  });

  it("is closed to everyone but platform admins", async () => {
    for (const email of [`admin@${slug}.example`, `resident@${slug}.example`]) {
      const browser = await loggedIn(email);
      expect((await call(platform.loader, browser, browser.get("/admin"))).status).toBe(403);
      const post = await call(platform.action, browser, browser.post("/admin", form(unique("sneaky"))));
      expect(post.status).toBe(403);
    }
    const observer = new TestBrowser(database.db);
    expect((await call(platform.loader, observer, observer.get("/admin"))).status).toBe(403);
  });

  it("rolls back the municipality when its first admin cannot be created", async () => {
    const newSlug = unique("rollback");
    await expect(
      createMunicipality(database.db, {
        slug: newSlug,
        name: { en: "Rollback" },
        defaultLocale: "en",
        timeZone: "UTC",
        currency: "EUR",
        admin: { email: `nobody-${newSlug}@example.org`, displayName: "No password" },
      }),
    ).rejects.toThrow(/give a password/);
    expect(await database.db.select().from(municipalities).where(eq(municipalities.slug, newSlug))).toHaveLength(0);
  });
});
