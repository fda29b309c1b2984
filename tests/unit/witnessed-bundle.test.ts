/**
 * Format 3 bundles (ADR 0022): checkpoints as C2SP signed notes with the witnesses' cosignatures; the
 * verifier needs the quorum on the final checkpoint, every trusted cosignature to verify, and every
 * note to say what its checkpoint says. Witnesses and quorum come from the bundle unless overridden.
 */
import { createHash, createPrivateKey, sign as edSign } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import type { BundleFile } from "../../app/domain/bundle/build";
import { DEMO_ORIGIN, demoBundle, keyPairFromSeed } from "../../app/domain/bundle/demo";
import { type LedgerDoc, sha256Hex } from "../../app/domain/bundle/format";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { readCheckpointNoteBody } from "../../app/domain/ledger/checkpoint";
import { cosign, newCosignerKey } from "../../app/domain/ledger/cosignature";
import { formatNote, parseNote, signNote, signerFromPem } from "../../app/domain/ledger/note";

const SEED = "witnessed-tests";
const keys = keyPairFromSeed(createHash("sha256").update(`key:${SEED}`).digest());
const alice = newCosignerKey("witness.example/alice");
const bob = newCosignerKey("witness.example/bob");
const carol = newCosignerKey("witness.example/carol");
let witnessed: BundleFile[];

beforeAll(() => {
  witnessed = demoBundle({ voters: 300, seed: SEED, witnesses: [alice, bob], quorum: 2 }).files;
});

const text = (files: readonly BundleFile[], name: string) =>
  files.find((f) => f.name === name)?.bytes.toString("utf8") ?? "";

function resigned(files: readonly BundleFile[], changes: Record<string, string>): BundleFile[] {
  const body = files
    .filter((f) => f.name !== "SHA256SUMS" && f.name !== "SHA256SUMS.sig")
    .map((f) => (changes[f.name] !== undefined ? { name: f.name, bytes: Buffer.from(changes[f.name]) } : f));
  const sums = body.map((f) => `${sha256Hex(f.bytes)}  ${f.name}\n`).join("");
  const signature = edSign(null, Buffer.from(sums), createPrivateKey(keys.privateKeyPem)).toString("base64");
  return [
    ...body,
    { name: "SHA256SUMS", bytes: Buffer.from(sums) },
    { name: "SHA256SUMS.sig", bytes: Buffer.from(`${signature}\n`) },
  ];
}

const editLedger = (files: readonly BundleFile[], change: (ledger: LedgerDoc) => void) => {
  const ledger = JSON.parse(text(files, "ledger.json")) as LedgerDoc;
  change(ledger);
  return resigned(files, { "ledger.json": `${JSON.stringify(ledger, null, 2)}\n` });
};

async function verdict(files: readonly BundleFile[], options: { witnesses?: string[]; quorum?: number } = {}) {
  const map = new Map(files.map((f) => [f.name, f.bytes]));
  const report = await verifyBundle({ read: (name) => map.get(name) ?? null }, options);
  return {
    exitCode: report.exitCode,
    failed: report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    witnesses: report.checks.find((c) => c.name === "witnesses")?.detail ?? null,
    cosigners: report.witnesses?.finalCosigners ?? null,
  };
}

