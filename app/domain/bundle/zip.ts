import { zipSync } from "fflate";
import type { BundleFile } from "./build";

/** The bundle as a .zip with fixed timestamps: the same bundle gives the same zip bytes. */
export function zipBundle(files: readonly BundleFile[]): Uint8Array {
  const when = new Date("2000-01-01T00:00:00Z");
  return zipSync(
    Object.fromEntries(
      files.map((f) => [
        f.name,
        [new Uint8Array(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength), { mtime: when }],
      ]),
    ),
    { level: 6 },
  );
}
