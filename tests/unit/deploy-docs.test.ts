/**
 * docs/DEPLOY.md quotes the files of deploy/ that the tests run (the nginx configuration, the
 * systemd unit, the environment): the page must show them exactly as they are.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");

describe("docs/DEPLOY.md", () => {
  it.each(["deploy/nginx/shora.conf", "deploy/systemd/shora.service", "deploy/shora.env.example"])(
    "quotes %s as it is",
    (file) => {
      expect(read("docs/DEPLOY.md")).toContain(read(file).trimEnd());
    },
  );

  it("names only scripts and units that exist", () => {
    const named = read("docs/DEPLOY.md").match(/deploy\/[A-Za-z0-9./-]+[A-Za-z0-9]/g) ?? [];
    expect(named.length).toBeGreaterThan(5);
    for (const file of new Set(named)) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });
});
