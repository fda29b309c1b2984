/**
 * Hostile uploads (ADR 0014): census and paper-ballot CSV files that are too large, malformed, in
 * another encoding than UTF-8, or full of spreadsheet formulas. Each is refused with a 4xx that names
 * the file field (and the line, where a line is at fault), and leaves the database as it was — the
 * one row a refused census file adds on purpose (its import, with the report staff read, and its log
 * entry; ADR 0005) aside. Limits: ADR 0014. The .pb files of `shora tally` are in tests/unit/pbfile.test.ts.
 */
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows } from "../../db/client";
import { censusImports, censusRecords, districts, envelopes, proposals } from "../../db/schema";
import * as censusPage from "../../app/routes/m.$slug.admin.census";
import * as letterCodesCsv from "../../app/routes/m.$slug.admin.letter-codes[.csv]";
import * as login from "../../app/routes/login";
import * as paperPage from "../../app/routes/m.$slug.admin.rounds.$round.paper";
import { activeImport, importCensus } from "../../app/services/verification/census.server";
import { MAX_RECORD_CHARS } from "../../app/domain/csv";
import { CSRF, TestBrowser, call } from "../support/requests";
import { testDatabase } from "../support/db";
import { type Town, censusCsv, loggedIn, nationalId, setupTown } from "./verification-setup";

let database: Database;
/** Census uploads go to one town, paper ballots to another (whose census stays put). */
let censusTown: Town;
let paperTown: Town;

const MB = 1024 * 1024;
const CENSUS_HEADER = "national_id,birth_date,district,voter_class";
const PAPER_HEADER = "national_id,birth_date,envelope,choices";
const FORMULAS = ["=cmd|' /C calc'!A0", "+1", "@SUM(1+1)", "-2+3"];

/** People in the paper town's census, one per test that enters ballots (a person votes once). */
const voter = (n: number) => nationalId(810000000 + n);

beforeAll(async () => {
  database = await testDatabase();
  censusTown = await setupTown(database.db, { residents: 1 });
  paperTown = await setupTown(database.db, { residents: 1, votingInDays: -1 });
  const people: [string, string, string, string][] = [];
  for (let n = 1; n <= 12; n++) people.push([voter(n), "1980-01-01", "north", "resident"]);
  expect(
    (
      await importCensus(database.db, paperTown.staff, {
        fileName: "c.csv",
        text: censusCsv(people),
        skipBadRows: false,
      })
    ).status,
  ).toBe("active");
  const north = randomUUID();
  await database.db.insert(envelopes).values({
    id: north,
    roundId: paperTown.roundId,
    slug: "north",
    name: { en: "North" },
    amount: 1000,
    districtId: paperTown.district.north,
  });
  for (let i = 0; i < 3; i++) {
    await database.db.insert(proposals).values({
      id: randomUUID(),
      envelopeId: north,
      title: { en: `Proposal ${i + 1}` },
      body: { en: "" },
      cost: 100,
      status: "accepted",
      createdAt: new Date(Date.UTC(2026, 0, i + 1)),
    });
  }
});
afterAll(() => database.close());

/**
 * Everything an upload could write for a town, table by table: row count and a digest of the rows'
 * contents (scoped to the town: on PostgreSQL other test files share the database).
 */
