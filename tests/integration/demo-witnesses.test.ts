/**
 * The demo runs two witnesses in-process (ADR 0022): last year's published round has checkpoints
 * cosigned by both, `shora verify` on its bundle prints them and the quorum of 2, and a restart
 * (new ports, same keys and state) points the settings at the new addresses. On its own embedded
 * database (the demo's slug is fixed, so it cannot share the run's PostgreSQL database).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client";
import { checkpoints, cosignatures, rounds, witnesses } from "../../db/schema";
import { writeBundle } from "../../app/cli/bundle-files";
import { main } from "../../app/cli/main";
import { parseNote } from "../../app/domain/ledger/note";
import {
  DEMO_WITNESS_NAMES,
  startDemoWitnesses,
  stopDemoWitnesses,
} from "../../app/services/demo/demo-witnesses.server";
import { seedDemo } from "../../app/services/demo/demo.server";
import { observer, scopeOf } from "../../app/services/scope";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import { testKeyStore } from "../support/db";

let database: Database;
let dir: string;

beforeAll(async () => {
  testKeyStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-demo-witnesses-"));
  database = await openDatabase({ dataDir: path.join(dir, "data") });
  await seedDemo(database.db, { now: new Date(), witnesses: true });
});
afterAll(async () => {
  await stopDemoWitnesses();
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the demo's witnesses", () => {
  it("cosigned the published round's checkpoints, and shora verify prints them with the quorum", async () => {
    const municipality = await findMunicipality(database.db, "demo");
    if (!municipality) throw new Error("no demo");
    const [past] = await database.db.select().from(rounds).where(eq(rounds.slug, "budget-1404"));
    const signed = await database.db.select().from(checkpoints).where(eq(checkpoints.roundId, past.id));
    expect(signed.length).toBeGreaterThan(0);
    const cosigned = await database.db.select().from(cosignatures).where(eq(cosignatures.roundId, past.id));
    for (const c of signed)
      expect(
        cosigned
          .filter((x) => x.treeSize === c.treeSize)
          .map((x) => x.witnessName)
          .sort(),
      ).toEqual([...DEMO_WITNESS_NAMES]);
    const bundle = await roundBundle(database.db, scopeOf(municipality, observer), { roundSlug: "budget-1404" });
    if (!bundle) throw new Error("no bundle");
    const ledger = JSON.parse(bundle.files.find((f) => f.name === "ledger.json")?.bytes.toString("utf8") ?? "{}");
    expect(parseNote(ledger.checkpoints.at(-1).note).signatures.map((s: { name: string }) => s.name)).toEqual([
      "shora.local/m/demo/rounds/budget-1404",
      ...DEMO_WITNESS_NAMES,
    ]);
    writeBundle(bundle.files, path.join(dir, "bundle"));
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["verify", path.join(dir, "bundle")], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    expect(err.join("")).toBe("");
    expect(code).toBe(0);
    expect(out.join("")).toContain(
      `Witnesses (bundle): ${DEMO_WITNESS_NAMES.join(", ")}; quorum 2; final checkpoint cosigned by ${DEMO_WITNESS_NAMES.join(", ")}`,
    );
  });

  it("restarts with the same keys at new addresses", async () => {
    const before = await database.db.select().from(witnesses);
    await stopDemoWitnesses();
    const again = await startDemoWitnesses(database.db);
    const after = await database.db.select().from(witnesses);
    expect(after.map((w) => w.vkey).sort()).toEqual(before.map((w) => w.vkey).sort());
    expect(after.map((w) => w.url).sort()).toEqual([...(again?.urls ?? [])].sort());
    // The restarted witness remembers what it cosigned: it answers with the last cosigned checkpoint.
    const origin = "shora.local/m/demo/rounds/budget-1404";
    const response = await fetch(`${again?.urls[0]}/checkpoint/${encodeURIComponent(origin)}`);
    expect(response.status).toBe(200);
    expect(parseNote(await response.text()).text.startsWith(`${origin}\n`)).toBe(true);
  });
});
