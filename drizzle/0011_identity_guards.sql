CREATE TABLE "census_attempts" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"municipality_id" text NOT NULL,
	"identity_hash" text NOT NULL,
	"user_id" text,
	"ip" text NOT NULL,
	"checked" boolean NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "census_locks" (
	"id" text PRIMARY KEY DEFAULT gen_random_uuid()::text NOT NULL,
	"municipality_id" text NOT NULL,
	"identity_hash" text NOT NULL,
	"locked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"cleared_at" timestamp with time zone,
	"cleared_by" text
);
--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "author_role" text;--> statement-breakpoint
ALTER TABLE "update_comments" ADD COLUMN "author_role" text;--> statement-breakpoint
ALTER TABLE "census_attempts" ADD CONSTRAINT "census_attempts_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "census_attempts" ADD CONSTRAINT "census_attempts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "census_locks" ADD CONSTRAINT "census_locks_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "census_locks" ADD CONSTRAINT "census_locks_cleared_by_users_id_fk" FOREIGN KEY ("cleared_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "census_attempts_identity_idx" ON "census_attempts" USING btree ("municipality_id","identity_hash","at");--> statement-breakpoint
CREATE INDEX "census_attempts_ip_idx" ON "census_attempts" USING btree ("municipality_id","ip","at");--> statement-breakpoint
CREATE INDEX "census_attempts_at_idx" ON "census_attempts" USING btree ("municipality_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "census_locks_one_open" ON "census_locks" USING btree ("municipality_id","identity_hash") WHERE "census_locks"."cleared_at" is null;
