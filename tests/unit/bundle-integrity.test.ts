/** Re-signed bundles whose round.json lies (counts, dates, weights) and format 1 bundles (ADR 0018). */
import { createHash, createPrivateKey, sign as edSign } from "node:crypto";
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import type { BundleFile } from "../../app/domain/bundle/build";
import { leafDay } from "../../app/domain/bundle/build";
import { demoBundle, keyPairFromSeed } from "../../app/domain/bundle/demo";
import { type RoundDoc, rulesFingerprint, rulesOfRoundDoc, sha256Hex } from "../../app/domain/bundle/format";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { readBundleZip } from "../../app/domain/bundle/zip";

const SEED = "integrity-tests";
const keyOf = (seed: string) => keyPairFromSeed(createHash("sha256").update(`key:${seed}`).digest()).privateKeyPem;
let clean: BundleFile[];
/** A bundle published before format 2 (written by `shora bundle --demo --voters 1200 --seed v1-fixture` then). */
let v1: BundleFile[];

beforeAll(() => {
  clean = demoBundle({ voters: 600, seed: SEED }).files;
  v1 = [...readBundleZip(fs.readFileSync("tests/fixtures/bundle-v1.zip")).entries()].map(([name, bytes]) => ({
    name,
    bytes,
  }));
});

const text = (files: readonly BundleFile[], name: string) =>
  files.find((f) => f.name === name)?.bytes.toString("utf8") ?? "";

/** The bundle with files changed, SHA256SUMS and its signature made again with the municipality's key. */
function resigned(files: readonly BundleFile[], changes: Record<string, string>, seed: string): BundleFile[] {
  const body = files
    .filter((f) => f.name !== "SHA256SUMS" && f.name !== "SHA256SUMS.sig")
    .map((f) => (changes[f.name] !== undefined ? { name: f.name, bytes: Buffer.from(changes[f.name]) } : f));
  const sums = body.map((f) => `${sha256Hex(f.bytes)}  ${f.name}\n`).join("");
  const signature = edSign(null, Buffer.from(sums), createPrivateKey(keyOf(seed))).toString("base64");
  return [
    ...body,
    { name: "SHA256SUMS", bytes: Buffer.from(sums) },
    { name: "SHA256SUMS.sig", bytes: Buffer.from(`${signature}\n`) },
  ];
}

async function verdict(files: readonly BundleFile[]) {
  const map = new Map(files.map((f) => [f.name, f.bytes]));
  const report = await verifyBundle({ read: (name) => map.get(name) ?? null });
  const failed = report.checks.filter((c) => !c.ok);
  return { exitCode: report.exitCode, failed: failed.map((c) => `${c.name}: ${c.detail}`) };
}

const editRound = (files: readonly BundleFile[], seed: string, change: (round: RoundDoc) => void) => {
  const round = JSON.parse(text(files, "round.json")) as RoundDoc;
  change(round);
  return resigned(files, { "round.json": `${JSON.stringify(round, null, 2)}\n` }, seed);
};

describe("format 1 bundles published before this change", () => {
  it("still pass shora verify", async () => {
    const out: string[] = [];
    expect(
      await main(["verify", "tests/fixtures/bundle-v1.zip"], { out: (t) => out.push(t), err: (t) => out.push(t) }),
    ).toBe(0);
    expect(out.join("")).toContain("All checks pass");
    expect(JSON.parse(text(v1, "round.json")).format).toBe("shora-bundle/1");
  });
});

describe("every count of round.json is recomputed", () => {
  for (const [format, files, seed] of [
    ["format 1", () => v1, "v1-fixture"],
    ["format 2", () => clean, SEED],
  ] as const) {
    it(`fails a re-signed ${format} bundle that claims other counts or more current ballots than eligible voters`, async () => {
      const round = JSON.parse(text(files(), "round.json")) as RoundDoc;
      expect((await verdict(files())).exitCode).toBe(0);
      const cases: [(r: RoundDoc) => void, RegExp][] = [
        [(r) => (r.counts.current = 1999), /^counts: round\.json counts\.current: says 1999, the ledger has \d+$/],
        [
          (r) => (r.counts.eligible = 150),
          /^counts: round\.json counts\.eligible: \d+ voters have a current ballot in \w+, more than the 150 eligible$/,
        ],
        [
          (r) => (r.counts.ballots.paper += 208),
          /^counts: round\.json counts\.ballots: says \d+ online \+ \d+ paper, the ledger has \d+$/,
        ],
        [(r) => (r.counts.superseded = 111), /^counts: round\.json counts\.superseded: says 111, the ledger has \d+$/],
        [(r) => (r.counts.leaves += 1), /^counts: round\.json counts\.leaves: says \d+, the ledger has \d+$/],
        [(r) => (r.counts.withdrawn += 1), /^counts: round\.json counts\.withdrawn: says \d+, the ledger has \d+$/],
      ];
      expect(round.counts.current).toBeGreaterThan(150 * 2);
      for (const [change, message] of cases) {
        const result = await verdict(editRound(files(), seed, change));
        expect(result.exitCode).toBe(1);
        expect(result.failed).toHaveLength(1);
        expect(result.failed[0]).toMatch(message);
      }
    });
  }

  it("fails a tally.json whose ballot count or weight sum differs from the .pb file", async () => {
    const tallyDoc = JSON.parse(text(clean, "tally.json"));
    tallyDoc.envelopes[0].ballots += 100;
    const result = await verdict(resigned(clean, { "tally.json": JSON.stringify(tallyDoc) }, SEED));
    expect(result.exitCode).toBe(1);
    expect(result.failed[0]).toMatch(
      /^tally: tally\.json north: ballots \d+, weights \d+ and budget \d+ differ from north\.pb/,
    );
  });
});

