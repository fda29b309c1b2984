import type { Translator } from "../../domain/i18n";
import type { VerificationRefusal } from "../../services/verification/verifications.server";
import { type RefusalMessages, refusalResponseFrom } from "../refusals.server";

/** Every verification refusal code and its message (the compiler checks that none is missing). */
export const verificationMessages: RefusalMessages<VerificationRefusal> = {
  id_missing: "verification.error.id_missing",
  id_format: "verification.error.id_format",
  id_checksum: "verification.error.id_checksum",
  id_pattern: "verification.error.id_pattern",
  birth_date_invalid: "verification.error.birth_date_invalid",
  no_match: "verification.error.no_match",
  throttled: "verification.error.throttled",
  already_verified: "verification.error.already_verified",
  address_unconfirmed: "confirm.required",
  identity_taken: "verification.error.identity_taken",
  identity_revoked: "verification.error.identity_revoked",
  identity_taken_staff: "verification.error.identity_taken_staff",
  code_format: "verification.error.code_format",
  code_unknown: "verification.error.code_unknown",
  code_used: "verification.error.code_used",
  code_expired: "verification.error.code_expired",
  not_in_census: "verification.error.not_in_census",
  class_invalid: "verification.error.class_invalid",
  district_unknown: "verification.error.district_unknown",
  districts_none: "verification.error.districts_none",
  user_unknown: "verification.error.user_unknown",
  reason_required: "verification.error.reason_required",
  reverify_reason: "verification.error.reverify_reason",
  verification_unknown: "verification.error.verification_unknown",
  lock_unknown: "verification.error.lock_unknown",
  valid_days: "verification.error.valid_days",
  limit: "verification.error.limit",
  no_entries: "verification.error.no_entries",
  round_unknown: "verification.error.round_unknown",
  frozen: "verification.error.frozen",
  class_code: "verification.error.class_code",
  class_weight: "verification.error.class_weight",
  class_unknown: "verification.error.class_unknown",
  min_age: "verification.error.min_age",
  bad_pattern: "verification.error.bad_pattern",
  bad_retention: "verification.error.bad_retention",
  import_running: "verification.error.import_running",
  file_missing: "verification.error.file_missing",
  file_too_large: "verification.error.file_too_large",
  file_encoding: "verification.error.file_encoding",
  name_required: "verification.error.name_required",
  census_service_down: "eid.error.census_service_down",
};

/**
 * A refused verification, census, letter-code or eligibility use case as the form failure a route
 * returns. The national ID and birth date typed are never sent back to the page.
 */
export function verificationRefusal(error: unknown, t: Translator, values: Record<string, string>) {
  const { nationalId: _id, birthDate: _birth, ...safe } = values;
  return refusalResponseFrom(error, t, safe, verificationMessages);
}
