#!/usr/bin/env node
// Entry of the `shora` command. It runs the prebuilt bundle (build/cli/, made by `npm run build`)
// when that bundle is newer than every source file it was built from; otherwise it runs the
// TypeScript sources through tsx. Either way the very same domain modules serve the server, the
// CLI and the tests. CommonJS, and `tally` goes to its own CommonJS bundle: a tally is one short
// cold process, and an ES module entry alone costs Node several milliseconds more to start.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { pathToFileURL } = require("node:url");

const root = path.resolve(__dirname, "../..");
const bundle = path.join(root, "build/cli/shora.mjs");
const tallyBundle = path.join(root, "build/cli/tally.cjs");

/**
 * A bundle is used when no source file it was built from (listed by `npm run build:cli`) changed
 * since: a few dozen stats, where walking the source tree cost a cold `shora tally` several
 * milliseconds. A new source file can only enter a bundle through an edit to a file already in it,
 * so the list is enough.
 */
function isFresh(bundleFile, listFile) {
  try {
    const built = fs.statSync(bundleFile).mtimeMs;
    const sources = fs.readFileSync(path.join(root, "build/cli", listFile), "utf8").split("\n");
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

const argv = process.argv.slice(2);
// The web app runs React's production build unless asked for the development server: React reads
// NODE_ENV once, when first loaded, and its development build renders pages several times slower.
if (argv[0] === "serve" && !argv.includes("--dev")) process.env.NODE_ENV ??= "production";

const sourcesWanted = process.env.SHORA_CLI_SOURCES === "1";

async function main() {
  if (!sourcesWanted && argv[0] === "tally" && isFresh(tallyBundle, "sources-tally.txt"))
    return require(tallyBundle).run(argv.slice(1));
  if (!sourcesWanted && isFresh(bundle, "sources.txt")) return (await import(pathToFileURL(bundle).href)).main(argv);
  const { register } = await import("tsx/esm/api");
  register();
  return (await import(pathToFileURL(path.join(__dirname, "main.ts")).href)).main(argv);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`shora: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
