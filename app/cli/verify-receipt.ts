import { createPublicKey, verify as edVerify } from "node:crypto";
import fs from "node:fs";
import { sha256Hex } from "../domain/bundle/format";
import {
  type Check,
  type PublishedCheckpoints,
  type VoterReceipt,
  checkAgainstBallots,
  parseReceipt,
  verifyReceipt,
} from "../domain/ledger/receipt";
import { type CliOptions, parseArgs, stringFlag } from "./args.ts";
import { openBundle } from "./bundle-files.ts";
import { type CliCommand, type CliIo, UsageError } from "./io.ts";
import { WITNESS_OPTIONS, WITNESS_USAGE, type WitnessFlags, witnessFlagsOf } from "./verify-witness-flags.ts";
import type { LedgerDoc } from "../domain/bundle/format";
import {
  WitnessFailure,
  checkReceiptCheckpoint,
  checkWitnessedLedger,
  witnessPolicy,
} from "../domain/bundle/witnessed";

/** Exit code when the receipt's ballot was replaced by a later one: not a pass, not a proven fault. */
export const EXIT_SUPERSEDED = 3;

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
}

function readReceipt(file: string): VoterReceipt {
  const receipt = parseReceipt(readJson(file, "receipt"));
  if (typeof receipt === "string") throw new UsageError(`${file}: ${receipt}`);
  return receipt;
}

function print(checks: Check[], io: CliIo) {
  for (const c of checks) io.out(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
}

const OPTIONS = {
  ...WITNESS_OPTIONS,
  checkpoints: { type: "string" },
} satisfies CliOptions;

export const verifyReceiptCommand: CliCommand = {
  options: OPTIONS,
  summary: "Check a voter receipt offline against a round's published checkpoints or bundle",
  usage: [
    "Usage: shora verify-receipt <receipt.json> --checkpoints <checkpoints.json> [--witness vkey]… [--quorum N]",
    "       shora verify-receipt <bundle.zip|bundle-dir> <receipt.json> [--witness vkey]… [--quorum N]",
    "",
    "checkpoints.json is published at /m/<municipality>/rounds/<round>/checkpoints.json: with it, the check",
    "shows that the ballot is in the ledger the municipality signed (not whether it was counted).",
    "With the published bundle, the ballot's chain is followed through ballots.jsonl (revotes name the",
    "ballot they replace, a withdrawal ends the chain): the ballot counted only if nothing replaced it,",
    "and (receipt version 2) the bundle must open it to the choices written in the receipt.",
    `Exit codes: 0 the ballot is in the signed ledger (and, with a bundle, was counted as in the receipt),`,
    `1 a check failed (not in the ledger, withdrawn, other choices published), 2 bad input,`,
    `${EXIT_SUPERSEDED} a later ballot replaced it (a revote: check the receipt of your latest ballot; if you`,
    "did not vote again, your vote was replaced).",
    "Checkpoints signed as notes (ADR 0022) must be cosigned by the quorum of witnesses: the receipt's",
    "checkpoint as published, and with a bundle also its final checkpoint.",
    ...WITNESS_USAGE,
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS, 2);
    const witnessFlags = witnessFlagsOf(parsed);
    if (parsed.positional.length === 2) return withBundle(parsed.positional[0], parsed.positional[1], witnessFlags, io);
    const [receiptFile] = parsed.positional;
    if (!receiptFile) throw new UsageError("give the receipt file");
    const receipt = readReceipt(receiptFile);
    const published = readJson(stringFlag(parsed, "checkpoints"), "checkpoints") as PublishedCheckpoints;
    if (typeof published?.publicKey !== "string" || !Array.isArray(published.checkpoints))
      throw new UsageError("the checkpoints file has no publicKey and checkpoints");
    const checks = verifyReceipt(receipt, published);
    const witnessed = witnessCheck(receipt, published as PublishedCheckpoints & Partial<LedgerDoc>, witnessFlags, io);
    if (witnessed) checks.push(witnessed);
    print(checks, io);
    if (checks.every((c) => c.ok))
      io.out("The ballot is in the signed ledger. Whether it was counted shows in the published bundle.\n");
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};

/** ledger.json and ballots.jsonl are the files the municipality signed in SHA256SUMS. */
function signedFiles(read: (name: string) => Buffer | null, publicKey: string, names: string[]): Check {
  const name = "bundle files are signed";
  const sums = read("SHA256SUMS");
  const signature = read("SHA256SUMS.sig");
  if (!sums || !signature) return { name, ok: false, detail: "SHA256SUMS or SHA256SUMS.sig is missing" };
  let signed = false;
  try {
    signed = edVerify(null, sums, createPublicKey(publicKey), Buffer.from(signature.toString("utf8").trim(), "base64"));
  } catch {
    signed = false;
  }
  if (!signed) return { name, ok: false, detail: "SHA256SUMS.sig does not verify with the municipality's key" };
  const listed = new Map<string, string>();
  for (const line of sums.toString("utf8").split("\n")) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) listed.set(match[2], match[1]);
  }
  for (const file of names) {
    const bytes = read(file);
    if (!bytes || listed.get(file) !== sha256Hex(bytes))
      return { name, ok: false, detail: `${file} is not the file listed in SHA256SUMS` };
  }
  return { name, ok: true, detail: `${names.join(" and ")} match the signed SHA256SUMS` };
}

