import type { PhoneRefusal } from "../../services/accounts/phones.server";
import type { RefusalMessages } from "../refusals.server";

/** What a person reads when a phone number or its code is refused (ADR 0025). */
export const phoneRefusals: RefusalMessages<PhoneRefusal> = {
  bad_phone: "phone.error.bad_phone",
  too_soon: "phone.error.too_soon",
  no_code: "phone.error.no_code",
  code_expired: "phone.error.code_expired",
  code_wrong: "phone.error.code_wrong",
  too_many: "phone.error.too_many",
  phone_taken: "phone.error.phone_taken",
};
