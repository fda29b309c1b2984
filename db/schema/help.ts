import { jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";
import { type LocalizedText, municipalities } from "./tenancy";

/** A municipality's own help page (ADR 0037): title and text in English and Persian, written by staff. */
export const helpPages = pgTable(
  "help_pages",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    title: jsonb("title").$type<LocalizedText>().notNull(),
    body: jsonb("body").$type<LocalizedText>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [unique("help_pages_municipality_slug").on(t.municipalityId, t.slug)],
);
