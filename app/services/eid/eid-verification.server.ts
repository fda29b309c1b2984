/**
 * Verification from the identity provider (ADR 0038): the national ID the provider asserts verifies
 * the resident without typing anything, where the municipality trusts it, either matched to the
 * census (the uploaded one or the live service: district and class from there) or directly with the
 * municipality's default district and class. The same one-person-one-account rules as the census path
 * hold (the partial unique indexes, revoked identities left to staff); the action log records the method.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { districts, eidSettings, municipalities } from "../../../db/schema";
import type { EidTrust } from "../../../db/schema";
import { parseBirthDate } from "../../domain/verification/dates";
import { idChecker } from "../../domain/verification/ids";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { type PlatformScope, type Scope, actorUserId } from "../scope";
import type { Municipality } from "../tenancy/municipality.server";
import { censusEntry, censusSecret, idRulesOf, identityHash } from "../verification/census.server";
import { activeVerification, isUniqueViolation, verifyResidentFromEntry } from "../verification/verifications.server";
import { askCensusService, censusServiceOf, hasCensusCredential, storeCensusCredential } from "./census-service.server";

export type EidVerificationRefusal =
  | "eid_not_trusted"
  | "eid_no_id"
  | "eid_id_invalid"
  | "eid_not_in_census"
  | "eid_birth_date_missing"
  | "already_verified"
  | "identity_taken"
  | "identity_revoked"
  | "census_service_down"
  | "default_class_required"
  | "default_district_required"
  | "district_unknown"
  | "service_url"
  | "service_timeout";
export const EidVerificationRefused = RefusedError<EidVerificationRefusal>;

export interface EidSettingsView {
  trust: EidTrust;
  defaultVoterClass: string | null;
  defaultDistrictCode: string | null;
  censusServiceUrl: string | null;
  censusServiceTimeoutMs: number;
  hasCredential: boolean;
}

/** The municipality's e-ID choices (the credential only as "set or not"). */
export async function eidSettingsOf(db: Db, scope: Scope): Promise<EidSettingsView> {
  const [row] = await db
    .select({ settings: eidSettings, districtCode: districts.code })
    .from(eidSettings)
    .leftJoin(districts, eq(districts.id, eidSettings.defaultDistrictId))
    .where(eq(eidSettings.municipalityId, scope.municipality.id));
  return {
    trust: row?.settings.trust ?? "off",
    defaultVoterClass: row?.settings.defaultVoterClass ?? null,
    defaultDistrictCode: row?.districtCode ?? null,
    censusServiceUrl: row?.settings.censusServiceUrl ?? null,
    censusServiceTimeoutMs: row?.settings.censusServiceTimeoutMs ?? 5000,
    hasCredential: hasCensusCredential(scope.municipality.id),
  };
}

/** https anywhere; plain http only to this machine (development and tests). */
function serviceUrlAllowed(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username || url.password) return false;
    if (url.protocol === "https:") return true;
    return url.protocol === "http:" && ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Saves the municipality's e-ID trust and live census service (logged, without the credential). A
 * credential given replaces the stored one; `clearCredential` removes it; none given keeps it.
 */
export async function saveEidSettings(
  db: Db,
  scope: Scope,
  input: {
    trust: EidTrust;
    defaultVoterClass: string | null;
    defaultDistrictCode: string | null;
    censusServiceUrl: string | null;
    censusServiceTimeoutMs: number;
    credential: string | null;
    clearCredential: boolean;
  },
) {
  const municipalityId = scope.municipality.id;
  if (input.censusServiceUrl && !serviceUrlAllowed(input.censusServiceUrl))
    throw new EidVerificationRefused("service_url", "censusServiceUrl");
  if (
    !Number.isInteger(input.censusServiceTimeoutMs) ||
    input.censusServiceTimeoutMs < 100 ||
    input.censusServiceTimeoutMs > 30_000
  )
    throw new EidVerificationRefused("service_timeout", "censusServiceTimeoutMs");
  if (input.trust === "direct" && !input.defaultVoterClass)
    throw new EidVerificationRefused("default_class_required", "defaultVoterClass");
  if (input.trust === "direct" && !input.defaultDistrictCode)
    throw new EidVerificationRefused("default_district_required", "defaultDistrictCode");
  await db.transaction(async (tx) => {
    let districtId: string | null = null;
    if (input.defaultDistrictCode) {
      const rows = await tx
        .select({ id: districts.id, code: districts.code })
        .from(districts)
        .where(eq(districts.municipalityId, municipalityId));
      districtId = rows.find((r) => r.code === input.defaultDistrictCode)?.id ?? null;
      if (!districtId) throw new EidVerificationRefused("district_unknown", "defaultDistrictCode");
    }
    const values = {
      trust: input.trust,
      defaultVoterClass: input.defaultVoterClass,
      defaultDistrictId: districtId,
      censusServiceUrl: input.censusServiceUrl,
      censusServiceTimeoutMs: input.censusServiceTimeoutMs,
      updatedAt: new Date(),
    };
    const [before] = await tx.select().from(eidSettings).where(eq(eidSettings.municipalityId, municipalityId));
    await tx
      .insert(eidSettings)
      .values({ municipalityId, ...values })
      .onConflictDoUpdate({ target: eidSettings.municipalityId, set: values });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.eid_settings",
      target: `municipality:${scope.municipality.slug}`,
      before: before
        ? {
            trust: before.trust,
            defaultVoterClass: before.defaultVoterClass,
            censusServiceUrl: before.censusServiceUrl,
          }
        : null,
      after: {
        trust: input.trust,
        defaultVoterClass: input.defaultVoterClass,
        censusServiceUrl: input.censusServiceUrl,
        credential: input.credential ? "replaced" : input.clearCredential ? "removed" : "kept",
      },
    });
  });
  if (input.credential) storeCensusCredential(municipalityId, input.credential);
  else if (input.clearCredential) storeCensusCredential(municipalityId, null);
}

