import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { main } from "../../app/cli/main";
import type { BundleFile } from "../../app/domain/bundle/build";
import { demoBundle } from "../../app/domain/bundle/demo";
import { parsePb } from "../../app/domain/pbfile";
import { tally } from "../../app/domain/tally";
import { verifyBundle } from "../../app/domain/bundle/verify";
import { checkLedger } from "../../app/domain/bundle/ledger-check";

let clean: BundleFile[];

beforeAll(() => {
  clean = demoBundle({ voters: 600, seed: "tamper-tests" }).files;
});

function reader(files: readonly BundleFile[]) {
  const map = new Map(files.map((f) => [f.name, f.bytes]));
  return { read: (name: string) => map.get(name) ?? null };
}

function text(files: readonly BundleFile[], name: string): string {
  return (files.find((f) => f.name === name)?.bytes ?? Buffer.alloc(0)).toString("utf8");
}

/** A copy of the bundle with one file's text changed. */
function tampered(name: string, change: (text: string) => string): BundleFile[] {
  return clean.map((f) =>
    f.name === name ? { name, bytes: Buffer.from(change(f.bytes.toString("utf8")), "utf8") } : f,
  );
}

async function failure(files: readonly BundleFile[]) {
  const report = await verifyBundle(reader(files));
  expect(report.exitCode).toBe(1);
  const failed = report.checks.filter((c) => !c.ok);
  expect(failed).toHaveLength(1);
  return failed[0];
}

const lines = (t: string) => t.split("\n");

