-- Themes of a round (ADR 0032): a short list staff define (names in en/fa), so residents can filter a
-- long envelope by what a proposal is about. A proposal carries at most one; deleting a theme leaves
-- its proposals without one.
CREATE TABLE "round_themes" (
	"id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL REFERENCES "rounds"("id") ON DELETE cascade,
	"slug" text NOT NULL,
	"name" jsonb NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "round_themes_slug_unique" UNIQUE("round_id","slug")
);--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "theme_id" text REFERENCES "round_themes"("id") ON DELETE set null;
