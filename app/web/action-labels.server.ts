/**
 * The public action log's actions by name, translated by the log page's loader: the browser never
 * looks these strings up, so pages outside the dashboards do not download them
 * (app/tooling/resident-keys.ts leaves server modules out).
 */
import type { MessageKey } from "../domain/i18n";

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
