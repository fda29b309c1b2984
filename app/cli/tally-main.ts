// `shora tally` on its own, bundled as CommonJS (build/cli/tally.cjs) for app/cli/bin.cjs: a
// tally is one short cold process, and Node starts a CommonJS program ~7 ms sooner than an ES
// module graph (no module loader to set up, one file). The same command as `shora tally` in main.ts.
import { processIo, runCommand } from "./io.ts";
import { tallyCommand } from "./tally.ts";

export function run(argv: string[]): Promise<number> {
  return runCommand("tally", async () => tallyCommand, argv, processIo);
}
