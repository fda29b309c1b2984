-- How long a municipality keeps the verification records of deleted accounts (ADR 0026): stated on
-- the privacy pages, then erased by the housekeeping sweep.
ALTER TABLE "verification_settings" ADD COLUMN "retention_months" integer DEFAULT 24 NOT NULL;
--> statement-breakpoint
ALTER TABLE "verification_settings" ADD CONSTRAINT "verification_settings_retention_months" CHECK ("retention_months" BETWEEN 0 AND 240);
