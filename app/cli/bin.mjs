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

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (/\.(ts|tsx|mjs)$/.test(entry.name) && entry.name !== "bin.mjs")
      newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = fs.statSync(bundle).mtimeMs;
    return ["app/cli", "app/domain", "app/services", "db"].every((d) => newestSource(path.join(root, d)) <= built);
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
