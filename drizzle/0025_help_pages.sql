-- A municipality's own help pages (ADR 0037): written by its staff in English and Persian, shown to
-- residents beside the platform's guides under /m/<slug>/help. Text is stored as written and rendered
-- through the help centre's markdown subset, which builds elements and never passes raw HTML.
CREATE TABLE IF NOT EXISTS "help_pages" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE CASCADE,
	"slug" text NOT NULL,
	"title" jsonb NOT NULL,
	"body" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "help_pages_municipality_slug" UNIQUE("municipality_id", "slug")
);
