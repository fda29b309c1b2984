CREATE TABLE "census_imports" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "census_imports_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"municipality_id" text NOT NULL,
	"status" text NOT NULL,
	"skip_bad_rows" boolean DEFAULT false NOT NULL,
	"file_name" text NOT NULL,
	"total_rows" integer DEFAULT 0 NOT NULL,
	"loaded_rows" integer DEFAULT 0 NOT NULL,
	"bad_rows" integer DEFAULT 0 NOT NULL,
	"report" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"started_by" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "census_records" (
	"import_id" integer NOT NULL,
	"identity_hash" text NOT NULL,
	"birth_date" date NOT NULL,
	"district_id" text NOT NULL,
	"voter_class" text NOT NULL,
	"line" integer NOT NULL,
	CONSTRAINT "census_records_import_id_identity_hash_pk" PRIMARY KEY("import_id","identity_hash")
);
--> statement-breakpoint
CREATE TABLE "letter_codes" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL,
	"code_hash" text NOT NULL,
	"identity_hash" text NOT NULL,
	"batch" text NOT NULL,
	"created_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"used_at" timestamp with time zone,
	"used_by" text
);
--> statement-breakpoint
CREATE TABLE "municipality_secrets" (
	"municipality_id" text PRIMARY KEY NOT NULL,
	"census_secret" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "round_eligibility" (
	"round_id" text PRIMARY KEY NOT NULL,
	"district_ids" text[],
	"min_age" integer,
	"verified_to_propose" boolean DEFAULT false NOT NULL,
	"verified_to_comment" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "round_voter_classes" (
	"round_id" text NOT NULL,
	"code" text NOT NULL,
	"name" jsonb NOT NULL,
	"weight" integer NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "round_voter_classes_round_id_code_pk" PRIMARY KEY("round_id","code")
);
--> statement-breakpoint
CREATE TABLE "verification_attempts" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"user_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification_settings" (
	"municipality_id" text PRIMARY KEY NOT NULL,
	"id_scheme" text DEFAULT 'ir-national-code' NOT NULL,
	"id_pattern" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verifications" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL,
	"user_id" text NOT NULL,
	"method" text NOT NULL,
	"identity_hash" text NOT NULL,
	"birth_date" date NOT NULL,
	"district_id" text NOT NULL,
	"voter_class" text NOT NULL,
	"verified_by" text,
	"verified_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" text,
	"revoke_reason" text
);
--> statement-breakpoint
ALTER TABLE "census_imports" ADD CONSTRAINT "census_imports_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "census_imports" ADD CONSTRAINT "census_imports_started_by_users_id_fk" FOREIGN KEY ("started_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "census_records" ADD CONSTRAINT "census_records_import_id_census_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."census_imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_codes" ADD CONSTRAINT "letter_codes_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_codes" ADD CONSTRAINT "letter_codes_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "letter_codes" ADD CONSTRAINT "letter_codes_used_by_users_id_fk" FOREIGN KEY ("used_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "municipality_secrets" ADD CONSTRAINT "municipality_secrets_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_eligibility" ADD CONSTRAINT "round_eligibility_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_voter_classes" ADD CONSTRAINT "round_voter_classes_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_attempts" ADD CONSTRAINT "verification_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_settings" ADD CONSTRAINT "verification_settings_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_district_id_districts_id_fk" FOREIGN KEY ("district_id") REFERENCES "public"."districts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_verified_by_users_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifications" ADD CONSTRAINT "verifications_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "census_imports_municipality_idx" ON "census_imports" USING btree ("municipality_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "letter_codes_code_unique" ON "letter_codes" USING btree ("municipality_id","code_hash");--> statement-breakpoint
CREATE INDEX "letter_codes_identity_idx" ON "letter_codes" USING btree ("municipality_id","identity_hash");--> statement-breakpoint
CREATE INDEX "verification_attempts_user_at_idx" ON "verification_attempts" USING btree ("user_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "verifications_one_per_identity" ON "verifications" USING btree ("municipality_id","identity_hash") WHERE "verifications"."revoked_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "verifications_one_per_account" ON "verifications" USING btree ("municipality_id","user_id") WHERE "verifications"."revoked_at" is null;--> statement-breakpoint
CREATE INDEX "verifications_user_idx" ON "verifications" USING btree ("user_id");