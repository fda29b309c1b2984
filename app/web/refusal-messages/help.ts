import type { HelpRefusal } from "../../services/help/local-pages.server";
import type { RefusalMessages } from "../refusals.server";

/** Every refusal code of the local help pages and its message (the compiler checks that none is missing). */
export const helpMessages: RefusalMessages<HelpRefusal> = {
  help_staff_only: "help.error.staff_only",
  help_slug: "help.error.slug",
  help_slug_taken: "help.error.slug_taken",
  help_title: "help.error.title",
  help_body: "help.error.body",
  help_not_found: "help.error.not_found",
};
