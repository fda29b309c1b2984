CREATE TABLE "update_comments" (
	"id" text PRIMARY KEY NOT NULL,
	"update_id" text NOT NULL,
	"user_id" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"hidden_reason" text,
	"hidden_by" text
);
--> statement-breakpoint
ALTER TABLE "update_comments" ADD CONSTRAINT "update_comments_update_id_implementation_updates_id_fk" FOREIGN KEY ("update_id") REFERENCES "public"."implementation_updates"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "update_comments" ADD CONSTRAINT "update_comments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "update_comments" ADD CONSTRAINT "update_comments_hidden_by_users_id_fk" FOREIGN KEY ("hidden_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "update_comments_update_idx" ON "update_comments" USING btree ("update_id","created_at");