-- Photos and documents attached to proposals, implementation updates and other records (ADR 0034).
-- The owner is named by kind and id, so each area attaches media without a table of its own; the
-- files (each stored width of an image, or the PDF) live in media_files, in the database by default.
CREATE TABLE "media" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"owner_kind" text NOT NULL,
	"owner_id" text NOT NULL,
	"kind" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"alt" text NOT NULL,
	"file_name" text NOT NULL,
	"width" integer DEFAULT 0 NOT NULL,
	"height" integer DEFAULT 0 NOT NULL,
	"widths" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"byte_length" integer NOT NULL,
	"created_by" text REFERENCES "users"("id") ON DELETE set null,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_kind_check" CHECK ("kind" IN ('image', 'document'))
);
--> statement-breakpoint
CREATE INDEX "media_owner_idx" ON "media" USING btree ("municipality_id","owner_kind","owner_id","position");
--> statement-breakpoint
CREATE TABLE "media_files" (
	"media_id" text NOT NULL REFERENCES "media"("id") ON DELETE cascade,
	"name" text NOT NULL,
	"content_type" text NOT NULL,
	"byte_length" integer NOT NULL,
	"storage" text NOT NULL,
	"storage_key" text,
	"data" bytea,
	CONSTRAINT "media_files_pk" PRIMARY KEY("media_id","name"),
	CONSTRAINT "media_files_storage_check" CHECK ("storage" IN ('db', 'dir', 's3'))
);
