import fs from "node:fs";
import { verifyBundle } from "../domain/bundle/verify";
import { parseArgs } from "./args.ts";
import { openBundle } from "./bundle-files.ts";
import { type CliCommand, UsageError } from "./io.ts";

export const verifyCommand: CliCommand = {
  summary: "Verify a published round bundle (directory or .zip): signatures, ledger, ballots, .pb files and tallies",
  usage: [
    "Usage: shora verify <bundle.zip|bundle-dir> [--public-key key.pem]",
    "",
    "Checks the signatures, that checkpoints only grow and agree with the ledger, that the Merkle root",
    "recomputed from ballots.jsonl equals every checkpoint, that every commitment opens and every ballot",
    "obeys its envelope's rules and weights, one current ballot per voter and envelope, that the .pb files",
    "hold exactly the current ballots, that re-running each envelope's rule gives tally.json, and every",
    "file's SHA-256. --public-key insists on the municipality's key you obtained separately.",
    "Exit codes: 0 all checks pass, 1 a check failed (the file and line or leaf are named), 2 unreadable input.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args);
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
    const report = await verifyBundle(openBundle(location), { publicKey });
    for (const c of report.checks) (c.ok ? io.out : io.err)(`${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}\n`);
    if (report.exitCode === 0) io.out(`All checks pass. Round fingerprint ${report.fingerprint}\n`);
    return report.exitCode;
  },
};
