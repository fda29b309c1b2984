/**
 * Census import benchmark: a generated 1,000,000-row CSV imported into a fresh PGlite folder (and into
 * PostgreSQL when BENCH_DATABASE_URL is set), through the same service the staff page uses — parsing,
 * validation with the national-code checksum, HMAC of every ID, batched loading and the atomic switch.
 * Target: under 60 s per database. `BENCH_CENSUS_ROWS` changes the size.
 */
import { userActor } from "../../app/services/scope";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import pg from "pg";
import { type Database, openDatabase } from "../../db/client";
import { districts, municipalities, users } from "../../db/schema";
import { withIranianCheckDigit } from "../../app/domain/verification/ids";
import { importCensus } from "../../app/services/verification/census.server";
import type { BenchSuite } from "./run";

const DISTRICTS = ["north", "south", "center", "east", "west"];
const CLASSES = ["resident", "resident", "resident", "works-here", "youth"];

export function generateCensus(rows: number): string {
  const parts: string[] = ["national_id,birth_date,district,voter_class\n"];
  for (let i = 0; i < rows; i++) {
    const id = withIranianCheckDigit(String(100_000_000 + i * 7).padStart(9, "0"));
    const y = 1930 + (i % 80);
    const m = String(1 + (i % 12)).padStart(2, "0");
    const d = String(1 + (i % 28)).padStart(2, "0");
    parts.push(`${id},${y}-${m}-${d},${DISTRICTS[i % 5]},${CLASSES[i % 5]}\n`);
  }
  return parts.join("");
}

async function seedTown(database: Database) {
  const municipalityId = randomUUID();
  const slug = `bench-${municipalityId.slice(0, 8)}`;
  await database.db
    .insert(municipalities)
    .values({ id: municipalityId, slug, name: { en: "Bench" }, timeZone: "Asia/Tehran" });
  await database.db
    .insert(districts)
    .values(
      DISTRICTS.map((code, position) => ({ id: randomUUID(), municipalityId, code, name: { en: code }, position })),
    );
  const userId = randomUUID();
  await database.db
    .insert(users)
    .values({ id: userId, email: `${slug}@bench.local`, passwordHash: "x", displayName: "Bench" });
  const [municipality] = await database.db.select().from(municipalities).where(eq(municipalities.id, municipalityId));
  return {
    user: { id: userId, email: `${slug}@bench.local`, displayName: "Bench", locale: "en", isPlatformAdmin: false },
    municipality,
    actor: userActor({ id: userId }),
  };
}

async function measure(label: string, database: Database, csv: string, rows: number) {
  const access = await seedTown(database);
  const started = performance.now();
  const result = await importCensus(database.db, access, { fileName: "bench.csv", text: csv, skipBadRows: false });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== "active") throw new Error(`census import ended ${result.status}`);
  const rate = Math.round(rows / seconds);
  console.log(
    `| ${label} | ${rows.toLocaleString("en")} | ${seconds.toFixed(1)} | ${rate.toLocaleString("en")} | ${seconds < 60 ? "yes" : "NO"} |`,
  );
}

export const censusBench: BenchSuite = {
  name: "census",
  async run() {
    const rows = Number(process.env.BENCH_CENSUS_ROWS ?? 1_000_000);
    const csv = generateCensus(rows);
    console.log(`CSV: ${(csv.length / 1e6).toFixed(1)} MB\n`);
    console.log("| database | rows | seconds | rows/s | < 60 s |");
    console.log("|---|---:|---:|---:|---|");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-bench-census-"));
    try {
      const database = await openDatabase({ dataDir: dir });
      try {
        await measure("PGlite (fresh folder)", database, csv, rows);
      } finally {
        await database.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const serverUrl = process.env.BENCH_DATABASE_URL;
    if (serverUrl) {
      const name = `shora_bench_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      try {
        const database = await openDatabase({ url: url.toString() });
        try {
          await measure("PostgreSQL", database, csv, rows);
        } finally {
          await database.close();
        }
      } finally {
        const client = new pg.Client({ connectionString: serverUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      }
    }
  },
};
