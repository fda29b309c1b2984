-- Checkpoints as C2SP signed notes, witnesses that cosign them, and a durable job queue that sends
-- them (ADR 0022). Checkpoints signed before this change keep a null note (format 1/2 bundles).
ALTER TABLE "checkpoints" ADD COLUMN "note" text;--> statement-breakpoint
CREATE TABLE "witnesses" (
	"id" text PRIMARY KEY NOT NULL,
	"municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"name" text NOT NULL,
	"vkey" text NOT NULL,
	"url" text NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "witnesses_municipality_name" UNIQUE("municipality_id","name")
);--> statement-breakpoint
CREATE TABLE "witness_quorums" (
	"municipality_id" text PRIMARY KEY NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"quorum" integer NOT NULL CHECK ("quorum" >= 0)
);--> statement-breakpoint
CREATE TABLE "cosignatures" (
	"round_id" text NOT NULL REFERENCES "rounds"("id") ON DELETE cascade,
	"tree_size" integer NOT NULL,
	"witness_name" text NOT NULL,
	"vkey" text NOT NULL,
	"signature" text NOT NULL,
	"cosigned_at" timestamp with time zone NOT NULL,
	CONSTRAINT "cosignatures_pk" PRIMARY KEY("round_id","tree_size","vkey")
);--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"payload" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_until" timestamp with time zone,
	"done_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);--> statement-breakpoint
CREATE INDEX "jobs_due_idx" ON "jobs" USING btree ("next_attempt_at") WHERE "done_at" is null;
--> statement-breakpoint
CREATE TABLE "round_witness_policies" (
	"round_id" text PRIMARY KEY NOT NULL REFERENCES "rounds"("id") ON DELETE cascade,
	"witnesses" jsonb NOT NULL,
	"quorum" integer NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
