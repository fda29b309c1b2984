import type { PrivacyRefusal } from "../../services/accounts/privacy.server";
import type { RefusalMessages } from "../refusals.server";

/** Every refusal code of one's own data and its message (the compiler checks that none is missing). */
export const privacyMessages: RefusalMessages<PrivacyRefusal> = {
  wrong_password: "privacy.error.wrong_password",
  staff_member: "privacy.error.staff_member",
};