/** Whether the municipality lets the provider's national ID verify residents. */
export async function eidTrusted(db: Db, scope: Scope): Promise<boolean> {
  const [row] = await db
    .select({ trust: eidSettings.trust })
    .from(eidSettings)
    .where(eq(eidSettings.municipalityId, scope.municipality.id));
  return Boolean(row && row.trust !== "off");
}

/**
 * Verifies the acting resident from the provider's claims. The ID is checked against the
 * municipality's scheme and kept only as its keyed hash; a person the census does not list is told
 * so (no tries are counted: the provider vouched for the ID, nobody typed it).
 */
export async function verifyByEid(
  db: Db,
  scope: Scope,
  input: { nationalId: string | null; birthDate: string | null; now?: Date },
): Promise<{ verificationId: string; source: "census" | "census_service" | "direct" }> {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  const userId = actorUserId(scope);
  const [settings] = await db.select().from(eidSettings).where(eq(eidSettings.municipalityId, municipalityId));
  if (!settings || settings.trust === "off") throw new EidVerificationRefused("eid_not_trusted", null, {}, 403);
  if (!input.nationalId) throw new EidVerificationRefused("eid_no_id");
  const id = idChecker(await idRulesOf(db, scope))(input.nationalId);
  if (!id.ok) throw new EidVerificationRefused("eid_id_invalid");
  const claimedBirth = input.birthDate ? parseBirthDate(input.birthDate) : null;
  const hash = identityHash(await censusSecret(db, municipalityId), id.id);
  const service = settings.trust === "census" ? await censusServiceOf(db, { municipalityId }) : null;
  // The live service is asked before the transaction: no lock is held while it answers.
  const fromService = service
    ? await askCensusService(db, { municipalityId, service, nationalId: id.id, birthDate: claimedBirth })
    : undefined;
  return db
    .transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`verify:${userId}`}))`);
      if (await activeVerification(tx, { municipalityId, userId }))
        throw new EidVerificationRefused("already_verified", null, {}, 409);
      let source: "census" | "census_service" | "direct";
      let entry: { districtId: string; voterClass: string; birthDate: string | null };
      if (settings.trust === "direct") {
        if (!settings.defaultDistrictId || !settings.defaultVoterClass)
          throw new EidVerificationRefused("eid_not_trusted", null, {}, 403);
        entry = { districtId: settings.defaultDistrictId, voterClass: settings.defaultVoterClass, birthDate: null };
        source = "direct";
      } else if (fromService !== undefined) {
        if (!fromService) throw new EidVerificationRefused("eid_not_in_census", null, {}, 409);
        entry = fromService;
        source = "census_service";
      } else {
        const row = await censusEntry(tx, { municipalityId, identityHash: hash });
        if (!row) throw new EidVerificationRefused("eid_not_in_census", null, {}, 409);
        entry = row;
        source = "census";
      }
      const birthDate = entry.birthDate ?? claimedBirth;
      if (!birthDate) throw new EidVerificationRefused("eid_birth_date_missing");
      const verificationId = await verifyResidentFromEntry(tx, scope, {
        userId,
        method: "eid",
        identityHash: hash,
        birthDate,
        entry,
        action: "verification.eid",
        after: { method: "eid", source, voterClass: entry.voterClass },
        at: now,
      });
      return { verificationId, source };
    })
    .catch((error) => {
      if (isUniqueViolation(error)) throw new EidVerificationRefused("identity_taken", null, {}, 409);
      throw error;
    });
}

/** The municipality an e-ID sign-in was started from (its verify page), or null when it is gone. */
export async function eidMunicipality(
  db: Db,
  _scope: PlatformScope,
  input: { municipalityId: string },
): Promise<Municipality | null> {
  const [row] = await db.select().from(municipalities).where(eq(municipalities.id, input.municipalityId));
  return row ?? null;
}
