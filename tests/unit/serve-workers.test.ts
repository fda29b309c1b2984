/**
 * `shora serve --workers N` (ADR 0030): how many processes by default, and the refusals — the
 * embedded PGlite database can be opened by one process only (ADR 0004), and --dev runs one.
 */
import os from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { ServerCannotStart, workerCount } from "../../app/server/serve";

const saved = { url: process.env.DATABASE_URL, workers: process.env.SHORA_WORKERS };
afterEach(() => {
  for (const [name, value] of [
    ["DATABASE_URL", saved.url],
    ["SHORA_WORKERS", saved.workers],
  ] as const)
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
});

function on(database: "pglite" | "postgres", workers?: string) {
  if (database === "postgres") process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/shora";
  else delete process.env.DATABASE_URL;
  if (workers === undefined) delete process.env.SHORA_WORKERS;
  else process.env.SHORA_WORKERS = workers;
}

describe("the number of app processes", () => {
  it("is one per core on PostgreSQL and one on the embedded database by default", () => {
    on("postgres");
    expect(workerCount({ dev: false })).toBe(os.availableParallelism());
    on("pglite");
    expect(workerCount({ dev: false })).toBe(1);
    on("postgres");
    expect(workerCount({ dev: true })).toBe(1);
  });

  it("is what --workers asks, else SHORA_WORKERS", () => {
    on("postgres", "3");
    expect(workerCount({ dev: false })).toBe(3);
    expect(workerCount({ workers: 2, dev: false })).toBe(2);
    on("pglite");
    expect(workerCount({ workers: 1, dev: false })).toBe(1);
  });

  it("refuses more than one on the embedded database, saying why and what to do", () => {
    on("pglite");
    expect(() => workerCount({ workers: 2, dev: false })).toThrow(ServerCannotStart);
    expect(() => workerCount({ workers: 2, dev: false })).toThrow(
      /embedded database \(PGlite\) can be opened by one process only; use --workers 1, or set DATABASE_URL/,
    );
    on("pglite", "4");
    expect(() => workerCount({ dev: false })).toThrow(ServerCannotStart);
  });

  it("refuses more than one with the development server", () => {
    on("postgres");
    expect(() => workerCount({ workers: 2, dev: true })).toThrow(/--dev/);
  });
});
