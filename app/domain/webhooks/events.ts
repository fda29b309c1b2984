/** The events a municipality's webhooks may subscribe to (ADR 0040); no Node modules, for pages too. */
export const webhookEvents = [
  "round.phase_changed",
  "round.results_published",
  "proposal.status_changed",
  "implementation.updated",
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export const isWebhookEvent = (value: string): value is WebhookEvent =>
  (webhookEvents as readonly string[]).includes(value);
