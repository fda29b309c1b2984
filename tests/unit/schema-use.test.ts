import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe("the database schema", () => {
  it("declares no table the application never reads or writes", () => {
    const schemaDir = path.join(root, "db/schema");
    const tables = fs
      .readdirSync(schemaDir)
      .flatMap((file) =>
        [...fs.readFileSync(path.join(schemaDir, file), "utf8").matchAll(/^export const (\w+) = pgTable\(/gm)].map(
          (m) => m[1],
        ),
      );
    expect(tables.length).toBeGreaterThan(40);
    const app = sources(path.join(root, "app"))
      .map((file) => fs.readFileSync(file, "utf8"))
      .join("\n");
    const unused = tables.filter((table) => !new RegExp(`\\b${table}\\b`).test(app));
    expect(unused).toEqual([]);
  });
});
