/**
 * The layer check of `npm run lint` (app/tooling/check-layers.mjs, docs/ARCHITECTURE.md): run on a
 * small tree of its own, it names each import that breaks a rule (file:line and the rule), each
 * exported service function whose parameters after the database are not `(input)` or `(scope, input)`,
 * and tolerates only the files its allow-list names.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const checker = path.resolve(__dirname, "../../app/tooling/check-layers.mjs");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "shora-layers-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), text);
}

function check(allowList?: string) {
  const args = [checker, "--root", root];
  if (allowList !== undefined) {
    write("allow.txt", allowList);
    args.push("--allow-list", "allow.txt");
  }
  return spawnSync(process.execPath, args, { encoding: "utf8" });
}

describe("the layer check", () => {
  write("app/domain/rules.ts", 'import { z } from "zod";\nexport const rule = z.string();\n');
  write("app/services/rounds/rounds.server.ts", 'import { rule } from "../../domain/rules";\nexport { rule };\n');
  write(
    "app/routes/rounds.tsx",
    'import { rule } from "~/services/rounds/rounds.server";\n// import { eq } from "drizzle-orm";\nexport { rule };\n',
  );

  it("passes a tree that keeps the rules (a commented-out import is no import)", () => {
    const result = check();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("reports each violation with its file, line and rule, and fails", () => {
    write(
      "app/domain/tally.ts",
      [
        'import { sum } from "./sum";',
        "import type { Db } from",
        '  "../../db/client";',
        'import { json } from "@remix-run/node";',
        "export const load = () => import('../services/rounds/rounds.server');",
        "",
      ].join("\n"),
    );
    write("app/routes/vote.tsx", 'import { eq } from "drizzle-orm";\nimport { ballots } from "~db/schema";\n');
    write("app/services/ballots.server.ts", 'export { requireStaff } from "../web/guards.server";\n');
    const result = check();
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split("\n");
    expect(lines.slice(0, -2)).toEqual([
      'app/domain/tally.ts:3 domain imports no service, database, web, server, CLI, route or Remix: imports "../../db/client"',
      'app/domain/tally.ts:4 domain imports no service, database, web, server, CLI, route or Remix: imports "@remix-run/node"',
      'app/domain/tally.ts:5 domain imports no service, database, web, server, CLI, route or Remix: imports "../services/rounds/rounds.server"',
      'app/routes/vote.tsx:1 routes import no drizzle-orm and no db/schema (call a service): imports "drizzle-orm"',
      'app/routes/vote.tsx:2 routes import no drizzle-orm and no db/schema (call a service): imports "~db/schema"',
      'app/services/ballots.server.ts:1 services import no route, web glue, server or CLI: imports "../web/guards.server"',
    ]);
    expect(lines.at(-1)).toBe('6 layer violation(s) (docs/ARCHITECTURE.md, "Layers")');
  });

  it("tolerates the files of the allow-list only, and names lines that no longer break a rule", () => {
    const partial = check("# known\napp/domain/tally.ts\napp/routes/vote.tsx\n");
    expect(partial.status).toBe(1);
    expect(partial.stderr).toContain("app/services/ballots.server.ts:1 services import no route");
    expect(partial.stderr).not.toContain("app/domain/tally.ts");
    expect(partial.stderr).toContain("1 layer violation(s)");
    expect(partial.stderr).toContain("5 more in allow-listed files");

    const all = check(
      "app/domain/tally.ts\napp/routes/vote.tsx\napp/services/ballots.server.ts\napp/domain/rules.ts\n",
    );
    expect(all.status).toBe(0);
    expect(all.stdout).toContain("allow.txt lists app/domain/rules.ts, which breaks no rule now: remove the line");
    expect(all.stdout).toContain("Layer rules hold (6 known violation(s) in 4 allow-listed file(s)).");
  });

  it("names each exported service function with a database and positional parameters after it", () => {
    write(
      "app/services/shapes.server.ts",
      [
        'import type { Db, Tx } from "../../db/client";',
        'import type { PlatformScope, Scope } from "./scope";',
        "export async function ok(db: Db, input: { roundId: string }) {}",
        "export async function scoped(db: Db | Tx, scope: Scope, input: { id: string }) {}",
        "export function platform(db: Db, scope: PlatformScope, input: { email: string }) {}",
        "export function pure(a: string, b: number, c: number, d: number) {}",
        "async function inner(db: Db, roundId: string, index: number, size: number) {}",
        "/** The tail of the old shape. */",
        "export async function proof(db: Db, roundId: string, index: number, size: number) {}",
        "export const fate = async (tx: Tx, municipalityId: string, hash: string) => null;",
        "export function unscoped(",
        "  db: Db,",
        "  scope: { municipalityId: string },",
        "  input: { id: string },",
        ") {}",
        "",
      ].join("\n"),
    );
    const result = check("app/domain/tally.ts\napp/routes/vote.tsx\napp/services/ballots.server.ts\n");
    expect(result.status).toBe(1);
    const rule = "an exported service function taking a database (Db/Tx) takes (db, input) or (db, scope, input)";
    expect(result.stderr.trim().split("\n").slice(0, -2)).toEqual([
      `app/services/shapes.server.ts:9 ${rule}: proof(db, roundId, index, size)`,
      `app/services/shapes.server.ts:10 ${rule}: fate(tx, municipalityId, hash)`,
      `app/services/shapes.server.ts:11 ${rule}: unscoped(db, scope, input)`,
    ]);
    expect(result.stderr).toContain("3 layer violation(s)");
    fs.rmSync(path.join(root, "app/services/shapes.server.ts"));
    expect(check("app/domain/tally.ts\napp/routes/vote.tsx\napp/services/ballots.server.ts\n").status).toBe(0);
  });
});
