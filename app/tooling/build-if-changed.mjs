// `npm start`: builds only when the sources changed since the last build. The stamp
// (build/.sources-stamp) is a SHA-256 of every file the build reads — app/, db/, public/, drizzle/
// and the build's configuration and lock file — by path and content, so a checkout, an edit or a
// `git pull` rebuilds, and a second `npm start` goes straight to serving (ADR 0030).
// Usage: node app/tooling/build-if-changed.mjs [--root DIR] [--check]
//   --check: print "fresh" or "stale" and exit 0/1 without building.
//   --stamp: record the sources as built (the last step of `npm run build`).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const SOURCE_FOLDERS = ["app", "db", "public", "drizzle"];
export const SOURCE_FILES = ["package.json", "package-lock.json", "vite.config.ts", "remix.config.js", "tsconfig.json"];
/** What the build must have made for the stamp to count. */
export const OUTPUTS = ["build/server/index.js", "build/cli/shora.mjs"];
export const STAMP = "build/.sources-stamp";

function walk(root, folder, files) {
  const full = path.join(root, folder);
  if (!fs.existsSync(full)) return;
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    const relative = path.join(folder, entry.name);
    if (entry.isDirectory()) walk(root, relative, files);
    else if (entry.isFile()) files.push(relative);
  }
}

/** The hash of every source file, by path and content. */
export function sourcesStamp(root) {
  const files = [];
  for (const folder of SOURCE_FOLDERS) walk(root, folder, files);
  for (const file of SOURCE_FILES) if (fs.existsSync(path.join(root, file))) files.push(file);
  const hash = createHash("sha256");
  for (const file of files.sort()) {
    hash.update(`${file.split(path.sep).join("/")}\0`);
    hash.update(fs.readFileSync(path.join(root, file)));
    hash.update("\0");
  }
  return hash.digest("hex");
}

/** True when the last build's stamp matches the sources and its outputs are there. */
export function isFresh(root) {
  const stampFile = path.join(root, STAMP);
  if (!fs.existsSync(stampFile)) return false;
  if (!OUTPUTS.every((file) => fs.existsSync(path.join(root, file)))) return false;
  return fs.readFileSync(stampFile, "utf8").trim() === sourcesStamp(root);
}

export function writeStamp(root) {
  fs.writeFileSync(path.join(root, STAMP), `${sourcesStamp(root)}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--root");
  const root = at >= 0 ? path.resolve(args[at + 1]) : process.cwd();
  const fresh = isFresh(root);
  if (args.includes("--stamp")) {
    writeStamp(root);
    process.exit(0);
  }
  if (args.includes("--check")) {
    process.stdout.write(fresh ? "fresh\n" : "stale\n");
    process.exit(fresh ? 0 : 1);
  }
  if (!fresh) {
    process.stdout.write("Sources changed since the last build (or no build yet): building…\n");
    const result = spawnSync("npm", ["run", "build", "--silent"], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
