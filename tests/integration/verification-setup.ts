/** Shared set-up of the verification and census tests: a town with districts, a round, staff and residents. */
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { actionLog } from "../../db/schema";
import { findRound } from "../../app/services/rounds/rounds-admin.server";
import type { Municipality } from "../../app/services/tenancy/municipality.server";
import type { Scope } from "../../app/services/scope";
import type { SessionUser } from "../../app/web/session.server";
import {
  type Member,
  type Round,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
} from "../support/factories";
import type { TestBrowser } from "../support/requests";
import { logInThroughForm } from "../support/log-in";
import { unique } from "../support/db";

export { censusCsv, nationalId } from "../support/factories";

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

/** Voting starts `votingInDays` from today (negative: already open), in the town's time zone. */
export async function setupTown(db: Db, opts: { residents?: number; votingInDays?: number } = {}): Promise<Town> {
  const slug = unique("vtown");
  const town = await makeMunicipality(db, {
    slug,
    name: { en: `Town ${slug}`, fa: "شهر" },
    timeZone: "Asia/Tehran",
    currency: "IRR",
    admin: { displayName: "Admin Person", password: PASSWORD },
    districts: [
      { code: "north", name: { en: "North", fa: "شمال" } },
      { code: "south", name: { en: "South", fa: "جنوب" } },
      { code: "center", name: { en: "Centre", fa: "مرکز" } },
    ],
  });
  const staff = await makeMember(db, {
    by: town.admin,
    email: `staff@${slug}.example`,
    displayName: "Staff Sina",
    password: PASSWORD,
  });
  const residents: SessionUser[] = [];
  for (let i = 1; i <= (opts.residents ?? 4); i++)
    residents.push(
      await makeUser(db, {
        email: `resident${i}@${slug}.example`,
        displayName: `Resident Name ${i}`,
        password: PASSWORD,
      }),
    );
  const v = opts.votingInDays ?? 10;
  const round = await makeRound(db, {
    by: town.admin,
    slug: "budget",
    title: { en: "Budget", fa: "بودجه" },
    description: { en: "", fa: "" },
    spans: [
      ["proposals", v - 30, v - 1],
      ["voting", v, v + 10],
    ],
  });
  return {
    slug,
    municipality: town.municipality,
    district: town.districts as Town["district"],
    staff: { user: staff.user, municipality: town.municipality, actor: staff.actor },
    admin: { user: town.admin.user, municipality: town.municipality, actor: town.admin.actor },
    residents,
    roundSlug: round.slug,
    roundId: round.id,
  };
}

export async function loggedIn(db: Db, email: string): Promise<TestBrowser> {
  return logInThroughForm(db, { email, password: PASSWORD });
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
export async function acceptedProposal(db: Db, town: Pick<Town, "roundSlug" | "admin" | "staff">): Promise<string> {
  const admin: Member = { ...town.admin, role: "admin" };
  const round = (await findRound(db, town.admin, { slug: town.roundSlug })) as Round;
  const envelope = await makeEnvelope(db, { by: admin, round, slug: "city", name: { en: "City" }, amount: 1000 });
  return makeProposal(db, {
    by: { ...town.staff, role: "staff" },
    round,
    envelope,
    title: { en: "Shade trees" },
    body: { en: "Plant trees." },
    cost: 300,
  });
}
