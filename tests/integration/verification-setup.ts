/** Shared set-up of the verification and census tests: a town with districts, a round, staff and residents. */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Db } from "../../db/client";
import {
  actionLog,
  districts,
  envelopes,
  memberships,
  municipalities,
  phases,
  proposals,
  rounds,
  users,
} from "../../db/schema";
import * as login from "../../app/routes/login";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { createMunicipality } from "../../app/services/tenancy/municipality.server";
import type { Municipality } from "../../app/services/tenancy/municipality.server";
import type { SessionUser } from "../../app/web/session.server";
import { type Scope, userActor } from "../../app/services/scope";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { TestBrowser, call } from "../support/requests";
import { unique } from "../support/db";

export const PASSWORD = "verification password";

/** A staff member with the scope (municipality and actor) their use cases run in. */
export type StaffScope = Scope & { user: SessionUser };

export interface Town {
  slug: string;
  municipality: Municipality;
  district: { north: string; south: string; center: string };
  /** Staff of the municipality, also the scope their use cases take. */
  staff: StaffScope;
  /** The municipality's administrator: the census and letter codes are theirs (ADR 0019). */
  admin: StaffScope;
  residents: SessionUser[];
  roundSlug: string;
  roundId: string;
}

function addDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

/** Voting starts `votingInDays` from today (negative: already open). */
export async function setupTown(db: Db, opts: { residents?: number; votingInDays?: number } = {}): Promise<Town> {
  const slug = unique("vtown");
  const hash = await hashPassword(PASSWORD);
  const { adminUserId } = await createMunicipality(db, {
    slug,
    name: { en: `Town ${slug}`, fa: "شهر" },
    defaultLocale: "en",
    timeZone: "Asia/Tehran",
    currency: "IRR",
    admin: { email: `admin@${slug}.example`, displayName: "Admin Person", password: PASSWORD },
  });
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.slug, slug));
  const district = { north: randomUUID(), south: randomUUID(), center: randomUUID() };
  await db.insert(districts).values([
    {
      id: district.north,
      municipalityId: municipality.id,
      code: "north",
      name: { en: "North", fa: "شمال" },
      position: 0,
    },
    {
      id: district.south,
      municipalityId: municipality.id,
      code: "south",
      name: { en: "South", fa: "جنوب" },
      position: 1,
    },
    {
      id: district.center,
      municipalityId: municipality.id,
      code: "center",
      name: { en: "Centre", fa: "مرکز" },
      position: 2,
    },
  ]);
  const staffId = randomUUID();
  await db
    .insert(users)
    .values({ id: staffId, email: `staff@${slug}.example`, passwordHash: hash, displayName: "Staff Sina" });
  await db.insert(memberships).values({ userId: staffId, municipalityId: municipality.id, role: "staff" });
  const residents: SessionUser[] = [];
  for (let i = 1; i <= (opts.residents ?? 4); i++) {
    const id = randomUUID();
    const email = `resident${i}@${slug}.example`;
    await db.insert(users).values({ id, email, passwordHash: hash, displayName: `Resident Name ${i}` });
    residents.push({ id, email, displayName: `Resident Name ${i}`, locale: "en", isPlatformAdmin: false });
  }
  const roundId = randomUUID();
  const roundSlug = "budget";
  await db.insert(rounds).values({
    id: roundId,
    municipalityId: municipality.id,
    slug: roundSlug,
    kind: "budgeting",
    title: { en: "Budget", fa: "بودجه" },
    description: { en: "", fa: "" },
  });
  const v = opts.votingInDays ?? 10;
  await db.insert(phases).values([
    { id: randomUUID(), roundId, kind: "proposals", startsOn: addDays(v - 30), endsOn: addDays(v - 1) },
    { id: randomUUID(), roundId, kind: "voting", startsOn: addDays(v), endsOn: addDays(v + 10) },
  ]);
  return {
    slug,
    municipality,
    district,
    staff: {
      user: {
        id: staffId,
        email: `staff@${slug}.example`,
        displayName: "Staff Sina",
        locale: "en",
        isPlatformAdmin: false,
      },
      municipality,
      actor: userActor({ id: staffId }),
    },
    admin: {
      user: {
        id: adminUserId,
        email: `admin@${slug}.example`,
        displayName: "Admin Person",
        locale: "en",
        isPlatformAdmin: false,
      },
      municipality,
      actor: userActor({ id: adminUserId }),
    },
    residents,
    roundSlug,
    roundId,
  };
}

export async function loggedIn(db: Db, email: string): Promise<TestBrowser> {
  const browser = new TestBrowser(db);
  const response = await call(login.action, browser, browser.post("/login", { email, password: PASSWORD }));
  expect(response.status).toBe(302);
  return browser;
}

/** A valid Iranian national code made from a number. */
export function nationalId(n: number): string {
  return withIranianCheckDigit(String(n).padStart(9, "0"));
}

export function censusCsv(rows: [string, string, string, string][]): string {
  return `national_id,birth_date,district,voter_class\n${rows.map((r) => r.join(",")).join("\n")}\n`;
}

/** A multipart POST with a file, as a browser sends it. */
export function upload(
  browser: TestBrowser,
  path: string,
  fields: Record<string, string>,
  file: { name: string; text: string },
) {
  const body = new FormData();
  body.set("_csrf", browser.cookies.get("shora_csrf") ?? "");
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", new File([file.text], file.name, { type: "text/csv" }));
  return new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: browser.cookieHeader() }, body });
}

/** Everything the municipality's action log holds, as one string (to check nothing personal leaks). */
export async function logText(db: Db, municipalityId: string): Promise<string> {
  const rows = await db.select().from(actionLog).where(eq(actionLog.municipalityId, municipalityId));
  return JSON.stringify(rows);
}

/** An envelope "city" (1,000) in the town's round with one accepted proposal ("Shade trees", 300): its id. */
export async function acceptedProposal(db: Db, town: Pick<Town, "roundId">): Promise<string> {
  const envelopeId = randomUUID();
  await db
    .insert(envelopes)
    .values({ id: envelopeId, roundId: town.roundId, slug: "city", name: { en: "City" }, amount: 1000 });
  const proposalId = randomUUID();
  await db.insert(proposals).values({
    id: proposalId,
    envelopeId,
    title: { en: "Shade trees" },
    body: { en: "Plant trees." },
    cost: 300,
    status: "accepted",
  });
  return proposalId;
}
