/** Census lists (valid Iranian national codes), their import and residents verified from them. */
import type { Db } from "../../../db/client";
import { scopeOf, userActor } from "../../../app/services/scope";
import { withIranianCheckDigit } from "../../../app/domain/verification/ids";
import { importCensus } from "../../../app/services/verification/census.server";
import { generateLetterCodes } from "../../../app/services/verification/letter-codes.server";
import { verifyByCensus } from "../../../app/services/verification/self-verification.server";
import { staffVerify } from "../../../app/services/verification/staff-verification.server";
import type { SessionUser } from "../../../app/web/session.server";
import type { Member } from "./accounts";

export interface CensusRow {
  nationalId: string;
  birthDate: string;
  district: string;
  voterClass: string;
}

/** A valid Iranian national code made from a number. */
export function nationalId(n: number): string {
  return withIranianCheckDigit(String(n).padStart(9, "0"));
}

/**
 * `count` people with distinct valid national codes from `first`, `step` apart; birth dates, districts
 * and classes cycle through the given lists.
 */
export function censusRows(input: {
  count: number;
  first?: number;
  step?: number;
  districts?: string[];
  classes?: string[];
  birthDate?: (i: number) => string;
}): CensusRow[] {
  const districts = input.districts ?? ["north", "south", "center"];
  const classes = input.classes ?? ["resident"];
  const birthDate =
    input.birthDate ??
    ((i: number) =>
      `${1950 + (i % 55)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`);
  return Array.from({ length: input.count }, (_, i) => ({
    nationalId: nationalId((input.first ?? 300_000_000) + i * (input.step ?? 37)),
    birthDate: birthDate(i),
    district: districts[i % districts.length],
    voterClass: classes[i % classes.length],
  }));
}

/** The census file as staff upload it. */
export function censusCsv(rows: readonly (CensusRow | readonly [string, string, string, string])[]): string {
  const line = (r: CensusRow | readonly [string, string, string, string]) =>
    Array.isArray(r)
      ? r.join(",")
      : [
          (r as CensusRow).nationalId,
          (r as CensusRow).birthDate,
          (r as CensusRow).district,
          (r as CensusRow).voterClass,
        ].join(",");
  return `national_id,birth_date,district,voter_class\n${rows.map(line).join("\n")}\n`;
}

/** Imports the census through the administrator's service; throws unless it became the active one. */
export async function makeCensus(db: Db, input: { by: Member; rows: readonly CensusRow[] | string }) {
  const text = typeof input.rows === "string" ? input.rows : censusCsv(input.rows);
  const imported = await importCensus(db, input.by, { fileName: "census.csv", text, skipBadRows: false });
  if (imported.status !== "active") throw new Error(`census import ${imported.status}`);
  return imported;
}

/** The resident verifies themselves against a census row (the municipality's census must hold it). */
export async function verifyVoter(
  db: Db,
  input: {
    municipality: Member["municipality"];
    user: Pick<SessionUser, "id">;
    person: Pick<CensusRow, "nationalId" | "birthDate">;
  },
) {
  return verifyByCensus(db, scopeOf(input.municipality, userActor(input.user)), {
    nationalId: input.person.nationalId,
    birthDate: input.person.birthDate,
  });
}

/** A batch of unused letter codes (for residents without a census match), made by the administrator. */
export async function makeLetterCodes(
  db: Db,
  input: { by: Member; count: number; districtId?: string | null; validDays?: number },
): Promise<string[]> {
  const batch = await generateLetterCodes(db, input.by, {
    districtId: input.districtId ?? null,
    validDays: input.validDays ?? 30,
    limit: input.count,
  });
  return batch.rows.map((r) => r.code);
}

/** Staff verify a resident in person (the ID checked and hashed; district and class chosen by staff). */
export async function verifyInPerson(
  db: Db,
  input: {
    by: Member;
    user: Pick<SessionUser, "id">;
    person: Pick<CensusRow, "nationalId" | "birthDate">;
    districtId: string;
    voterClass?: string;
  },
): Promise<string> {
  const { verificationId } = await staffVerify(db, input.by, {
    userId: input.user.id,
    nationalId: input.person.nationalId,
    birthDate: input.person.birthDate,
    districtId: input.districtId,
    voterClass: input.voterClass ?? "resident",
  });
  return verificationId;
}
