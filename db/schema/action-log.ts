import { integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { municipalities } from "./tenancy";

/**
 * The municipality's log of staff actions: append-only, numbered per municipality and
 * hash-chained (hash = SHA-256(previous hash ‖ canonical entry); see app/domain/action-log/chain.ts).
 */
export const actionLog = pgTable(
  "action_log",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id),
    seq: integer("seq").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    actorId: text("actor_id").references(() => users.id, { onDelete: "set null" }),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    roundId: text("round_id"),
    target: text("target").notNull(),
    summary: jsonb("summary").$type<{ before?: unknown; after?: unknown }>().notNull(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [unique("action_log_seq_unique").on(t.municipalityId, t.seq)],
);