function writeDir(files: readonly BundleFile[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-witnessed-"));
  for (const f of files) fs.writeFileSync(path.join(dir, f.name), f.bytes);
  return dir;
}

async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("format 3: checkpoints as signed notes", () => {
  it("writes shora-bundle/3 with each checkpoint's note, signed under the round's origin", () => {
    expect(JSON.parse(text(witnessed, "round.json")).format).toBe("shora-bundle/3");
    const ledger = JSON.parse(text(witnessed, "ledger.json")) as LedgerDoc;
    expect(ledger.origin).toBe(DEMO_ORIGIN);
    expect(ledger.quorum).toBe(2);
    expect(ledger.witnesses?.map((w) => w.name)).toEqual(["witness.example/alice", "witness.example/bob"]);
    const last = ledger.checkpoints.at(-1);
    const note = parseNote(last?.note ?? "");
    expect(note.text).toBe(
      `${DEMO_ORIGIN}\n${last?.treeSize}\n${Buffer.from(last?.rootHash ?? "", "hex").toString("base64")}\nshora-rules ${last?.roundFingerprint}\nshora-time ${last?.signedAt}\n`,
    );
    expect(note.signatures.map((s) => s.name)).toEqual([DEMO_ORIGIN, "witness.example/alice", "witness.example/bob"]);
    expect(readCheckpointNoteBody(note.text).treeSize).toBe(last?.treeSize);
  });

  it("passes with the bundle's witnesses and quorum, naming them", async () => {
    const v = await verdict(witnessed);
    expect(v.failed).toEqual([]);
    expect(v.exitCode).toBe(0);
    expect(v.cosigners).toEqual(["witness.example/alice", "witness.example/bob"]);
    expect(v.witnesses).toContain(
      "quorum 2 of 2 witnesses (witness.example/alice, witness.example/bob; from the bundle)",
    );
  });

  it("shora verify prints the witnesses and the quorum", async () => {
    const dir = writeDir(witnessed);
    const run = await cli(["verify", dir]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).toContain(
      "Witnesses (bundle): witness.example/alice, witness.example/bob; quorum 2; final checkpoint cosigned by witness.example/alice, witness.example/bob",
    );
  });

  it("a bundle without witnesses passes with quorum 0 and says so", async () => {
    const v = await verdict(demoBundle({ voters: 120, seed: SEED }).files);
    expect(v.exitCode).toBe(0);
    expect(v.witnesses).toMatch(/^no witnesses, quorum 0/);
  });
});

describe("the quorum", () => {
  it("fails, naming the final checkpoint, when the trusted witnesses given on the command line did not cosign enough", async () => {
    const v = await verdict(witnessed, { witnesses: [alice.verifierKey, carol.verifierKey], quorum: 2 });
    expect(v.exitCode).toBe(1);
    expect(v.failed.join("\n")).toMatch(
      /witnesses: ledger\.json checkpoint \d+ \(size 300\): cosigned by 1 of the trusted witnesses \(witness\.example\/alice\); the quorum is 2/,
    );
    const run = await cli([
      "verify",
      writeDir(witnessed),
      "--witness",
      alice.verifierKey,
      "--witness",
      carol.verifierKey,
    ]);
    expect(run.code).toBe(1);
    const one = await cli([
      "verify",
      writeDir(witnessed),
      "--witness",
      alice.verifierKey,
      "--witness",
      carol.verifierKey,
      "--quorum=1",
    ]);
    expect(one.code).toBe(0);
    expect(one.out).toContain("Witnesses (command line): witness.example/alice, witness.example/carol; quorum 1");
    const strict = await cli(["verify", writeDir(witnessed), "--witness", carol.verifierKey, "--quorum", "1"]);
    expect(strict.code).toBe(1);
    expect(strict.err).toContain("(size 300): cosigned by 0 of the trusted witnesses (none); the quorum is 1");
  });

  it("fails when the final checkpoint lost a cosignature (a split view the witnesses refused)", async () => {
    const files = editLedger(witnessed, (ledger) => {
      const last = ledger.checkpoints[ledger.checkpoints.length - 1];
      const note = parseNote(last.note ?? "");
      last.note = formatNote(note.text, note.signatures.slice(0, 2));
    });
    const v = await verdict(files);
    expect(v.exitCode).toBe(1);
    expect(v.failed.join("\n")).toContain(
      "cosigned by 1 of the trusted witnesses (witness.example/alice); the quorum is 2",
    );
  });

  it("fails when a trusted witness's cosignature does not verify", async () => {
    const files = editLedger(witnessed, (ledger) => {
      const last = ledger.checkpoints[ledger.checkpoints.length - 1];
      const note = parseNote(last.note ?? "");
      // Bob's cosignature of another tree, pasted under this one.
      const other = note.text.replace(/\n[A-Za-z0-9+/=]{44}\n/, `\n${Buffer.alloc(32, 7).toString("base64")}\n`);
      const forged = cosign(other, bob.signerKey, 1_800_000_000);
      last.note = formatNote(note.text, [...note.signatures.slice(0, 2), forged]);
    });
    const v = await verdict(files);
    expect(v.exitCode).toBe(1);
    expect(v.failed.join("\n")).toMatch(
      /witnesses: ledger\.json checkpoint \d+ \(size 300\): a signature on the note does not verify/,
    );
  });

  it("fails when a note says another tree than its checkpoint (even signed by the municipality's key)", async () => {
    const files = editLedger(witnessed, (ledger) => {
      const last = ledger.checkpoints[ledger.checkpoints.length - 1];
      const body = parseNote(last.note ?? "").text.replace(/\n300\n/, "\n299\n");
      last.note = signNote(body, [signerFromPem(DEMO_ORIGIN, keys.privateKeyPem)]);
    });
    const v = await verdict(files, { quorum: 0 });
    expect(v.exitCode).toBe(1);
    expect(v.failed.join("\n")).toContain("the signed note says another origin, size, root, fingerprint or time");
  });

  it("fails when a checkpoint has no note after one that has (a note can only be missing before the upgrade)", async () => {
    const files = editLedger(witnessed, (ledger) => {
      delete ledger.checkpoints[ledger.checkpoints.length - 1].note;
    });
    const v = await verdict(files, { quorum: 0 });
    expect(v.exitCode).toBe(1);
    expect(v.failed.join("\n")).toContain("has no signed note, though an earlier one has");
  });

  it("refuses a quorum larger than the witnesses given", async () => {
    const run = await cli(["verify", writeDir(witnessed), "--quorum", "3"]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("a quorum of 3 needs at least 3 witnesses; 2 given");
    const bad = await cli(["verify", writeDir(witnessed), "--quorum", "two"]);
    expect(bad.code).toBe(2);
  });
});

describe("bundles published before witnesses", () => {
  it("a format 2 bundle (written by `shora bundle --demo --voters 800 --seed v2-fixture` before ADR 0022) still passes", async () => {
    const run = await cli(["verify", "tests/fixtures/bundle-v2.zip"]);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out).not.toContain("Witnesses");
  });

  it("a format 2 bundle cannot be made to pass a quorum it never had", async () => {
    // The quorum applies to format 3 only: a format 2 bundle has no notes to count cosignatures on.
    const run = await cli(["verify", "tests/fixtures/bundle-v2.zip", "--quorum", "1", "--witness", alice.verifierKey]);
    expect(run.code).toBe(1);
    expect(run.err).toContain("format 2 bundle has no witnessed checkpoints");
  });
});
