import { customType, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { municipalities } from "./tenancy";

/** PostgreSQL bytea: a Buffer to the driver, a Uint8Array back (PGlite and pg both). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (value) => Buffer.from(value.buffer, value.byteOffset, value.byteLength),
  fromDriver: (value) => new Uint8Array(value),
});

export const mediaKinds = ["image", "document"] as const;
export const mediaStorages = ["db", "dir", "s3"] as const;

/**
 * A photo or document attached to something (ADR 0034): `owner_kind` names the record's area
 * ("proposal", "implementation_update", …) and `owner_id` its id; the area says who may see it.
 */
export const media = pgTable(
  "media",
  {
    id: text("id").primaryKey(),
    municipalityId: text("municipality_id")
      .notNull()
      .references(() => municipalities.id, { onDelete: "cascade" }),
    ownerKind: text("owner_kind").notNull(),
    ownerId: text("owner_id").notNull(),
    kind: text("kind", { enum: mediaKinds }).notNull(),
    position: integer("position").notNull().default(0),
    /** An image's alternative text (required); a document's title. */
    alt: text("alt").notNull(),
    fileName: text("file_name").notNull(),
    /** Images: the largest stored size; the widths stored. Documents: 0 and []. */
    width: integer("width").notNull().default(0),
    height: integer("height").notNull().default(0),
    widths: jsonb("widths").$type<number[]>().notNull().default([]),
    byteLength: integer("byte_length").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [index("media_owner_idx").on(t.municipalityId, t.ownerKind, t.ownerId, t.position)],
);

/** The stored files of one medium: each width of an image, or the document itself. */
export const mediaFiles = pgTable(
  "media_files",
  {
    mediaId: text("media_id")
      .notNull()
      .references(() => media.id, { onDelete: "cascade" }),
    /** "640.webp", "document.pdf". */
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    byteLength: integer("byte_length").notNull(),
    /** Where the bytes are: in `data` (the default), or under `storage_key` in a folder or an S3 bucket. */
    storage: text("storage", { enum: mediaStorages }).notNull(),
    storageKey: text("storage_key"),
    data: bytea("data"),
  },
  (t) => [primaryKey({ columns: [t.mediaId, t.name] })],
);
