/**
 * Test images and documents, generated here with sharp (nothing read from outside the repository):
 * a photo with GPS EXIF and XMP, polyglots, an SVG with a script, a PNG that claims a huge canvas.
 */
import { deflateSync } from "node:zlib";
import sharp from "sharp";

/** A JPEG photo with a camera's EXIF, a GPS position and an XMP packet. */
export async function photoWithGps(width = 1600, height = 1200): Promise<Uint8Array> {
  let image = sharp({ create: { width, height, channels: 3, background: { r: 40, g: 140, b: 90 } } })
    .jpeg({ quality: 80 })
    .withExif({
      IFD0: { Make: "TestCam", ImageDescription: "secret-spot" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "35/1 41/1 2/1", GPSLongitudeRef: "E", GPSLongitude: "51/1 23/1 4/1" },
    });
  image = image.withXmp(
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="35,41.03N" xmp-secret="xmp-secret-spot"/></rdf:RDF></x:xmpmeta>',
  );
  return new Uint8Array(await image.toBuffer());
}

export async function plainPng(width = 800, height = 600): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 60, b: 60 } } })
      .png()
      .toBuffer(),
  );
}

export const svgWithScript = new TextEncoder().encode(
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.cookie)</script><rect width="10" height="10"/></svg>',
);

/** A JPEG with a page after its end: a browser sniffing it could run the script. */
export async function jpegHtmlPolyglot(): Promise<Uint8Array> {
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#888" } })
    .jpeg()
    .toBuffer();
  return new Uint8Array(Buffer.concat([jpeg, Buffer.from("<html><script>alert('polyglot')</script></html>")]));
}

/** A GIF header followed by JavaScript (`GIF89a=…`): valid script, not a decodable image. */
export const gifJsPolyglot = new TextEncoder().encode("GIF89a/*\u0000\u0000*/=1;alert('gifjs');//");

export function pdf(extra = ""): Uint8Array {
  return new TextEncoder().encode(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n${extra}trailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

/** A PDF that is also an HTML page. */
export const pdfHtmlPolyglot = () => pdf("<html><body><script>alert('pdf')</script></body></html>\n");
/** A PDF with an archive after its end. */
export const pdfZipPolyglot = () =>
  new Uint8Array(Buffer.concat([Buffer.from(pdf()), Buffer.from("PK\u0003\u0004 hidden archive")]));

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, "latin1"), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A few hundred bytes of PNG whose header claims `side`×`side` pixels (a decompression bomb). */
export function pngClaiming(side = 30_000): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  return new Uint8Array(
    Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk("IHDR", ihdr),
      chunk("IDAT", deflateSync(Buffer.alloc(side + 1))),
      chunk("IEND", new Uint8Array()),
    ]),
  );
}

/** Every metadata trace the photo of `photoWithGps` carries, looked for in stored bytes. */
export function hasMetadataTraces(bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString("latin1");
  return ["Exif", "EXIF", "secret-spot", "xmpmeta", "TestCam", "XMP "].some((s) => text.includes(s));
}
