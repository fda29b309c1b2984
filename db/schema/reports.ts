import { boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { districts, municipalities } from "./tenancy";
import type { LocalizedText } from "./tenancy";
import { proposals } from "./rounds";

export const reportStatuses = ["open", "acknowledged", "in_progress", "closed", "duplicate"] as const;
export type ReportStatus = (typeof reportStatuses)[number];

/**
 * A municipality's report desk settings (ADR 0039): its working week and holidays for the response
 * figures, and the box a report's location must lie in.
 */
export const reportSettings = pgTable("report_settings", {
  municipalityId: text("municipality_id")
    .primaryKey()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  /** Weekdays off, 0 = Sunday … 6 = Saturday. */
  weekend: jsonb("weekend").$type<number[]>().notNull(),
  holidays: jsonb("holidays").$type<string[]>().notNull(),
  minLat: doublePrecision("min_lat"),
  maxLat: doublePrecision("max_lat"),
  minLon: doublePrecision("min_lon"),
  maxLon: doublePrecision("max_lon"),
});

/** What residents report about (Open311 "services"): each with its response target. */
export const reportCategories = pgTable(
  "report_categories",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    description: jsonb("description").$type<LocalizedText>().notNull(),
    /** First response within this many working days. */
    targetDays: integer("target_days").notNull(),
    allowAnonymous: boolean("allow_anonymous").notNull().default(false),
    /** Reports in this category name a funded project. */
    aboutProjects: boolean("about_projects").notNull().default(false),
    position: integer("position").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("report_categories_code_unique").on(t.municipalityId, t.code)],
);

/** A resident's report; its public number is per municipality. Personal details are never public. */
export const reports = pgTable(
  "reports",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    categoryId: text("category_id")
      .notNull()
      .references(() => reportCategories.id),
    /** The reporter's account; null for an anonymous report or one whose account was deleted. */
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    /** An Open311 client's e-mail of the reporter (never public). */
    contactEmail: text("contact_email"),
    description: text("description").notNull(),
    lat: doublePrecision("lat"),
    lon: doublePrecision("lon"),
    districtId: text("district_id").references(() => districts.id, { onDelete: "set null" }),
    address: text("address"),
    proposalId: text("proposal_id").references(() => proposals.id, { onDelete: "set null" }),
    locale: text("locale").notNull().default("en"),
    status: text("status", { enum: reportStatuses }).notNull().default("open"),
    assignedTo: text("assigned_to").references(() => users.id, { onDelete: "set null" }),
    resolution: text("resolution"),
    duplicateOf: integer("duplicate_of"),
    /** Open311 token of a request made through the API. */
    token: text("token").notNull().unique("reports_token_unique"),
    source: text("source", { enum: ["web", "open311"] })
      .notNull()
      .default("web"),
    apiKeyId: text("api_key_id"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    firstResponseAt: timestamp("first_response_at", { withTimezone: true, mode: "date" }),
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [
    unique("reports_number_unique").on(t.municipalityId, t.number),
    index("reports_queue_idx").on(t.municipalityId, t.status, t.createdAt),
    index("reports_user_idx").on(t.userId),
  ],
);

/** A report's history: status changes, assignments and replies (public or for staff only). */
export const reportEvents = pgTable(
  "report_events",
  {
    id: text("id").primaryKey(),
    reportId: text("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["status", "reply", "assign"] }).notNull(),
    status: text("status", { enum: reportStatuses }),
    body: text("body"),
    public: boolean("public").notNull().default(true),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("report_events_report_idx").on(t.reportId, t.createdAt)],
);

/** Open311 API keys staff issue to a client; only the SHA-256 of the key is kept. */
export const open311Keys = pgTable("open311_keys", {
  id: text("id").primaryKey(),
  municipalityId: text("municipality_id")
    .notNull()
    .references(() => municipalities.id, { onDelete: "cascade" }),
  label: text("label").notNull(),
  keyHash: text("key_hash").notNull().unique("open311_keys_hash_unique"),
  createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
});
