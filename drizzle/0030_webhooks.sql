-- Outgoing webhooks (ADR 0040): the addresses a municipality registered for public events. Each
-- endpoint's signing secret lives in the key store, never here. Deliveries are outbox rows of the
-- channel "webhook" (ADR 0025): same worker, lease, back-off and failed/retry as e-mail and SMS.
CREATE TABLE "webhook_endpoints" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"url" text NOT NULL,
	"events" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" text REFERENCES "users"("id") ON DELETE set null,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_attempt_at" timestamp with time zone,
	"last_status" integer,
	"last_error" text
);
--> statement-breakpoint
CREATE INDEX "webhook_endpoints_municipality_idx" ON "webhook_endpoints" ("municipality_id");
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "webhook_endpoint_id" text REFERENCES "webhook_endpoints"("id") ON DELETE cascade;
--> statement-breakpoint
CREATE INDEX "outbox_webhook_endpoint_idx" ON "outbox" ("webhook_endpoint_id", "created_at");
