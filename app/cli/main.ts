import { type CliCommand, type CliIo, processIo, runCommand } from "./io.ts";

/** Commands are loaded lazily so `shora tally` never pays for the database or Remix. */
export const commands: Record<string, { summary: string; load: () => Promise<CliCommand> }> = {
  tally: {
    summary: "Tally one envelope from a Pabulib .pb file (greedy, Method of Equal Shares…)",
    load: async () => (await import("./tally.ts")).tallyCommand,
  },
  serve: {
    summary: "Start the web app (production build) on PORT (default 3000)",
    load: async () => (await import("./serve.ts")).serveCommand,
  },
  db: {
    summary: "Database tasks: migrate, seed-demo",
    load: async () => (await import("./db.ts")).dbCommand,
  },
  "verify-log": {
    summary: "Re-check an exported staff action log (JSONL) and name the first broken entry",
    load: async () => (await import("./verify-log.ts")).verifyLogCommand,
  },
  "verify-receipt": {
    summary: "Check a voter receipt offline against a round's published checkpoints or bundle",
    load: async () => (await import("./verify-receipt.ts")).verifyReceiptCommand,
  },
  verify: {
    summary: "Verify a published round bundle: signatures, ledger, ballots, .pb files and tallies",
    load: async () => (await import("./verify.ts")).verifyCommand,
  },
  monitor: {
    summary: "Compare a voter's checkpoint with what the round's witnesses last cosigned",
    load: async () => (await import("./monitor.ts")).monitorCommand,
  },
  bundle: {
    summary: "Write a synthetic signed bundle (--demo) to try the verifier",
    load: async () => (await import("./bundle.ts")).bundleCommand,
  },
  "export-bundle": {
    summary: "Write the published bundle of a round from the database",
    load: async () => (await import("./export-bundle.ts")).exportBundleCommand,
  },
  witness: {
    summary: "Run a transparency-log witness (c2sp.org/tlog-witness), or make its key",
    load: async () => (await import("./witness.ts")).witnessCommand,
  },
  admin: {
    summary: "Platform administration: create-municipality, create-platform-admin",
    load: async () => (await import("./admin.ts")).adminCommand,
  },
};

function help(): string {
  const lines = ["Usage: shora <command> [options]", "", "Commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(22)} ${c.summary}`);
  lines.push("", "Run `shora <command> --help` for the options of one command.");
  return `${lines.join("\n")}\n`;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.out(help());
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`shora: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  return runCommand(name, entry.load, rest, io);
}
