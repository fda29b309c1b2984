// After `esbuild --metafile`, lists the source files the CLI bundle was built from
// (build/cli/sources.txt), so that `shora` (app/cli/bin.mjs) can tell a stale bundle by looking at
// those files only, instead of walking the source tree on every command.
import fs from "node:fs";

const meta = JSON.parse(fs.readFileSync("build/cli/meta.json", "utf8"));
fs.writeFileSync("build/cli/sources.txt", `${Object.keys(meta.inputs).sort().join("\n")}\n`);
fs.rmSync("build/cli/meta.json");
