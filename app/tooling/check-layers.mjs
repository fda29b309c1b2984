#!/usr/bin/env node
// The layer rules of docs/ARCHITECTURE.md (ADR 0023), checked on every import of app/ and db/, and
// the calling shape of the services' exported functions (`(db, input)` or `(db, scope, input)`):
// `node app/tooling/check-layers.mjs [--root DIR]`, run by `npm run lint`. Prints one line per
// violation (file:line rule: what breaks it) and exits 1 when any is left outside the allow-list
// (app/tooling/layer-allowlist.txt: files with known violations, one per line, being worked off).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import ts from "typescript";

/** The layer of a project file (a path relative to the root, with `/`), or null outside the layers. */
export function layerOf(file) {
  if (file === "app/config.server.ts") return "config";
  if (file.startsWith("app/domain/")) return "domain";
  if (file.startsWith("app/services/")) return "services";
  if (file.startsWith("app/web/")) return "web";
  if (file.startsWith("app/routes/")) return "routes";
  if (file.startsWith("app/server/")) return "server";
  if (file.startsWith("app/cli/")) return "cli";
  if (file.startsWith("app/components/")) return "components";
  if (file.startsWith("app/tooling/")) return "tooling";
  if (/^app\/(root|entry\.client|entry\.server)\.tsx$/.test(file)) return "app-shell";
  if (file.startsWith("db/schema")) return "schema";
  if (file.startsWith("db/")) return "db";
  return null;
}

const REMIX = /^@remix-run\//;
const DATABASE_PACKAGES = /^(drizzle-orm|pg|@electric-sql\/pglite|@lucia-auth\/adapter-drizzle)(\/|$)/;

/**
 * The rules: `from` layer, a test on what is imported (its layer, or the package name for a bare
 * specifier), and the rule's name as printed.
 */
export const RULES = [
  {
    name: "domain imports no service, database, web, server, CLI, route or Remix",
    from: "domain",
    forbids: (t) =>
      ["services", "db", "schema", "web", "server", "cli", "routes", "config", "app-shell"].includes(t.layer) ||
      REMIX.test(t.pkg) ||
      DATABASE_PACKAGES.test(t.pkg),
  },
  {
    name: "services import no route, web glue, server or CLI",
    from: "services",
    forbids: (t) => ["routes", "web", "server", "cli", "components", "app-shell"].includes(t.layer),
  },
  {
    name: "routes import no drizzle-orm and no db/schema (call a service)",
    from: "routes",
    forbids: (t) => t.layer === "schema" || /^drizzle-orm(\/|$)/.test(t.pkg),
  },
  {
    name: "routes import no server or CLI module",
    from: "routes",
    forbids: (t) => ["server", "cli"].includes(t.layer),
  },
  {
    name: "web glue imports no route, server or CLI",
    from: "web",
    forbids: (t) => ["routes", "server", "cli", "app-shell"].includes(t.layer),
  },
  {
    name: "the server imports no route module (Remix's build does) and no CLI command",
    from: "server",
    forbids: (t) => ["routes", "cli"].includes(t.layer),
  },
  {
    name: "components import no service, database, server or CLI",
    from: "components",
    forbids: (t) =>
      ["services", "db", "schema", "server", "cli", "routes"].includes(t.layer) || DATABASE_PACKAGES.test(t.pkg),
  },
  {
    name: "the database layer imports only the schema, the domain and the configuration",
    from: "db",
    forbids: (t) => ["services", "web", "server", "cli", "routes", "components", "app-shell"].includes(t.layer),
  },
  {
    name: "the schema imports only the domain and drizzle",
    from: "schema",
    forbids: (t) =>
      ["services", "db", "web", "server", "cli", "routes", "components", "app-shell", "config"].includes(t.layer),
  },
  {
    name: "the configuration imports nothing of the project",
    from: "config",
    forbids: (t) => t.layer !== null,
  },
  {
    name: "the CLI imports no route, web glue or server module except through `serve`",
    from: "cli",
    forbids: (t, file) =>
      ["routes", "web", "components", "app-shell"].includes(t.layer) ||
      (t.layer === "server" && file !== "app/cli/serve.ts"),
  },
];

const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

function walk(root, dir, out) {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return out;
  for (const entry of fs.readdirSync(full, { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "assembly") walk(root, rel, out);
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(rel);
  }
  return out;
}

/** What a specifier names: a project file's layer (aliases `~/` and `~db/` resolved) or a package. */
function target(file, specifier) {
  let resolved = null;
  if (specifier.startsWith("~/")) resolved = `app/${specifier.slice(2)}`;
  else if (specifier.startsWith("~db/")) resolved = `db/${specifier.slice(4)}`;
  else if (specifier.startsWith("."))
    resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  if (resolved === null) {
    const parts = specifier.split("/");
    return { layer: null, pkg: specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0], file: null };
  }
  // `../config.server` without its extension, like every other specifier.
  const layer = layerOf(resolved) ?? layerOf(`${resolved}.ts`);
  return { layer, pkg: "", file: resolved };
}

