import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import type { BundleFile } from "../../app/domain/bundle/build";
import { demoBundle } from "../../app/domain/bundle/demo";
import { zipBundle } from "../../app/domain/bundle/zip";

/** A zip written entry by entry, so a test can craft what fflate would refuse (duplicates, lying sizes). */
interface RawEntry {
  name: string;
  data: Buffer;
  /** Compressed bytes and the sizes to declare, when the test streams or lies. */
  compressed?: Buffer;
  size?: number;
  crc?: number;
}

function header(sig: number, fields: [number, number][]): Buffer {
  const b = Buffer.alloc(fields.reduce((s, [, n]) => s + n, 4));
  b.writeUInt32LE(sig, 0);
  let at = 4;
  for (const [v, n] of fields) {
    if (n === 2) b.writeUInt16LE(v, at);
    else b.writeUInt32LE(v >>> 0, at);
    at += n;
  }
  return b;
}

function rawZip(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const compressed = e.compressed ?? deflateRawSync(e.data);
    const size = e.size ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    const local = header(0x04034b50, [
      [20, 2],
      [0, 2],
      [8, 2],
      [0, 2],
      [0x21, 2],
      [crc, 4],
      [compressed.length, 4],
      [size, 4],
      [name.length, 2],
      [0, 2],
    ]);
    parts.push(local, name, compressed);
    central.push(
      header(0x02014b50, [
        [20, 2],
        [20, 2],
        [0, 2],
        [8, 2],
        [0, 2],
        [0x21, 2],
        [crc, 4],
        [compressed.length, 4],
        [size, 4],
        [name.length, 2],
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 2],
        [0, 4],
        [offset, 4],
      ]),
      name,
    );
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = header(0x06054b50, [
    [0, 2],
    [0, 2],
    [entries.length, 2],
    [entries.length, 2],
    [directory.length, 4],
    [offset, 4],
    [0, 2],
  ]);
  return Buffer.concat([...parts, directory, end]);
}

let files: BundleFile[];
let dir: string;
const entriesOf = (list: readonly BundleFile[]): RawEntry[] => list.map((f) => ({ name: f.name, data: f.bytes }));

async function verifyZip(bytes: Buffer) {
  const file = path.join(dir, `z${Math.random().toString(36).slice(2)}.zip`);
  fs.writeFileSync(file, bytes);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["verify", file], { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

/** 1 GiB of zeros deflated in a stream (about 1 MB): the test never holds the inflated bytes. */
async function gigabyteOfZeros(): Promise<{ compressed: Buffer; size: number; crc: number }> {
  const size = 1 << 30;
  const chunk = Buffer.alloc(1 << 20);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => deflate.on("end", resolve));
  let crc = 0;
  for (let i = 0; i < size / chunk.length; i++) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await done;
  return { compressed: Buffer.concat(out), size, crc };
}

beforeAll(() => {
  files = demoBundle({ voters: 200, seed: "zip-tests" }).files;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-zip-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("shora verify on crafted zips", () => {
  it("passes the zip the bundle writer makes, and the same files written entry by entry", async () => {
    expect((await verifyZip(Buffer.from(zipBundle(files)))).code).toBe(0);
    expect((await verifyZip(rawZip(entriesOf(files)))).code).toBe(0);
  });

  it("fails a zip with a fake tally and results at the root and the genuine files in a folder, naming the entry", async () => {
    const fakeTally = Buffer.from('{"format":"shora-bundle/1","envelopes":[]}\n');
    const crafted = [
      ...entriesOf(files).map((e) => ({ ...e, name: `genuine/${e.name}` })),
      ...entriesOf(files).map((e) => (e.name === "tally.json" ? { ...e, data: fakeTally } : e)),
    ];
    const result = await verifyZip(rawZip(crafted));
    expect(result.code).toBe(1);
    expect(result.err).toContain("✗ bundle zip: genuine/ballots.jsonl: not a bundle file at the zip's root");
  });

  it("fails duplicates, extra files and path tricks, naming the entry", async () => {
    const genuine = entriesOf(files);
    const tally = genuine.find((e) => e.name === "tally.json") as RawEntry;
    const cases: [RawEntry[], string][] = [
      [[...genuine, { ...tally, data: Buffer.from("{}") }], "✗ bundle zip: tally.json: appears twice in the zip"],
      [
        [...genuine, { name: "notes.txt", data: Buffer.from("hi") }],
        "✗ bundle zip: notes.txt: is not a file named in SHA256SUMS",
      ],
      [
        [...genuine, { name: "../tally.json", data: Buffer.from("{}") }],
        "✗ bundle zip: ../tally.json: not a bundle file",
      ],
      [
        [...genuine, { name: "/etc/tally.json", data: Buffer.from("{}") }],
        "✗ bundle zip: /etc/tally.json: not a bundle file",
      ],
      [[...genuine, { name: "..", data: Buffer.from("") }], "✗ bundle zip: ..: not a bundle file"],
      [genuine.filter((e) => e.name !== "SHA256SUMS"), "✗ bundle zip: SHA256SUMS: is missing from the zip"],
    ];
    for (const [entries, message] of cases) {
      const result = await verifyZip(rawZip(entries));
      expect(result.code, message).toBe(1);
      expect(result.err).toContain(message);
    }
  });

  it("fails zip bombs fast and in bounded memory (peak RSS of the shora verify process under 300 MB)", async () => {
    const zeros = await gigabyteOfZeros();
    const genuine = entriesOf(files);
    const ballots = genuine.find((e) => e.name === "ballots.jsonl") as RawEntry;
    const bombs: [RawEntry[], string][] = [
      // The reproduced attack: an unused 1 GiB entry beside the genuine files.
      [
        [...genuine, { name: "padding.bin", data: Buffer.alloc(0), ...zeros }],
        "padding.bin: is not a file named in SHA256SUMS",
      ],
      // A named file that declares 1 GiB.
      [
        genuine.map((e) => (e.name === "ballots.jsonl" ? { ...e, ...zeros } : e)),
        "ballots.jsonl: declares 1073741824 bytes",
      ],
      // A named file that declares its real size but inflates to 1 GiB.
      [
        genuine.map((e) => (e.name === "ballots.jsonl" ? { ...e, compressed: zeros.compressed } : e)),
        `ballots.jsonl: inflates to more than its declared ${ballots.data.length} bytes`,
      ],
    ];
    for (const [entries, message] of bombs) {
      const file = path.join(dir, "bomb.zip");
      fs.writeFileSync(file, rawZip(entries));
      expect(fs.statSync(file).size).toBeLessThan(4 << 20);
      const run = spawnSync(
        "/usr/bin/time",
        ["-f", "maxrss-kb=%M", process.execPath, path.resolve("app/cli/bin.cjs"), "verify", file],
        { encoding: "utf8", env: { ...process.env, SHORA_CLI_SOURCES: "1" } },
      );
      expect(run.status, run.stderr).toBe(1);
      expect(run.stderr).toContain(`✗ bundle zip: ${message}`);
      const rss = Number(/maxrss-kb=(\d+)/.exec(run.stderr)?.[1]);
      expect(rss).toBeGreaterThan(0);
      expect(rss / 1024).toBeLessThan(300);
    }
  }, 120_000);
});
