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
