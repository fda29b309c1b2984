import type { EidRefusal } from "../../services/eid/eid-login.server";
import type { EidProviderRefusal } from "../../services/eid/municipality-provider.server";
import type { EidVerificationRefusal } from "../../services/eid/eid-verification.server";
import type { RefusalMessages } from "../refusals.server";

/** Every e-ID sign-in refusal and its message (the compiler checks that none is missing). */
export const eidLoginMessages: RefusalMessages<EidRefusal> = {
  not_configured: "eid.error.not_configured",
  no_login: "eid.error.no_login",
  cancelled: "eid.error.cancelled",
  provider_error: "eid.error.provider_error",
  rejected: "eid.error.rejected",
  unavailable: "eid.error.unavailable",
  no_email: "eid.error.no_email",
  account_closed: "eid.error.account_closed",
  linked_elsewhere: "eid.error.linked_elsewhere",
  invalid_credentials: "eid.error.invalid_credentials",
  throttled: "eid.error.throttled",
};

/** Every refusal of verification from the e-ID and of its settings, and its message. */
export const eidVerificationMessages: RefusalMessages<EidVerificationRefusal> = {
  eid_not_trusted: "eid.error.eid_not_trusted",
  eid_no_id: "eid.error.eid_no_id",
  eid_id_invalid: "eid.error.eid_id_invalid",
  eid_not_in_census: "eid.error.eid_not_in_census",
  eid_birth_date_missing: "eid.error.eid_birth_date_missing",
  already_verified: "eid.error.already_verified",
  identity_taken: "eid.error.identity_taken",
  identity_revoked: "eid.error.identity_revoked",
  census_service_down: "eid.error.census_service_down",
  default_class_required: "eid.error.default_class_required",
  default_district_required: "eid.error.default_district_required",
  district_unknown: "eid.error.district_unknown",
  service_url: "eid.error.service_url",
  service_timeout: "eid.error.service_timeout",
};

/** Every refusal of a municipality's own provider settings, and its message. */
export const eidProviderMessages: RefusalMessages<EidProviderRefusal> = {
  provider_issuer: "eid.error.provider_issuer",
  provider_client_id: "eid.error.provider_client_id",
  provider_scopes: "eid.error.provider_scopes",
  provider_claim: "eid.error.provider_claim",
  provider_label: "eid.error.provider_label",
};
