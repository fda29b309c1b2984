/**
 * Every refusal code of rounds, proposals, comments, surveys and implementation tracking mapped to its
 * message (the compiler checks that none is missing), and the labels those messages name.
 */
import { json } from "@remix-run/node";
import type { Translator } from "../../domain/i18n";
import type { PhaseKind } from "../../domain/rounds/phases";
import type { RuleViolation } from "../../domain/rounds/rules";
import { ViolationsError } from "../../services/errors.server";
import type { ImplementationRefusal } from "../../services/implementation/implementation.server";
import { SurveyProblems, type SurveyRefusal } from "../../services/participation/surveys.server";
import type { CommentRefusal } from "../../services/proposals/comments.server";
import type { RoundRefusal } from "../../services/rounds/rounds-admin.server";
import type { FieldErrors, FormFailure } from "../forms.server";
import { type RefusalMessages, refusalResponseFrom } from "../refusals.server";
import { phaseLabel } from "../../components/labels";

export const roundMessages: RefusalMessages<RoundRefusal> = {
  round_not_found: "rounds.error.round_not_found",
  slug_taken: "rounds.error.slug_taken",
  published: "rounds.error.published",
  voting_closed: "rounds.error.voting_closed",
  voting_end_later: "rounds.error.voting_end_later",
  voting_end_past: "rounds.error.voting_end_past",
  no_next_phase: "rounds.error.no_next_phase",
  phase_started_today: "rounds.error.phase_started_today",
  phase_passed: "staff.error.phase_passed",
  not_voting: "staff.error.not_voting",
  publish_first: "staff.error.publish_first",
  frozen: "rounds.error.frozen",
  envelope_not_found: "rounds.error.envelope_not_found",
  envelope_has_proposals: "rounds.error.envelope_has_proposals",
  envelope_unknown: "rounds.error.envelope_unknown",
  not_reviewable: "rounds.error.not_reviewable",
  proposal_not_found: "rounds.error.proposal_not_found",
  no_proposals_in_consultation: "rounds.error.no_proposals_in_consultation",
  not_proposals_phase: "rounds.error.not_proposals_phase",
  may_not_propose: "rounds.error.may_not_propose",
  not_author: "rounds.error.not_author",
  not_editable: "rounds.error.not_editable",
  not_withdrawable: "rounds.error.not_withdrawable",
  theme_not_found: "themes.error.not_found",
  theme_unknown: "themes.error.unknown",
};

export const ruleViolationMessages: RefusalMessages<RuleViolation["code"]> = {
  phase_dates_reversed: "rounds.error.phase_dates_reversed",
  phase_overlap: "rounds.error.phase_overlap",
  phase_duplicate: "rounds.error.phase_duplicate",
  phase_bad_date: "rounds.error.phase_bad_date",
  phase_half: "rounds.error.phase_half",
  no_phases: "rounds.error.no_phases",
  amount_not_positive: "rounds.error.amount_not_positive",
  min_over_max: "rounds.error.min_over_max",
  points_only_cumulative: "rounds.error.points_only_cumulative",
  points_required: "rounds.error.points_required",
  k_required: "rounds.error.k_required",
  k_over_proposals: "rounds.error.k_over_proposals",
  share_out_of_range: "rounds.error.share_out_of_range",
  count_negative: "rounds.error.count_negative",
};

/** What residents are told on a proposal's page. */
export const commentMessages: RefusalMessages<Exclude<CommentRefusal, "moderation_reason">> = {
  comment_empty: "comments.error.comment_empty",
  comment_too_long: "comments.error.comment_too_long",
  comment_verified_only: "comments.error.comment_verified_only",
  comment_parent_unknown: "comments.error.comment_parent_unknown",
  comment_unknown: "comments.error.comment_unknown",
  comment_not_yours: "comments.error.comment_not_yours",
  comment_edit_window: "comments.error.comment_edit_window",
  comment_hidden: "comments.error.comment_hidden",
  comment_flag_own: "comments.error.comment_flag_own",
  comment_flagged_already: "comments.error.comment_flagged_already",
};

/** What staff are told in the moderation queue. */
export const moderationMessages: RefusalMessages<Extract<CommentRefusal, "comment_unknown" | "moderation_reason">> = {
  comment_unknown: "moderation.error.comment_unknown",
  moderation_reason: "moderation.error.moderation_reason",
};

export const surveyMessages: RefusalMessages<SurveyRefusal> = {
  round_not_found: "survey.error.round_not_found",
  survey_kind: "survey.error.survey_kind",
  survey_prompt: "survey.error.survey_prompt",
  survey_options: "survey.error.survey_options",
  survey_answered: "survey.error.survey_answered",
  survey_question_unknown: "survey.error.survey_question_unknown",
  survey_closed: "survey.error.survey_closed",
  survey_verified_only: "survey.error.survey_verified_only",
  survey_required: "survey.error.survey_required",
  survey_text_long: "survey.error.survey_text_long",
  survey_scale: "survey.error.survey_scale",
  survey_option: "survey.error.survey_option",
};

export const implementationMessages: RefusalMessages<ImplementationRefusal> = {
  cancelled_is_final: "implementation.error.cancelled_is_final",
  completed_is_final: "implementation.error.completed_is_final",
  cancel_needs_reason: "implementation.error.cancel_needs_reason",
  progress_range: "implementation.error.progress_range",
  completed_needs_100: "implementation.error.completed_needs_100",
  progress_backwards: "implementation.error.progress_backwards",
  spent_negative: "implementation.error.spent_negative",
  proposal_not_found: "implementation.error.proposal_not_found",
  not_funded: "implementation.error.not_funded",
  update_not_found: "implementation.error.update_not_found",
  comment_not_found: "implementation.error.comment_not_found",
};

function isPhase(value: unknown): value is PhaseKind {
  return typeof value === "string" && Object.hasOwn(phaseLabel, value);
}

/** A rule violation's values for its message, phases by their name in the user's language. */
export function violationParams(
  params: Record<string, string | number>,
  t: Translator,
): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params))
    out[key] = (key === "phase" || key === "previous") && isPhase(value) ? t(phaseLabel[value]) : value;
  return out;
}

/**
 * A refused round, envelope or proposal change as the form failure the route returns: every broken
 * rule on its field (400), or the refusal's own status and message.
 */
export function roundRefusalResponse(error: unknown, t: Translator, values: Record<string, string>) {
  if (error instanceof ViolationsError) {
    const errors: FieldErrors = {};
    for (const v of error.violations)
      errors[v.field] ??= t(ruleViolationMessages[v.code], violationParams(v.params ?? {}, t));
    return json<FormFailure>({ errors, values }, { status: 400 });
  }
  return refusalResponseFrom(error, t, values, roundMessages);
}

/** Every problem of a refused survey question or set of answers, on its field; null for other errors. */
export function surveyProblemErrors(error: unknown, t: Translator): FieldErrors | null {
  if (!(error instanceof SurveyProblems)) return null;
  const errors: FieldErrors = {};
  for (const p of error.problems) errors[p.field] ??= t(surveyMessages[p.code], p.params);
  return errors;
}