/** Every import (static, dynamic, re-export, type-only) of one file, with its line. */
function importsOf(text) {
  const info = ts.preProcessFile(text, true, true);
  const lineStarts = ts.computeLineStarts(text);
  return info.importedFiles.map((ref) => ({
    specifier: ref.fileName,
    line: ts.computeLineAndCharacterOfPosition(lineStarts, ref.pos).line + 1,
  }));
}

export const SHAPE_RULE =
  "an exported service function taking a database (Db/Tx) takes (db, input) or (db, scope, input)";

const DATABASE_TYPE = /\b(Db|Tx)\b/;
const SCOPE_TYPE = /^(Scope|PlatformScope)(\s*\|\s*(Scope|PlatformScope))*$/;

const isExported = (node) => ts.getModifiers?.(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;

/**
 * The exported functions of a service file that break the calling shape: a first parameter typed as a
 * database, then more than two parameters, or three whose second is not a Scope/PlatformScope.
 */
function shapesOf(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const functions = [];
  for (const statement of source.statements) {
    if (!isExported(statement)) continue;
    if (ts.isFunctionDeclaration(statement)) functions.push({ name: statement.name?.text ?? "default", fn: statement });
    else if (ts.isVariableStatement(statement))
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)))
          functions.push({ name: d.name.getText(source), fn: init });
      }
  }
  const broken = [];
  for (const { name, fn } of functions) {
    const params = fn.parameters;
    if (!params.length || !DATABASE_TYPE.test(params[0].type?.getText(source) ?? "")) continue;
    const scoped = params.length === 3 && SCOPE_TYPE.test(params[1].type?.getText(source).trim() ?? "");
    if (params.length <= 2 || scoped) continue;
    broken.push({
      line: source.getLineAndCharacterOfPosition(fn.getStart(source)).line + 1,
      detail: `${name}(${params.map((p) => p.name.getText(source)).join(", ")})`,
    });
  }
  return broken;
}

/**
 * The violations under `root`, in file order: `{ file, line, rule, detail }` (for an import, also its
 * `specifier`; `detail` says what breaks the rule).
 */
export function checkLayers(root) {
  const files = [...walk(root, "app", []), ...walk(root, "db", [])].sort();
  const violations = [];
  for (const file of files) {
    const from = layerOf(file);
    if (from === null) continue;
    const text = fs.readFileSync(path.join(root, file), "utf8");
    const found = [];
    for (const { specifier, line } of importsOf(text)) {
      const t = target(file, specifier);
      for (const rule of RULES) {
        if (rule.from === from && rule.forbids(t, file))
          found.push({ file, line, rule: rule.name, specifier, detail: `imports "${specifier}"` });
      }
    }
    if (from === "services")
      for (const { line, detail } of shapesOf(file, text)) found.push({ file, line, rule: SHAPE_RULE, detail });
    violations.push(...found.sort((a, b) => a.line - b.line));
  }
  return violations;
}

/** The allow-list: one project file per line; `#` starts a comment. */
export function readAllowList(file) {
  if (!fs.existsSync(file)) return new Set();
  const entries = new Set();
  for (const raw of fs.readFileSync(file, "utf8").split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (line) entries.add(line);
  }
  return entries;
}

function cli() {
  const { values } = parseArgs({
    options: { root: { type: "string" }, "allow-list": { type: "string" }, help: { type: "boolean" } },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write("Usage: node app/tooling/check-layers.mjs [--root DIR] [--allow-list FILE]\n");
    return 0;
  }
  const root = path.resolve(values.root ?? ".");
  const allowFile = path.resolve(root, values["allow-list"] ?? "app/tooling/layer-allowlist.txt");
  const allowed = readAllowList(allowFile);
  const violations = checkLayers(root);
  const failing = violations.filter((v) => !allowed.has(v.file));
  for (const v of failing) process.stderr.write(`${v.file}:${v.line} ${v.rule}: ${v.detail}\n`);
  const stillViolating = new Set(violations.map((v) => v.file));
  for (const entry of allowed) {
    if (!stillViolating.has(entry))
      process.stdout.write(
        `note: ${path.relative(root, allowFile)} lists ${entry}, which breaks no rule now: remove the line\n`,
      );
  }
  const tolerated = violations.length - failing.length;
  if (failing.length > 0) {
    process.stderr.write(
      `\n${failing.length} layer violation(s) (docs/ARCHITECTURE.md, "Layers")${tolerated ? `; ${tolerated} more in allow-listed files` : ""}\n`,
    );
    return 1;
  }
  process.stdout.write(`Layer rules hold (${tolerated} known violation(s) in ${allowed.size} allow-listed file(s)).\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("check-layers.mjs")) {
  try {
    process.exitCode = cli();
  } catch (error) {
    process.stderr.write(`check-layers: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
