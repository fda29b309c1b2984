import type { BallotRefusal } from "../../services/ballots/ballots.server";
import type { RefusalMessages } from "../refusals.server";

/** Why a ballot was refused, in the voter's words (the broken envelope rules are named one by one). */
export const ballotMessages: RefusalMessages<BallotRefusal> = {
  invalid_ballot: "vote.error.invalid_ballot",
  round_closed: "vote.error.round_closed",
  bad_weight: "vote.error.bad_weight",
  not_voting: "vote.error.not_voting",
  not_eligible: "vote.error.not_eligible",
  already_voted_online: "vote.error.already_voted_online",
  already_voted_paper: "vote.error.already_voted_paper",
};
