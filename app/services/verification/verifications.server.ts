/**
 * What every verification path shares: the refusal codes, the active verification of an account,
 * creating a verification, and the action-log fields. One person = one active verified account per
 * municipality: the partial unique indexes on `verifications` enforce it even when two requests race
 * (docs/decisions/0005-verification-and-census.md). National IDs and birth dates never appear in the
 * action log, pages or exports.
 */
import { randomUUID } from "node:crypto";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { municipalities, phases, rounds, verifications } from "../../../db/schema";
import { enqueueMessage } from "../mail/outbox.server";
import { recordAction } from "../action-log/action-log.server";
import type { VerificationMethod } from "../../../db/schema";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import type { IdProblem } from "../../domain/verification/ids";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";

/** Every reason a verification, census, letter-code or eligibility use case is refused. */
export type VerificationRefusal =
  | IdProblem
  | "birth_date_invalid"
  | "no_match"
  | "throttled"
  | "already_verified"
  | "address_unconfirmed"
  | "identity_taken"
  | "identity_revoked"
  | "identity_taken_staff"
  | "code_format"
  | "code_unknown"
  | "code_used"
  | "code_expired"
  | "not_in_census"
  | "class_invalid"
  | "district_unknown"
  | "districts_none"
  | "user_unknown"
  | "reason_required"
  | "reverify_reason"
  | "verification_unknown"
  | "lock_unknown"
  | "valid_days"
  | "limit"
  | "no_entries"
  | "round_unknown"
  | "frozen"
  | "class_code"
  | "class_weight"
  | "class_unknown"
  | "min_age"
  | "bad_pattern"
  | "bad_retention"
  | "import_running"
  | "file_missing"
  | "file_too_large"
  | "file_encoding"
  | "name_required"
  | "census_service_down";

/** `new VerificationRefused(code, field, params, status)`: a RefusedError whose code the compiler checks. */
export const VerificationRefused = RefusedError<VerificationRefusal>;
export type VerificationRefused = RefusedError<VerificationRefusal>;

export function isUniqueViolation(error: unknown): boolean {
  for (
    let e = error as { code?: string; cause?: unknown } | undefined, i = 0;
    e && i < 4;
    e = e.cause as typeof e, i++
  ) {
    if (e.code === "23505") return true;
  }
  return false;
}

export async function activeVerification(db: Db | Tx, input: { municipalityId: string; userId: string }) {
  const { municipalityId, userId } = input;
  const [row] = await db
    .select()
    .from(verifications)
    .where(
      and(
        eq(verifications.municipalityId, municipalityId),
        eq(verifications.userId, userId),
        isNull(verifications.revokedAt),
      ),
    );
  return row ?? null;
}

/** Refuses self-service for an identity whose latest verification was revoked (staff decide then). */
export async function assertIdentityFree(tx: Tx, input: { municipalityId: string; identityHash: string }) {
  const { municipalityId, identityHash: hash } = input;
  const [latest] = await tx
    .select({ revokedAt: verifications.revokedAt })
    .from(verifications)
    .where(and(eq(verifications.municipalityId, municipalityId), eq(verifications.identityHash, hash)))
    .orderBy(desc(verifications.verifiedAt))
    .limit(1);
  if (!latest) return;
  if (latest.revokedAt === null) throw new VerificationRefused("identity_taken", null, {}, 409);
  throw new VerificationRefused("identity_revoked", null, {}, 409);
}

export async function createVerification(
  tx: Tx,
  v: {
    municipalityId: string;
    userId: string;
    method: VerificationMethod;
    identityHash: string;
    birthDate: string;
    districtId: string;
    voterClass: string;
    verifiedBy: string | null;
    at: Date;
  },
) {
  const id = randomUUID();
  await tx.insert(verifications).values({ id, ...v, verifiedAt: v.at });
  await queueVerificationMessage(tx, { kind: "verification.verified", verificationId: id, ...v });
  return id;
}

/**
 * Tells a person, in the transaction that changed it, that their account was verified or its
 * verification revoked (ADR 0033): the municipality and nothing of the identity.
 */
export async function queueVerificationMessage(
  tx: Db | Tx,
  input: {
    kind: "verification.verified" | "verification.revoked";
    verificationId: string;
    municipalityId: string;
    userId: string;
    at: Date;
  },
) {
  const [town] = await tx
    .select({ name: municipalities.name, slug: municipalities.slug })
    .from(municipalities)
    .where(eq(municipalities.id, input.municipalityId));
  if (!town) return;
  await enqueueMessage(tx, {
    kind: input.kind,
    userId: input.userId,
    municipalityId: input.municipalityId,
    payload: { municipality: town.name, path: `/m/${town.slug}/verify` },
    idempotencyKey: `${input.kind}:${input.verificationId}:${input.userId}`,
    now: input.at,
  });
}

/** Rounds of the scope's municipality whose voting is open on `at`'s day, with the day voting opened. */
export async function openVoting(tx: Db | Tx, scope: Scope, at: Date) {
  const today = dayIn(scope.municipality.timeZone, at);
  const rows = await tx
    .select({
      roundId: phases.roundId,
      kind: phases.kind,
      startsOn: phases.startsOn,
      endsOn: phases.endsOn,
      closedAt: phases.closedAt,
    })
    .from(phases)
    .innerJoin(rounds, eq(rounds.id, phases.roundId))
    .where(eq(rounds.municipalityId, scope.municipality.id));
  const byRound = new Map<string, typeof rows>();
  for (const r of rows) byRound.set(r.roundId, [...(byRound.get(r.roundId) ?? []), r]);
  const open: { roundId: string; votingFrom: string }[] = [];
  for (const [roundId, list] of byRound) {
    const phase = currentPhase(list, today);
    if (phase?.kind === "voting") open.push({ roundId, votingFrom: phase.startsOn });
  }
  return open;
}

/**
 * A resident's own verification from a census entry (the uploaded census, the live census service or
 * the e-ID): refused for an identity already taken or revoked, created, and logged under `action`
 * with `after` (never the identity). Returns the verification's id.
 */
export async function verifyResidentFromEntry(
  tx: Tx,
  scope: Scope,
  input: {
    userId: string;
    method: VerificationMethod;
    identityHash: string;
    birthDate: string;
    entry: { districtId: string; voterClass: string };
    action: string;
    after: Record<string, unknown>;
    at: Date;
  },
) {
  const municipalityId = scope.municipality.id;
  await assertIdentityFree(tx, { municipalityId, identityHash: input.identityHash });
  const verificationId = await createVerification(tx, {
    municipalityId,
    userId: input.userId,
    method: input.method,
    identityHash: input.identityHash,
    birthDate: input.birthDate,
    districtId: input.entry.districtId,
    voterClass: input.entry.voterClass,
    verifiedBy: null,
    at: input.at,
  });
  await recordAction(tx, {
    ...residentLog(scope),
    action: input.action,
    target: `verification:${verificationId}`,
    after: input.after,
    at: input.at,
  });
  return verificationId;
}

/** The log entry of a resident's own verification: a fixed actor label, never the resident's name. */
export function residentLog(scope: Scope) {
  return {
    municipalityId: scope.municipality.id,
    municipalitySlug: scope.municipality.slug,
    actor: { id: actorUserId(scope), displayName: "resident" },
  };
}
