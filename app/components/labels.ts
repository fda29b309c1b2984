/**
 * The message of each value a page shows by name (phases, kinds, statuses, stances), so a page never
 * builds a message key from a value: the compiler checks every value has its message.
 */
import type { MessageKey } from "../domain/i18n";
import type { Locale } from "../domain/i18n/locales";
import type { ImplementationStatus } from "../domain/implementation/implementation";
import type { PhaseKind } from "../domain/rounds/phases";

export const phaseLabel: Record<PhaseKind, MessageKey> = {
  information: "phase.information",
  proposals: "phase.proposals",
  review: "phase.review",
  voting: "phase.voting",
  tallying: "phase.tallying",
  published: "phase.published",
  implementation: "phase.implementation",
};

export const roundKindLabel: Record<"budgeting" | "consultation", MessageKey> = {
  budgeting: "round.kind.budgeting",
  consultation: "round.kind.consultation",
};

export const proposalStatusLabel: Record<
  "submitted" | "accepted" | "rejected" | "withdrawn" | "selected" | "funded",
  MessageKey
> = {
  submitted: "rounds.proposal.status.submitted",
  accepted: "rounds.proposal.status.accepted",
  rejected: "rounds.proposal.status.rejected",
  withdrawn: "rounds.proposal.status.withdrawn",
  selected: "rounds.proposal.status.selected",
  funded: "rounds.proposal.status.funded",
};

export const implementationStatusLabel: Record<ImplementationStatus, MessageKey> = {
  planned: "implementation.status.planned",
  in_progress: "implementation.status.in_progress",
  completed: "implementation.status.completed",
  cancelled: "implementation.status.cancelled",
};

export const stanceLabel: Record<"for" | "neutral" | "against", MessageKey> = {
  for: "comments.stance.for",
  neutral: "comments.stance.neutral",
  against: "comments.stance.against",
};

export const localeLabel: Record<Locale, MessageKey> = { en: "locale.en", fa: "locale.fa" };

export const roleLabel: Record<"staff" | "admin" | "resident" | "platformAdmin", MessageKey> = {
  staff: "role.staff",
  admin: "role.admin",
  resident: "role.resident",
  platformAdmin: "role.platformAdmin",
};

export type Channel = "online" | "paper";

export const channelLabel: Record<Channel, MessageKey> = {
  online: "results.channel.online",
  paper: "results.channel.paper",
};

/** Actions of the public action log by name; an action missing here is shown by its code. */
export const actionLabel: Record<string, MessageKey> = {
  "outbox.retry": "actionLog.name.outbox.retry",
  "envelope.order": "actionLog.name.envelope.order",
  "account.delete": "actionLog.name.account.delete",
  "ballot.paper": "actionLog.name.ballot.paper",
  "census.id_scheme": "actionLog.name.census.id_scheme",
  "census.import": "actionLog.name.census.import",
  "census.import_refused": "actionLog.name.census.import_refused",
  "comment.hide": "actionLog.name.comment.hide",
  "comment.restore": "actionLog.name.comment.restore",
  "envelope.create": "actionLog.name.envelope.create",
  "envelope.update": "actionLog.name.envelope.update",
  "envelope.delete": "actionLog.name.envelope.delete",
  "implementation.update": "actionLog.name.implementation.update",
  "proposal.create": "actionLog.name.proposal.create",
  "proposal.official_response": "actionLog.name.proposal.official_response",
  "proposal.review": "actionLog.name.proposal.review",
  "round.advance_phase": "actionLog.name.round.advance_phase",
  "round.create": "actionLog.name.round.create",
  "round.eligibility": "actionLog.name.round.eligibility",
  "round.publish": "actionLog.name.round.publish",
  "round.update": "actionLog.name.round.update",
  "round.voter_class": "actionLog.name.round.voter_class",
  "round.voter_class_delete": "actionLog.name.round.voter_class_delete",
  "survey.question.add": "actionLog.name.survey.question.add",
  "survey.question.delete": "actionLog.name.survey.question.delete",
  "survey.question.move": "actionLog.name.survey.question.move",
  "tally.run": "actionLog.name.tally.run",
  "update_comment.hide": "actionLog.name.update_comment.hide",
  "verification.census": "actionLog.name.verification.census",
  "verification.census_unlock": "actionLog.name.verification.census_unlock",
  "verification.letter": "actionLog.name.verification.letter",
  "verification.letter_codes": "actionLog.name.verification.letter_codes",
  "verification.move": "actionLog.name.verification.move",
  "verification.revoke": "actionLog.name.verification.revoke",
  "verification.staff": "actionLog.name.verification.staff",
  "witness.add": "actionLog.name.witness.add",
  "witness.pause": "actionLog.name.witness.pause",
  "witness.resume": "actionLog.name.witness.resume",
  "witness.remove": "actionLog.name.witness.remove",
  "witness.quorum": "actionLog.name.witness.quorum",
  "staff.add": "actionLog.name.staff.add",
  "staff.role": "actionLog.name.staff.role",
  "staff.remove": "actionLog.name.staff.remove",
};
