import fs from "node:fs";
import { type PublishedCheckpoints, type VoterReceipt, verifyReceipt } from "../domain/ledger/receipt";
import { parseArgs, stringFlag } from "./args.ts";
import { openBundle } from "./bundle-files.ts";
import { type CliCommand, type CliIo, UsageError } from "./io.ts";

function readJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read ${what} ${file}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UsageError(`${file} is not JSON`);
  }
}

export const verifyReceiptCommand: CliCommand = {
  summary: "Check a voter receipt offline against a round's published checkpoints",
  usage: [
    "Usage: shora verify-receipt <receipt.json> --checkpoints <checkpoints.json>",
    "       shora verify-receipt <bundle.zip|bundle-dir> <receipt.json>",
    "",
    "checkpoints.json is published at /m/<municipality>/rounds/<round>/checkpoints.json. With a published",
    "bundle, the receipt is checked against its ledger.json and the ballot is looked up in ballots.jsonl:",
    "counted (the voter's current ballot) or superseded by a later one.",
    "Exit codes: 0 the ballot is in the signed ledger, 1 a check failed, 2 bad input.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args);
    if (parsed.positional.length === 2) return withBundle(parsed.positional[0], parsed.positional[1], io);
    const [receiptFile] = parsed.positional;
    if (!receiptFile) throw new UsageError("give the receipt file");
    const receipt = readJson<VoterReceipt>(receiptFile, "receipt");
    const published = readJson<PublishedCheckpoints>(stringFlag(parsed, "checkpoints"), "checkpoints");
    if (typeof published.publicKey !== "string" || !Array.isArray(published.checkpoints))
      throw new UsageError("the checkpoints file has no publicKey and checkpoints");
    const checks = verifyReceipt(receipt, published);
    for (const c of checks) io.out(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};

/** Checks a receipt against a published bundle: signed checkpoint, inclusion, and whether it was counted. */
async function withBundle(location: string, receiptFile: string, io: CliIo): Promise<number> {
  const reader = openBundle(location);
  const receipt = readJson<VoterReceipt>(receiptFile, "receipt");
  const ledgerBytes = reader.read("ledger.json");
  const ballotsBytes = reader.read("ballots.jsonl");
  if (!ledgerBytes || !ballotsBytes) throw new UsageError(`${location} has no ledger.json or ballots.jsonl`);
  let published: PublishedCheckpoints;
  try {
    published = JSON.parse(ledgerBytes.toString("utf8"));
  } catch {
    throw new UsageError("ledger.json is not JSON");
  }
  const checks = verifyReceipt(receipt, published);
  // Counted: the ballot's leaf is in ballots.jsonl and no later leaf supersedes it.
  let found = false;
  let supersededBy: number | null = null;
  let line = 0;
  for (const text of ballotsBytes.toString("utf8").split("\n")) {
    if (!text) continue;
    const { leaf } = JSON.parse(text) as { leaf: { seq: number; ballotId: string | null; supersedes: string | null } };
    if (leaf.ballotId === receipt.ballotId && leaf.seq === receipt.leafIndex) found = true;
    if (found && leaf.supersedes === receipt.ballotId) supersededBy = leaf.seq;
    line++;
  }
  checks.push({
    name: "ballot is in the published ledger",
    ok: found,
    detail: found ? `leaf ${receipt.leafIndex} of ${line}` : "no such ballot at that leaf in ballots.jsonl",
  });
  if (found) {
    checks.push({
      name: "ballot was counted",
      ok: true,
      detail:
        supersededBy === null
          ? "it is the voter's current ballot: it was counted"
          : `a later ballot of the same voter (leaf ${supersededBy}) replaced it; that one was counted`,
    });
  }
  for (const c of checks) io.out(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}
