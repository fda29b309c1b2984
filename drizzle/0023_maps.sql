-- Maps of proposals and districts (ADR 0035).
-- A district's boundary: the coordinates of a GeoJSON MultiPolygon (WGS 84, [lon, lat]), checked on upload.
ALTER TABLE "districts" ADD COLUMN "boundary" jsonb;--> statement-breakpoint
-- A proposal's place: a point in decimal degrees, both or neither.
ALTER TABLE "proposals" ADD COLUMN "point_lat" double precision;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "point_lon" double precision;--> statement-breakpoint
ALTER TABLE "proposals" ADD CONSTRAINT "proposals_point_both" CHECK (("point_lat" IS NULL) = ("point_lon" IS NULL));--> statement-breakpoint
-- A street-map tile server the municipality chose ({z}/{x}/{y} template); unset: only the drawn map.
ALTER TABLE "municipalities" ADD COLUMN "map_tile_url" text;--> statement-breakpoint
-- The addresses a municipality knows (uploaded by staff as CSV): a resident may type one instead of a point.
CREATE TABLE "map_addresses" (
	"municipality_id" text NOT NULL REFERENCES "municipalities"("id") ON DELETE cascade,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"lat" double precision NOT NULL,
	"lon" double precision NOT NULL,
	PRIMARY KEY ("municipality_id", "key")
);
