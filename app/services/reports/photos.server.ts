/**
 * Photos of residents' reports go through the shared media service (ADR 0034, ADR 0039): the bytes
 * decide the format, only pictures are taken (a PDF is refused here), and each is re-encoded to
 * WebP with no metadata at all. "Keep the location" does not keep EXIF in the stored file: the GPS
 * position of the first photo that has one becomes the report's location (when the form gave none),
 * checked against the municipality's box like a typed one.
 */
import sharp from "sharp";
import { REPORT_PHOTO_MAX_BYTES, REPORT_PHOTOS_MAX } from "../../domain/reports/reports";
import { type GpsPoint, gpsOfExif } from "../../domain/reports/exif-gps";
import { RefusedError } from "../errors.server";
import { type PreparedMedia, prepareMedia } from "../media/media.server";
import type { ReportRefusal } from "./reports.server";

const tooLarge = () => new RefusedError<ReportRefusal>("report_photo_too_large", "photos", {}, 413);
const invalid = () => new RefusedError<ReportRefusal>("report_photo_invalid", "photos");

async function locationOf(bytes: Uint8Array): Promise<GpsPoint | null> {
  try {
    return gpsOfExif((await sharp(bytes, { limitInputPixels: false }).metadata()).exif);
  } catch {
    return null;
  }
}

/**
 * The photo fields of a form, prepared for `attachMedia` (CPU work: call it before the transaction).
 * Empty file inputs are skipped; too many or too large ones, and anything but a picture, refused.
 * `altOf(n)` names the n-th photo for people who cannot see it.
 */
export async function prepareReportPhotos(
  files: File[],
  options: { keepLocation: boolean; altOf: (n: number) => string },
): Promise<{ photos: PreparedMedia[]; location: GpsPoint | null }> {
  const given = files.filter((f) => f.size > 0);
  if (given.length > REPORT_PHOTOS_MAX) throw tooLarge();
  const photos: PreparedMedia[] = [];
  let location: GpsPoint | null = null;
  for (const [i, file] of given.entries()) {
    if (file.size > REPORT_PHOTO_MAX_BYTES) throw tooLarge();
    const bytes = new Uint8Array(await file.arrayBuffer());
    let prepared: PreparedMedia;
    try {
      prepared = await prepareMedia({ field: "photos", bytes, fileName: file.name, alt: options.altOf(i + 1) });
    } catch (error) {
      if (error instanceof RefusedError && error.status === 413) throw tooLarge();
      if (error instanceof RefusedError) throw invalid();
      throw error;
    }
    if (prepared.kind !== "image") throw invalid();
    photos.push(prepared);
    if (options.keepLocation && !location) location = await locationOf(bytes);
  }
  return { photos, location };
}
