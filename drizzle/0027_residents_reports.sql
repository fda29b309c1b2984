-- Residents' reports, the council's desk, response-time figures and Open311 keys (ADR 0039).
CREATE TABLE "report_settings" (
  "municipality_id" text PRIMARY KEY NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
  "weekend" jsonb NOT NULL,
  "holidays" jsonb NOT NULL,
  "min_lat" double precision,
  "max_lat" double precision,
  "min_lon" double precision,
  "max_lon" double precision
);
--> statement-breakpoint
CREATE TABLE "report_categories" (
  "id" text PRIMARY KEY NOT NULL,
  "municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
  "code" text NOT NULL,
  "name" jsonb NOT NULL,
  "description" jsonb NOT NULL,
  "target_days" integer NOT NULL,
  "allow_anonymous" boolean DEFAULT false NOT NULL,
  "about_projects" boolean DEFAULT false NOT NULL,
  "position" integer DEFAULT 0 NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "report_categories_code_unique" UNIQUE("municipality_id", "code")
);
--> statement-breakpoint
CREATE TABLE "reports" (
  "id" text PRIMARY KEY NOT NULL,
  "municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
  "number" integer NOT NULL,
  "category_id" text NOT NULL REFERENCES "report_categories"("id"),
  "user_id" text REFERENCES "users"("id") ON DELETE set null,
  "contact_email" text,
  "description" text NOT NULL,
  "lat" double precision,
  "lon" double precision,
  "district_id" text REFERENCES "districts"("id") ON DELETE set null,
  "address" text,
  "proposal_id" text REFERENCES "proposals"("id") ON DELETE set null,
  "locale" text DEFAULT 'en' NOT NULL,
  "status" text DEFAULT 'open' NOT NULL,
  "assigned_to" text REFERENCES "users"("id") ON DELETE set null,
  "resolution" text,
  "duplicate_of" integer,
  "token" text NOT NULL,
  "source" text DEFAULT 'web' NOT NULL,
  "api_key_id" text,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "first_response_at" timestamp with time zone,
  "closed_at" timestamp with time zone,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "reports_number_unique" UNIQUE("municipality_id", "number"),
  CONSTRAINT "reports_token_unique" UNIQUE("token")
);
--> statement-breakpoint
CREATE INDEX "reports_queue_idx" ON "reports" ("municipality_id", "status", "created_at");
--> statement-breakpoint
CREATE INDEX "reports_user_idx" ON "reports" ("user_id");
--> statement-breakpoint
CREATE TABLE "report_events" (
  "id" text PRIMARY KEY NOT NULL,
  "report_id" text NOT NULL REFERENCES "reports"("id") ON DELETE cascade,
  "kind" text NOT NULL,
  "status" text,
  "body" text,
  "public" boolean DEFAULT true NOT NULL,
  "author_id" text REFERENCES "users"("id") ON DELETE set null,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_events_report_idx" ON "report_events" ("report_id", "created_at");
--> statement-breakpoint
CREATE TABLE "report_photos" (
  "id" text PRIMARY KEY NOT NULL,
  "report_id" text NOT NULL REFERENCES "reports"("id") ON DELETE cascade,
  "content_type" text NOT NULL,
  "data" bytea NOT NULL,
  "width" integer NOT NULL,
  "height" integer NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "report_photos_report_idx" ON "report_photos" ("report_id");
--> statement-breakpoint
CREATE TABLE "open311_keys" (
  "id" text PRIMARY KEY NOT NULL,
  "municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
  "label" text NOT NULL,
  "key_hash" text NOT NULL,
  "created_by" text REFERENCES "users"("id") ON DELETE set null,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "revoked_at" timestamp with time zone,
  CONSTRAINT "open311_keys_hash_unique" UNIQUE("key_hash")
);
