import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoBundle } from "../../app/domain/bundle/demo";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { MAX_PB_BYTES, PbFormatError, decodePb, parsePb, writePb } from "../../app/domain/pbfile";
import { tally } from "../../app/domain/tally";

const shared = path.resolve(__dirname, "../fixtures/pabulib");
const instances = fs.readdirSync(path.join(shared, "instances")).filter((f) => f.endsWith(".pb"));
const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");

const HEAD =
  "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;60;A\n2;50;B\nVOTES\nvoter_id;vote\n";

function problem(text: string): string {
  try {
    parsePb(text);
  } catch (error) {
    if (error instanceof PbFormatError) return error.message;
    throw error;
  }
  throw new Error("the file was accepted");
}

describe(".pb reading", () => {
  it("reads BOM, CRLF, quoted cells with ; and None cells", () => {
    const text = `\uFEFFMETA\r\nkey;value\r\nbudget;100,5\r\nvote_type;approval\r\ndescription;"a;b ""c"""\r\nPROJECTS\r\nproject_id;cost;name\r\n1;60;None\r\n2;40.5;B\r\nVOTES\r\nvoter_id;vote;age\r\nv1;1,2;None\r\nv2;None;30\r\n`;
    const e = parsePb(text);
    expect(e.budgetText).toBe("100.5");
    expect(e.meta).toContainEqual(["description", 'a;b "c"']);
    expect(e.projects.map((p) => [p.id, p.costText, p.fields.name])).toEqual([
      ["1", "60", undefined],
      ["2", "40.5", "B"],
    ]);
    expect(e.ballots.map((b) => [b.voterId, b.vote, b.fields])).toEqual([
      ["v1", ["1", "2"], {}],
      ["v2", [], { age: "30" }],
    ]);
  });

  it("names the line and the problem of a bad file", () => {
    expect(problem(`${HEAD}v1;1,3\n`)).toBe('line 11: vote names unknown project id "3"');
    expect(problem(HEAD.replace("1;60;A", "1;-5;A"))).toBe(
      'line 7: cost of project "1" is not a non-negative number: "-5"',
    );
    expect(problem(HEAD.replace("1;60;A", "1;lots;A"))).toBe(
      'line 7: cost of project "1" is not a non-negative number: "lots"',
    );
    expect(problem(HEAD.replace("budget;100\n", ""))).toBe("line 1: META has no budget");
    expect(problem(`${HEAD}v1;1\nv1;2\n`)).toBe('line 12: duplicate voter id "v1"');
    expect(problem(`${HEAD.replace("voter_id;vote", "voter_id;vote;weight")}v1;1;0\n`)).toBe(
      'line 11: weight must be a positive integer, not "0"',
    );
    expect(problem(`${HEAD.replace("voter_id;vote", "voter_id;vote;weight")}v1;1;1.5\n`)).toBe(
      'line 11: weight must be a positive integer, not "1.5"',
    );
    const cumulative = HEAD.replace("approval", "cumulative\nmax_sum_points;3").replace(
      "voter_id;vote",
      "voter_id;vote;points",
    );
    expect(problem(`${cumulative}v1;1,2;2,2\n`)).toBe("line 12: points over the limit max_sum_points=3");
    expect(problem(`${cumulative}v1;1,2;2\n`)).toBe("line 12: 1 points for 2 voted projects");
    expect(problem(HEAD.replace("2;50;B", "1;50;B"))).toBe('line 8: duplicate project id "1"');
  });

  it("reads copies of the Pabulib files identical to their sources (SOURCES.json)", () => {
    const sources = JSON.parse(fs.readFileSync(path.join(shared, "SOURCES.json"), "utf8")) as {
      file: string;
      sha256: string;
    }[];
    expect(sources.length).toBeGreaterThan(20);
    for (const { file, sha256 } of sources) {
      // The synthetic files are listed under synthetic/ and stand with the real ones in instances/.
      const bytes = fs.readFileSync(path.join(shared, "instances", path.basename(file)));
      expect(createHash("sha256").update(bytes).digest("hex"), file).toBe(sha256);
    }
  });

  it("gives the same election after writing and reading again, for every shared instance", () => {
    for (const file of instances) {
      const first = parsePb(fs.readFileSync(path.join(shared, "instances", file), "utf8"));
      const again = parsePb(writePb(first));
      expect(again, file).toEqual(first);
    }
  });
});

describe("weights", () => {
  it("count a ballot of weight w as w identical voters, for every rule", () => {
    const weighted = parsePb(fs.readFileSync(path.join(shared, "instances/syn_small_w.pb"), "utf8"));
    const expanded = parsePb(fs.readFileSync(path.join(shared, "instances/syn_small_w_expanded.pb"), "utf8"));
    expect(weighted.ballots.some((b) => b.weight > 1)).toBe(true);
    for (const rule of [
      "greedy",
      "greedy-per-cost",
      "mes",
      "mes-card",
      "mes+greedy",
      "mes-add1",
      "mes-add1+greedy",
    ] as const) {
      expect(tally(weighted, { rule }).selected, rule).toEqual(tally(expanded, { rule }).selected);
    }
  });
});

