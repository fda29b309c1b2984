import fs from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { LedgerDoc, RoundDoc } from "../domain/bundle/format";
import type { LedgerResult } from "../domain/bundle/ledger-check";
import { type BundleReader, verifyBundle } from "../domain/bundle/verify";
import { config } from "../config.server";
import { type CliOptions, parseArgs } from "./args.ts";
import { ZipRefused, openBundle } from "./bundle-files.ts";
import { type CliCommand, UsageError } from "./io.ts";
import { WITNESS_OPTIONS, WITNESS_USAGE, printWitnesses, witnessFlagsOf } from "./verify-witness-flags.ts";

const OPTIONS = {
  ...WITNESS_OPTIONS,
  "public-key": { type: "string" },
} satisfies CliOptions;

export const verifyCommand: CliCommand = {
  options: OPTIONS,
  summary: "Verify a published round bundle (directory or .zip): signatures, ledger, ballots, .pb files and tallies",
  usage: [
    "Usage: shora verify <bundle.zip|bundle-dir> [--public-key key.pem] [--witness vkey]… [--quorum N]",
    "",
    "Checks the signatures, that checkpoints only grow and agree with the ledger, that the Merkle root",
    "recomputed from ballots.jsonl equals every checkpoint, that every commitment opens and every ballot",
    "obeys its envelope's rules and weights, one current ballot per voter and envelope, that the .pb files",
    "hold exactly the current ballots, that re-running each envelope's rule gives tally.json, and every",
    "file's SHA-256. --public-key insists on the municipality's key you obtained separately. A .zip must hold",
    "exactly the files SHA256SUMS names plus its signature, at its root, each once, within size limits.",
    "Format 3 bundles carry every checkpoint as a signed note with the witnesses' cosignatures: each must",
    "verify, and the final checkpoint needs the quorum of the bundle's witnesses.",
    ...WITNESS_USAGE,
    "Exit codes: 0 all checks pass, 1 a check failed (the file and line or leaf are named), 2 unreadable input.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 1);
    const witnessFlags = witnessFlagsOf(parsed);
    const [location] = parsed.positional;
    if (!location) throw new UsageError("give the bundle (a directory or a .zip)");
    const keyFile = parsed.flags.get("public-key");
    let publicKey: string | undefined;
    if (typeof keyFile === "string") {
      try {
        publicKey = fs.readFileSync(keyFile, "utf8");
      } catch {
        throw new UsageError(`cannot read the public key ${keyFile}`);
      }
    }
    let reader: BundleReader;
    try {
      reader = openBundle(location);
    } catch (error) {
      if (!(error instanceof ZipRefused)) throw error;
      io.err(`✗ bundle zip: ${error.entry}: ${error.reason}\n`);
      return 1;
    }
    const report = await verifyBundle(reader, {
      publicKey,
      witnesses: witnessFlags.witnesses,
      quorum: witnessFlags.quorum,
      checkLedger: ledgerInWorker(location, reader),
    });
    for (const c of report.checks) (c.ok ? io.out : io.err)(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
    printWitnesses(report.witnesses, io);
    if (report.exitCode === 0)
      io.out(`All checks pass. Bundle fingerprint (SHA-256 of round.json) ${report.fingerprint}\n`);
    return report.exitCode;
  },
};

/** Below this size the ledger is checked in the main thread (a worker costs more than it saves).
 * SHORA_VERIFY_THREADS=1 never uses the worker, =2 always does. */
const WORKER_THRESHOLD_BYTES = 8 * 1024 * 1024;

/**
 * Checks the ledger in a worker thread, so a large bundle uses two cores: the worker walks
 * ballots.jsonl while the main thread reads the .pb files, re-runs the tallies and hashes the files.
 */
function ledgerInWorker(
  location: string,
  reader: BundleReader,
): ((round: RoundDoc, ledger: LedgerDoc) => Promise<LedgerResult>) | undefined {
  const directory = fs.statSync(location).isDirectory();
  const file = path.join(location, "ballots.jsonl");
  const size = directory
    ? fs.existsSync(file)
      ? fs.statSync(file).size
      : 0
    : (reader.read("ballots.jsonl")?.length ?? 0);
  const threads = config().verifyThreads;
  if (threads === "1" || (size < WORKER_THRESHOLD_BYTES && threads !== "2")) return undefined;
  const source = import.meta.url.endsWith(".ts");
  const url = new URL(source ? "./verify-worker-source.mjs" : "./verify-worker.mjs", import.meta.url);
  return (round, ledger) =>
    new Promise((resolve, reject) => {
      const worker = new Worker(url, {
        workerData: {
          round,
          ledger,
          file: directory ? file : null,
          bytes: directory ? null : reader.read("ballots.jsonl"),
        },
        resourceLimits: { maxOldGenerationSizeMb: 8192, maxYoungGenerationSizeMb: 192 },
      });
      worker.once("message", (result: LedgerResult) => {
        resolve(result);
        void worker.terminate();
      });
      worker.once("error", reject);
    });
}
