#!/usr/bin/env node
// Entry of the `shora` command. It runs the prebuilt bundle (build/cli/shora.mjs, made by
// `npm run build`) when that bundle is newer than every source file, so `shora tally` starts in
// milliseconds; otherwise it runs the TypeScript sources through tsx. Either way the very same
// domain modules serve the server, the CLI and the tests.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bundle = path.join(root, "build/cli/shora.mjs");

/**
 * The bundle is used when no source file it was built from (build/cli/sources.txt, written by
 * `npm run build:cli`) changed since: a hundred stats, where walking the source tree cost a cold
 * `shora tally` several milliseconds. A new source file can only enter the bundle through an edit
 * to a file already in it, so the list is enough.
 */
function bundleIsFresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    const sources = fs.readFileSync(path.join(root, "build/cli/sources.txt"), "utf8").split("\n");
    for (const source of sources) {
      if (source === "") continue;
      const stat = fs.statSync(path.join(root, source), { throwIfNoEntry: false });
      if (stat === undefined || stat.mtimeMs > built) return false;
    }
    return true;
  } catch {
    return false;
  }
}

// The web app runs React's production build unless asked for the development server: React reads
// NODE_ENV once, when first loaded, and its development build renders pages several times slower.
if (process.argv[2] === "serve" && !process.argv.includes("--dev")) process.env.NODE_ENV ??= "production";

let main;
if (process.env.SHORA_CLI_SOURCES !== "1" && bundleIsFresh()) {
  ({ main } = await import(bundle));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ main } = await import("./main.ts"));
}
process.exitCode = await main(process.argv.slice(2));
