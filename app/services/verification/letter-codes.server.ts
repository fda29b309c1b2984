/**
 * Letter codes: one-time codes mailed to census entries not yet verified. Only keyed hashes of the
 * codes are stored (docs/decisions/0005-verification-and-census.md).
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { censusImports, censusRecords, letterCodes, verifications } from "../../../db/schema";
import { dayIn } from "../../domain/rounds/phases";
import { type LetterRow, MAX_LETTER_BATCH, formatCode, normalizeCode } from "../../domain/verification/codes";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { type Scope, actorUserId } from "../scope";
import { districtsOf } from "../tenancy/municipality.server";
import { censusSecret } from "./census.server";
import { VerificationRefused } from "./verifications.server";

export function letterCodeHash(secret: string, canonicalCode: string): string {
  return createHmac("sha256", secret).update(`letter:${canonicalCode}`).digest("base64url");
}

/**
 * Generates one-time codes for census entries that are not yet verified (optionally one district).
 * Only keyed hashes of the codes are stored, so the returned list is the only copy: it goes straight
 * into the downloaded CSV. A new code replaces an entry's earlier unused code.
 */
export async function generateLetterCodes(
  db: Db,
  scope: Scope,
  input: { districtId: string | null; validDays: number; limit: number; now?: Date },
): Promise<{ batch: string; rows: LetterRow[] }> {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  if (!Number.isInteger(input.validDays) || input.validDays < 1 || input.validDays > 365) {
    throw new VerificationRefused("valid_days", "validDays");
  }
  if (!Number.isInteger(input.limit) || input.limit < 1 || input.limit > MAX_LETTER_BATCH) {
    throw new VerificationRefused("limit", "limit", { max: MAX_LETTER_BATCH });
  }
  const districtRows = await districtsOf(db, scope);
  if (input.districtId && !districtRows.some((d) => d.id === input.districtId)) {
    throw new VerificationRefused("district_unknown", "districtId");
  }
  const codeOf = new Map(districtRows.map((d) => [d.id, d.code]));
  const secret = await censusSecret(db, municipalityId);
  const expiresAt = new Date(now.getTime() + input.validDays * 86_400_000);
  const batch = randomBytes(6).toString("hex");
  return db.transaction(async (tx) => {
    const entries = await tx
      .select({
        identityHash: censusRecords.identityHash,
        line: censusRecords.line,
        districtId: censusRecords.districtId,
        voterClass: censusRecords.voterClass,
      })
      .from(censusRecords)
      .innerJoin(censusImports, eq(censusImports.id, censusRecords.importId))
      .where(
        and(
          eq(censusImports.municipalityId, municipalityId),
          eq(censusImports.status, "active"),
          input.districtId ? eq(censusRecords.districtId, input.districtId) : undefined,
          sql`not exists (select 1 from ${verifications} v where v.municipality_id = ${municipalityId}
                and v.identity_hash = ${censusRecords.identityHash} and v.revoked_at is null)`,
        ),
      )
      .orderBy(asc(censusRecords.line))
      .limit(input.limit);
    if (entries.length === 0) throw new VerificationRefused("no_entries", null, {}, 409);
    const rows: LetterRow[] = [];
    const expiresOn = dayIn(scope.municipality.timeZone, expiresAt);
    for (let start = 0; start < entries.length; start += 5000) {
      const slice = entries.slice(start, start + 5000);
      const values = slice.map((e) => {
        const code = formatCode(randomBytes(12));
        rows.push({
          line: e.line,
          district: codeOf.get(e.districtId) ?? "",
          voterClass: e.voterClass,
          code,
          expiresOn,
        });
        return {
          id: randomUUID(),
          municipalityId,
          codeHash: letterCodeHash(secret, normalizeCode(code)!),
          identityHash: e.identityHash,
          batch,
          createdBy: actorUserId(scope),
          createdAt: now,
          expiresAt,
        };
      });
      await tx.delete(letterCodes).where(
        and(
          eq(letterCodes.municipalityId, municipalityId),
          isNull(letterCodes.usedAt),
          inArray(
            letterCodes.identityHash,
            slice.map((e) => e.identityHash),
          ),
        ),
      );
      await tx.insert(letterCodes).values(values);
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "verification.letter_codes",
      target: `letters:${batch}`,
      after: { codes: rows.length, districtId: input.districtId, validDays: input.validDays },
      at: now,
    });
    return { batch, rows };
  });
}

/** Letter codes issued, used and still open (counts). */
export async function letterCodeCounts(db: Db, scope: Scope, input: { now?: Date } = {}) {
  const now = input.now ?? new Date();
  const [row] = await db
    .select({
      issued: sql<number>`count(*)::int`,
      used: sql<number>`count(${letterCodes.usedAt})::int`,
      open: sql<number>`count(*) filter (where ${letterCodes.usedAt} is null and ${letterCodes.expiresAt} > ${now})::int`,
    })
    .from(letterCodes)
    .where(eq(letterCodes.municipalityId, scope.municipality.id));
  return row;
}
