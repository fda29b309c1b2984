/**
 * A municipality's live census service (ADR 0038): an HTTPS endpoint that answers whether a national
 * ID (and birth date) is a resident's, and of which district and class. Shora asks at verification
 * time with a timeout and its credential (kept in the key store, never in the database); the raw ID is
 * sent to the service only, and only its keyed hash is kept, as on the CSV path.
 */
import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { createKeyOnce, destroyKey, readKey } from "../../../db/keystore";
import { districts, eidSettings } from "../../../db/schema";
import { RefusedError } from "../errors.server";

export const censusCredentialName = (municipalityId: string) =>
  `municipality-${municipalityId}.census-service-credential`;

/** Replaces (or, with null, removes) the census service's credential in the key store. */
export function storeCensusCredential(municipalityId: string, credential: string | null) {
  destroyKey(censusCredentialName(municipalityId));
  if (credential) createKeyOnce(censusCredentialName(municipalityId), credential);
}

export function hasCensusCredential(municipalityId: string): boolean {
  return readKey(censusCredentialName(municipalityId)) !== null;
}

/** The service could not be asked or gave no usable answer; nothing was decided about the person. */
export class CensusServiceDown extends RefusedError<"census_service_down"> {
  constructor(readonly reason: string) {
    super("census_service_down", null, {}, 503);
  }
}

export interface ServiceEntry {
  districtId: string;
  voterClass: string;
  birthDate: string | null;
}

/** The municipality's service, or null when it uses the uploaded census. */
export async function censusServiceOf(db: Db | Tx, input: { municipalityId: string }) {
  const [row] = await db
    .select({ url: eidSettings.censusServiceUrl, timeoutMs: eidSettings.censusServiceTimeoutMs })
    .from(eidSettings)
    .where(eq(eidSettings.municipalityId, input.municipalityId));
  return row?.url ? { url: row.url, timeoutMs: row.timeoutMs } : null;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Asks the service about one person. A "no" is null; a timeout, a refused connection, a status other
 * than 200, an answer that is not the agreed JSON or names an unknown district is `CensusServiceDown`.
 */
export async function askCensusService(
  db: Db | Tx,
  input: {
    municipalityId: string;
    service: { url: string; timeoutMs: number };
    nationalId: string;
    birthDate: string | null;
  },
): Promise<ServiceEntry | null> {
  const credential = readKey(censusCredentialName(input.municipalityId));
  let answer: unknown;
  try {
    const response = await fetch(input.service.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      },
      body: JSON.stringify({ nationalId: input.nationalId, birthDate: input.birthDate }),
      signal: AbortSignal.timeout(input.service.timeoutMs),
      redirect: "error",
    });
    if (response.status !== 200) throw new CensusServiceDown(`status ${response.status}`);
    answer = await response.json();
  } catch (error) {
    if (error instanceof CensusServiceDown) throw error;
    throw new CensusServiceDown(error instanceof Error ? error.name : "error");
  }
  const a = answer as { resident?: unknown; district?: unknown; voterClass?: unknown; birthDate?: unknown };
  if (a === null || typeof a !== "object" || typeof a.resident !== "boolean") throw new CensusServiceDown("shape");
  if (!a.resident) return null;
  if (typeof a.district !== "string" || typeof a.voterClass !== "string" || a.voterClass === "")
    throw new CensusServiceDown("shape");
  const districtId = await districtIdOf(db, input.municipalityId, a.district);
  if (!districtId) throw new CensusServiceDown("district");
  const birthDate = typeof a.birthDate === "string" && DATE.test(a.birthDate) ? a.birthDate : null;
  return { districtId, voterClass: a.voterClass, birthDate };
}

async function districtIdOf(db: Db | Tx, municipalityId: string, code: string): Promise<string | null> {
  const [row] = await db
    .select({ id: districts.id })
    .from(districts)
    .where(and(eq(districts.municipalityId, municipalityId), eq(districts.code, code)));
  return row?.id ?? null;
}
