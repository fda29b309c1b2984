/**
 * `npm test` runs on a plain clone with nothing beside it: no test file names a path outside the
 * repository (tests/support/outside-paths.ts says what counts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { outsideReferences, testSources } from "../support/outside-paths";

const root = path.resolve(__dirname, "../..");

describe("self-contained tests", () => {
  it("finds a test reading a folder beside the clone, and an absolute path outside it", () => {
    // A clone with a folder beside it, wherever this clone happens to be (even in the temporary space).
    const layout = fs.mkdtempSync(path.join(os.tmpdir(), "shora-layout-"));
    try {
      const clone = path.join(layout, "clone");
      fs.mkdirSync(path.join(clone, "tests/unit"), { recursive: true });
      fs.mkdirSync(path.join(layout, "beside/data"), { recursive: true });
      const file = path.join(clone, "tests/unit/example.test.ts");
      const text = [
        'const beside = path.resolve(__dirname, "../../../beside/data");',
        'const old = path.join(root, "../beside/data");',
        `const absolute = "${layout}";`,
        'import { x } from "../support/db";',
        'const fixtures = path.resolve(__dirname, "../fixtures/pabulib");',
        'const browser = "/usr/bin/chromium";',
      ].join("\n");
      const found = outsideReferences(clone, file, text, { temporary: [] });
      expect(found.map((f) => [f.line, f.literal])).toEqual([
        [1, "../../../beside/data"],
        [2, "../beside/data"],
        [3, layout],
      ]);
    } finally {
      fs.rmSync(layout, { recursive: true, force: true });
    }
  });

  it("no test file references a path outside the repository", () => {
    const files = testSources(root);
    expect(files.length).toBeGreaterThan(50);
    const found = files.flatMap((file) => outsideReferences(root, file, fs.readFileSync(file, "utf8")));
    expect(found.map((f) => `${f.file}:${f.line} ${f.literal} (${f.why})`)).toEqual([]);
  });

  it("keeps the Pabulib instances the tests read inside tests/fixtures, with their provenance", () => {
    const folder = path.join(root, "tests/fixtures/pabulib");
    expect(fs.readdirSync(path.join(folder, "instances")).filter((f) => f.endsWith(".pb")).length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(folder, "SOURCES.json"))).toBe(true);
    expect(fs.readFileSync(path.join(folder, "README.md"), "utf8")).toMatch(/Pabulib/);
  });
});
