import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPrivateKey, sign as edSign } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots as ballotsTable, proposals, tallies } from "../../db/schema";
import { writeBundle } from "../../app/cli/bundle-files";
import { main } from "../../app/cli/main";
import { type RoundDoc, type TallyDoc, sha256Hex } from "../../app/domain/bundle/format";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { parsePb } from "../../app/domain/pbfile";
import { tally } from "../../app/domain/tally";
import * as apiResults from "../../app/routes/m.$slug.api.rounds.$round.results";
import * as apiRounds from "../../app/routes/m.$slug.api.rounds";
import * as bundleFile from "../../app/routes/m.$slug.rounds.$round.bundle.$file";
import * as bundleZip from "../../app/routes/m.$slug.rounds.$round.bundle[.zip]";
import * as chartPng from "../../app/routes/m.$slug.rounds.$round.chart[.png]";
import * as openData from "../../app/routes/m.$slug.open-data";
import * as resultsPage from "../../app/routes/m.$slug.rounds.$round.results";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { privateKeyOf, signingKey } from "../../app/services/ballots/checkpoints.server";
import { seedDemo } from "../../app/services/demo/demo.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import { findRound } from "../../app/services/rounds/rounds-admin.server";
import { TestBrowser, call } from "../support/requests";
import { privateDatabase } from "../support/db";
import { observer, scopeOf } from "../../app/services/scope";

let database: Database;
let drop: () => Promise<void>;

/**
 * A resident's proposal title that a spreadsheet would run as a formula, in both languages (the Persian
 * one also after a `;`, where spreadsheets of many locales split cells).
 */
const FORMULA = { en: '=HYPERLINK("http://x","y")', fa: "@جمع(۱+۱);=1+1" };

beforeAll(async () => {
  // The demo has one slug: on PostgreSQL its own database, so no other file's demo (and key store) is met.
  ({ database, drop } = await privateDatabase());
  // The demo's past round went through the real pipeline: weighted ballots online and on paper,
  // revotes, the tally, publication (final checkpoint, secret destroyed).
  await seedDemo(database.db, { now: new Date() });
  // One of its proposals was typed as a formula (titles are not part of the signed rules).
  const renamed = await database.db
    .update(proposals)
    .set({ title: FORMULA })
    .where(sql`${proposals.title}->>'en' = 'New lights in Shahid park'`)
    .returning({ id: proposals.id });
  expect(renamed).toHaveLength(1);
});
afterAll(() => drop?.());

const demo = async () => {
  const municipality = await findMunicipality(database.db, "demo");
  if (!municipality) throw new Error("no demo municipality");
  return municipality;
};

