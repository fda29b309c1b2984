/**
 * Photos for the demo round's proposals (ADR 0034), drawn here at seed time — nothing is
 * downloaded and no image file is committed. Each picture is a plain landscape (sky, a hill, a
 * sun) in colours derived from the proposal's position, made as raw pixels and stored through the
 * same pipeline as an upload (`prepareMedia`: re-encoded to WebP widths, no metadata).
 * Idempotent: proposals that already have media are left alone.
 */
import { and, eq, inArray } from "drizzle-orm";
import sharp from "sharp";
import type { Db } from "../../../db/client";
import { envelopes, media, proposals, rounds } from "../../../db/schema";
import { prepareMedia, storeMedia } from "../media/media.server";
import { scopeOf, systemActor } from "../scope";
import { findMunicipality } from "../tenancy/municipality.server";

const WIDTH = 640;
const HEIGHT = 400;

/** A landscape of WIDTH×HEIGHT RGB pixels; `n` picks its colours. */
function landscape(n: number): Buffer {
  const hue = (n * 47) % 360;
  const rgb = (h: number, s: number, l: number): [number, number, number] => {
    const a = s * Math.min(l, 1 - l);
    const f = (k: number) => {
      const x = (k + h / 30) % 12;
      return Math.round(255 * (l - a * Math.max(-1, Math.min(x - 3, 9 - x, 1))));
    };
    return [f(0), f(8), f(4)];
  };
  const sky = rgb((hue + 200) % 360, 0.55, 0.72);
  const ground = rgb((hue + 100) % 360, 0.45, 0.4);
  const sun = rgb(45, 0.9, 0.6);
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  const sunX = 120 + ((n * 97) % 400);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const hill = HEIGHT * 0.62 + Math.sin((x / WIDTH) * Math.PI * 2 + n) * 28;
      const inSun = (x - sunX) ** 2 + (y - 90) ** 2 < 38 ** 2;
      const shade = 1 - (y / HEIGHT) * 0.25;
      const c = y > hill ? ground : inSun ? sun : sky;
      const i = (y * WIDTH + x) * 3;
      pixels[i] = c[0] * shade;
      pixels[i + 1] = c[1] * shade;
      pixels[i + 2] = c[2] * shade;
    }
  }
  return pixels;
}

/** A photo on every proposal of the demo municipality's round `roundSlug` that has none. */
export async function seedDemoPhotos(db: Db, input: { slug: string; roundSlug: string }): Promise<number> {
  const municipality = await findMunicipality(db, input.slug);
  if (!municipality) return 0;
  const rows = await db
    .select({ id: proposals.id, title: proposals.title })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(rounds.municipalityId, municipality.id), eq(rounds.slug, input.roundSlug)))
    .orderBy(proposals.createdAt, proposals.id);
  if (rows.length === 0) return 0;
  const having = new Set(
    (
      await db
        .select({ ownerId: media.ownerId })
        .from(media)
        .where(
          and(
            eq(media.municipalityId, municipality.id),
            eq(media.ownerKind, "proposal"),
            inArray(
              media.ownerId,
              rows.map((r) => r.id),
            ),
          ),
        )
    ).map((r) => r.ownerId),
  );
  const scope = scopeOf(municipality, systemActor("demo"));
  let added = 0;
  for (const [n, row] of rows.entries()) {
    if (having.has(row.id)) continue;
    const jpeg = await sharp(landscape(n), { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
      .jpeg({ quality: 80 })
      .toBuffer();
    const prepared = await prepareMedia({
      field: "image1",
      bytes: new Uint8Array(jpeg),
      fileName: "demo.jpg",
      alt: `طرحی از محل «${row.title.fa ?? row.title.en ?? ""}» — a drawing of the site of “${row.title.en ?? row.title.fa ?? ""}”`,
    });
    await db.transaction((tx) => storeMedia(tx, scope, { owner: { kind: "proposal", id: row.id }, media: prepared }));
    added++;
  }
  return added;
}
