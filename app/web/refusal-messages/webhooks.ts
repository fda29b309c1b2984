import type { WebhookRefusal } from "../../services/webhooks/webhooks.server";
import type { RefusalMessages } from "../refusals.server";

/** Every webhook refusal code and its message (the compiler checks that none is missing). */
export const webhookMessages: RefusalMessages<WebhookRefusal> = {
  url_invalid: "webhooks.error.url_invalid",
  url_not_https: "webhooks.error.url_not_https",
  url_private: "webhooks.error.url_private",
  events_missing: "webhooks.error.events_missing",
  endpoint_not_found: "webhooks.error.endpoint_not_found",
  too_many: "webhooks.error.too_many",
};
