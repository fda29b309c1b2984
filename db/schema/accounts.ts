import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** A person's account. Emails are stored lower-cased; uniqueness is enforced by the database. */
export const users = pgTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  displayName: text("display_name").notNull(),
  locale: text("locale").notNull().default("en"),
  isPlatformAdmin: boolean("is_platform_admin").notNull().default(false),
  /** When the person followed the confirmation link sent to `email` (ADR 0025); null: not confirmed. */
  emailConfirmedAt: timestamp("email_confirmed_at", { withTimezone: true, mode: "date" }),
  /** A phone number (E.164) for text messages; confirmed by a code sent to it (ADR 0025). */
  phone: text("phone"),
  phoneConfirmedAt: timestamp("phone_confirmed_at", { withTimezone: true, mode: "date" }),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  /** Set when the person deleted the account: the row stays, emptied, for what must outlive it (ADR 0026). */
  deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
});

/** lucia 3 session rows (shape required by @lucia-auth/adapter-drizzle). */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** When this session passed the second factor (ADR 0026); null: password only. */
    secondFactorAt: timestamp("second_factor_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Failed authentication attempts, kept in the database (not in memory) so that
 * throttling holds across several app processes. `subject` is `account:<email>` or `ip:<address>`.
 */
export const authAttempts = pgTable(
  "auth_attempts",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    subject: text("subject").notNull(),
    /** `signup_ok` rows are accounts created, counted per address (ADR 0015). */
    kind: text("kind", { enum: ["login", "signup", "signup_ok", "reset", "second_factor"] }).notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("auth_attempts_subject_at_idx").on(t.subject, t.kind, t.at)],
);

/**
 * Single-use links sent by mail (ADR 0025): address confirmation, password reset. Only a hash of the
 * token is kept; `email` is the address the link was sent to (a changed address is confirmed anew).
 */
export const accountTokens = pgTable(
  "account_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["confirm", "reset"] }).notNull(),
    tokenHash: text("token_hash").notNull().unique(),
    email: text("email").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("account_tokens_user_idx").on(t.userId, t.purpose)],
);

/** The code last sent to confirm an account's phone: its HMAC, tries left, expiry (ADR 0025). */
export const phoneCodes = pgTable("phone_codes", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  phone: text("phone").notNull(),
  codeHash: text("code_hash").notNull(),
  tries: integer("tries").notNull().default(0),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Notification topics a person switched off (everything is on until switched off). */
export const notificationOptOuts = pgTable(
  "notification_opt_outs",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topic: text("topic").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "notification_opt_outs_pk", columns: [t.userId, t.topic] })],
);

/** Topics a person also wants by text message, to their confirmed phone (ADR 0041). */
export const notificationSms = pgTable(
  "notification_sms",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    topic: text("topic").notNull(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ name: "notification_sms_pk", columns: [t.userId, t.topic] })],
);

/** A TOTP authenticator of an account (ADR 0026): confirmed once a code from it was checked. */
export const userTotp = pgTable("user_totp", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  secret: text("secret").notNull(),
  confirmedAt: timestamp("confirmed_at", { withTimezone: true, mode: "date" }),
  /** The last time step accepted: a code is never accepted twice. */
  lastStep: bigint("last_step", { mode: "number" }),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** Single-use recovery codes, stored as SHA-256 hashes (they are random, 50 bits and more). */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("recovery_codes_user_idx").on(t.userId)],
);

/** A password checked, the second factor still to come: the browser holds the id, the table its hash. */
export const pendingSignIns = pgTable("pending_sign_ins", {
  idHash: text("id_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
});