describe("shora verify on a bundle", () => {
  it("passes every check on a clean bundle, the same bytes for the same seed", async () => {
    const report = await verifyBundle(reader(clean));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.exitCode).toBe(0);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        "SHA256SUMS signature",
        "checkpoint signatures",
        "ledger leaves",
        "Merkle roots",
        "north.pb",
        "tally of north",
        "checksums",
      ]),
    );
    const again = demoBundle({ voters: 600, seed: "tamper-tests" }).files;
    expect(again.map((f) => f.bytes.toString("hex"))).toEqual(clean.map((f) => f.bytes.toString("hex")));
  });

  it("has .pb files the tally engine reads and whose re-run outcome is tally.json's", () => {
    const tallyDoc = JSON.parse(text(clean, "tally.json"));
    for (const envelope of ["north", "south", "green"]) {
      const election = parsePb(text(clean, `${envelope}.pb`));
      expect(election.voteColumns).toContain("weight");
      const recorded = tallyDoc.envelopes.find((e: { envelope: string }) => e.envelope === envelope);
      expect(
        tally(election, { rule: recorded.rule, tieBreak: "cost-votes-seed", seed: recorded.seed }).selected,
      ).toEqual(recorded.selected);
    }
  });

  it("names the leaf whose byte was flipped", async () => {
    const failed = await failure(
      tampered("ballots.jsonl", (t) =>
        lines(t)
          .map((l, i) => (i === 41 ? l.replace('"weight":', '"weight":1') : l))
          .join("\n"),
      ),
    );
    expect(failed.detail).toBe("ballots.jsonl line 42 (leaf 41): the leaf hash does not match the leaf");
  });

  it("names where a leaf was deleted, and where two leaves were swapped", async () => {
    const deleted = await failure(
      tampered("ballots.jsonl", (t) =>
        lines(t)
          .filter((_, i) => i !== 100)
          .join("\n"),
      ),
    );
    expect(deleted.detail).toBe(
      "ballots.jsonl line 101 (leaf 100): leaf seq is 101: a leaf is missing, added or out of order",
    );
    const swapped = await failure(
      tampered("ballots.jsonl", (t) => {
        const l = lines(t);
        [l[200], l[201]] = [l[201], l[200]];
        return l.join("\n");
      }),
    );
    expect(swapped.detail).toBe(
      "ballots.jsonl line 201 (leaf 200): leaf seq is 201: a leaf is missing, added or out of order",
    );
  });

  it("catches a leaf rewritten with a matching leaf hash by the signed Merkle root", async () => {
    const { leafHashHex, leafText } = await import("../../app/domain/bundle/format");
    const failed = await failure(
      tampered("ballots.jsonl", (t) =>
        lines(t)
          .map((l, i) => {
            if (i !== 7) return l;
            const record = JSON.parse(l);
            record.leaf.weight = record.leaf.weight === 1 ? 2 : 1;
            return JSON.stringify({
              leaf: JSON.parse(leafText(record.leaf)),
              leafHash: leafHashHex(leafText(record.leaf)),
              opening: record.opening,
              day: record.day,
            });
          })
          .join("\n"),
      ),
    );
    expect(failed.name).toBe("Merkle roots");
    expect(failed.detail).toMatch(
      /^ledger\.json checkpoint 0 \(size \d+\): the root of leaves 0–\d+ of ballots\.jsonl is not the signed root$/,
    );
  });

  it("names the .pb line whose weight changed", async () => {
    const pb = lines(text(clean, "north.pb"));
    const votes = pb.indexOf("VOTES") + 2; // first ballot row, 0-based index
    const failed = await failure(
      tampered("north.pb", (t) =>
        lines(t)
          .map((l, i) => (i === votes + 3 ? l.replace(/;(\d+)$/, (_, w) => `;${Number(w) + 1}`) : l))
          .join("\n"),
      ),
    );
    expect(failed.detail).toBe(
      `north.pb line ${votes + 4}: the weight or vote differs from the opened ballot in the ledger`,
    );
  });

  it("names a changed cost, a changed tally result and a broken signature", async () => {
    const pb = lines(text(clean, "south.pb"));
    const firstProject = pb.indexOf("PROJECTS") + 2;
    const cost = await failure(
      tampered("south.pb", (t) =>
        lines(t)
          .map((l, i) => (i === firstProject ? l.replace(/;(\d+);/, (_, c) => `;${Number(c) + 1000};`) : l))
          .join("\n"),
      ),
    );
    expect(cost.detail).toMatch(
      new RegExp(`^south\\.pb line ${firstProject + 1}: cost \\d+ of south-01 differs from round\\.json \\(\\d+\\)$`),
    );

    const result = await failure(
      tampered("tally.json", (t) => {
        const doc = JSON.parse(t);
        doc.envelopes[1].selected = doc.envelopes[1].selected.slice(1);
        return JSON.stringify(doc);
      }),
    );
    expect(result.name).toBe("tally");
    expect(result.detail).toMatch(/^tally\.json south: re-running greedy selects \[.*\], tally\.json says \[.*\]$/);

    const signature = await failure(
      tampered("ledger.json", (t) => {
        const doc = JSON.parse(t);
        const sig = Buffer.from(doc.checkpoints[2].signature, "base64");
        sig[5] ^= 1;
        doc.checkpoints[2].signature = sig.toString("base64");
        return JSON.stringify(doc);
      }),
    );
    expect(signature.detail).toMatch(/^ledger\.json checkpoint 2 \(size \d+\): the signature does not verify$/);

    const sums = await failure(tampered("SHA256SUMS.sig", (t) => `${t.trim().slice(0, -4)}AAA=\n`));
    expect(sums.name).toBe("SHA256SUMS signature");
  });

  it("names a file changed outside the checks by its checksum", async () => {
    const failed = await failure(tampered("round.json", (t) => t.replace('"Demo city"', '"Demo town"')));
    expect(failed.detail).toBe("round.json: its SHA-256 differs from SHA256SUMS");
  });

  it("writes, zips and verifies through the CLI with exit codes 0, 1 and 2", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-bundle-"));
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (t: string) => out.push(t), err: (t: string) => err.push(t) };
    expect(
      await main(["bundle", "--demo", "--voters", "300", "--seed", "cli", "--out", path.join(dir, "b.zip")], io),
    ).toBe(0);
    expect(await main(["verify", path.join(dir, "b.zip")], io)).toBe(0);
    // The same check with the ledger in a worker thread (what large bundles use).
    process.env.SHORA_VERIFY_THREADS = "2";
    try {
      expect(await main(["verify", path.join(dir, "b.zip")], io)).toBe(0);
    } finally {
      delete process.env.SHORA_VERIFY_THREADS;
    }
    expect(out.join("")).toContain("All checks pass. Bundle fingerprint (SHA-256 of round.json) ");
    expect(await main(["bundle", "--demo", "--voters", "300", "--seed", "cli", "--out", path.join(dir, "d")], io)).toBe(
      0,
    );
    const jsonl = path.join(dir, "d", "ballots.jsonl");
    fs.writeFileSync(jsonl, fs.readFileSync(jsonl, "utf8").replace('"seq":3,', '"seq":4,'));
    expect(await main(["verify", path.join(dir, "d")], io)).toBe(1);
    expect(err.join("")).toContain("✗ ledger leaves: ballots.jsonl line 4 (leaf 3)");
    process.env.SHORA_VERIFY_THREADS = "2";
    try {
      expect(await main(["verify", path.join(dir, "d")], io)).toBe(1);
    } finally {
      delete process.env.SHORA_VERIFY_THREADS;
    }
    expect(await main(["verify", path.join(dir, "missing")], io)).toBe(2);
    fs.writeFileSync(path.join(dir, "junk.zip"), "not a zip");
    expect(await main(["verify", path.join(dir, "junk.zip")], io)).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("the ledger check reads every line form alike", () => {
  const round = () => JSON.parse(text(clean, "round.json"));
  const ledger = () => JSON.parse(text(clean, "ledger.json"));
  /** The same leaves written another way: keys in another order and spaces (JSON.parse reads them). */
  const respaced = (t: string) =>
    lines(t)
      .map((l) => {
        if (!l) return l;
        const r = JSON.parse(l);
        const leaf = Object.fromEntries(Object.entries(r.leaf).reverse());
        return JSON.stringify({ day: r.day, opening: r.opening, leafHash: r.leafHash, leaf }, null, 1).replace(
          /\n/g,
          " ",
        );
      })
      .join("\n");

  it("gives the same result for the writer's exact lines and for re-spaced, re-ordered ones", () => {
    const exact = checkLedger(round(), ledger(), Buffer.from(text(clean, "ballots.jsonl")));
    const other = checkLedger(round(), ledger(), Buffer.from(respaced(text(clean, "ballots.jsonl"))));
    expect("failure" in exact).toBe(false);
    expect("failure" in other).toBe(false);
    if ("failure" in exact || "failure" in other) return;
    expect(other.leaves).toBe(exact.leaves);
    expect(other.current).toBe(exact.current);
    expect(other.envelopes).toEqual(exact.envelopes);
    expect(exact.leaves).toBeGreaterThanOrEqual(600);
  });

  it("names the same failure whichever reader read the line", () => {
    const flip = (t: string) => {
      const all = lines(t);
      all[41] = all[41].replace(/"weight": ?(\d)/, (_, w) => `"weight":${Number(w) === 1 ? 2 : 1}`);
      return all.join("\n");
    };
    const exact = checkLedger(round(), ledger(), Buffer.from(flip(text(clean, "ballots.jsonl"))));
    const other = checkLedger(round(), ledger(), Buffer.from(flip(respaced(text(clean, "ballots.jsonl")))));
    expect(exact).toEqual({
      failure: {
        check: "ledger leaves",
        where: "ballots.jsonl line 42 (leaf 41)",
        reason: "the leaf hash does not match the leaf",
      },
    });
    expect(other).toEqual(exact);
  });
});
