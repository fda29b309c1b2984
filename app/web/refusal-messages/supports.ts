/** Every refusal code of supports and merges mapped to its message (the compiler checks none is missing). */
import type { SupportRefusal } from "../../services/proposals/supports.server";
import type { RefusalMessages } from "../refusals.server";
import type { Translator } from "../../domain/i18n";
import { RefusedError } from "../../services/errors.server";

export const supportMessages: RefusalMessages<SupportRefusal> = {
  support_round_not_found: "supports.error.round_not_found",
  support_proposal_not_found: "supports.error.proposal_not_found",
  supports_closed: "supports.error.closed",
  support_not_eligible: "supports.error.not_eligible",
  support_threshold_invalid: "supports.error.threshold_invalid",
  merge_same: "merge.error.same",
  merge_not_mergeable: "merge.error.not_mergeable",
  merge_frozen: "merge.error.frozen",
};

/** A refused support or merge as its message and status; anything else is thrown on (a 500 for the logs). */
export function supportRefusal(error: unknown, t: Translator): { message: string; status: number } {
  if (!(error instanceof RefusedError) || !Object.hasOwn(supportMessages, error.code)) throw error;
  return { message: t(supportMessages[error.code as SupportRefusal]), status: error.status };
}
