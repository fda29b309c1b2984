import fs from "node:fs";
import { verifyActionLog } from "../domain/action-log/verify";
import { type CliOptions, parseArgs } from "./args.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = {} satisfies CliOptions;

export const verifyLogCommand: CliCommand = {
  summary: "Re-check an exported staff action log (JSONL) and name the first broken entry",
  options: OPTIONS,
  usage: "Usage: shora verify-log <export.jsonl>\n\nExit codes: 0 the chain holds, 1 a broken entry, 2 bad input.",
  async run(args, io) {
    const [file] = parseArgs(args, OPTIONS, 1).positional;
    if (!file) throw new UsageError("give the exported log file (JSONL)");
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      throw new UsageError(`cannot read ${file}`);
    }
    const result = verifyActionLog(text);
    if (result.ok) {
      io.out(`✓ ${result.entries} entries, chain intact; head ${result.head}\n`);
      return 0;
    }
    io.out(`✗ line ${result.line}${result.seq !== null ? ` (entry ${result.seq})` : ""}: ${result.reason}\n`);
    return 1;
  },
};
