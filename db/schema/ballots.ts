import { sql } from "drizzle-orm";
import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { envelopes, rounds } from "./rounds";
import { municipalities } from "./tenancy";

export type StoredBallotBody = { approved: string[] } | { points: Record<string, number> };
/** A draft basket's body, encrypted with a key derived from the round's voter-key secret (ADR 0016). */
export type SealedBasket = { sealed: string };

/**
 * Publication of a round: `destroyed_at` is when its voter-key secret (kept in the key store, never
 * in the database: ADR 0016) was destroyed, so the link from person to ballot is gone.
 */
export const roundSecrets = pgTable("round_secrets", {
  roundId: text("round_id")
    .primaryKey()
    .references(() => rounds.id, { onDelete: "cascade" }),
  destroyedAt: timestamp("destroyed_at", { withTimezone: true, mode: "date" }),
});

/** A municipality's Ed25519 checkpoint signing key: the public half; the private half is in the key store. */
export const municipalityKeys = pgTable("municipality_keys", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  publicKey: text("public_key").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * A voter's draft basket for one envelope: survives logout and other devices; removed when cast and
 * at publication. Sealed (rows written before ADR 0016 may hold the plain body).
 */
export const baskets = pgTable(
  "baskets",
  {
    envelopeId: text("envelope_id")
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    body: jsonb("body").$type<StoredBallotBody | SealedBasket>().notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.envelopeId, t.userId] })],
);

/**
 * Cast ballots. No user id: only the voter key (HMAC with the round secret) links a revote to the
 * ballot it supersedes. Exactly one current ballot per voter key and envelope (partial unique index).
 */
export const ballots = pgTable(
  "ballots",
  {
    id: text("id").primaryKey(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    envelopeId: text("envelope_id")
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
    voterKey: text("voter_key").notNull(),
    weight: integer("weight").notNull(),
    body: jsonb("body").$type<StoredBallotBody>().notNull(),
    nonce: text("nonce").notNull(),
    commitment: text("commitment").notNull(),
    channel: text("channel", { enum: ["online", "paper"] }).notNull(),
    supersedes: text("supersedes"),
    current: boolean("current").notNull().default(true),
    leafIndex: integer("leaf_index").notNull(),
    castAt: timestamp("cast_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ballots_one_current_per_voter").on(t.envelopeId, t.voterKey).where(sql`${t.current}`),
    index("ballots_round_idx").on(t.roundId, t.current),
    index("ballots_round_voter_idx").on(t.roundId, t.voterKey),
    // The receipt check follows revotes from a ballot to the one that counts.
    index("ballots_round_supersedes_idx").on(t.roundId, t.supersedes).where(sql`${t.supersedes} is not null`),
  ],
);

/** The round's append-only ledger: one leaf per cast or superseding ballot, in order. */
export const ledgerLeaves = pgTable(
  "ledger_leaves",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    leafIndex: integer("leaf_index").notNull(),
    leaf: text("leaf").notNull(),
    leafHash: text("leaf_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.leafIndex] })],
);

/** Hashes of every complete subtree of the ledger (level, index): proofs read O(log n) of them. */
export const ledgerNodes = pgTable(
  "ledger_nodes",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    level: integer("level").notNull(),
    index: integer("index").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.level, t.index] })],
);

/** Signed tree heads of a round's ledger. */
export const checkpoints = pgTable(
  "checkpoints",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    treeSize: integer("tree_size").notNull(),
    rootHash: text("root_hash").notNull(),
    roundFingerprint: text("round_fingerprint").notNull(),
    signedAt: timestamp("signed_at", { withTimezone: true, mode: "date" }).notNull(),
    signature: text("signature").notNull(),
    /** The checkpoint as a C2SP signed note (ADR 0022); null for checkpoints signed before. */
    note: text("note"),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.treeSize] })],
);

/** Turnout counters for staff during voting: voters (not ballots) per day, district and voter class. */
export const turnout = pgTable(
  "turnout",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    district: text("district").notNull(),
    voterClass: text("voter_class").notNull(),
    channel: text("channel").notNull(),
    voters: integer("voters").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.day, t.district, t.voterClass, t.channel] })],
);
