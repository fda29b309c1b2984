/**
 * Verified citizens: the census (identity hashes, never raw national IDs), verifications of accounts
 * (one person = one active verified account per municipality, enforced by a partial unique index),
 * one-time letter codes, and per round: voter classes with weights and who is eligible.
 */
import { sql } from "drizzle-orm";
import {
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { CensusProblem } from "../../app/domain/verification/census";
import { users } from "./accounts";
import { rounds } from "./rounds";
import { type LocalizedText, districts, municipalities } from "./tenancy";

/** Per-municipality secrets, created lazily on first use (the census HMAC key). Never shown or exported. */
export const municipalitySecrets = pgTable("municipality_secrets", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  censusSecret: text("census_secret").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const idSchemes = ["ir-national-code", "pattern"] as const;

/** How a municipality's identity numbers look (absent row: Iranian national code). */
export const verificationSettings = pgTable("verification_settings", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  idScheme: text("id_scheme", { enum: idSchemes }).notNull().default("ir-national-code"),
  /** For the `pattern` scheme: a regular expression the whole (normalised) ID must match. */
  idPattern: text("id_pattern"),
  /** Months the verification record of a deleted account is kept, then erased (ADR 0026). */
  retentionMonths: integer("retention_months").notNull().default(24),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const censusImportStatuses = ["running", "active", "replaced", "refused", "failed"] as const;
export type CensusImportStatus = (typeof censusImportStatuses)[number];

/**
 * One upload of a census file. Rows are loaded under the import's id while it is `running`; one short
 * transaction then makes it `active` and the previous one `replaced` (readers only see the active one).
 */
export const censusImports = pgTable(
  "census_imports",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    status: text("status", { enum: censusImportStatuses }).notNull(),
    skipBadRows: boolean("skip_bad_rows").notNull().default(false),
    fileName: text("file_name").notNull(),
    totalRows: integer("total_rows").notNull().default(0),
    /** Progress while running, then the number of census records. */
    loadedRows: integer("loaded_rows").notNull().default(0),
    badRows: integer("bad_rows").notNull().default(0),
    /** The first 100 bad rows: line number, column and reason (never an ID or birth date). */
    report: jsonb("report").$type<CensusProblem[]>().notNull().default([]),
    error: text("error"),
    startedBy: text("started_by").references(() => users.id, { onDelete: "set null" }),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("census_imports_municipality_idx").on(t.municipalityId, t.status)],
);

/** A census entry: HMAC-SHA-256 of the national ID with the municipality's secret, never the ID. */
export const censusRecords = pgTable(
  "census_records",
  {
    importId: integer("import_id")
      .notNull()
      .references(() => censusImports.id, { onDelete: "cascade" }),
    identityHash: text("identity_hash").notNull(),
    birthDate: date("birth_date", { mode: "string" }).notNull(),
    /** districts.id (checked on import; no foreign key so bulk loads stay fast). */
    districtId: text("district_id").notNull(),
    voterClass: text("voter_class").notNull(),
    /** Line of the imported file: staff match letters to their own register by it. */
    line: integer("line").notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.identityHash] })],
);

export const verificationMethods = ["census", "letter", "staff", "eid"] as const;
export type VerificationMethod = (typeof verificationMethods)[number];

/**
 * A verified account. At most one active (not revoked) verification per identity and per account in a
 * municipality: both enforced by partial unique indexes, so concurrent requests cannot break the rule.
 */
export const verifications = pgTable(
  "verifications",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    method: text("method", { enum: verificationMethods }).notNull(),
    identityHash: text("identity_hash").notNull(),
    birthDate: date("birth_date", { mode: "string" }).notNull(),
    districtId: text("district_id")
      .notNull()
      .references(() => districts.id),
    voterClass: text("voter_class").notNull(),
    verifiedBy: text("verified_by").references(() => users.id, { onDelete: "set null" }),
    verifiedAt: timestamp("verified_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    revokedBy: text("revoked_by").references(() => users.id, { onDelete: "set null" }),
    revokeReason: text("revoke_reason"),
    /** The revocation's id in the public action log: not the verification's id (ADR 0017). */
    revocationRef: text("revocation_ref"),
  },
  (t) => [
    uniqueIndex("verifications_one_per_identity")
      .on(t.municipalityId, t.identityHash)
      .where(sql`${t.revokedAt} is null`),
    uniqueIndex("verifications_one_per_account").on(t.municipalityId, t.userId).where(sql`${t.revokedAt} is null`),
    index("verifications_user_idx").on(t.userId),
  ],
);

/** Failed self-verification tries (census match, letter code): 5 per hour per account. */
export const verificationAttempts = pgTable(
  "verification_attempts",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["census", "letter"] }).notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("verification_attempts_user_at_idx").on(t.userId, t.at)],
);

/**
 * Census misses, counted per identity, per address and per municipality (ADR 0015). Kept apart from
 * `verification_attempts` (per account) because an attacker has as many accounts as they like.
 */
export const censusAttempts = pgTable(
  "census_attempts",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    identityHash: text("identity_hash").notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    ip: text("ip").notNull(),
    /** Whether the census was consulted (false: refused unseen because the identity was locked). */
    checked: boolean("checked").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    index("census_attempts_identity_idx").on(t.municipalityId, t.identityHash, t.at),
    index("census_attempts_ip_idx").on(t.municipalityId, t.ip, t.at),
    index("census_attempts_at_idx").on(t.municipalityId, t.at),
  ],
);

/**
 * An identity locked for census self-verification after too many misses: open until staff clear it
 * (the owner verifies by letter code or in person meanwhile).
 */
export const censusLocks = pgTable(
  "census_locks",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    identityHash: text("identity_hash").notNull(),
    lockedAt: timestamp("locked_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    clearedAt: timestamp("cleared_at", { withTimezone: true, mode: "date" }),
    clearedBy: text("cleared_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [uniqueIndex("census_locks_one_open").on(t.municipalityId, t.identityHash).where(sql`${t.clearedAt} is null`)],
);

/** One-time codes mailed to census entries. Only a keyed hash of the code is stored. */
export const letterCodes = pgTable(
  "letter_codes",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    identityHash: text("identity_hash").notNull(),
    batch: text("batch").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    usedBy: text("used_by").references(() => users.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("letter_codes_code_unique").on(t.municipalityId, t.codeHash),
    index("letter_codes_identity_idx").on(t.municipalityId, t.identityHash),
  ],
);

/** A round's voter classes: the ballot weight of a voter is their class's weight. Frozen from voting on. */
export const roundVoterClasses = pgTable(
  "round_voter_classes",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    weight: integer("weight").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.code] })],
);

/** Who may take part in a round (absent row: every verified resident, no age limit). */
export const roundEligibility = pgTable("round_eligibility", {
  roundId: text("round_id")
    .primaryKey()
    .references(() => rounds.id, { onDelete: "cascade" }),
  /** districts.id values; null means all districts. */
  districtIds: text("district_ids").array(),
  /** Minimum age in whole years on the first day of voting; null means none. */
  minAge: integer("min_age"),
  verifiedToPropose: boolean("verified_to_propose").notNull().default(false),
  verifiedToComment: boolean("verified_to_comment").notNull().default(false),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