describe("the rules fingerprint covers everything round.json says decides the outcome", () => {
  it("fails round.json edited and re-signed: dates widened, a weight, a cost, eligibility", async () => {
    const edits: ((r: RoundDoc) => void)[] = [
      (r) => {
        if (r.votingWindow) r.votingWindow.endsOn = "2026-06-30";
      },
      (r) => (r.voterClasses[0].weight = 9),
      (r) => (r.proposals[0].cost += 1),
      (r) => (r.eligibility = { districts: ["north"], minAge: 16 }),
      (r) => (r.municipality.timeZone = "Asia/Tehran"),
    ];
    for (const edit of edits) {
      // As edited: the stated fingerprint no longer matches the rules.
      const stale = await verdict(editRound(clean, SEED, edit));
      expect(stale.failed).toEqual([
        "round: round.json: rulesFingerprint does not match the round's voting window, envelopes, proposals, voter classes and eligibility",
      ]);
      // With the fingerprint recomputed too: the signed checkpoints name another one.
      const restated = await verdict(
        editRound(clean, SEED, (r) => {
          edit(r);
          r.rulesFingerprint = rulesFingerprint(rulesOfRoundDoc(r));
        }),
      );
      expect(restated.failed).toEqual([
        "checkpoint signatures: ledger.json checkpoint 0: signed for another round fingerprint than the rules in round.json",
      ]);
    }
  });

  it("fails a leaf appended outside the voting window, and leaves after a checkpoint signed once voting closed", async () => {
    const lines = text(clean, "ballots.jsonl").split("\n");
    lines[40] = lines[40].replace(/"day":"[0-9-]+"/, '"day":"2026-06-02"');
    const late = await verdict(resigned(clean, { "ballots.jsonl": lines.join("\n") }, SEED));
    expect(late.failed).toEqual([
      "voting window: ballots.jsonl line 41 (leaf 40): appended on 2026-06-02, outside voting (2026-05-01 – 2026-05-21)",
    ]);
    // round.json claims voting closed early on 5 May: later leaves and checkpoints contradict it.
    const closed = await verdict(
      editRound(clean, SEED, (r) => {
        r.round.phases = r.round.phases.map((p) => (p.kind === "voting" ? { ...p, endsOn: "2026-05-05" } : p));
      }),
    );
    expect(closed.failed[0]).toMatch(
      /^voting window: ledger\.json checkpoint \d+: signed on 2026-05-\d\d, after voting closed \(2026-05-05\), yet leaves were appended after it$/,
    );
    // A voting phase that starts later than the signed window, or ends after it, is not an early close.
    const moved = await verdict(
      editRound(clean, SEED, (r) => {
        r.round.phases = r.round.phases.map((p) => (p.kind === "voting" ? { ...p, endsOn: "2026-05-30" } : p));
      }),
    );
    expect(moved.failed[0]).toMatch(
      /^voting window: round\.json: the voting phase \(2026-05-01 – 2026-05-30\) is neither/,
    );
  });
});

describe("the day of a leaf", () => {
  it("is the day in the round's time zone, and a time coarsened to the UTC hour keeps a Tehran ballot in voting", () => {
    // 00:05 on 1 May in Tehran (+03:30) is 20:35 UTC on 30 April; coarsened to the hour, 20:00 UTC = 23:30.
    expect(leafDay(new Date("2026-04-30T20:00:00Z"), "Asia/Tehran", "2026-05-01")).toBe("2026-05-01");
    expect(leafDay(new Date("2026-04-30T20:10:05Z"), "Asia/Tehran", "2026-05-01")).toBe("2026-04-30");
    expect(leafDay(new Date("2026-04-30T19:00:00Z"), "Asia/Tehran", "2026-05-01")).toBe("2026-04-30");
    expect(leafDay(new Date("2026-05-03T21:00:00Z"), "Asia/Tehran", "2026-05-01")).toBe("2026-05-04");
    expect(leafDay(new Date("2026-05-03T21:00:00Z"), "UTC", "2026-05-01")).toBe("2026-05-03");
  });
});
