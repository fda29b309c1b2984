import type { PaperFileProblem } from "../../domain/ballots/paper";
import type { PaperRefusal } from "../../services/ballots/paper-ballots.server";
import type { RefusalMessages } from "../refusals.server";

/** Why a paper ballot was refused, in the staff member's words (broken envelope rules are named apart). */
export const paperMessages: RefusalMessages<PaperRefusal> = {
  round_unknown: "paper.error.round_unknown",
  empty: "paper.error.empty",
  too_many: "paper.error.too_many",
  envelope_unknown: "paper.error.envelope_unknown",
  id_missing: "verification.error.id_missing",
  id_format: "verification.error.id_format",
  id_checksum: "verification.error.id_checksum",
  id_pattern: "verification.error.id_pattern",
  not_in_census: "paper.error.not_in_census",
  birth_date_invalid: "verification.error.birth_date_invalid",
  birth_date_mismatch: "paper.error.birth_date_mismatch",
  not_eligible_district: "paper.error.not_eligible_district",
  not_eligible_age: "paper.error.not_eligible_age",
  not_eligible_class: "paper.error.not_eligible_class",
  not_eligible_other: "paper.error.not_eligible_other",
  wrong_district: "paper.error.wrong_district",
  choices_empty: "paper.error.choices_empty",
  choice_unknown: "paper.error.choice_unknown",
  choice_points: "paper.error.choice_points",
  choice_repeated: "paper.error.choice_repeated",
  invalid_ballot: "vote.error.invalid_ballot",
  round_closed: "vote.error.round_closed",
  bad_weight: "vote.error.bad_weight",
  not_voting: "paper.error.not_voting",
  not_eligible: "vote.error.not_eligible",
  already_voted_online: "paper.error.already_voted_online",
  already_voted_paper: "paper.error.already_voted_paper",
};

/** Problems of the CSV file itself, by code. */
export const paperFileMessages = {
  header: "paper.error.header",
  quote: "paper.error.quote",
  long: "paper.error.long",
  columns: "paper.error.columns",
  empty: "paper.error.empty",
  too_many: "paper.error.too_many",
} as const satisfies RefusalMessages<PaperFileProblem["code"]>;
