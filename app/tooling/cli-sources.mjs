// After the CLI bundles are built with `esbuild --metafile`, lists the source files each was built
// from (build/cli/sources.txt for the whole CLI, build/cli/sources-tally.txt for `shora tally`'s own
// bundle), so that `shora` (app/cli/bin.cjs) can tell a stale bundle by looking at those files only,
// instead of walking the source tree on every command.
import fs from "node:fs";

const inputsOf = (file) => {
  const inputs = Object.keys(JSON.parse(fs.readFileSync(file, "utf8")).inputs);
  fs.rmSync(file);
  return inputs;
};
const tally = inputsOf("build/cli/meta-tally.json");
const all = new Set([...inputsOf("build/cli/meta.json"), ...tally]);
const write = (file, inputs) => fs.writeFileSync(file, `${[...inputs].sort().join("\n")}\n`);
write("build/cli/sources.txt", all);
write("build/cli/sources-tally.txt", tally);
