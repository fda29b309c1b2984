/** Reading and writing bundles as a directory or a .zip, for the bundle commands. */
import fs from "node:fs";
import path from "node:path";
import type { BundleFile } from "../domain/bundle/build";
import type { BundleReader } from "../domain/bundle/verify";
import { ZipRefused, readBundleZip, zipBundle } from "../domain/bundle/zip";
import { UsageError } from "./io.ts";

/** Opens a bundle directory or zip file; exit 2 (UsageError) when it cannot be read. */
export function openBundle(location: string): BundleReader {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(location);
  } catch {
    throw new UsageError(`cannot read the bundle ${location}`);
  }
  if (stat.isDirectory()) {
    return {
      read(name) {
        if (name.includes("/") || name.includes("\\") || name.startsWith(".")) return null;
        try {
          return fs.readFileSync(path.join(location, name));
        } catch {
          return null;
        }
      },
    };
  }
  let zip: Buffer;
  try {
    zip = fs.readFileSync(location);
  } catch {
    throw new UsageError(`cannot read the bundle ${location}`);
  }
  if (zip.length < 4 || zip.readUInt32LE(0) !== 0x04034b50)
    throw new UsageError(`${location} is neither a bundle directory nor a readable .zip`);
  // Exactly the signed files, at the root, each once, inflated within their declared sizes (ADR 0018);
  // anything else throws ZipRefused naming the entry.
  const files = readBundleZip(zip);
  return { read: (name) => files.get(name) ?? null };
}

export { ZipRefused };

/** Writes the bundle's files into a directory (created), or a .zip when the path ends in .zip. */
export function writeBundle(files: readonly BundleFile[], out: string) {
  if (out.endsWith(".zip")) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(out, zipBundle(files));
    return;
  }
  fs.mkdirSync(out, { recursive: true });
  for (const f of files) fs.writeFileSync(path.join(out, f.name), f.bytes);
}
