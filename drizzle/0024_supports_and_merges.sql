-- Supports during the proposals phase, a round's support rules and merged duplicates (ADR 0036).
-- One support per person per proposal: the primary key. Supports are personal data: they name the
-- account, never appear in the public action log, and go with the account when it is deleted.
CREATE TABLE "proposal_supports" (
	"proposal_id" text NOT NULL REFERENCES "proposals"("id") ON DELETE CASCADE,
	"user_id" text NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "proposal_supports_pk" PRIMARY KEY ("proposal_id", "user_id")
);
--> statement-breakpoint
CREATE INDEX "proposal_supports_user_idx" ON "proposal_supports" ("user_id");
--> statement-breakpoint
-- Staff open a round's proposals (submitted ones included) to supports, and may set how many a
-- proposal needs to reach review.
ALTER TABLE "rounds" ADD COLUMN "supports_open" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "support_threshold" integer;
--> statement-breakpoint
-- A duplicate merged by staff points to the proposal it was merged into.
ALTER TABLE "proposals" ADD COLUMN "merged_into_id" text REFERENCES "proposals"("id") ON DELETE SET NULL;
