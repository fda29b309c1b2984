/**
 * Finds the paths a test file names that lie outside the repository: a test must run on a plain clone
 * with nothing beside it (fixtures live in tests/fixtures with their provenance). Benchmarks may read
 * larger files from outside when present (tests/bench is not checked).
 *
 * A relative literal ("./x", "../x") is a finding when it resolves outside the repository from the
 * file's folder, or when, resolved from the repository's root (the tests' working folder, and what a
 * `path.join(root, …)` starts from), it names something that exists beside the clone (a data
 * folder a clone once read from beside it). An absolute literal that exists on this machine outside
 * the repository is a finding too, unless it is a system path (a program such as /usr/bin/chromium, /dev/null, the
 * temporary folder). Hostile test data ("../../etc/passwd" sent to a route) stays inside either way.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface OutsideReference {
  file: string;
  line: number;
  literal: string;
  why: string;
}

const SYSTEM = ["/usr/", "/bin/", "/sbin/", "/lib/", "/etc/", "/dev/", "/proc/", "/sys/", "/var/", "/run/"];
const EXTENSIONS = ["", ".ts", ".tsx", ".mjs", ".js", ".cjs", ".json", "/index.ts"];
/** This checker and its test name outside paths on purpose. */
const CHECKER = ["outside-paths.ts", "self-contained.test.ts"];
const LITERAL = /(["'`])((?:\.{1,2}\/|\/)[^"'`\s$]*?)\1/g;

function exists(candidate: string): boolean {
  return EXTENSIONS.some((extension) => fs.existsSync(candidate + extension));
}

function inside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * The findings in one file's text (`file` is its path, used to resolve relative literals).
 * `temporary`: the folders that count as the machine's temporary space (default: the OS's).
 */
export function outsideReferences(
  root: string,
  file: string,
  text: string,
  options: { temporary?: string[] } = {},
): OutsideReference[] {
  const found: OutsideReference[] = [];
  const temporary = options.temporary ?? [fs.realpathSync(os.tmpdir()), "/tmp/"];
  const system = (candidate: string) =>
    SYSTEM.some((prefix) => candidate.startsWith(prefix)) || temporary.some((folder) => candidate.startsWith(folder));
  const lines = text.split("\n");
  lines.forEach((lineText, index) => {
    for (const match of lineText.matchAll(LITERAL)) {
      const literal = match[2];
      const report = (why: string) => found.push({ file: path.relative(root, file), line: index + 1, literal, why });
      if (literal.startsWith("./") || literal.startsWith("../")) {
        const resolved = path.resolve(path.dirname(file), literal);
        const fromRoot = path.resolve(root, literal);
        if (!inside(root, resolved)) report("resolves outside the repository");
        else if (!exists(resolved) && !inside(root, fromRoot) && !system(fromRoot) && exists(fromRoot))
          report("names a file beside the clone");
      } else if (literal.length > 1 && literal !== "//") {
        if (system(literal)) continue;
        if (inside(root, literal)) continue;
        if (fs.existsSync(literal)) report("an absolute path outside the repository");
      }
    }
  });
  return found;
}

/** Every test source file (not the benchmarks, not the fixtures themselves). */
export function testSources(root: string): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (["bench", "fixtures", "node_modules"].includes(entry.name) && folder === path.join(root, "tests")) continue;
        walk(full);
      } else if (/\.(ts|tsx|mjs|cjs|js)$/.test(entry.name) && !CHECKER.includes(entry.name)) files.push(full);
    }
  };
  walk(path.join(root, "tests"));
  return files;
}
