/**
 * The GPS position in a photo's EXIF block (ADR 0039): read so that a resident who chose to keep
 * the location gives the report that location, while the stored photo itself keeps no metadata.
 * Reads the TIFF structure (either byte order) as sharp hands it out, with or without the "Exif\0\0"
 * prefix; anything malformed, out of range or absent is null, never an error.
 */
export interface GpsPoint {
  lat: number;
  lon: number;
}

const GPS_IFD_POINTER = 0x8825;
const TYPE_ASCII = 2;
const TYPE_RATIONAL = 5;

export function gpsOfExif(exif: Uint8Array | null | undefined): GpsPoint | null {
  if (!exif) return null;
  let bytes = exif;
  if (bytes.length >= 6 && String.fromCharCode(...bytes.subarray(0, 4)) === "Exif") bytes = bytes.subarray(6);
  if (bytes.length < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = String.fromCharCode(bytes[0], bytes[1]);
  if (order !== "II" && order !== "MM") return null;
  const little = order === "II";
  const inside = (offset: number, length: number) => offset >= 0 && offset + length <= bytes.length;
  const u16 = (o: number) => view.getUint16(o, little);
  const u32 = (o: number) => view.getUint32(o, little);
  if (u16(2) !== 42) return null;
  /** The entries of the IFD at `offset`: tag → the entry's own offset. */
  const entries = (offset: number): Map<number, number> | null => {
    if (!inside(offset, 2)) return null;
    const count = u16(offset);
    if (!inside(offset + 2, count * 12)) return null;
    const map = new Map<number, number>();
    for (let i = 0; i < count; i++) map.set(u16(offset + 2 + i * 12), offset + 2 + i * 12);
    return map;
  };
  const ifd0 = entries(u32(4));
  const pointer = ifd0?.get(GPS_IFD_POINTER);
  if (pointer === undefined) return null;
  const gps = entries(u32(pointer + 8));
  if (!gps) return null;
  const ref = (tag: number): string | null => {
    const at = gps.get(tag);
    if (at === undefined || u16(at + 2) !== TYPE_ASCII) return null;
    return String.fromCharCode(bytes[at + 8]);
  };
  const degrees = (tag: number): number | null => {
    const at = gps.get(tag);
    if (at === undefined || u16(at + 2) !== TYPE_RATIONAL || u32(at + 4) !== 3) return null;
    const data = u32(at + 8);
    if (!inside(data, 24)) return null;
    const parts = [0, 1, 2].map((i) => {
      const denominator = u32(data + i * 8 + 4);
      return denominator === 0 ? Number.NaN : u32(data + i * 8) / denominator;
    });
    const value = parts[0] + parts[1] / 60 + parts[2] / 3600;
    return Number.isFinite(value) ? value : null;
  };
  const latRef = ref(1);
  const lonRef = ref(3);
  const lat = degrees(2);
  const lon = degrees(4);
  if (lat === null || lon === null || !latRef || !lonRef) return null;
  if (!"NS".includes(latRef) || !"EW".includes(lonRef) || lat > 90 || lon > 180) return null;
  const round = (v: number) => Math.round(v * 1e6) / 1e6;
  return { lat: round(latRef === "S" ? -lat : lat), lon: round(lonRef === "W" ? -lon : lon) };
}
