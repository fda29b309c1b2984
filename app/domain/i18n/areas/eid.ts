/** UI strings of sign-in with the national e-ID and verification from it (merged into en.ts / fa.ts; ADR 0038). */
export const eidEn = {
  "eid.login.or": "Or, with the identity you use for other public services:",
  "eid.error.title": "The sign-in with the e-ID did not finish",
  "eid.error.back": "Back to sign-in",
  "eid.error.cancelled": "You cancelled the sign-in at the identity provider. Nothing was changed.",
  "eid.error.no_login": "This sign-in has expired or was started in another browser. Please start it again.",
  "eid.error.rejected":
    "The identity provider's answer failed Shora's checks, so you were not signed in. Please start again; if it happens again, tell the council.",
  "eid.error.provider_error": "The identity provider reported a problem ({code}). Please try again later.",
  "eid.error.unavailable":
    "The identity provider cannot be reached right now. Please try again later, or sign in with your password.",
  "eid.error.not_configured": "Sign-in with an e-ID is not set up on this site.",
  "eid.error.no_email": "The identity provider did not share an e-mail address, which your Shora account needs.",
  "eid.error.account_closed": "The account linked to this e-ID was deleted.",
  "eid.error.invalid_credentials": "That password is not right for this account.",
  "eid.error.throttled": "Too many tries. Please wait a few minutes and try again.",
  "eid.error.census_service_down":
    "The census service cannot be reached right now, so your details cannot be checked. Please try again later, or use a letter code or come in person.",
  "eid.error.eid_not_trusted": "This municipality does not verify residents from the e-ID.",
  "eid.error.eid_no_id": "The identity provider did not share your national ID, so you could not be verified.",
  "eid.error.eid_id_invalid": "The national ID the identity provider shared is not one this municipality accepts.",
  "eid.error.eid_not_in_census":
    "The census does not list the national ID from your e-ID. If you live here, use a letter code or come in person.",
  "eid.error.eid_birth_date_missing":
    "The identity provider did not share your birth date, so you could not be verified.",
  "eid.error.already_verified": "You are already verified in this municipality.",
  "eid.error.identity_taken":
    "This identity is already verified on another account. If that is not yours, contact the council.",
  "eid.error.identity_revoked": "The verification of this identity was revoked; council staff decide about it.",
  "eid.error.default_class_required": "Direct verification needs a default voter class.",
  "eid.error.default_district_required": "Direct verification needs a default district.",
  "eid.error.district_unknown": "There is no district with this code.",
  "eid.error.service_url": "The census service address must start with https:// (and carry no user name or password).",
  "eid.error.service_timeout": "The waiting time must be a whole number of milliseconds from 100 to 30000.",
  "eid.link.title": "Link your e-ID to your account",
  "eid.link.intro":
    "An account with the address {email} already exists. Give its password once to link your e-ID to it; after that, the e-ID signs you in.",
  "eid.link.submit": "Link and sign in",
  "eid.verify.title": "Verify with the national e-ID",
  "eid.verify.intro":
    "Sign in at the identity provider: your national ID is checked there, and you do not type it here.",
  "eid.verify.done": "You are now verified through your e-ID.",
  "eid.admin.title": "e-ID and census service",
  "eid.admin.intro":
    "Whether the national ID the identity provider asserts verifies residents, and a live census service to ask instead of the uploaded census.",
  "eid.admin.provider": "Identity provider of this installation: {issuer}",
  "eid.admin.noProvider": "No identity provider is configured for this installation (see the README).",
  "eid.admin.trust": "Verification from the e-ID",
  "eid.admin.trust.off": "Off: the e-ID only signs people in",
  "eid.admin.trust.census": "Match the census: district and class from the census",
  "eid.admin.trust.direct": "Trust the e-ID directly, with the default district and class",
  "eid.admin.defaultClass": "Default voter class",
  "eid.admin.defaultDistrict": "Default district (code)",
  "eid.admin.serviceUrl": "Census service address (https://…; empty: the uploaded census)",
  "eid.admin.timeout": "Waiting time for the census service (milliseconds)",
  "eid.admin.credential": "Census service credential (sent as a bearer token; empty: keep the stored one)",
  "eid.admin.credentialSet": "A credential is stored.",
  "eid.admin.credentialNone": "No credential is stored.",
  "eid.admin.clearCredential": "Remove the stored credential",
  "eid.admin.save": "Save",
  "eid.admin.saved": "Saved.",
  "eid.admin.link": "e-ID and census service",
  "actionLog.name.verification.eid": "Verified through the e-ID",
  "actionLog.name.verification.eid_settings": "e-ID and census service settings changed",
  "verification.method.eid": "through the national e-ID",
  "eid.error.linked_elsewhere":
    "This e-ID is already linked to another Shora account. Sign out and sign in with the e-ID to use that account.",
};
