-- Sign-in with an OpenID Connect provider, verification from its national-ID claim, and a live census
-- service per municipality (ADR 0038). No raw national ID is stored anywhere: verifications keep the
-- keyed hash as before; the census service's credential and a municipality's client secret live in
-- the key store, not here.
CREATE TABLE "eid_logins" (
	"id" text PRIMARY KEY NOT NULL,
	"browser_hash" text NOT NULL,
	"issuer" text NOT NULL,
	"state" text NOT NULL,
	"nonce" text NOT NULL,
	"code_verifier" text NOT NULL,
	"next" text NOT NULL,
	"municipality_id" text REFERENCES "municipalities"("id") ON DELETE cascade,
	"session_user_id" text REFERENCES "users"("id") ON DELETE cascade,
	"link_user_id" text REFERENCES "users"("id") ON DELETE cascade,
	"link_subject" text,
	"link_id_token" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "eid_logins_browser_idx" ON "eid_logins" ("browser_hash");
--> statement-breakpoint
CREATE TABLE "external_identities" (
	"issuer" text NOT NULL,
	"subject" text NOT NULL,
	"user_id" text NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"linked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "external_identities_pk" PRIMARY KEY ("issuer", "subject")
);
--> statement-breakpoint
CREATE INDEX "external_identities_user_idx" ON "external_identities" ("user_id");
--> statement-breakpoint
CREATE TABLE "eid_sessions" (
	"session_id" text PRIMARY KEY NOT NULL REFERENCES "sessions"("id") ON DELETE cascade,
	"issuer" text NOT NULL,
	"id_token" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "eid_settings" (
	"municipality_id" text PRIMARY KEY NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"trust" text DEFAULT 'off' NOT NULL,
	"default_voter_class" text,
	"default_district_id" text REFERENCES "districts"("id") ON DELETE set null,
	"census_service_url" text,
	"census_service_timeout_ms" integer DEFAULT 5000 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
