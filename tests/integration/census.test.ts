import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { censusImports, censusRecords } from "../../db/schema";
import * as censusPage from "../../app/routes/m.$slug.admin.census";
import {
  activeImport,
  censusEntry,
  censusSecret,
  identityHash,
  importCensus,
} from "../../app/services/verification/census.server";
import { MAX_CENSUS_ROWS, parseCensus } from "../../app/domain/verification/census";
import { testDatabase } from "../support/db";
import { call } from "../support/requests";
import { type Town, censusCsv, logText, loggedIn, nationalId, setupTown, upload } from "./verification-setup";

let database: Database;
let town: Town;

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db);
});
afterAll(() => database.close());

async function recordsOf(importId: number) {
  return database.db.select().from(censusRecords).where(eq(censusRecords.importId, importId));
}

describe("census import", () => {
  it("refuses a file with bad rows as a whole, reporting line, column and reason — nothing imported", async () => {
    const staff = await loggedIn(database.db, town.admin.user.email);
    const good = nationalId(100000001);
    const csv = censusCsv([
      [good, "1980-01-02", "north", "resident"],
      ["1234567890", "1980-01-02", "north", "resident"], // bad checksum
      [nationalId(100000002), "1980-02-31", "south", "resident"], // no such day
      [nationalId(100000003), "1990-05-05", "nowhere", "resident"],
      [good, "1970-01-01", "south", "resident"], // duplicate of line 2
      [nationalId(100000004), "1990-05-05", "south", "Bad Class!"],
      [nationalId(100000005), "2999-01-01", "south", "resident"],
    ]);
    const response = await call(
      censusPage.action,
      staff,
      upload(staff, `/m/${town.slug}/admin/census`, { intent: "import" }, { name: "bad.csv", text: csv }),
      { slug: town.slug },
    );
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.errors.file).toMatch(/6 of 7 rows/);
    expect(await activeImport(database.db, town.staff)).toBeNull();
    const [refused] = await database.db
      .select()
      .from(censusImports)
      .where(eq(censusImports.municipalityId, town.municipality.id));
    expect(refused.status).toBe("refused");
    expect(refused.report.map((p) => [p.line, p.column, p.reason])).toEqual([
      [3, "national_id", "id_checksum"],
      [4, "birth_date", "birth_date_invalid"],
      [5, "district", "district_unknown"],
      [6, "national_id", "duplicate"],
      [7, "voter_class", "class_invalid"],
      [8, "birth_date", "birth_date_future"],
    ]);
    expect(refused.report[3].firstLine).toBe(2);
    expect(await recordsOf(refused.id)).toHaveLength(0);
    // The page shows the report, never an ID or a birth date.
    const page = await call(censusPage.loader, staff, staff.get(`/m/${town.slug}/admin/census`), { slug: town.slug });
    const text = await page.text();
    expect(text).toContain("district_unknown");
    expect(text).not.toContain(good);
    expect(text).not.toContain("1980-01-02");
    expect(text).not.toContain("1234567890");
  });

  it("imports with bad rows skipped when staff choose so, and the census then answers lookups", async () => {
    const staff = await loggedIn(database.db, town.admin.user.email);
    const csv = censusCsv([
      [nationalId(200000001), "1980-01-02", "north", "resident"],
      ["12345", "1980-01-02", "north", "resident"],
      [nationalId(200000002), "1370-05-12", "South", "works-here"], // Solar Hijri, district code in another case
    ]);
    const response = await call(
      censusPage.action,
      staff,
      upload(
        staff,
        `/m/${town.slug}/admin/census`,
        { intent: "import", skipBadRows: "on" },
        { name: "census.csv", text: csv },
      ),
      { slug: town.slug },
    );
    expect(response.status).toBe(302);
    const active = await activeImport(database.db, town.staff);
    expect(active?.loadedRows).toBe(2);
    expect(active?.badRows).toBe(1);
    const secret = await censusSecret(database.db, town.municipality.id);
    const rows = await recordsOf(active!.id);
    expect(rows).toHaveLength(2);
    // Only keyed hashes are stored, never the ID.
    expect(JSON.stringify(rows)).not.toContain(nationalId(200000001));
    const entry = await censusEntry(database.db, {
      municipalityId: town.municipality.id,
      identityHash: identityHash(secret, nationalId(200000002)),
    });
    expect(entry).toMatchObject({
      birthDate: "1991-08-03",
      districtId: town.district.south,
      voterClass: "works-here",
      line: 4,
    });
    const log = await logText(database.db, town.municipality.id);
    expect(log).toContain("census.import");
    expect(log).not.toContain(nationalId(200000001));
    expect(log).not.toContain("1980-01-02");
  });

  it("re-import replaces the census atomically; a refused re-import leaves the old one in place", async () => {
    const first = await importCensus(database.db, town.staff, {
      fileName: "one.csv",
      text: censusCsv([
        [nationalId(300000001), "1980-01-02", "north", "resident"],
        [nationalId(300000002), "1980-01-02", "north", "resident"],
      ]),
      skipBadRows: false,
    });
    expect(first.status).toBe("active");
    const refused = await importCensus(database.db, town.staff, {
      fileName: "broken.csv",
      text: censusCsv([
        [nationalId(300000003), "1980-01-02", "north", "resident"],
        [nationalId(300000004), "not a date", "north", "resident"],
      ]),
      skipBadRows: false,
    });
    expect(refused.status).toBe("refused");
    expect((await activeImport(database.db, town.staff))?.id).toBe(first.importId);

    const second = await importCensus(database.db, town.staff, {
      fileName: "two.csv",
      text: censusCsv([[nationalId(300000003), "1985-03-04", "center", "youth"]]),
      skipBadRows: false,
    });
    expect(second.status).toBe("active");
    const statuses = await database.db
      .select({ id: censusImports.id, status: censusImports.status })
      .from(censusImports)
      .where(and(eq(censusImports.municipalityId, town.municipality.id), eq(censusImports.id, first.importId)));
    expect(statuses[0].status).toBe("replaced");
    expect(await recordsOf(first.importId)).toHaveLength(0);
    const secret = await censusSecret(database.db, town.municipality.id);
    expect(
      await censusEntry(database.db, {
        municipalityId: town.municipality.id,
        identityHash: identityHash(secret, nationalId(300000001)),
      }),
    ).toBeNull();
    expect(
      await censusEntry(database.db, {
        municipalityId: town.municipality.id,
        identityHash: identityHash(secret, nationalId(300000003)),
      }),
    ).toMatchObject({ voterClass: "youth" });
  });

  it("loads a larger file in batches (progress recorded) and keeps the old census readable until the switch", async () => {
    const rows: [string, string, string, string][] = [];
    for (let i = 0; i < 25_000; i++)
      rows.push([nationalId(400000000 + i), "1975-06-07", i % 2 ? "north" : "south", "resident"]);
    const before = await activeImport(database.db, town.staff);
    const result = await importCensus(database.db, town.staff, {
      fileName: "big.csv",
      text: censusCsv(rows),
      skipBadRows: false,
    });
    expect(result.status).toBe("active");
    const active = await activeImport(database.db, town.staff);
    expect(active?.id).toBe(result.importId);
    expect(active?.id).not.toBe(before?.id);
    expect(active?.loadedRows).toBe(25_000);
    expect(await recordsOf(result.importId)).toHaveLength(25_000);
  });

  it("refuses a file without the required header, an empty upload and non-UTF-8 text with the field named", async () => {
    const staff = await loggedIn(database.db, town.admin.user.email);
    const path = `/m/${town.slug}/admin/census`;
    const noHeader = await call(
      censusPage.action,
      staff,
      upload(staff, path, { intent: "import" }, { name: "x.csv", text: "id;birth\n1;2\n" }),
      { slug: town.slug },
    );
    expect(noHeader.status).toBe(400);
    const empty = await call(
      censusPage.action,
      staff,
      upload(staff, path, { intent: "import" }, { name: "x.csv", text: "" }),
      { slug: town.slug },
    );
    expect(empty.status).toBe(400);
    expect((await empty.json()).errors.file).toMatch(/required/);
    const body = new FormData();
    body.set("_csrf", staff.cookies.get("shora_csrf")!);
    body.set("intent", "import");
    body.set("file", new File([new Uint8Array([0xff, 0xfe, 0x41])], "latin.csv"));
    const binary = await call(
      censusPage.action,
      staff,
      new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: staff.cookieHeader() }, body }),
      { slug: town.slug },
    );
    expect(binary.status).toBe(400);
    expect((await binary.json()).errors.file).toMatch(/UTF-8/);
  });

  it("is for administrators only (ADR 0019), and every form needs the CSRF token", async () => {
    for (const email of [town.residents[0].email, town.staff.user.email]) {
      const refused = await loggedIn(database.db, email);
      const denied = await call(censusPage.loader, refused, refused.get(`/m/${town.slug}/admin/census`), {
        slug: town.slug,
      });
      expect(denied.status).toBe(403);
    }
    const staff = await loggedIn(database.db, town.admin.user.email);
    const body = new FormData();
    body.set("intent", "import");
    body.set("file", new File(["x"], "x.csv"));
    const noToken = await call(
      censusPage.action,
      staff,
      new Request(`http://localhost/m/${town.slug}/admin/census`, {
        method: "POST",
        headers: { cookie: staff.cookieHeader() },
        body,
      }),
      { slug: town.slug },
    );
    expect(noToken.status).toBe(403);
  });

  it("accepts another ID scheme with a pattern, and refuses an invalid pattern with the field named", async () => {
    const other = await setupTown(database.db, { residents: 1 });
    const staff = await loggedIn(database.db, other.admin.user.email);
    const bad = await call(
      censusPage.action,
      staff,
      staff.post(`/m/${other.slug}/admin/census`, { intent: "scheme", idScheme: "pattern", idPattern: "([A-Z" }),
      { slug: other.slug },
    );
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).errors)).toEqual(["idPattern"]);
    const ok = await call(
      censusPage.action,
      staff,
      staff.post(`/m/${other.slug}/admin/census`, {
        intent: "scheme",
        idScheme: "pattern",
        idPattern: "[A-Z]{2}[0-9]{6}",
      }),
      { slug: other.slug },
    );
    expect(ok.status).toBe(200);
    const result = await importCensus(database.db, other.staff, {
      fileName: "p.csv",
      text: censusCsv([
        ["ab123456", "1980-01-01", "north", "resident"],
        ["1234567890", "1980-01-01", "north", "resident"],
      ]),
      skipBadRows: false,
    });
    expect(result.status).toBe("refused");
    expect(result.problems).toEqual([{ line: 3, column: "national_id", reason: "id_pattern" }]);
  });
});