describe("real outcomes", () => {
  it("reproduces the city's own selection where the summary says its rule does", () => {
    const summary = fs.readFileSync(path.join(shared, "SUMMARY.md"), "utf8");
    let checked = 0;
    for (const line of summary.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| instance"))) {
      const cells = line.split("|").map((c) => c.trim());
      const [name, type] = [cells[1], cells[2]];
      const [cityGreedy, , cityEqnet] = cells.slice(-4, -1);
      if (!fs.existsSync(path.join(shared, "instances", `${name}.pb`))) continue;
      const election = parsePb(fs.readFileSync(path.join(shared, "instances", `${name}.pb`), "utf8"));
      const city = election.projects
        .filter((p) => p.fields.selected === "1")
        .map((p) => p.id)
        .sort();
      if (cityGreedy === "yes" && type !== "ordinal") {
        expect(tally(election, { rule: "greedy", thresholdFromFile: true }).selected.sort(), name).toEqual(city);
        checked++;
      }
      if (cityEqnet === "yes") {
        expect(tally(election, { rule: "mes-add1" }).selected.sort(), name).toEqual(city);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it("applies Warsaw 2026's threshold: greedy on projects with more than 3,000 votes is the city's outcome", () => {
    const election = parsePb(fs.readFileSync(path.join(shared, "instances/Poland_Warszawa_2026.pb"), "utf8"));
    const city = election.projects
      .filter((p) => p.fields.selected === "1")
      .map((p) => p.id)
      .sort();
    expect(tally(election, { rule: "greedy", thresholdFromFile: true }).selected.sort()).toEqual(city);
    expect(tally(election, { rule: "greedy", minSupport: 3000 }).selected.sort()).toEqual(city);
    expect(tally(election, { rule: "greedy" }).selected).toContain("1664");
  });
});

describe("shora tally (the command)", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "tally", ...args], { encoding: "utf8" });

  it("prints the outcome as JSON and as a table", () => {
    const file = path.join(shared, "instances/syn_small_w.pb");
    const json = run(file, "--rule", "mes+greedy", "--format", "json");
    expect(json.status).toBe(0);
    const out = JSON.parse(json.stdout);
    expect(out).toMatchObject({ rule: "mes+greedy", selected: ["8", "3", "9", "6", "12", "4", "1"], budget: 901000 });
    expect(out.total_cost).toBe(872900);
    expect(out.trace[0]).toMatchObject({ step: 1, project: "8", phase: "mes" });
    expect(out.trace[0].rho).toBeGreaterThan(0);
    expect(out.trace.at(-1)).toMatchObject({ project: "1", phase: "greedy" });
    const text = run(file, "--rule", "greedy");
    expect(text.status).toBe(0);
    expect(text.stdout).toContain("Total cost 872900 of budget 901000");
  });

  it("breaks ties by lower cost, more votes, then the seeded draw", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-tie-"));
    const file = path.join(dir, "tie.pb");
    fs.writeFileSync(
      file,
      "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\na;50\nb;50\nc;40\nVOTES\nvoter_id;vote\n1;a,b,c\n",
    );
    expect(JSON.parse(run(file, "--rule", "greedy", "--format", "json").stdout).selected).toEqual(["a", "b"]);
    const seeded = (seed: string) =>
      JSON.parse(
        run(file, "--rule", "greedy", "--format", "json", "--tie-break", "cost-votes-seed", "--seed", seed).stdout,
      ).selected;
    expect(seeded("00")[0]).toBe("c");
    expect(seeded("00")).toEqual(seeded("00"));
    const draws = new Set(["00", "01", "02", "03", "04", "05", "06", "07"].map((s) => seeded(s)[1]));
    expect(draws).toEqual(new Set(["a", "b"]));
  });

  it("exits 2 with the line named on a bad file, and on bad options", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-bad-"));
    const file = path.join(dir, "bad.pb");
    fs.writeFileSync(file, `${HEAD}v1;1,9\n`);
    const bad = run(file, "--rule", "mes");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe(`shora tally: ${file}: line 11: vote names unknown project id "9"\n`);
    expect(run(file, "--rule", "nope").status).toBe(2);
    expect(run(path.join(dir, "missing.pb"), "--rule", "mes").stderr).toContain("cannot read");
    const ordinal = run(path.join(shared, "instances/Switzerland_Zurich_S5R.pb"), "--rule", "mes");
    expect(ordinal.status).toBe(2);
    expect(ordinal.stderr).toContain("no counting rule for vote_type ordinal");
  });
});

