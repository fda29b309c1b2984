import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import { rounds } from "./rounds";
import { municipalities } from "./tenancy";

/** A witness a municipality sends its checkpoints to (ADR 0022): C2SP tlog-witness at `url`, key `vkey`. */
export const witnesses = pgTable(
  "witnesses",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    vkey: text("vkey").notNull(),
    url: text("url").notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("witnesses_municipality_name").on(t.municipalityId, t.name)],
);

/** How many of the municipality's witnesses must cosign a checkpoint (0: none configured). */
export const witnessQuorums = pgTable("witness_quorums", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  quorum: integer("quorum").notNull(),
});

/** A witness's cosignature of a round's checkpoint: the note signature line's base64 (key id ‖ time ‖ sig). */
export const cosignatures = pgTable(
  "cosignatures",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    treeSize: integer("tree_size").notNull(),
    witnessName: text("witness_name").notNull(),
    vkey: text("vkey").notNull(),
    signature: text("signature").notNull(),
    cosignedAt: timestamp("cosigned_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ name: "cosignatures_pk", columns: [t.roundId, t.treeSize, t.vkey] })],
);

/**
 * A durable job (ADR 0022): claimed with FOR UPDATE SKIP LOCKED and a lease (`locked_until`), retried
 * with back-off until `done_at` is set. Generic: `kind` names the handler, `payload` its input.
 */
export const jobs = pgTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    lockedUntil: timestamp("locked_until", { withTimezone: true, mode: "date" }),
    doneAt: timestamp("done_at", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("jobs_due_idx").on(t.nextAttemptAt).where(sql`${t.doneAt} is null`)],
);

/** The witnesses and quorum in force when a round was published: what its bundle asks verifiers to trust. */
export const roundWitnessPolicies = pgTable("round_witness_policies", {
  roundId: text("round_id")
    .primaryKey()
    .references(() => rounds.id, { onDelete: "cascade" }),
  witnesses: jsonb("witnesses").$type<{ name: string; vkey: string }[]>().notNull(),
  quorum: integer("quorum").notNull(),
  recordedAt: timestamp("recorded_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
