import { demoBundle } from "../domain/bundle/demo";
import { type CliOptions, parseArgs, stringFlag } from "./args.ts";
import { writeBundle } from "./bundle-files.ts";
import { type CliCommand, UsageError } from "./io.ts";

const OPTIONS = {
  demo: { type: "boolean" },
  voters: { type: "string" },
  out: { type: "string" },
  seed: { type: "string" },
} satisfies CliOptions;

export const bundleCommand: CliCommand = {
  summary: "Write a synthetic, correctly signed published bundle (--demo) to try the verifier",
  options: OPTIONS,
  usage: [
    "Usage: shora bundle --demo --voters N --out DIR|FILE.zip [--seed S]",
    "",
    "Writes a published bundle of N ledger leaves (three envelopes, weighted voter classes, revotes and",
    "a withdrawal) without a database. The same seed gives the same bytes.",
  ].join("\n"),
  async run(args, io) {
    const parsed = parseArgs(args, OPTIONS);
    if (!parsed.flags.has("demo"))
      throw new UsageError("only --demo bundles can be written without a database (see export-bundle)");
    const votersText = stringFlag(parsed, "voters", "1000");
    const voters = Number(votersText);
    if (!Number.isSafeInteger(voters) || voters < 1 || voters > 20_000_000)
      throw new UsageError(`--voters must be a whole number from 1 to 20,000,000, not "${votersText}"`);
    const out = stringFlag(parsed, "out");
    const seed = stringFlag(parsed, "seed", "shora-demo");
    const { files } = demoBundle({ voters, seed });
    writeBundle(files, out);
    io.out(`Wrote ${files.length} files (${voters} ledger leaves) to ${out}\n`);
    return 0;
  },
};
