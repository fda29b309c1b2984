import { sql } from "drizzle-orm";
import { bigint, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { proposals } from "./rounds";
import { webhookEndpoints } from "./webhooks";

export const implementationStatuses = ["planned", "in_progress", "completed", "cancelled"] as const;
export type ImplementationStatus = (typeof implementationStatuses)[number];

/** The current implementation state of a funded proposal (one row per proposal). */
export const implementations = pgTable("implementations", {
  proposalId: text("proposal_id")
    .primaryKey()
    .references(() => proposals.id, { onDelete: "cascade" }),
  status: text("status", { enum: implementationStatuses }).notNull().default("planned"),
  progress: integer("progress").notNull().default(0),
  expectedCompletion: date("expected_completion", { mode: "string" }),
  spent: bigint("spent", { mode: "number" }).notNull().default(0),
  cancelReason: text("cancel_reason"),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** The public timeline of a funded proposal: every update staff post. */
export const implementationUpdates = pgTable(
  "implementation_updates",
  {
    id: text("id").primaryKey(),
    proposalId: text("proposal_id")
      .notNull()
      .references(() => proposals.id, { onDelete: "cascade" }),
    status: text("status", { enum: implementationStatuses }).notNull(),
    progress: integer("progress").notNull(),
    spent: bigint("spent", { mode: "number" }).notNull(),
    expectedCompletion: date("expected_completion", { mode: "string" }),
    note: text("note").notNull(),
    /** Optional photo: a URL of an image the council hosts (no uploads stored in the database). */
    photoUrl: text("photo_url"),
    postedOn: date("posted_on", { mode: "string" }).notNull(),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("implementation_updates_proposal_idx").on(t.proposalId, t.createdAt)],
);

/** Residents who asked to hear about a proposal's progress. */
export const subscriptions = pgTable(
  "subscriptions",
  {
    proposalId: text("proposal_id")
      .notNull()
      .references(() => proposals.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.proposalId, t.userId] })],
);

/**
 * Every message Shora sends, e-mail, SMS and webhook deliveries (ADR 0025, 0040): queued in the transaction of the change that
 * causes it, delivered by the mail worker (claimed with a lease, retried with back-off), at most once
 * per idempotency key. `status` is queued, sent or failed (given up; `last_error` says why).
 */
export const outbox = pgTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    /** Null for platform messages (sign-up, password reset). */
    municipalityId: text("municipality_id"),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
    channel: text("channel", { enum: ["email", "sms", "webhook"] })
      .notNull()
      .default("email"),
    /** The address or phone number; null: the user's current e-mail address. */
    toAddress: text("to_address"),
    locale: text("locale").notNull().default("en"),
    idempotencyKey: text("idempotency_key").unique("outbox_idempotency_key"),
    status: text("status", { enum: ["queued", "sent", "failed"] })
      .notNull()
      .default("queued"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    /** Which transport took it: smtp, viewer (kept for the local mail viewer), http, log. */
    transport: text("transport"),
    /** A webhook delivery's endpoint (ADR 0040); `to_address` then holds its URL as it was. */
    webhookEndpointId: text("webhook_endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
  },
  (t) => [
    index("outbox_webhook_endpoint_idx").on(t.webhookEndpointId, t.createdAt),
    index("outbox_pending_idx").on(t.municipalityId, t.sentAt),
    index("outbox_due_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'queued'`),
  ],
);

/** Residents' comments on an implementation update (staff may hide one, with a reason shown instead). */
export const updateComments = pgTable(
  "update_comments",
  {
    id: text("id").primaryKey(),
    updateId: text("update_id")
      .notNull()
      .references(() => implementationUpdates.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    hiddenReason: text("hidden_reason"),
    hiddenBy: text("hidden_by").references(() => users.id, { onDelete: "set null" }),
    /** The author's role in the municipality when writing ("staff", "admin"), null for residents (ADR 0015). */
    authorRole: text("author_role"),
  },
  (t) => [index("update_comments_update_idx").on(t.updateId, t.createdAt)],
);

/** Who follows a proposal (ADR 0033): told of its review, official responses, funding and implementation. */
export const proposalFollowers = pgTable(
  "proposal_followers",
  {
    proposalId: text("proposal_id")
      .notNull()
      .references(() => proposals.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ name: "proposal_followers_pk", columns: [t.proposalId, t.userId] }),
    index("proposal_followers_user_idx").on(t.userId),
  ],
);