describe("the published bundle of a round", () => {
  it("verifies: signatures, ledger, weights, revotes, .pb files and the tally re-run", async () => {
    const bundle = await roundBundle(database.db, scopeOf(await demo(), observer), { roundSlug: "budget-1404" });
    if (!bundle) throw new Error("no bundle");
    const files = new Map(bundle.files.map((f) => [f.name, f.bytes]));
    const report = await verifyBundle({ read: (name) => files.get(name) ?? null });
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.fingerprint).toBe(bundle.fingerprint);
    expect([...files.keys()].sort()).toEqual([
      "SHA256SUMS",
      "SHA256SUMS.sig",
      "ballots.jsonl",
      "city.pb",
      "ledger.json",
      "results-city.csv",
      "round.json",
      "tally.json",
    ]);

    const round = JSON.parse(files.get("round.json")?.toString() ?? "") as RoundDoc;
    expect(round.voterClasses.map((c) => [c.code, c.weight])).toEqual([
      ["resident", 2],
      ["commuter", 1],
    ]);
    expect(round.counts.ballots.paper).toBeGreaterThan(0);
    // The order the ballot page showed the proposals in (ADR 0027): drawn per voter unless staff chose.
    expect(round.envelopes.map((e) => e.ballotOrder)).toEqual(["random"]);
    expect(round.counts.superseded).toBeGreaterThan(0);
    expect(round.counts.current).toBe(round.counts.leaves - round.counts.superseded);
    // Voter tags and ballot ids, never people: no user id or e-mail address anywhere in the bundle.
    const everything = bundle.files.map((f) => f.bytes.toString("utf8")).join("\n");
    expect(everything).not.toMatch(/@demo\.shora\.local|demo-voter-/);

    // The .pb file reads in the tally engine and gives the outcome recorded in the database.
    const election = parsePb(files.get("city.pb")?.toString() ?? "");
    expect(election.ballots).toHaveLength(round.counts.current);
    expect(new Set(election.ballots.map((b) => b.weight))).toEqual(new Set([1, 2]));
    const roundRow = await findRound(database.db, scopeOf(await demo(), observer), { slug: "budget-1404" });
    const [recorded] = await database.db
      .select()
      .from(tallies)
      .where(eq(tallies.roundId, roundRow?.id ?? ""));
    const tallyDoc = JSON.parse(files.get("tally.json")?.toString() ?? "") as TallyDoc;
    expect(tallyDoc.envelopes[0].selected).toEqual(recorded.selected);
    expect(
      tally(election, { rule: recorded.rule as "mes", tieBreak: "cost-votes-seed", seed: recorded.seed }).selected,
    ).toEqual(recorded.selected);
  });

  it("is written by export and checked by shora verify (exit 0, then 1 once tampered)", async () => {
    const bundle = await roundBundle(database.db, scopeOf(await demo(), observer), { roundSlug: "budget-1404" });
    if (!bundle) throw new Error("no bundle");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-export-"));
    writeBundle(bundle.files, dir);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(await main(["verify", dir], io)).toBe(0);
    expect(out.join("")).toContain(`All checks pass. Bundle fingerprint (SHA-256 of round.json) ${bundle.fingerprint}`);
    // A voter's receipt checks against the bundle: signed, included, and counted (exit 0) or
    // replaced by a later ballot (exit 3: the check cannot tell who cast that one).
    const { receiptFor } = await import("../../app/services/ballots/checkpoints.server");
    const roundRow = await findRound(database.db, scopeOf(await demo(), observer), { slug: "budget-1404" });
    const ballotRows = await database.db
      .select()
      .from(ballotsTable)
      .where(eq(ballotsTable.roundId, roundRow?.id ?? ""));
    for (const ballot of [ballotRows.find((b) => b.current), ballotRows.find((b) => !b.current)]) {
      const receipt = await receiptFor(database.db, scopeOf(await demo(), observer), {
        roundId: roundRow?.id ?? "",
        ballotId: ballot?.id ?? "",
      });
      const file = path.join(dir, "receipt.json");
      fs.writeFileSync(file, JSON.stringify(receipt));
      out.length = 0;
      expect(await main(["verify-receipt", dir, file], io)).toBe(ballot?.current ? 0 : 3);
      expect(out.join("")).toContain(ballot?.current ? "✓ ballot was counted" : "✗ ballot was counted: no: ballot");
    }
    const csv = path.join(dir, "results-city.csv");
    fs.writeFileSync(csv, fs.readFileSync(csv, "utf8").replace(",no,", ",yes,"));
    expect(await main(["verify", dir], io)).toBe(1);
    expect(err.join("")).toMatch(
      /✗ tally: results-city\.csv line \d+: the selected column of .* differs from tally\.json/,
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("neutralises a formula title in results-city.csv, keeps it as typed in round.json, and passes shora verify", async () => {
    const municipality = await demo();
    const bundle = await roundBundle(database.db, scopeOf(municipality, observer), { roundSlug: "budget-1404" });
    if (!bundle) throw new Error("no bundle");
    const files = new Map(bundle.files.map((f) => [f.name, f.bytes]));
    const csv = files.get("results-city.csv")?.toString("utf8") ?? "";
    const row = csv.split("\n").find((line) => line.includes("HYPERLINK")) ?? "";
    // An apostrophe first (and after a separator), then quoting; the numbers after it stay numbers.
    expect(row).toMatch(
      /^[0-9a-f-]{36},"'=HYPERLINK\(""http:\/\/x"",""y""\)","'@جمع\(۱\+۱\);'=1\+1",1800000000,\d+,\d+,(yes|no),\d*$/,
    );
    // No cell of the file starts with a formula character (the ids' hyphens are inside cells).
    expect(csv).not.toMatch(/(^|,)"?[=+\-@\t\r]/m);
    const round = JSON.parse(files.get("round.json")?.toString() ?? "") as RoundDoc;
    expect(round.proposals.map((p) => p.title)).toContainEqual(FORMULA);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-formula-"));
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    writeBundle(bundle.files, dir);
    expect(await main(["verify", dir], io), err.join("")).toBe(0);

    // A bundle published before cells were neutralised (the formula as typed, only quoted) still
    // verifies: its SHA256SUMS and signature cover the bytes it holds.
    // (And one from before the `;` rule: that title unquoted, its second part a formula.)
    const before = csv.replace(`"'=HYPERLINK`, `"=HYPERLINK`).replace(`,"'@جمع(۱+۱);'=1+1",`, ",@جمع(۱+۱);=1+1,");
    expect(before).not.toBe(csv);
    const oldFiles = bundle.files
      .filter((f) => !f.name.startsWith("SHA256SUMS"))
      .map((f) => (f.name === "results-city.csv" ? { name: f.name, bytes: Buffer.from(before, "utf8") } : f));
    const sums = oldFiles.map((f) => `${sha256Hex(f.bytes)}  ${f.name}\n`).join("");
    const key = privateKeyOf(await signingKey(database.db, municipality.id));
    const signature = edSign(null, Buffer.from(sums, "utf8"), createPrivateKey(key)).toString("base64");
    fs.rmSync(dir, { recursive: true, force: true });
    writeBundle(
      [
        ...oldFiles,
        { name: "SHA256SUMS", bytes: Buffer.from(sums, "utf8") },
        { name: "SHA256SUMS.sig", bytes: Buffer.from(`${signature}\n`, "utf8") },
      ],
      dir,
    );
    expect(await main(["verify", dir], io), err.join("")).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is public once published: the zip, each file, the results API and the open-data index", async () => {
    const observer = new TestBrowser(database.db);
    const params = { slug: "demo", round: "budget-1404" };
    const zip = await call(bundleZip.loader, observer, observer.get("/m/demo/rounds/budget-1404/bundle.zip"), params);
    expect(zip.status).toBe(200);
    expect(zip.headers.get("content-type")).toBe("application/zip");
    const entries = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const report = await verifyBundle({ read: (name) => (entries[name] ? Buffer.from(entries[name]) : null) });
    expect(report.exitCode).toBe(0);

    const file = await call(bundleFile.loader, observer, observer.get("/m/demo/rounds/budget-1404/bundle/round.json"), {
      ...params,
      file: "round.json",
    });
    expect(file.status).toBe(200);
    expect((await file.json()).round.slug).toBe("budget-1404");
    expect(
      (await call(bundleFile.loader, observer, observer.get("/x"), { ...params, file: "../secrets" })).status,
    ).toBe(404);

    const results = await call(
      apiResults.loader,
      observer,
      observer.get("/m/demo/api/rounds/budget-1404/results"),
      params,
    );
    expect(results.status).toBe(200);
    const body = await results.json();
    expect(body.fingerprint).toBe(report.fingerprint);
    expect(body.envelopes[0]).toMatchObject({ slug: "city", rule: "mes+greedy" });
    expect(body.envelopes[0].proposals[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        weightedSupport: expect.any(Number),
        ballots: expect.any(Number),
        selected: expect.any(Boolean),
      }),
    );

    // The current round is still voting: no bundle, no results.
    const open = { slug: "demo", round: "budget-1405" };
    expect((await call(bundleZip.loader, observer, observer.get("/x"), open)).status).toBe(404);
    expect((await call(apiResults.loader, observer, observer.get("/x"), open)).status).toBe(404);

    const index = await (
      await call(apiRounds.loader, observer, observer.get("/m/demo/api/rounds"), { slug: "demo" })
    ).json();
    const past = index.rounds.find((r: { slug: string }) => r.slug === "budget-1404");
    expect(past).toMatchObject({ published: true, fingerprint: report.fingerprint });
    expect(past.links.bundle).toBe("http://localhost/m/demo/rounds/budget-1404/bundle.zip");
    expect(index.rounds.find((r: { slug: string }) => r.slug === "budget-1405")).toMatchObject({
      published: false,
      fingerprint: null,
      phase: "voting",
    });

    const page = await call(openData.loader, observer, observer.get("/m/demo/open-data"), { slug: "demo" });
    expect(page.status).toBe(200);
    const resultsHtml = await (
      await call(resultsPage.loader, observer, observer.get("/m/demo/rounds/budget-1404/results"), params)
    ).json();
    expect(resultsHtml.bundle.fingerprint).toBe(report.fingerprint);
  });

  it("draws every results chart as a PNG in English and Persian, and compares greedy with equal shares", async () => {
    const observer = new TestBrowser(database.db);
    const params = { slug: "demo", round: "budget-1404" };
    for (const [chart, envelope] of [
      ["support", "city"],
      ["spending", "city"],
      ["compare", "city"],
      ["turnout", null],
    ] as const) {
      for (const lang of ["en", "fa"]) {
        const url = `/m/demo/rounds/budget-1404/chart.png?chart=${chart}&lang=${lang}${envelope ? `&envelope=${envelope}` : ""}`;
        const r = await call(chartPng.loader, observer, observer.get(url), params);
        expect(r.status).toBe(200);
        expect(r.headers.get("content-type")).toBe("image/png");
        const bytes = Buffer.from(await r.arrayBuffer());
        expect(bytes.subarray(0, 8).toString("hex")).toBe("89504e470d0a1a0a");
        expect(bytes.length).toBeGreaterThan(5000);
      }
    }
    expect(
      (await call(chartPng.loader, observer, observer.get("/m/demo/rounds/budget-1404/chart.png?chart=pie"), params))
        .status,
    ).toBe(400);
    expect(
      (
        await call(
          chartPng.loader,
          observer,
          observer.get("/m/demo/rounds/budget-1404/chart.png?chart=support&envelope=nowhere"),
          params,
        )
      ).status,
    ).toBe(404);
    expect(
      (
        await call(chartPng.loader, observer, observer.get("/m/demo/rounds/budget-1405/chart.png?chart=turnout"), {
          slug: "demo",
          round: "budget-1405",
        })
      ).status,
    ).toBe(404);

    const page = await (
      await call(resultsPage.loader, observer, observer.get("/m/demo/rounds/budget-1404/results"), params)
    ).json();
    const [greedy, mes] = page.comparisons.city;
    expect(greedy.rule).toBe("greedy");
    expect(mes.rule).toBe("mes+greedy");
    const recorded = page.results.envelopes[0].proposals
      .filter((p: { selected: boolean }) => p.selected)
      .map((p: { id: string }) => p.id);
    expect([...mes.selected].sort()).toEqual([...recorded].sort());
    for (const o of [greedy, mes]) expect(o.satisfiedShare).toBeGreaterThan(0);
  });
});