async function snapshot(town: Town): Promise<Record<string, string>> {
  const m = town.municipality.id;
  const r = town.roundId;
  const scoped: Record<string, ReturnType<typeof sql>> = {
    census_imports: sql`select t::text as row from census_imports t where municipality_id = ${m}`,
    census_records: sql`select t::text as row from census_records t join census_imports i on i.id = t.import_id where i.municipality_id = ${m}`,
    action_log: sql`select t::text as row from action_log t where municipality_id = ${m}`,
    municipality_secrets: sql`select t::text as row from municipality_secrets t where municipality_id = ${m}`,
    verifications: sql`select t::text as row from verifications t where municipality_id = ${m}`,
    letter_codes: sql`select t::text as row from letter_codes t where municipality_id = ${m}`,
    ballots: sql`select t::text as row from ballots t where round_id = ${r}`,
    ledger_leaves: sql`select t::text as row from ledger_leaves t where round_id = ${r}`,
    ledger_nodes: sql`select t::text as row from ledger_nodes t where round_id = ${r}`,
    turnout: sql`select t::text as row from turnout t where round_id = ${r}`,
  };
  const out: Record<string, string> = {};
  for (const [table, rows] of Object.entries(scoped)) {
    const [row] = await queryRows<{ n: number; digest: string }>(
      database.db,
      sql`select count(*)::int as n, md5(coalesce(string_agg(row, '|' order by row), '')) as digest from (${rows}) s`,
    );
    out[table] = `${row.n}:${row.digest}`;
  }
  return out;
}

/** A multipart upload of raw bytes, as a browser sends a chosen file. */
function uploadBytes(browser: TestBrowser, path: string, fields: Record<string, string>, bytes: Uint8Array) {
  const body = new FormData();
  body.set("_csrf", CSRF);
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  body.set("file", new File([new Uint8Array(bytes)], "upload.csv", { type: "text/csv" }));
  return new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: browser.cookieHeader() }, body });
}

const utf8 = (text: string) => new TextEncoder().encode(text);
const utf16le = (text: string, bom: boolean) => Buffer.from(`${bom ? "\uFEFF" : ""}${text}`, "utf16le");
const utf16be = (text: string) => utf16le(`\uFEFF${text}`, false).swap16();
/** Windows-1256 (Persian Windows): ASCII as is, then the bytes of a Persian word. */
const cp1256 = (before: string, persian: number[], after: string) =>
  Uint8Array.from([...utf8(before), ...persian, ...utf8(after)]);
const SHOMAL_1256 = [0xd4, 0xe3, 0xc7, 0xe1]; // «شمال» in Windows-1256
const latin1 = (text: string) => Buffer.from(text, "latin1");

const BOUNDARY = "----shora-upload-test";
/** One megabyte of file content, sent again and again: a huge upload costs the test no memory. */
const CHUNK = new Uint8Array(MB).fill(0x41);

/**
 * A multipart upload whose file is `fileBytes` long, produced as it is read (never held whole),
 * with the Content-Length given (or none). `stats` counts what the server pulled.
 */
function streamedUpload(
  browser: TestBrowser,
  path: string,
  fields: Record<string, string>,
  fileBytes: number,
  contentLength: string | null,
) {
  let head = "";
  for (const [name, value] of Object.entries({ _csrf: CSRF, ...fields }))
    head += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  head += `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  const parts = [utf8(head)];
  const stats = { pulled: 0, cancelled: false };
  let sent = 0;
  let tailSent = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = parts.shift();
      if (next) {
        stats.pulled += next.length;
        controller.enqueue(next);
      } else if (sent < fileBytes) {
        const n = Math.min(MB, fileBytes - sent);
        sent += n;
        stats.pulled += n;
        controller.enqueue(n === MB ? CHUNK : CHUNK.subarray(0, n));
      } else if (!tailSent) {
        tailSent = true;
        controller.enqueue(utf8(`\r\n--${BOUNDARY}--\r\n`));
      } else controller.close();
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  const headers: Record<string, string> = {
    cookie: browser.cookieHeader(),
    "content-type": `multipart/form-data; boundary=${BOUNDARY}`,
  };
  if (contentLength !== null) headers["content-length"] = contentLength;
  const init = { method: "POST", headers, body, duplex: "half" } as RequestInit;
  return { request: new Request(`http://localhost${path}`, init), stats };
}

/**
 * How an oversized upload announces itself, and the most the server may read of it: a Content-Length
 * of 10 GB is refused before the body is read (the stream's first pull, at most, happens anyway);
 * none (chunked) and one that lies (1,000 bytes announced) are counted, and reading stops at the
 * limit (plus what the stream buffers ahead). The rest is left unread rather than cancelled: a
 * cancel resets the connection before the browser reads the 413.
 */
