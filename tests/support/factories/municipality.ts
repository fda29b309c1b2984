/** A municipality with its administrator, and its districts. */
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { districts, municipalities } from "../../../db/schema";
import type { LocalizedText } from "../../../app/domain/i18n";
import { createMunicipality } from "../../../app/services/tenancy/municipality.server";
import { unique } from "../unique";
import { userActor } from "../../../app/services/scope";
import { type Member, PASSWORD } from "./accounts";

export interface Town {
  municipality: Member["municipality"];
  /** The administrator created with the municipality (census and letter codes are theirs, ADR 0019). */
  admin: Member;
  /** District ids by code, in the order given. */
  districts: Record<string, string>;
}

/** A district given by its code (its name is the code) or by code and name. */
export type DistrictSpec = string | { code: string; name: LocalizedText };

/**
 * A municipality through the platform's creation service (its administrator included), with districts.
 * Defaults: a unique slug, UTC, EUR, English, no districts, admin `admin@<slug>.example`.
 */
export async function makeMunicipality(
  db: Db,
  input: {
    slug?: string;
    name?: { en: string; fa?: string };
    timeZone?: string;
    currency?: string;
    defaultLocale?: "en" | "fa";
    admin?: { email?: string; displayName?: string; password?: string };
    districts?: DistrictSpec[];
  } = {},
): Promise<Town> {
  const slug = input.slug ?? unique("town");
  const email = input.admin?.email ?? `admin@${slug}.example`;
  const displayName = input.admin?.displayName ?? "Admin";
  const { municipalityId, adminUserId } = await createMunicipality(db, {
    slug,
    name: input.name ?? { en: `Town ${slug}` },
    defaultLocale: input.defaultLocale ?? "en",
    timeZone: input.timeZone ?? "UTC",
    currency: input.currency ?? "EUR",
    admin: { email, displayName, password: input.admin?.password ?? PASSWORD },
  });
  const [municipality] = await db.select().from(municipalities).where(eq(municipalities.id, municipalityId));
  const admin: Member = {
    user: { id: adminUserId, email, displayName, locale: municipality.defaultLocale, isPlatformAdmin: false },
    municipality,
    role: "admin",
    actor: userActor({ id: adminUserId }),
  };
  return {
    municipality,
    admin,
    districts: await makeDistricts(db, { municipality, districts: input.districts ?? [] }),
  };
}

/**
 * Districts appended to the municipality's list (ids by code). No service edits districts: they are
 * set when a municipality is set up, so this is the one insert of them.
 */
export async function makeDistricts(
  db: Db,
  input: { municipality: { id: string }; districts: DistrictSpec[] },
): Promise<Record<string, string>> {
  if (input.districts.length === 0) return {};
  const existing = await db.select().from(districts).where(eq(districts.municipalityId, input.municipality.id));
  const rows = input.districts.map((d, i) => {
    const spec = typeof d === "string" ? { code: d, name: { en: d, fa: d } } : d;
    return { id: randomUUID(), municipalityId: input.municipality.id, position: existing.length + i, ...spec };
  });
  await db.insert(districts).values(rows);
  return Object.fromEntries(rows.map((r) => [r.code, r.id]));
}
