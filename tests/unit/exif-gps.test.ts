/** Reading the GPS position of a photo's EXIF block: both hemispheres, absent, malformed. */
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { gpsOfExif } from "../../app/domain/reports/exif-gps";

async function exifOf(gps: Record<string, string> | null): Promise<Uint8Array | undefined> {
  const photo = await sharp({ create: { width: 8, height: 8, channels: 3, background: "orange" } })
    .withExif({ IFD0: { Artist: "someone" }, ...(gps ? { IFD3: gps } : {}) })
    .jpeg()
    .toBuffer();
  return (await sharp(photo).metadata()).exif;
}

describe("gpsOfExif", () => {
  it("reads degrees, minutes and seconds in the northern and eastern hemispheres", async () => {
    const exif = await exifOf({
      GPSLatitudeRef: "N",
      GPSLatitude: "35/1 42/1 3000/100",
      GPSLongitudeRef: "E",
      GPSLongitude: "51/1 24/1 0/1",
    });
    expect(gpsOfExif(exif)).toEqual({ lat: 35.708333, lon: 51.4 });
  });

  it("turns south and west into negative numbers", async () => {
    const exif = await exifOf({
      GPSLatitudeRef: "S",
      GPSLatitude: "33/1 52/1 0/1",
      GPSLongitudeRef: "W",
      GPSLongitude: "70/1 30/1 0/1",
    });
    expect(gpsOfExif(exif)).toEqual({ lat: -33.866667, lon: -70.5 });
  });

  it("is null without a GPS block, for nothing, for garbage and for a cut-off block", async () => {
    const exif = await exifOf(null);
    expect(exif).toBeDefined();
    expect(gpsOfExif(exif)).toBeNull();
    expect(gpsOfExif(undefined)).toBeNull();
    expect(gpsOfExif(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))).toBeNull();
    const full = await exifOf({
      GPSLatitudeRef: "N",
      GPSLatitude: "35/1 42/1 0/1",
      GPSLongitudeRef: "E",
      GPSLongitude: "51/1 24/1 0/1",
    });
    expect(gpsOfExif(full?.subarray(0, 120))).toBeNull();
  });
});
