import { integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { envelopes, rounds } from "./rounds";

/** One run of an envelope's counting rule on the current ballots; the newest run of an envelope counts. */
export const tallies = pgTable("tallies", {
  id: text("id").primaryKey(),
  roundId: text("round_id")
    .notNull()
    .references(() => rounds.id, { onDelete: "cascade" }),
  envelopeId: text("envelope_id")
    .notNull()
    .references(() => envelopes.id, { onDelete: "cascade" }),
  rule: text("rule").notNull(),
  ruleVersion: text("rule_version").notNull(),
  tieBreak: text("tie_break").notNull(),
  seed: text("seed").notNull(),
  /** Ballots counted and the ledger size they came from (a later ballot makes the tally stale). */
  ballots: integer("ballots").notNull(),
  voters: integer("voters").notNull(),
  ledgerSize: integer("ledger_size").notNull(),
  selected: jsonb("selected").$type<string[]>().notNull(),
  result: jsonb("result").$type<Record<string, unknown>>().notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
});