describe("hostile .pb files", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, "tally", ...args], { encoding: "utf8" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-hostile-pb-"));
  const file = (name: string, bytes: Uint8Array | string) => {
    const at = path.join(dir, name);
    fs.writeFileSync(at, bytes);
    return at;
  };
  const GOOD = `${HEAD}v1;1,2\nv2;2\n`;
  /** Windows-1256 (Persian Windows): the project name «شمال» on line 8. */
  const cp1256 = Buffer.concat([
    Buffer.from(GOOD.slice(0, GOOD.indexOf("2;50;B") + 5)),
    Buffer.from([0xd4, 0xe3, 0xc7, 0xe1]),
    Buffer.from(GOOD.slice(GOOD.indexOf("2;50;B") + 6)),
  ]);
  const notUtf8 = "not UTF-8 text: a .pb file must be UTF-8 (save it again as UTF-8)";
  const nul = "a NUL byte: a .pb file must be UTF-8 text, not UTF-16 or binary";

  it("refuses a file in another encoding than UTF-8 with the line named and exit 2", () => {
    const cases: [string, Uint8Array | string, string][] = [
      ["utf16-bom.pb", Buffer.from(`\uFEFF${GOOD}`, "utf16le"), `line 1: ${notUtf8}`],
      ["utf16.pb", Buffer.from(GOOD, "utf16le"), `line 1: ${nul}`],
      ["utf16be.pb", Buffer.from(`\uFEFF${GOOD}`, "utf16le").swap16(), `line 1: ${notUtf8}`],
      ["windows-1256.pb", cp1256, `line 8: ${notUtf8}`],
      ["latin1.pb", Buffer.from(GOOD.replace("1;60;A", "1;60;Hôpital"), "latin1"), `line 7: ${notUtf8}`],
      ["nul.pb", GOOD.replace("v2;2", "v2;\u00002"), `line 12: ${nul}`],
      ["junk.pb", Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256), `line 1: ${notUtf8}`],
    ];
    for (const [name, bytes, message] of cases) {
      const at = file(name, bytes);
      const result = run(at, "--rule", "mes");
      expect(result.status, name).toBe(2);
      expect(result.stderr, name).toBe(`shora tally: ${at}: ${message}\n`);
      // The same check holds for every reader of a .pb file (shora verify's among them).
      expect(() => decodePb(fs.readFileSync(at)), name).toThrow(message);
    }
    // Latin-1 that is plain ASCII is UTF-8 too: nothing to refuse.
    expect(run(file("ascii.pb", Buffer.from(GOOD, "latin1")), "--rule", "greedy").status).toBe(0);
  });

  it("refuses a file over 128 MB before reading it, and names the line of a truncated or bare file", () => {
    const huge = file("huge.pb", GOOD);
    fs.truncateSync(huge, MAX_PB_BYTES + 1); // sparse: no disk space, and NUL bytes if it were read
    const big = run(huge, "--rule", "greedy");
    expect(big.status).toBe(2);
    expect(big.stderr).toBe(
      `shora tally: ${huge}: ${MAX_PB_BYTES + 1} bytes; shora tally reads .pb files of at most 128 MB\n`,
    );
    const truncated = file("truncated.pb", `${HEAD}v1;1,2\nv2;1,`);
    expect(run(truncated, "--rule", "greedy").stderr).toBe(
      `shora tally: ${truncated}: line 12: vote names unknown project id ""\n`,
    );
    const bare = file("bare.pb", "META\n");
    expect(run(bare, "--rule", "greedy").stderr).toBe(`shora tally: ${bare}: line 1: META has no budget\n`);
  });

  it("counts the same through a million empty lines, an extremely long line and CRLF", () => {
    const outcome = (at: string) => {
      const result = run(at, "--rule", "mes", "--format", "json");
      expect(result.stderr, at).toBe("");
      return JSON.parse(result.stdout).selected;
    };
    const plain = outcome(file("plain.pb", GOOD));
    expect(plain).toEqual(["2"]);
    expect(outcome(file("empty-lines.pb", GOOD.replace("v2;2", `${"\n".repeat(1_000_000)}v2;2`)))).toEqual(plain);
    expect(outcome(file("long-name.pb", GOOD.replace("1;60;A", `1;60;${"A".repeat(5_000_000)}`)))).toEqual(plain);
    expect(outcome(file("crlf.pb", GOOD.replaceAll("\n", "\r\n")))).toEqual(plain);
  });

  it("shora verify names the .pb file and line that is not UTF-8", async () => {
    const clean = demoBundle({ voters: 40, seed: "hostile-pb" }).files;
    for (const [encode, line, message] of [
      [(t: string) => Buffer.from(t, "utf16le"), 1, nul],
      [(t: string) => Buffer.from(t.replace("Project 1 (north)", "Prøject 1 (north)"), "latin1"), 11, notUtf8],
    ] as const) {
      const files = new Map(clean.map((f) => [f.name, f.bytes]));
      const pb = files.get("north.pb")!.toString("utf8");
      expect(pb.split("\n")[line - 1]).toBe(line === 1 ? "META" : "north-01;383000;Project 1 (north)");
      files.set("north.pb", encode(pb));
      const report = await verifyBundle({ read: (name) => files.get(name) ?? null });
      expect(report.exitCode).toBe(1);
      expect(report.checks.filter((c) => !c.ok).map((c) => c.detail)).toContain(`north.pb line ${line}: ${message}`);
    }
  });
});
