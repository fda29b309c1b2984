/**
 * The WebAssembly VOTES reader (app/domain/pbfile/assembly/votes.ts) must give exactly what the
 * JavaScript reader gives wherever it finishes, give up wherever the JavaScript reader would need
 * to look closer, and be the compile of its committed source.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readPbCompact, readPbCompactFrom } from "../../app/domain/pbfile";
import { countingElectionCompact } from "../../app/domain/tally";
import { votesWasmBase64 } from "../../app/domain/pbfile/votes-wasm.generated";
import { compileVotesReader } from "../../app/tooling/build-wasm";

const shared = path.resolve(__dirname, "../fixtures/pabulib/instances");
const instances = fs.readdirSync(shared).filter((f) => f.endsWith(".pb"));
const bytes = (text: string) => new TextEncoder().encode(text);

/** A reading as plain arrays, to compare. */
function plain(compact: ReturnType<typeof readPbCompact>) {
  if (compact === null) return null;
  if (compact.totals)
    return {
      support: Array.from(compact.totals.support),
      score: Array.from(compact.totals.score),
      voters: compact.totals.voters,
    };
  const v = compact.votes;
  return {
    count: v.count,
    offsets: Array.from(v.offsets),
    projects: Array.from(v.projects),
    points: v.points ? Array.from(v.points) : null,
    weights: Array.from(v.weights),
    voters: v.voters,
  };
}

/**
 * Both readers, both modes: WebAssembly (null when it gives up) and JavaScript — the arrays, and
 * the counting elections made from them (WebAssembly also hands over each project's supporters).
 */
function both(input: Uint8Array) {
  return [true, false].map((ballots) => {
    const [wasm, js] = (["webassembly", "javascript"] as const).map((reader) =>
      readPbCompact(input, { ballots, reader }),
    );
    return {
      ballots,
      wasm: plain(wasm),
      js: plain(js),
      either: plain(readPbCompact(input, { ballots })),
      counting: wasm && js && [countingElectionCompact(wasm), countingElectionCompact(js)],
    };
  });
}

/** Where WebAssembly finished, it gives what JavaScript gives; either way the default reading is JavaScript's. */
function expectAgreement(r: ReturnType<typeof both>[number], label = "") {
  if (r.wasm !== null) expect(r.wasm, `${label} ballots=${r.ballots}`).toEqual(r.js);
  if (r.counting) expect(r.counting[0], `${label} counting election, ballots=${r.ballots}`).toEqual(r.counting[1]);
  expect(r.either, label).toEqual(r.js);
}

const HEAD =
  "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\n2;50\n3;10\n40;5\nVOTES\n";
const TEXT_HEAD =
  "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\nL1;60\nL02;50\n7;10\n01;5\nx y;5\né;5\nVOTES\n";
const CUMULATIVE =
  "META\nkey;value\nbudget;100\nvote_type;cumulative\nmax_points;5\nmax_sum_points;6\nPROJECTS\nproject_id;cost\n1;60\n2;50\n3;10\nVOTES\n";