describe("census file limits", () => {
  const options = {
    idRules: { scheme: "ir-national-code" as const, pattern: null },
    districts: new Map([["north", "d-north"]]),
    today: "2025-01-01",
  };
  const header = "national_id,birth_date,district,voter_class";
  const row = (n: number) => `${nationalId(n)},1975-06-07,north,resident\n`;

  it("refuses a file at its first row over the limit, before reading on", () => {
    expect(MAX_CENSUS_ROWS).toBe(4_000_000);
    const text = `${header}\n${row(500000001)}${row(500000002)}\n${row(500000003)}${"junk\n".repeat(1000)}`;
    const parsed = parseCensus(text, { ...options, maxRows: 2 });
    expect(parsed.fatal).toEqual({ line: 5, column: "row", reason: "too_many_rows", limit: 2 });
    expect(parsed.problems).toEqual([parsed.fatal]);
    expect(parsed.rows.ids).toEqual([]);
    expect(parseCensus(text.slice(0, text.indexOf("junk")), { ...options, maxRows: 3 }).rows.lines).toEqual([2, 3, 5]);
  });

  it("reads a 64 MB file whose quote never closes in one pass, without copying the rest of the file", () => {
    const text = `${header}\n${row(500000001)}"${row(500000002).repeat(Math.ceil((64 * 1024 * 1024) / 38))}`;
    const heapBefore = process.memoryUsage().heapUsed;
    const parsed = parseCensus(text, options);
    expect(parsed.problems).toEqual([{ line: 3, column: "row", reason: "quote" }]);
    expect(parsed.rows.lines).toEqual([2]);
    // Building the field a character at a time took 30 bytes of heap per byte of file (2 GB here).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
