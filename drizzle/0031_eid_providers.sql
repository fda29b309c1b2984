-- A municipality's own OpenID Connect provider (ADR 0038): its residents sign in there instead of at
-- the installation's. The client secret is in the key store, never here.
CREATE TABLE "eid_providers" (
	"municipality_id" text PRIMARY KEY NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"issuer" text NOT NULL,
	"client_id" text NOT NULL,
	"scopes" text NOT NULL,
	"id_claim" text NOT NULL,
	"birth_date_claim" text NOT NULL,
	"label_en" text NOT NULL,
	"label_fa" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "eid_providers_issuer_idx" ON "eid_providers" ("issuer");
