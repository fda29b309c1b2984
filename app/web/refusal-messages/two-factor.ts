import type { TwoFactorRefusal } from "../../services/accounts/two-factor.server";
import type { RefusalMessages } from "../refusals.server";

/** Every two-factor refusal code and its message (the compiler checks that none is missing). */
export const twoFactorMessages: RefusalMessages<TwoFactorRefusal> = {
  bad_code: "security.error.bad_code",
  throttled: "security.error.throttled",
  already_enrolled: "security.error.already_enrolled",
  not_enrolling: "security.error.not_enrolling",
  required: "security.error.required",
};
