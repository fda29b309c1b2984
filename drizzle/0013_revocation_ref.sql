ALTER TABLE "verifications" ADD COLUMN "revocation_ref" text;--> statement-breakpoint
CREATE INDEX "ballots_round_supersedes_idx" ON "ballots" USING btree ("round_id","supersedes") WHERE "ballots"."supersedes" is not null;
