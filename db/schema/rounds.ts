import {
  bigint,
  boolean,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
} from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { phaseKinds } from "../../app/domain/rounds/phases";
import { BALLOT_ORDERS } from "../../app/domain/ballots/basket";
import { type LocalizedText, districts, municipalities } from "./tenancy";

export const roundKinds = ["budgeting", "consultation"] as const;
export { phaseKinds, type PhaseKind } from "../../app/domain/rounds/phases";

/** A consultation or budgeting process of one municipality. */
export const rounds = pgTable(
  "rounds",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    kind: text("kind", { enum: roundKinds }).notNull(),
    title: jsonb("title").$type<LocalizedText>().notNull(),
    description: jsonb("description").$type<LocalizedText>().notNull(),
    /** Residents may support proposals during the proposals phase (ADR 0036). */
    supportsOpen: boolean("supports_open").notNull().default(false),
    /** Supports a proposal needs to reach review; null: no threshold (ADR 0036). */
    supportThreshold: integer("support_threshold"),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("rounds_slug_unique").on(t.municipalityId, t.slug)],
);

/** A dated phase of a round; dates are calendar days in the municipality's time zone, end inclusive. */
export const phases = pgTable(
  "phases",
  {
    id: text("id").primaryKey(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: phaseKinds }).notNull(),
    startsOn: date("starts_on", { mode: "string" }).notNull(),
    endsOn: date("ends_on", { mode: "string" }).notNull(),
    /** Voting only: the end date in force when voting opened, set when voting is closed early (ADR 0018). */
    plannedEndsOn: date("planned_ends_on", { mode: "string" }),
    /** Set when staff ended the phase early on its last dated day: over from this instant (ADR 0028). */
    closedAt: timestamp("closed_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [unique("phases_kind_unique").on(t.roundId, t.kind)],
);

export const ballotTypes = ["approval", "k-approval", "cumulative"] as const;
export const tallyRules = ["greedy", "mes"] as const;

/** A sum of money (per district or theme) that proposals compete for. Amounts in minor units. */
export const envelopes = pgTable(
  "envelopes",
  {
    id: text("id").primaryKey(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    amount: bigint("amount", { mode: "number" }).notNull(),
    districtId: text("district_id").references(() => districts.id),
    ballotType: text("ballot_type", { enum: ballotTypes }).notNull().default("approval"),
    minProjects: integer("min_projects"),
    maxProjects: integer("max_projects"),
    minSpendShare: integer("min_spend_share_percent"),
    minPoints: integer("min_points"),
    maxPoints: integer("max_points"),
    tallyRule: text("tally_rule", { enum: tallyRules }).notNull().default("greedy"),
    /** After MES, spend what is left greedily (ignored for greedy). */
    tallyCompletion: boolean("tally_completion").notNull().default(true),
    position: integer("position").notNull().default(0),
    /** The order of the proposals on the ballot page (ADR 0027). */
    ballotOrder: text("ballot_order", { enum: BALLOT_ORDERS }).notNull().default("random"),
  },
  (t) => [unique("envelopes_slug_unique").on(t.roundId, t.slug)],
);

/** A theme of a round (ADR 0032): what a proposal is about, for filtering a long ballot. */
export const roundThemes = pgTable(
  "round_themes",
  {
    id: text("id").primaryKey(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [unique("round_themes_slug_unique").on(t.roundId, t.slug)],
);

export const proposalStatuses = ["submitted", "accepted", "rejected", "withdrawn", "selected", "funded"] as const;

/** A project competing for an envelope's money. Cost in minor units. */
export const proposals = pgTable(
  "proposals",
  {
    id: text("id").primaryKey(),
    envelopeId: text("envelope_id")
      .notNull()
      .references(() => envelopes.id, { onDelete: "cascade" }),
    title: jsonb("title").$type<LocalizedText>().notNull(),
    body: jsonb("body").$type<LocalizedText>().notNull(),
    cost: bigint("cost", { mode: "number" }).notNull(),
    districtId: text("district_id").references(() => districts.id),
    /** At most one of the round's themes (ADR 0032). */
    themeId: text("theme_id").references(() => roundThemes.id, { onDelete: "set null" }),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    status: text("status", { enum: proposalStatuses }).notNull().default("submitted"),
    /** Free text such as an address or "near the north gate of Laleh park". */
    location: text("location"),
    /** Where the proposal is, in decimal degrees (both or neither; ADR 0035). */
    pointLat: doublePrecision("point_lat"),
    pointLon: doublePrecision("point_lon"),
    /** Shown to the author and the public when staff reject a proposal. */
    rejectionReason: text("rejection_reason"),
    feasibilityNote: text("feasibility_note"),
    /** The council's official answer, shown apart from residents' comments. */
    officialResponse: text("official_response"),
    officialResponseAt: timestamp("official_response_at", { withTimezone: true, mode: "date" }),
    reviewedAt: timestamp("reviewed_at", { withTimezone: true, mode: "date" }),
    reviewedBy: text("reviewed_by").references(() => users.id, { onDelete: "set null" }),
    /** Set when staff merged this duplicate into another proposal of the round (ADR 0036). */
    mergedIntoId: text("merged_into_id"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("proposals_envelope_idx").on(t.envelopeId)],
);
