import { boolean, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { municipalities } from "./tenancy";

/**
 * An address a municipality registered for public events (ADR 0040). Its signing secret is in the
 * key store (`webhook-<id>.secret`), never in the database; deliveries are outbox rows of the
 * channel "webhook". `last_*` is the outcome of the latest delivery attempt.
 */
export const webhookEndpoints = pgTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    events: jsonb("events").$type<string[]>().notNull(),
    active: boolean("active").notNull().default(true),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true, mode: "date" }),
    /** The HTTP status of the latest attempt; null when it got no answer (see last_error). */
    lastStatus: integer("last_status"),
    lastError: text("last_error"),
  },
  (t) => [index("webhook_endpoints_municipality_idx").on(t.municipalityId)],
);
