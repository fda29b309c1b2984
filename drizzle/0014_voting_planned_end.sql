-- The voting end date in force when voting opened, kept when staff close voting early: the rules
-- fingerprint signed in every checkpoint covers the voting window as opened (ADR 0018).
ALTER TABLE "phases" ADD COLUMN "planned_ends_on" date;
