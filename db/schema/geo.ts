import { doublePrecision, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { municipalities } from "./tenancy";

/** The addresses a municipality knows, with their points: a resident may pick one for a proposal (ADR 0035). */
export const mapAddresses = pgTable(
  "map_addresses",
  {
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    /** The label folded for matching (lower case, Persian letters unified, spaces collapsed). */
    key: text("key").notNull(),
    label: text("label").notNull(),
    lat: doublePrecision("lat").notNull(),
    lon: doublePrecision("lon").notNull(),
  },
  (t) => [primaryKey({ columns: [t.municipalityId, t.key] })],
);