const oversizedCases = (limit: number): [string | null, number][] => [
  [String(10 * 1024 * MB), 2 * MB],
  [null, limit + 2 * MB],
  ["1000", limit + 2 * MB],
];

describe("census uploads", () => {
  const path = () => `/m/${censusTown.slug}/admin/census`;
  const params = () => ({ slug: censusTown.slug });
  // The census is the administrators' (ADR 0019).
  let staff: TestBrowser;
  beforeAll(async () => {
    staff = await loggedIn(database.db, censusTown.admin.user.email);
    // A census is in place: every refusal below must leave it exactly as it is.
    const first = await importCensus(database.db, censusTown.staff, {
      fileName: "first.csv",
      text: censusCsv([[nationalId(820000001), "1980-01-01", "north", "resident"]]),
      skipBadRows: false,
    });
    expect(first.status).toBe("active");
  });

  async function post(request: Request) {
    const response = await call(censusPage.action, staff, request, params());
    return { status: response.status, body: response.status === 302 ? null : await response.json() };
  }

  it("refuses an upload over 150 MB with 413 naming the file, by Content-Length before reading and by counting without one", async () => {
    const before = await snapshot(censusTown);
    const limit = 150 * MB + 64 * 1024;
    for (const [contentLength, mostPulled] of oversizedCases(limit)) {
      const { request, stats } = streamedUpload(staff, path(), { intent: "import" }, limit + 10 * MB, contentLength);
      const { status, body } = await post(request);
      expect(status, `Content-Length ${contentLength}`).toBe(413);
      expect(body.errors).toEqual({ file: "Census file is too large (at most 150 MB)." });
      expect(stats.pulled, `Content-Length ${contentLength}`).toBeLessThanOrEqual(mostPulled);
      expect(stats.cancelled).toBe(false);
    }
    expect(await snapshot(censusTown)).toEqual(before);
  });

  it("refuses a file that is not UTF-8 text, naming the line, and writes nothing", async () => {
    const row = (district: string) => `${nationalId(820000002)},1980-01-01,${district},resident\n`;
    const text = `${CENSUS_HEADER}\n${row("north")}${row("south")}`;
    const cases: [string, Uint8Array, number][] = [
      ["UTF-16 with a byte-order mark", utf16le(text, true), 1],
      ["UTF-16 without one", utf16le(text, false), 1],
      ["UTF-16 big-endian", utf16be(text), 1],
      [
        "Windows-1256",
        cp1256(`${CENSUS_HEADER}\n${row("north")}${nationalId(820000003)},1980-01-01,`, SHOMAL_1256, ",resident\n"),
        3,
      ],
      [
        "Latin-1",
        latin1(
          `${CENSUS_HEADER}\n${row("north")}${row("south")}${nationalId(820000004)},1980-01-01,Hôpital,resident\n`,
        ),
        4,
      ],
      ["binary junk", Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), 1],
      [
        "a NUL byte",
        utf8(`${CENSUS_HEADER}\n${row("north")}${nationalId(820000005)},1980-01-01,south,resi\u0000dent\n`),
        3,
      ],
    ];
    const before = await snapshot(censusTown);
    for (const [name, bytes, line] of cases) {
      const { status, body } = await post(uploadBytes(staff, path(), { intent: "import" }, bytes));
      expect(status, name).toBe(400);
      expect(body.errors, name).toEqual({
        file: `Census file must be UTF-8 text, and line ${line} is not. In a spreadsheet, save it as “CSV UTF-8”.`,
      });
    }
    expect(await snapshot(censusTown)).toEqual(before);
  });

  it("refuses malformed files naming the line; only the refused import's report is written", async () => {
    const id = (n: number) => nationalId(820000100 + n);
    const good = (n: number) => `${id(n)},1980-01-01,north,resident`;
    const cases: [string, string, string][] = [
      [
        "truncated",
        `${CENSUS_HEADER}\n${good(1)}\n${good(2)}\n${id(3)},1980-0`,
        "Line 4: The row does not have as many fields as the header.",
      ],
      [
        "a quote never closed",
        `${CENSUS_HEADER}\n${good(1)}\n${id(2)},"1980-01-01,north,resident\n${good(3)}\n`,
        "Line 3: A quoted field is not closed.",
      ],
      [
        "a quote inside a field",
        `${CENSUS_HEADER}\n${id(1)},1980"-01-01,north,resident\n`,
        "Line 2: A quoted field is not closed.",
      ],
      [
        "too few fields",
        `${CENSUS_HEADER}\n${good(1)}\n${id(2)},1980-01-01,north\n`,
        "Line 3: The row does not have as many fields as the header.",
      ],
      [
        "too many fields",
        `${CENSUS_HEADER}\n${id(1)},1980-01-01,north,resident,x\n${good(2)}\n`,
        "Line 2: The row does not have as many fields as the header.",
      ],
      ["header only", `${CENSUS_HEADER}\n`, "Line 1: The file holds no rows after its header."],
      [
        "a million empty lines after the header",
        `${CENSUS_HEADER}\n${"\n".repeat(1_000_000)}`,
        "Line 1: The file holds no rows after its header.",
      ],
      [
        "a million empty lines and no header",
        "\r\n".repeat(1_000_000),
        "Line 1: The header row must name the columns national_id, birth_date, district, voter_class (missing: national_id, birth_date, district, voter_class).",
      ],
      [
        "an extremely long line",
        `${CENSUS_HEADER}\n${good(1)}\n${id(2)},1980-01-01,${"n".repeat(1_000_000)},resident\n`,
        "Line 3: The line is longer than 10,000 characters.",
      ],
      [
        "an extremely long quoted line",
        `${CENSUS_HEADER}\n${id(2)},1980-01-01,"${"n,".repeat(500_000)}",resident\n${good(1)}\n`,
        "Line 2: The line is longer than 10,000 characters.",
      ],
      [
        "an extremely long header",
        `${CENSUS_HEADER},${"x".repeat(MAX_RECORD_CHARS)}\n${good(1)}\n`,
        "Line 1: The line is longer than 10,000 characters.",
      ],
    ];
    for (const [name, text, message] of cases) {
      const before = await snapshot(censusTown);
      const [{ n: importsBefore }] = await queryRows<{ n: number }>(
        database.db,
        sql`select count(*)::int as n from census_imports where municipality_id = ${censusTown.municipality.id}`,
      );
      const { status, body } = await post(uploadBytes(staff, path(), { intent: "import" }, utf8(text)));
      expect(status, name).toBe(400);
      expect(body.errors.file, name).toMatch(new RegExp(`(^|\\. )${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));
      const after = await snapshot(censusTown);
      // The census itself did not change…
      for (const table of Object.keys(before).filter((t) => t !== "census_imports" && t !== "action_log"))
        expect(after[table], `${name}: ${table}`).toBe(before[table]);
      // …and what was added is the refused import, whose report staff read on the page, and its log entry.
      const count = (digest: string) => Number(digest.split(":")[0]);
      expect(count(after.action_log), name).toBe(count(before.action_log) + 1);
      const added = await database.db
        .select()
        .from(censusImports)
        .where(eq(censusImports.municipalityId, censusTown.municipality.id))
        .orderBy(censusImports.id);
      expect(added.length, name).toBe(importsBefore + 1);
      const refused = added.at(-1)!;
      expect(refused.status, name).toBe("refused");
      expect(message, name).toContain(`Line ${refused.report[0].line}:`);
      expect(await database.db.select().from(censusRecords).where(eq(censusRecords.importId, refused.id))).toEqual([]);
    }
  });

  it("reads a byte-order mark, CRLF and LF alike, and empty lines without losing the line numbers", async () => {
    const rows = [
      `${nationalId(820000201)},1980-01-01,north,resident`,
      `${nationalId(820000202)},1981-01-01,south,resident`,
    ];
    for (const [name, text] of [
      ["BOM and CRLF", `\uFEFF${CENSUS_HEADER}\r\n${rows.join("\r\n")}\r\n`],
      ["LF", `${CENSUS_HEADER}\n${rows.join("\n")}\n`],
      ["a million empty lines between the rows", `${CENSUS_HEADER}\n${rows[0]}\n${"\n".repeat(1_000_000)}${rows[1]}`],
    ]) {
      const { status } = await post(uploadBytes(staff, path(), { intent: "import" }, utf8(text)));
      expect(status, name).toBe(302);
      const active = await activeImport(database.db, censusTown.staff);
      const records = await database.db
        .select({ line: censusRecords.line, birthDate: censusRecords.birthDate })
        .from(censusRecords)
        .where(eq(censusRecords.importId, active!.id))
        .orderBy(censusRecords.line);
      expect(records, name).toEqual([
        { line: 2, birthDate: "1980-01-01" },
        { line: name.startsWith("a million") ? 1_000_003 : 3, birthDate: "1981-01-01" },
      ]);
    }
  });

  it("keeps formula cells as text: refused with the line named, and never reaching a CSV export live", async () => {
    const before = await snapshot(censusTown);
    const text = [
      CENSUS_HEADER,
      `${FORMULAS[0]},1980-01-01,north,resident`,
      `${nationalId(820000301)},1980-01-01,${FORMULAS[1]},resident`,
      `${nationalId(820000302)},1980-01-01,north,${FORMULAS[2]}`,
      `${nationalId(820000303)},${FORMULAS[3]},north,resident`,
    ].join("\n");
    const { status, body } = await post(uploadBytes(staff, path(), { intent: "import" }, utf8(text)));
    expect(status).toBe(400);
    expect(body.errors.file).toContain("Line 2: The national ID does not have 10 digits.");
    const [refused] = await database.db
      .select()
      .from(censusImports)
      .where(eq(censusImports.municipalityId, censusTown.municipality.id))
      .orderBy(sql`${censusImports.id} desc`)
      .limit(1);
    // The report keeps the district and class as the text they were (IDs and dates never).
    expect(refused.report.map((p) => [p.line, p.column, p.reason, p.value ?? null])).toEqual([
      [2, "national_id", "id_format", null],
      [3, "district", "district_unknown", "+1"],
      [4, "voter_class", "class_invalid", "@sum(1+1)"],
      [5, "birth_date", "birth_date_invalid", null],
    ]);
    expect((await snapshot(censusTown)).census_records).toBe(before.census_records);

    // A district whose code a spreadsheet would run: census rows may name it, and the letter-code
    // mailing list (the one CSV export census values reach) hands it over as text.
    const formulaDistrict = randomUUID();
    await database.db.insert(districts).values({
      id: formulaDistrict,
      municipalityId: censusTown.municipality.id,
      code: FORMULAS[0],
      name: { en: "Formula" },
      position: 9,
    });
    const imported = await importCensus(database.db, censusTown.staff, {
      fileName: "formula.csv",
      text: `${CENSUS_HEADER}\n${nationalId(820000304)},1980-01-01,${FORMULAS[0].toUpperCase()},resident\n`,
      skipBadRows: false,
    });
    expect(imported.status).toBe("active");
    const response = await call(
      letterCodesCsv.action,
      staff,
      staff.post(`/m/${censusTown.slug}/admin/letter-codes.csv`, { districtId: formulaDistrict, limit: "10" }),
      params(),
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      /^2,"'=cmd\|' \/C calc'!A0",resident,[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4},\d{4}-\d{2}-\d{2}$/,
    );
    expect(lines[1]).not.toMatch(/(^|,)"?[=+\-@\t\r]/);
  });
});

describe("paper-ballot CSV uploads", () => {
  const path = () => `/m/${paperTown.slug}/admin/rounds/${paperTown.roundSlug}/paper`;
  const params = () => ({ slug: paperTown.slug, round: paperTown.roundSlug });
  let staff: TestBrowser;
  beforeAll(async () => {
    staff = await loggedIn(database.db, paperTown.staff.user.email);
  });

  async function post(request: Request) {
    const response = await call(paperPage.action, staff, request, params());
    return { status: response.status, body: await response.json() };
  }

  it("refuses an upload over 2 MB with 413 naming the file, however its length is announced, and a 2 MB + 1 byte file", async () => {
    const before = await snapshot(paperTown);
    const limit = 2 * MB + 64 * 1024;
    for (const [contentLength, mostPulled] of oversizedCases(limit)) {
      const { request, stats } = streamedUpload(staff, path(), { intent: "file" }, 50 * MB, contentLength);
      const { status, body } = await post(request);
      expect(status, `Content-Length ${contentLength}`).toBe(413);
      expect(body.errors).toEqual({ file: "The CSV file is too large (at most 2 MB)." });
      expect(stats.pulled, `Content-Length ${contentLength}`).toBeLessThanOrEqual(mostPulled);
      expect(stats.cancelled).toBe(false);
    }
    const justOver = new Uint8Array(2 * MB + 1).fill(0x0a);
    const { status, body } = await post(uploadBytes(staff, path(), { intent: "file" }, justOver));
    expect(status).toBe(413);
    expect(body.errors).toEqual({ file: "The CSV file is too large (at most 2 MB)." });
    expect(await snapshot(paperTown)).toEqual(before);
  });

  it("refuses a file that is not UTF-8 text, naming the line, and writes nothing", async () => {
    const text = `${PAPER_HEADER}\n${voter(1)},,north,1 2\n${voter(2)},,north,3\n`;
    const cases: [string, Uint8Array, number][] = [
      ["UTF-16 with a byte-order mark", utf16le(text, true), 1],
      ["UTF-16 without one", utf16le(text, false), 1],
      ["UTF-16 big-endian", utf16be(text), 1],
      ["Windows-1256", cp1256(`${PAPER_HEADER}\n${voter(1)},,north,1\n${voter(2)},,`, SHOMAL_1256, ",3\n"), 3],
      ["Latin-1", latin1(`${PAPER_HEADER}\n${voter(1)},,north,1\n${voter(2)},,north,1 é 2\n`), 3],
      ["binary junk", Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256), 1],
      ["a NUL byte", utf8(`${PAPER_HEADER}\n${voter(1)},,north,1\n${voter(2)},,north,\u00003\n`), 3],
    ];
    const before = await snapshot(paperTown);
    for (const [name, bytes, line] of cases) {
      const { status, body } = await post(uploadBytes(staff, path(), { intent: "file" }, bytes));
      expect(status, name).toBe(400);
      const message = `The file must be UTF-8 text, and line ${line} is not. In a spreadsheet, save it as “CSV UTF-8”.`;
      expect(body.errors, name).toEqual({ file: message });
      expect(body.problems, name).toEqual([{ line, message }]);
    }
    expect(await snapshot(paperTown)).toEqual(before);
  });

  it("refuses malformed files naming the line, and writes nothing", async () => {
    const row = (n: number, choices = "1") => `${voter(n)},,north,${choices}`;
    const cases: [string, string, { line: number | null; message: string }[]][] = [
      [
        "truncated",
        `${PAPER_HEADER}\n${row(1)}\n${voter(2)},,nor`,
        [{ line: 3, message: "This line has 3 fields; the header has 4." }],
      ],
      [
        "a quote never closed",
        `${PAPER_HEADER}\n${row(1)}\n${voter(2)},,north,"1 2\n${row(3)}\n`,
        [{ line: 3, message: "A quoted field is not closed." }],
      ],
      [
        "wrong field counts",
        `${PAPER_HEADER}\n${row(1)},x\n${voter(2)},north\n`,
        [
          { line: 2, message: "This line has 5 fields; the header has 4." },
          { line: 3, message: "This line has 2 fields; the header has 4." },
        ],
      ],
      ["header only", `${PAPER_HEADER}\r\n`, [{ line: null, message: "The file holds no ballots." }]],
      [
        "a million empty lines",
        `${PAPER_HEADER}\n${"\n".repeat(1_000_000)}`,
        [{ line: null, message: "The file holds no ballots." }],
      ],
      [
        "an extremely long line",
        `${PAPER_HEADER}\n${row(1)}\n${row(2, "1 ".repeat(500_000))}\n`,
        [{ line: 3, message: "This line is longer than 10,000 characters." }],
      ],
      [
        "more lines than ballots allowed",
        `${PAPER_HEADER}\n${"x\n".repeat(6000)}`,
        [{ line: 5002, message: "At most 5,000 ballots per file." }],
      ],
    ];
    const before = await snapshot(paperTown);
    for (const [name, text, problems] of cases) {
      const { status, body } = await post(uploadBytes(staff, path(), { intent: "file" }, utf8(text)));
      expect(status, name).toBe(400);
      expect(body.errors, name).toEqual({
        file:
          problems.length === 1
            ? "No ballot was stored: 1 problem. Correct it and enter the ballots again."
            : `No ballot was stored: ${problems.length} problems. Correct them and enter the ballots again.`,
      });
      expect(body.problems, name).toEqual(problems);
    }
    expect(await snapshot(paperTown)).toEqual(before);
  });

  it("reads a byte-order mark and CRLF", async () => {
    const text = `\uFEFF${PAPER_HEADER}\r\n${voter(3)},1980-01-01,north,1 2\r\n${voter(4)},,north,"2,3"\r\n`;
    const { status, body } = await post(uploadBytes(staff, path(), { intent: "file" }, utf8(text)));
    expect(status).toBe(200);
    expect(body.notice).toBe("2 paper ballots entered.");
  });

  it("keeps formula cells as text in the refusal and stores nothing", async () => {
    const before = await snapshot(paperTown);
    const text = [
      PAPER_HEADER,
      `${FORMULAS[0]},,north,1`,
      `${voter(5)},,${FORMULAS[2]},1`,
      `${voter(6)},,north,${FORMULAS[1]}`,
      `${voter(7)},${FORMULAS[3]},north,1`,
    ].join("\n");
    const { status, body } = await post(uploadBytes(staff, path(), { intent: "file" }, utf8(text)));
    expect(status).toBe(400);
    expect(body.problems).toEqual([
      { line: 2, message: "National ID must have 10 digits." },
      { line: 3, message: "No envelope @SUM(1+1) in this round." },
      { line: 4, message: "+1 is not a proposal number on this ballot." },
      { line: 5, message: expect.stringMatching(/birth date/i) },
    ]);
    expect(await snapshot(paperTown)).toEqual(before);
  });
});

describe("every other form", () => {
  it("refuses a body over 1 MB with 413 before reading it, and counts one without a length", async () => {
    const browser = new TestBrowser(database.db);
    const email = censusTown.staff.user.email;
    const big = `email=${encodeURIComponent(email)}&password=${"x".repeat(2 * MB)}&_csrf=${CSRF}`;
    for (const chunked of [false, true]) {
      const bytes = utf8(big);
      const body = chunked
        ? new ReadableStream<Uint8Array>({
            start(controller) {
              for (let at = 0; at < bytes.length; at += 64 * 1024)
                controller.enqueue(bytes.subarray(at, at + 64 * 1024));
              controller.close();
            },
          })
        : bytes;
      const request = new Request("http://localhost/login", {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: browser.cookieHeader(),
          ...(chunked ? {} : { "content-length": String(bytes.length) }),
        },
        body,
        duplex: "half",
      } as RequestInit);
      const response = await call(login.action, browser, request);
      expect(response.status, chunked ? "chunked" : "with Content-Length").toBe(413);
      expect(await response.json()).toEqual({
        reason: "too_large",
        message: "The request body is larger than 1048576 bytes.",
      });
      expect(browser.cookies.has("shora_session")).toBe(false);
    }
  });
});
