-- A phone number per account, confirmed by a code sent by SMS (ADR 0025): verification accepts a
-- confirmed e-mail address or a confirmed phone. A confirmed number belongs to one account.
ALTER TABLE "users" ADD COLUMN "phone" text;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone_confirmed_at" timestamp with time zone;
--> statement-breakpoint
CREATE UNIQUE INDEX "users_confirmed_phone" ON "users" ("phone") WHERE "phone_confirmed_at" IS NOT NULL;
--> statement-breakpoint
CREATE TABLE "phone_codes" (
  "user_id" text PRIMARY KEY NOT NULL REFERENCES "users"("id") ON DELETE cascade,
  "phone" text NOT NULL,
  "code_hash" text NOT NULL,
  "tries" integer DEFAULT 0 NOT NULL,
  "expires_at" timestamp with time zone NOT NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL
);
