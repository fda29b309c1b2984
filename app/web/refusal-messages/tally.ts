import type { TallyRefusal } from "../../services/tally/tally.server";
import type { RefusalMessages } from "../refusals.server";

/** Why a tally or a publication was refused, in the staff member's words. */
export const tallyMessages: RefusalMessages<TallyRefusal> = {
  round_not_found: "rounds.error.round_not_found",
  not_tallying: "rounds.error.not_tallying",
  already_published: "rounds.error.already_published",
  no_tally: "rounds.error.no_tally",
  tally_stale: "rounds.error.tally_stale",
  witness_quorum_missing: "rounds.error.witness_quorum_missing",
};
