-- The order of an envelope's proposals on the ballot page (ADR 0027): drawn per voter by default.
ALTER TABLE "envelopes" ADD COLUMN "ballot_order" text DEFAULT 'random' NOT NULL;
