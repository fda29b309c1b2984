CREATE TABLE "tallies" (
	"id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL,
	"envelope_id" text NOT NULL,
	"rule" text NOT NULL,
	"rule_version" text NOT NULL,
	"tie_break" text NOT NULL,
	"seed" text NOT NULL,
	"ballots" integer NOT NULL,
	"voters" integer NOT NULL,
	"ledger_size" integer NOT NULL,
	"selected" jsonb NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text
);
--> statement-breakpoint
ALTER TABLE "tallies" ADD CONSTRAINT "tallies_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tallies" ADD CONSTRAINT "tallies_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tallies" ADD CONSTRAINT "tallies_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;