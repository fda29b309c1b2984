-- Following a proposal (ADR 0033): anyone logged in follows a proposal to be told of its review,
-- official responses, funding and implementation. Authors follow their own proposals; people who
-- subscribed to a funded proposal's updates follow it.
CREATE TABLE "proposal_followers" (
	"proposal_id" text NOT NULL REFERENCES "proposals"("id") ON DELETE cascade,
	"user_id" text NOT NULL REFERENCES "users"("id") ON DELETE cascade,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "proposal_followers_pk" PRIMARY KEY("proposal_id","user_id")
);--> statement-breakpoint
CREATE INDEX "proposal_followers_user_idx" ON "proposal_followers" USING btree ("user_id");--> statement-breakpoint
INSERT INTO "proposal_followers" ("proposal_id", "user_id", "created_at")
	SELECT "id", "author_id", "created_at" FROM "proposals" WHERE "author_id" IS NOT NULL
	ON CONFLICT DO NOTHING;--> statement-breakpoint
INSERT INTO "proposal_followers" ("proposal_id", "user_id", "created_at")
	SELECT "proposal_id", "user_id", "created_at" FROM "subscriptions"
	ON CONFLICT DO NOTHING;
