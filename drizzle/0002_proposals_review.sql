ALTER TABLE "envelopes" ADD COLUMN "tally_completion" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "envelopes" ADD COLUMN "position" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "location" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "rejection_reason" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "feasibility_note" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "official_response" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "official_response_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "reviewed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "reviewed_by" text;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_reviewed_by_users_id_fk" FOREIGN KEY ("reviewed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;