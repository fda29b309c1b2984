import fs from "node:fs";
import { type PublishedCheckpoints, type VoterReceipt, verifyReceipt } from "../domain/ledger/receipt";
import { parseArgs, stringFlag } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

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
    "",
    "checkpoints.json is published at /m/<municipality>/rounds/<round>/checkpoints.json.",
    "Exit codes: 0 the ballot is in the signed ledger, 1 a check failed, 2 bad input.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args);
    const [receiptFile] = parsed.positional;
    if (!receiptFile) throw new UsageError("give the receipt file");
    const receipt = readJson<VoterReceipt>(receiptFile, "receipt");
    const published = readJson<PublishedCheckpoints>(stringFlag(parsed, "checkpoints"), "checkpoints");
    if (typeof published.publicKey !== "string" || !Array.isArray(published.checkpoints)) throw new UsageError("the checkpoints file has no publicKey and checkpoints");
    const checks = verifyReceipt(receipt, published);
    for (const c of checks) io.out(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
    return checks.every((c) => c.ok) ? 0 : 1;
  },
};
