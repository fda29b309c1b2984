-- The instant staff ended a phase on the day it is dated to end ("close voting now", "publish now"):
-- phases are whole days, and a phase closed this way is over although its dates still include today,
-- so the next phase (dated from the same day) is the current one (ADR 0028).
ALTER TABLE "phases" ADD COLUMN "closed_at" timestamp with time zone;