/** Checks a receipt against a published bundle: signed checkpoint, inclusion, the chain and the opening. */
async function withBundle(location: string, receiptFile: string, flags: WitnessFlags, io: CliIo): Promise<number> {
  const reader = openBundle(location);
  const receipt = readReceipt(receiptFile);
  const ledgerBytes = reader.read("ledger.json");
  const ballotsBytes = reader.read("ballots.jsonl");
  if (!ledgerBytes || !ballotsBytes) throw new UsageError(`${location} has no ledger.json or ballots.jsonl`);
  let published: PublishedCheckpoints;
  try {
    published = JSON.parse(ledgerBytes.toString("utf8"));
  } catch {
    throw new UsageError("ledger.json is not JSON");
  }
  if (typeof published?.publicKey !== "string" || !Array.isArray(published.checkpoints))
    throw new UsageError("ledger.json has no publicKey and checkpoints");
  const checks = [
    signedFiles((name) => reader.read(name), published.publicKey, ["ledger.json", "ballots.jsonl"]),
    ...verifyReceipt(receipt, published).map((c) =>
      // A receipt downloaded before any checkpoint covered it is checked against the signed ballots.jsonl.
      c.name === "receipt carries a checkpoint"
        ? {
            ...c,
            ok: true,
            detail: "no checkpoint in the receipt: the ballot is looked up in the signed ballots.jsonl",
          }
        : c,
    ),
  ];
  const witnessed = witnessCheck(receipt, published as PublishedCheckpoints & Partial<LedgerDoc>, flags, io);
  if (witnessed) checks.push(witnessed);
  if ((published as Partial<LedgerDoc>).origin !== undefined || flags.quorum) {
    const ledger = published as unknown as LedgerDoc;
    try {
      const summary = checkWitnessedLedger(ledger, ledger.publicKey, witnessPolicy(ledger, flags));
      checks.push({
        name: "final checkpoint witnessed",
        ok: true,
        detail: `cosigned by ${summary.finalCosigners.join(", ") || "no witness"} (quorum ${summary.policy.quorum})`,
      });
    } catch (error) {
      if (!(error instanceof WitnessFailure)) throw error;
      checks.push({ name: "final checkpoint witnessed", ok: false, detail: `${error.where}: ${error.reason}` });
    }
  }
  const { checks: chainChecks, fate } = checkAgainstBallots(receipt, ballotsBytes.toString("utf8"));
  checks.push(...chainChecks);
  print(checks, io);
  const others = checks.filter((c) => c.name !== "ballot was counted");
  if (!others.every((c) => c.ok)) return 1;
  if (fate.kind === "superseded") return EXIT_SUPERSEDED;
  return fate.kind === "counted" ? 0 : 1;
}

/** The receipt's checkpoint cosigned by the quorum (null when neither the receipt nor the checkpoints carry notes). */
function witnessCheck(
  receipt: VoterReceipt,
  published: PublishedCheckpoints & Partial<LedgerDoc>,
  flags: WitnessFlags,
  io: CliIo,
): Check | null {
  const cp = receipt.checkpoint;
  const policy = witnessPolicy(published, flags);
  const noted = published.origin !== undefined || Boolean(cp && "note" in cp && cp.note);
  if (!noted && policy.source === "bundle") return null;
  io.out(
    `Witnesses (${policy.source}): ${policy.witnesses.length ? policy.witnesses.map((k) => k.split("+")[0]).join(", ") : "none"}; quorum ${policy.quorum}\n`,
  );
  if (!cp) return null;
  const outcome = checkReceiptCheckpoint(cp, published as LedgerDoc, policy);
  return { name: "checkpoint witnessed", ...outcome };
}
