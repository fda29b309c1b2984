import { crc32, inflateRawSync } from "node:zlib";
import { zipSync } from "fflate";
import type { BundleFile } from "./build";
import { FILES } from "./format";

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

/** A zip entry that is not one of the bundle's files, or that cannot be trusted to inflate safely. */
export class ZipRefused extends Error {
  constructor(
    readonly entry: string,
    readonly reason: string,
  ) {
    super(`${entry}: ${reason}`);
  }
}

export interface ZipLimits {
  /** Largest inflated size of one entry (declared and actual). */
  maxEntryBytes: number;
  /** Largest ratio of inflated to compressed size (deflate of real bundle files stays far below it). */
  maxRatio: number;
}

/** 2 GiB per file (a bundle of millions of ballots fits); deflate cannot exceed ~1,032:1, real files stay below 20:1. */
export const DEFAULT_ZIP_LIMITS: ZipLimits = { maxEntryBytes: 2 ** 31 - 1, maxRatio: 200 };

interface Entry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressed: number;
  size: number;
  localOffset: number;
}

/** The central directory: every entry as declared. */
function centralDirectory(zip: Buffer): Entry[] {
  const min = Math.max(0, zip.length - 22 - 0xffff);
  let eocd = -1;
  for (let i = zip.length - 22; i >= min; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipRefused("(zip)", "no end of central directory: not a zip");
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff || size === 0xffffffff)
    throw new ZipRefused("(zip)", "ZIP64 archives are not bundles");
  if (offset + size > eocd) throw new ZipRefused("(zip)", "the central directory lies outside the file");
  const entries: Entry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || zip.readUInt32LE(at) !== 0x02014b50)
      throw new ZipRefused("(zip)", `central directory entry ${i + 1} is damaged`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    entries.push({
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressed: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
      name: zip.toString("utf8", at + 46, at + 46 + nameLength),
    });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** A bundle file name: plain, at the root (no folder, no `..`, no absolute path, no hidden or control characters). */
function plainName(name: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) && !name.includes("..");
}

function inflateEntry(zip: Buffer, e: Entry, limits: ZipLimits): Buffer {
  if (e.size > limits.maxEntryBytes)
    throw new ZipRefused(e.name, `declares ${e.size} bytes, more than the limit of ${limits.maxEntryBytes}`);
  if (e.size > Math.max(1, e.compressed) * limits.maxRatio && e.size > 65536)
    throw new ZipRefused(
      e.name,
      `declares ${e.size} bytes from ${e.compressed} compressed: a zip bomb, not a bundle file`,
    );
  const at = e.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== 0x04034b50)
    throw new ZipRefused(e.name, "its local header is missing or damaged");
  const localName = zip.toString("utf8", at + 30, at + 30 + zip.readUInt16LE(at + 26));
  if (localName !== e.name) throw new ZipRefused(e.name, `its local header names ${JSON.stringify(localName)}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  if (start + e.compressed > zip.length) throw new ZipRefused(e.name, "its data lies outside the file");
  const data = zip.subarray(start, start + e.compressed);
  let out: Buffer;
  if (e.method === 0) out = Buffer.from(data);
  else if (e.method === 8) {
    try {
      // Inflation stops as soon as the output passes the declared size: memory stays bounded.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, e.size) });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new ZipRefused(
        e.name,
        code === "ERR_BUFFER_TOO_LARGE" ? `inflates to more than its declared ${e.size} bytes` : "does not inflate",
      );
    }
  } else throw new ZipRefused(e.name, `compression method ${e.method} is not deflate or stored`);
  if (out.length !== e.size)
    throw new ZipRefused(e.name, `inflates to ${out.length} bytes, not the declared ${e.size}`);
  if (crc32(out) >>> 0 !== e.crc >>> 0) throw new ZipRefused(e.name, "its CRC-32 does not match");
  return out;
}

/**
 * Opens a bundle zip without trusting it: it must hold exactly the files SHA256SUMS names plus
 * SHA256SUMS and its signature, each once, at the root; every entry inflates within its declared
 * size and the limits. Anything else throws ZipRefused naming the entry. (ADR 0018)
 */
export function readBundleZip(zip: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Buffer> {
  const entries = centralDirectory(zip);
  const seen = new Set<string>();
  for (const e of entries) {
    if (!plainName(e.name))
      throw new ZipRefused(e.name, "not a bundle file at the zip's root (folder, path or odd name)");
    if (seen.has(e.name)) throw new ZipRefused(e.name, "appears twice in the zip");
    if (e.flags & 1) throw new ZipRefused(e.name, "is encrypted");
    seen.add(e.name);
  }
  const sumsEntry = entries.find((e) => e.name === FILES.sums);
  if (!sumsEntry) throw new ZipRefused(FILES.sums, "is missing from the zip");
  const sums = inflateEntry(zip, sumsEntry, { ...limits, maxEntryBytes: Math.min(limits.maxEntryBytes, 1 << 20) });
  const listed = new Set<string>([FILES.sums, FILES.signature]);
  for (const line of sums.toString("utf8").split("\n")) {
    const match = /^[0-9a-f]{64} {2}(.+)$/.exec(line);
    if (match) listed.add(match[1]);
  }
  for (const e of entries) if (!listed.has(e.name)) throw new ZipRefused(e.name, "is not a file named in SHA256SUMS");
  const files = new Map<string, Buffer>([[FILES.sums, sums]]);
  for (const e of entries) if (e.name !== FILES.sums) files.set(e.name, inflateEntry(zip, e, limits));
  return files;
}
