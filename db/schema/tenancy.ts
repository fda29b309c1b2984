import { integer, jsonb, pgTable, primaryKey, text, timestamp, unique } from "drizzle-orm/pg-core";
import type { MultiPolygonCoords } from "../../app/domain/geo/geojson";
import { users } from "./accounts";

import type { LocalizedText } from "../../app/domain/i18n";

export type { LocalizedText };

/** A tenant: one city or town running its own rounds. */
export const municipalities = pgTable("municipalities", {
  id: text("id").primaryKey(),
  slug: text("slug").notNull().unique(),
  name: jsonb("name").$type<LocalizedText>().notNull(),
  defaultLocale: text("default_locale", { enum: ["en", "fa"] })
    .notNull()
    .default("en"),
  timeZone: text("time_zone").notNull().default("UTC"),
  currency: text("currency").notNull().default("EUR"),
  /** A street-map tile server ({z}/{x}/{y}); unset: the map drawn on the server only (ADR 0035). */
  mapTileUrl: text("map_tile_url"),
  /** What the tile provider requires shown on its tiles (plain text), set with `mapTileUrl`. */
  mapTileAttribution: text("map_tile_attribution"),
  createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

export const membershipRoles = ["staff", "admin"] as const;
export type MembershipRole = (typeof membershipRoles)[number];

/** A council member's role in one municipality. */
export const memberships = pgTable(
  "memberships",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    role: text("role", { enum: membershipRoles }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.municipalityId] })],
);

/** An area of a municipality (ballots and census records refer to it). */
export const districts = pgTable(
  "districts",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    code: text("code").notNull(),
    name: jsonb("name").$type<LocalizedText>().notNull(),
    position: integer("position").notNull().default(0),
    /** The district's outline as GeoJSON MultiPolygon coordinates, checked on upload (ADR 0035). */
    boundary: jsonb("boundary").$type<MultiPolygonCoords>(),
  },
  (t) => [unique("districts_code_unique").on(t.municipalityId, t.code)],
);
