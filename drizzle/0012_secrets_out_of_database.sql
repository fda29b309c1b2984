-- Voter-key secrets and signing keys live in the key store, never in the database (ADR 0016); the
-- app moves any remaining value there before this runs (db/client.ts).
ALTER TABLE "round_secrets" DROP COLUMN IF EXISTS "voter_key_secret";--> statement-breakpoint
ALTER TABLE "municipality_keys" DROP COLUMN IF EXISTS "encrypted_private_key";--> statement-breakpoint
-- Cast times are kept to the hour while voting and to the day once published, both in the
-- municipality's time zone so that no ballot moves to another local day.
UPDATE "ballots" b SET "cast_at" = date_trunc('hour', b."cast_at" AT TIME ZONE m."time_zone") AT TIME ZONE m."time_zone" FROM "rounds" r JOIN "municipalities" m ON m."id" = r."municipality_id" WHERE r."id" = b."round_id";--> statement-breakpoint
UPDATE "ledger_leaves" l SET "created_at" = date_trunc('hour', l."created_at" AT TIME ZONE m."time_zone") AT TIME ZONE m."time_zone" FROM "rounds" r JOIN "municipalities" m ON m."id" = r."municipality_id" WHERE r."id" = l."round_id";--> statement-breakpoint
UPDATE "ballots" b SET "cast_at" = date_trunc('day', b."cast_at" AT TIME ZONE m."time_zone") AT TIME ZONE m."time_zone" FROM "rounds" r JOIN "municipalities" m ON m."id" = r."municipality_id" JOIN "round_secrets" s ON s."round_id" = r."id" WHERE r."id" = b."round_id" AND s."destroyed_at" IS NOT NULL;--> statement-breakpoint
UPDATE "ledger_leaves" l SET "created_at" = date_trunc('day', l."created_at" AT TIME ZONE m."time_zone") AT TIME ZONE m."time_zone" FROM "rounds" r JOIN "municipalities" m ON m."id" = r."municipality_id" JOIN "round_secrets" s ON s."round_id" = r."id" WHERE r."id" = l."round_id" AND s."destroyed_at" IS NOT NULL;--> statement-breakpoint
DELETE FROM "baskets" WHERE "envelope_id" IN (SELECT e."id" FROM "envelopes" e JOIN "round_secrets" s ON s."round_id" = e."round_id" WHERE s."destroyed_at" IS NOT NULL);
