// After the CLI bundles are built with `esbuild --metafile`, lists the source files they were built
// from (build/cli/sources.txt), so that `shora` (app/cli/bin.cjs) can tell a stale bundle by
// looking at those files only, instead of walking the source tree on every command.
import fs from "node:fs";

const inputs = new Set();
for (const file of ["build/cli/meta.json", "build/cli/meta-tally.json"]) {
  for (const input of Object.keys(JSON.parse(fs.readFileSync(file, "utf8")).inputs)) inputs.add(input);
  fs.rmSync(file);
}
fs.writeFileSync("build/cli/sources.txt", `${[...inputs].sort().join("\n")}\n`);
