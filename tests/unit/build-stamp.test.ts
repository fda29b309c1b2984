/**
 * `npm start` builds only when the sources changed since the last build (app/tooling/build-if-changed.mjs):
 * fresh after a build, stale after an edit, a new file, or a missing build output.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isFresh, writeStamp } from "../../app/tooling/build-if-changed.mjs";

const script = path.resolve(__dirname, "../../app/tooling/build-if-changed.mjs");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "shora-stamp-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

const check = () => spawnSync(process.execPath, [script, "--root", root, "--check"], { encoding: "utf8" });

describe("the build stamp", () => {
  write("app/root.tsx", "export const a = 1;\n");
  write("public/robots.txt", "User-agent: *\n");
  write("package.json", "{}\n");
  write("build/server/index.js", "");
  write("build/cli/shora.mjs", "");

  it("is stale before the first build, fresh once stamped", () => {
    expect(isFresh(root)).toBe(false);
    expect(check().status).toBe(1);
    writeStamp(root);
    expect(isFresh(root)).toBe(true);
    const result = check();
    expect([result.status, result.stdout]).toEqual([0, "fresh\n"]);
  });

  it("is stale after an edit, a new file or a missing output, and fresh again once rebuilt", () => {
    write("app/root.tsx", "export const a = 2;\n");
    expect(isFresh(root)).toBe(false);
    writeStamp(root);
    write("db/schema/new.ts", "export {};\n");
    expect(isFresh(root)).toBe(false);
    writeStamp(root);
    expect(isFresh(root)).toBe(true);
    fs.rmSync(path.join(root, "build/server/index.js"));
    expect(isFresh(root)).toBe(false);
    write("build/server/index.js", "");
    expect(isFresh(root)).toBe(true);
  });

  it("ignores what the build writes and files outside the sources", () => {
    write("build/client/assets/x.js", "1");
    write("data/pgdata/x", "1");
    write("README.md", "changed");
    expect(isFresh(root)).toBe(true);
  });
});