describe("the WebAssembly VOTES reader", () => {
  it("is the compile of its committed source (npm run build:wasm)", async () => {
    const compiled = await compileVotesReader();
    expect(Buffer.from(compiled).toString("base64")).toBe(votesWasmBase64);
  });

  it("reads the shared instances exactly as the JavaScript reader does", () => {
    const finished = new Set<string>();
    const readByJavaScript = new Set<string>();
    for (const file of instances) {
      const raw = fs.readFileSync(path.join(shared, file));
      for (const r of both(raw)) {
        if (r.js === null) {
          expect(r.wasm, `${file}: the JavaScript reader leaves it to parsePb`).toBeNull();
          continue;
        }
        expectAgreement(r, file);
        readByJavaScript.add(file);
        if (r.wasm !== null) finished.add(file);
      }
    }
    // WebAssembly reads every one of them itself: numeric ids, text ids (Łódź's "L005", Assen's
    // UUIDs), shuffled ids (Amsterdam), cumulative points (Zürich).
    expect([...finished].sort()).toEqual([...readByJavaScript].sort());
    expect(finished.size).toBeGreaterThanOrEqual(20);
  });

  it("reads a file straight into its memory (readPbCompactFrom) to the same election, also where it gives up", () => {
    for (const file of [
      "Poland_Warszawa_2026.pb",
      "Poland_Lodz_2022.pb",
      "syn_small_w.pb",
      "Poland_Katowice_2020.pb",
    ]) {
      const raw = fs.readFileSync(path.join(shared, file));
      for (const ballots of [true, false]) {
        const filled = readPbCompactFrom(raw.length, (target) => target.set(raw), { ballots });
        expect(filled, file).not.toBeNull();
        expect(plain(filled), `${file} ballots=${ballots}`).toEqual(
          plain(readPbCompact(raw, { ballots, reader: "javascript" })),
        );
        expect(filled?.head, file).toEqual(readPbCompact(raw, { ballots })?.head);
      }
    }
  });

  it("reads CRLF, blank lines, None, empty votes, weights, repeats and no final newline", () => {
    const text = `${HEAD}voter_id;vote;age;weight\r\n7;1,2;30;3\r\n8;None;;\r\n\r\n9;;40;2\n10;40,3,1;;\n\n11;2,1,2;50;1\r`;
    for (const r of both(bytes(text))) {
      expect(r.wasm, `ballots=${r.ballots}`).not.toBeNull();
      expectAgreement(r);
    }
    const [ballots, totals] = both(bytes(text));
    expect(ballots.wasm).toMatchObject({ count: 3, weights: [4, 3, 1], voters: 8 });
    expect(totals.wasm).toMatchObject({ support: [5, 4, 1, 1], voters: 8 });
  });

  it("reads text project ids, ids with leading zeros, and text or shuffled voter ids", () => {
    const text = `${TEXT_HEAD}voter_id;vote\nv9;L1,7\n3;01,L02\n0001;x y\nv10;7,L1\n;L02\n`;
    for (const r of both(bytes(text))) {
      expect(r.wasm, `ballots=${r.ballots}`).not.toBeNull();
      expectAgreement(r);
    }
    expect(both(bytes(text))[1].wasm).toMatchObject({ support: [2, 2, 2, 1, 1, 0], voters: 5 });
  });

  it("reads cumulative points, sorting each ballot and dropping projects given none", () => {
    const text = `${CUMULATIVE}voter_id;vote;points\n1;2,1;2,3\n2;1,2;3,2\n3;3,1;0,5\n4;1;5\n5;2,3;1,1\n`;
    for (const r of both(bytes(text))) {
      expect(r.wasm, `ballots=${r.ballots}`).not.toBeNull();
      expectAgreement(r);
    }
    expect(both(bytes(text))[0].wasm).toMatchObject({ count: 3, weights: [2, 2, 1], points: [3, 2, 5, 1, 1] });
  });

  it.each([
    ["a quoted cell", `${HEAD}voter_id;vote\n1;"1,2"\n`],
    ["a padded cell", `${HEAD}voter_id;vote\n1; 1,2\n`],
    ["a project id with a leading zero", `${HEAD}voter_id;vote\n1;01\n`],
    ["an unknown project", `${HEAD}voter_id;vote\n1;5\n`],
    ["a repeated voter id", `${HEAD}voter_id;vote\n1;1\n1;2\n`],
    ["a repeated text voter id", `${HEAD}voter_id;vote\nv1;1\n2;1\nv1;2\n`],
    ["a voter id that is not ASCII", `${HEAD}voter_id;vote\nvé;1\n`],
    ["a project id that is not ASCII", `${TEXT_HEAD}voter_id;vote\n1;é\n`],
    ["a zero weight", `${HEAD}voter_id;vote;weight\n1;1;0\n`],
    ["a second section marker", `${HEAD}voter_id;vote\n1;1\nVotes\n`],
    ["points over the limit", `${CUMULATIVE}voter_id;vote;points\n1;1;6\n`],
    ["a points sum over the limit", `${CUMULATIVE}voter_id;vote;points\n1;1,2;4,4\n`],
    ["fractional points", `${CUMULATIVE}voter_id;vote;points\n1;1;1.5\n`],
    ["more points than projects", `${CUMULATIVE}voter_id;vote;points\n1;1;1,1\n`],
  ])("gives up on %s, leaving it to the JavaScript reader", (_name, text) => {
    for (const r of both(bytes(text))) {
      expect(r.wasm).toBeNull();
      expect(r.either).toEqual(r.js);
    }
  });

  it("agrees with the JavaScript reader on thousands of ballots (table growth) and on mangled rows", () => {
    let state = 7;
    const random = (n: number) => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state % n;
    };
    const rows: string[] = [];
    for (let v = 1; v <= 20_000; v++) {
      const vote = Array.from({ length: 1 + random(4) }, () => ["1", "2", "3", "40"][random(4)]);
      rows.push(`${v * 3};${vote.join(",")};${1 + random(3)}`);
    }
    const text = `${HEAD}voter_id;vote;weight\n${rows.join("\n")}\n`;
    for (const r of both(bytes(text))) {
      expect(r.wasm).not.toBeNull();
      expectAgreement(r);
    }
    // Any row bent by bytes that matter to the format: WebAssembly either reads it as JavaScript does or gives up.
    const pieces = [
      ";",
      ",",
      '"',
      "\r",
      "\n",
      " ",
      "None",
      "0",
      "1",
      "40",
      "7",
      "x",
      "\r\n",
      ";;",
      "L1",
      "v",
      "é",
      "01",
    ];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(20), fc.nat(pieces.length - 1)), { maxLength: 4 }),
        fc.constantFrom("approval", "cumulative", "text"),
        (edits, kind) => {
          const lines =
            kind === "cumulative"
              ? ["1;1,2;2,3", "2;3;4", "3;2,1;1,1", "5;;"]
              : kind === "text"
                ? ["v1;L1,7;2", "2;01,x y;1", "v3;L02;5", "0;None;1"]
                : ["1;1,2;2", "2;40,3;1", "3;2,1;5", "4;None;1"];
          let body = lines.join("\n");
          for (const [at, piece] of edits) {
            const i = at % (body.length + 1);
            body = body.slice(0, i) + pieces[piece] + body.slice(i);
          }
          const head =
            kind === "cumulative"
              ? `${CUMULATIVE}voter_id;vote;points\n`
              : `${kind === "text" ? TEXT_HEAD : HEAD}voter_id;vote;weight\n`;
          for (const r of both(bytes(head + body))) expectAgreement(r);
        },
      ),
      { numRuns: 3000, seed: 20261129 },
    );
  });
});
