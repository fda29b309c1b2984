import { index, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { proposals } from "./rounds";

/** A verified resident's support of a proposal during the proposals phase: one per person (ADR 0036). */
export const proposalSupports = pgTable(
  "proposal_supports",
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
    primaryKey({ name: "proposal_supports_pk", columns: [t.proposalId, t.userId] }),
    index("proposal_supports_user_idx").on(t.userId),
  ],
);
