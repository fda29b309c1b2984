CREATE TABLE "ballots" (
	"id" text PRIMARY KEY NOT NULL,
	"round_id" text NOT NULL,
	"envelope_id" text NOT NULL,
	"voter_key" text NOT NULL,
	"weight" integer NOT NULL,
	"body" jsonb NOT NULL,
	"nonce" text NOT NULL,
	"commitment" text NOT NULL,
	"channel" text NOT NULL,
	"supersedes" text,
	"current" boolean DEFAULT true NOT NULL,
	"leaf_index" integer NOT NULL,
	"cast_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "baskets" (
	"envelope_id" text NOT NULL,
	"user_id" text NOT NULL,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "baskets_envelope_id_user_id_pk" PRIMARY KEY("envelope_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"round_id" text NOT NULL,
	"tree_size" integer NOT NULL,
	"root_hash" text NOT NULL,
	"round_fingerprint" text NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"signature" text NOT NULL,
	CONSTRAINT "checkpoints_round_id_tree_size_pk" PRIMARY KEY("round_id","tree_size")
);
--> statement-breakpoint
CREATE TABLE "ledger_leaves" (
	"round_id" text NOT NULL,
	"leaf_index" integer NOT NULL,
	"leaf" text NOT NULL,
	"leaf_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_leaves_round_id_leaf_index_pk" PRIMARY KEY("round_id","leaf_index")
);
--> statement-breakpoint
CREATE TABLE "ledger_nodes" (
	"round_id" text NOT NULL,
	"level" integer NOT NULL,
	"index" integer NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "ledger_nodes_round_id_level_index_pk" PRIMARY KEY("round_id","level","index")
);
--> statement-breakpoint
CREATE TABLE "municipality_keys" (
	"municipality_id" text PRIMARY KEY NOT NULL,
	"public_key" text NOT NULL,
	"encrypted_private_key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "round_secrets" (
	"round_id" text PRIMARY KEY NOT NULL,
	"voter_key_secret" text,
	"destroyed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "turnout" (
	"round_id" text NOT NULL,
	"day" date NOT NULL,
	"district" text NOT NULL,
	"voter_class" text NOT NULL,
	"channel" text NOT NULL,
	"voters" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "turnout_round_id_day_district_voter_class_channel_pk" PRIMARY KEY("round_id","day","district","voter_class","channel")
);
--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ballots" ADD CONSTRAINT "ballots_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baskets" ADD CONSTRAINT "baskets_envelope_id_envelopes_id_fk" FOREIGN KEY ("envelope_id") REFERENCES "public"."envelopes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "baskets" ADD CONSTRAINT "baskets_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "checkpoints" ADD CONSTRAINT "checkpoints_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_leaves" ADD CONSTRAINT "ledger_leaves_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_nodes" ADD CONSTRAINT "ledger_nodes_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "municipality_keys" ADD CONSTRAINT "municipality_keys_municipality_id_municipalities_id_fk" FOREIGN KEY ("municipality_id") REFERENCES "public"."municipalities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "round_secrets" ADD CONSTRAINT "round_secrets_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "turnout" ADD CONSTRAINT "turnout_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ballots_one_current_per_voter" ON "ballots" USING btree ("envelope_id","voter_key") WHERE "ballots"."current";--> statement-breakpoint
CREATE INDEX "ballots_round_idx" ON "ballots" USING btree ("round_id","current");