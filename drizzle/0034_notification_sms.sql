-- Topics a person also wants by text message (ADR 0041): a row per topic, sent only to a confirmed
-- phone and only while the topic is on.
CREATE TABLE "notification_sms" (
  "user_id" text NOT NULL REFERENCES "users"("id") ON DELETE cascade,
  "topic" text NOT NULL,
  "at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "notification_sms_pk" PRIMARY KEY("user_id","topic")
);
