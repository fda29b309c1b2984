/**
 * The compact reader (`readPbCompact`, the fast path of `shora tally`) must count exactly what
 * `parsePb` + `countingElection` count, and hand every file it does not read itself — every error
 * among them — back to `parsePb`, which names the line.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CompactPb, type CompactVotes, parsePb, readPbCompact } from "../../app/domain/pbfile";
import { countingElection, countingElectionCompact, tally, tallyCompact } from "../../app/domain/tally";

const shared = path.resolve(__dirname, "../fixtures/pabulib/instances");
const instances = fs.readdirSync(shared).filter((f) => f.endsWith(".pb"));
const bytes = (text: string) => new TextEncoder().encode(text);

function votesOf(compact: CompactPb): CompactVotes {
  if (!compact.votes) throw new Error("read without ballots");
  return compact.votes;
}

/** What the totals-only reading must agree on with the full counting election. */
function totalsPart(e: ReturnType<typeof countingElection>) {
  const { kind, scale, budget, projectIds, costs, voters, support, score } = e;
  return { kind, scale, budget, projectIds, costs, voters, support, score };
}

const HEAD =
  "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;60\n2;50\n01;10\nx;5\nVOTES\nvoter_id;vote;age\n";

describe("the compact .pb reader", () => {
  it("counts every shared instance as parsePb does (the same counting election and tally)", () => {
    let fast = 0;
    for (const file of instances) {
      const raw = fs.readFileSync(path.join(shared, file));
      const pb = parsePb(raw.toString("utf8"));
      const compact = readPbCompact(raw);
      if (pb.voteType === "ordinal" || pb.voteType === "scoring") {
        expect(compact, file).toBeNull();
        continue;
      }
      expect(compact, `${file} is read by the fast path`).not.toBeNull();
      if (!compact) continue;
      fast++;
      expect(compact.head.projects, file).toEqual(pb.projects);
      expect(countingElectionCompact(compact), file).toEqual(countingElection(pb));
      // Same counting election, so every rule gives the same outcome; one run shows the whole path.
      expect(tallyCompact(compact, { rule: "mes", thresholdFromFile: true }), file).toEqual(
        tally(pb, { rule: "mes", thresholdFromFile: true }),
      );
      // Read as per-project totals only (what greedy rules use): the same totals and greedy outcomes.
      const totals = readPbCompact(raw, { ballots: false });
      expect(totals?.totals, file).toBeDefined();
      if (!totals) continue;
      const fromTotals = countingElectionCompact(totals, { minSupport: 0 });
      expect(fromTotals.ballots).toBe(false);
      expect(totalsPart(fromTotals), file).toEqual(totalsPart(countingElection(pb, { minSupport: 0 })));
      for (const rule of ["greedy", "greedy-per-cost"] as const)
        expect(tallyCompact(totals, { rule, thresholdFromFile: true }), `${file} ${rule}`).toEqual(
          tally(pb, { rule, thresholdFromFile: true }),
        );
    }
    expect(fast).toBeGreaterThanOrEqual(25);
  });

  it("reads CRLF, None and empty votes, weights, numeric and text ids, ids with leading zeros", () => {
    const text = `${HEAD.replace("voter_id;vote;age", "voter_id;vote;age;weight")}7;1,2;30;3\r\n8;None;;\r\nv9;;40;2\r\n10;01,x,1;;\r\n\r\n11;2,1,2;50;1`;
    const compact = readPbCompact(bytes(text));
    expect(compact).not.toBeNull();
    if (!compact) return;
    expect(votesOf(compact).voters).toBe(3 + 1 + 2 + 1 + 1);
    expect(countingElectionCompact(compact)).toEqual(countingElection(parsePb(text)));
    // 8 and v9 cast the same (empty) ballot; 11 repeats project 2, so it is 7's ballot.
    expect(votesOf(compact).count).toBe(3);
    expect(Array.from(votesOf(compact).weights)).toEqual([4, 3, 1]);
    // Totals only: project 2 counted once for voter 11; projects 1, 2, 01, x.
    const totals = readPbCompact(bytes(text), { ballots: false })?.totals;
    expect(totals?.voters).toBe(8);
    expect(Array.from(totals?.support ?? [])).toEqual([3 + 1 + 1, 3 + 1, 1, 1]);
    expect(Array.from(totals?.score ?? [])).toEqual([5, 4, 1, 1]);
  });

  it("merges cumulative ballots only when projects and points agree, leaving out zero points", () => {
    const text = `${HEAD.replace("approval", "cumulative\nmax_points;5").replace("voter_id;vote;age", "voter_id;vote;points")}a;1,2;3,2\nb;2,1;2,3\nc;1,2;2,3\nd;1,2;3,0\ne;1;3\n`;
    const compact = readPbCompact(bytes(text));
    expect(compact).not.toBeNull();
    if (!compact) return;
    expect(votesOf(compact).count).toBe(3);
    expect(Array.from(votesOf(compact).weights)).toEqual([2, 1, 2]);
    expect(countingElectionCompact(compact)).toEqual(countingElection(parsePb(text)));
    // Totals only: d's zero points leave project 2 out of d's ballot.
    const totals = readPbCompact(bytes(text), { ballots: false })?.totals;
    expect(Array.from(totals?.support ?? [])).toEqual([5, 3, 0, 0]);
    expect(Array.from(totals?.score ?? [])).toEqual([3 + 3 + 2 + 3 + 3, 2 + 2 + 3, 0, 0]);
  });

  it("leaves to parsePb quoted or padded cells, a second section marker, and every error", () => {
    const fallbacks = [
      `${HEAD}1;"1,2";30\n`,
      `${HEAD}1; 1,2;30\n`,
      `${HEAD}1;1,2 ;30\n`,
      `${HEAD}1;1\nMETA\nkey;value\n`,
      `${HEAD}1;1,3\n`, // unknown project
      `${HEAD}1;1\n2;2\n1;1\n`, // repeated numeric voter id (not next to each other)
      `${HEAD}v;1\nw;2\nv;1\n`, // repeated text voter id
      `${HEAD.replace("voter_id;vote;age", "voter_id;vote;weight")}1;1;0\n`,
      `${HEAD.replace("voter_id;vote;age", "voter_id;vote;weight")}1;1;1.5\n`,
      `${HEAD.replace("approval", "cumulative\nmax_points;2").replace("voter_id;vote;age", "voter_id;vote;points")}1;1,2;3,1\n`,
      `${HEAD.replace("approval", "cumulative\nmax_sum_points;3").replace("voter_id;vote;age", "voter_id;vote;points")}1;1,2;2,2\n`,
      `${HEAD.replace("approval", "cumulative").replace("voter_id;vote;age", "voter_id;vote;points")}1;1,2;2\n`,
      `${HEAD.replace("approval", "cumulative").replace("voter_id;vote;age", "voter_id;vote")}1;1,2\n`,
      HEAD.replace("budget;100\n", ""),
      HEAD.replace("approval", "ordinal"),
    ];
    for (const text of fallbacks) {
      expect(readPbCompact(bytes(text)), text).toBeNull();
      expect(readPbCompact(bytes(text), { ballots: false }), text).toBeNull();
    }
    // …while the same rows without the problem are read.
    expect(readPbCompact(bytes(`${HEAD}1;1,2;30\n2;2;"quoted, later cells do not matter"\n`))).not.toBeNull();
  });

  it("refuses to count equal shares from per-project totals (it needs the ballots)", () => {
    const totals = readPbCompact(bytes(`${HEAD}1;1,2;30\n`), { ballots: false });
    expect(totals).not.toBeNull();
    if (!totals) return;
    expect(() => tallyCompact(totals, { rule: "mes" })).toThrow(/mes needs the ballots/);
    expect(tallyCompact(totals, { rule: "greedy" }).selected).toEqual(["1", "01", "x"]);
  });
});
