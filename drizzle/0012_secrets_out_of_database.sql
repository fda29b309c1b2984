-- Voter-key secrets and signing keys live in the key store, never in the database (ADR 0016); the
-- app moves any remaining value there before this runs (db/client.ts).
ALTER TABLE "round_secrets" DROP COLUMN IF EXISTS "voter_key_secret";--> statement-breakpoint
ALTER TABLE "municipality_keys" DROP COLUMN IF EXISTS "encrypted_private_key";--> statement-breakpoint
-- Cast times are kept to the hour (UTC) while voting and to the day once published.
UPDATE "ballots" SET "cast_at" = date_trunc('hour', "cast_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';--> statement-breakpoint
UPDATE "ledger_leaves" SET "created_at" = date_trunc('hour', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';--> statement-breakpoint
UPDATE "ballots" SET "cast_at" = date_trunc('day', "cast_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' WHERE "round_id" IN (SELECT "round_id" FROM "round_secrets" WHERE "destroyed_at" IS NOT NULL);--> statement-breakpoint
UPDATE "ledger_leaves" SET "created_at" = date_trunc('day', "created_at" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' WHERE "round_id" IN (SELECT "round_id" FROM "round_secrets" WHERE "destroyed_at" IS NOT NULL);--> statement-breakpoint
DELETE FROM "baskets" WHERE "envelope_id" IN (SELECT e."id" FROM "envelopes" e JOIN "round_secrets" s ON s."round_id" = e."round_id" WHERE s."destroyed_at" IS NOT NULL);
