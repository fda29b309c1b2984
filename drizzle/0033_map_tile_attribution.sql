-- The text a street-map tile provider requires shown on its tiles ("© OpenStreetMap contributors"),
-- set by the municipality's administrator with the tile server's address (ADR 0035). Plain text.
ALTER TABLE "municipalities" ADD COLUMN "map_tile_attribution" text;
