import type { MembershipRefusal } from "../../services/accounts/memberships.server";
import type { RefusalMessages } from "../refusals.server";

/** Every membership refusal code and its message (the compiler checks that none is missing). */
export const membershipMessages: RefusalMessages<MembershipRefusal> = {
  staff_email_missing: "members.error.staff_email_missing",
  staff_no_account: "members.error.staff_no_account",
  staff_already: "members.error.staff_already",
  staff_role: "members.error.staff_role",
  staff_not_member: "members.error.staff_not_member",
  staff_self: "members.error.staff_self",
  staff_last_admin: "members.error.staff_last_admin",
};
