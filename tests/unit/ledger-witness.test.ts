import { describe, expect, it } from "vitest";
import { NoteError, noteVerifier } from "../../app/domain/ledger/note";
import {
  addCheckpoint,
  formatAddCheckpointBody,
  parseAddCheckpointBody,
  parseCosignatureResponse,
} from "../../app/domain/ledger/witness";
import { readFileSync } from "node:fs";
import { TestLog } from "../support/tlog";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/c2sp/${name}`, import.meta.url), "utf8");

function run(log: TestLog, state: { size: number; rootHash: Buffer } | null, body: string, verifierLog = log) {
  return addCheckpoint(state, parseAddCheckpointBody(body), {
    origin: verifierLog.origin,
    verifiers: [noteVerifier(verifierLog.key.verifierKey)],
  });
}

describe("add-checkpoint request body", () => {
  it("parses the tlog-witness specification's example request", () => {
    const request = parseAddCheckpointBody(fixture("tlog-witness-request-example.txt"));
    expect(request.oldSize).toBe(20852014);
    expect(request.proof.map((h) => h.toString("base64"))).toEqual([
      "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=",
      "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=",
      "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=",
      "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=",
    ]);
    expect(request.note).toBe(fixture("tlog-witness-request-example.txt").split("\n").slice(6).join("\n"));
  });

  it("formats the body a log sends, and reads the specification's example answer", () => {
    const body = fixture("tlog-witness-request-example.txt");
    expect(formatAddCheckpointBody(parseAddCheckpointBody(body))).toBe(body);
    const lines = parseCosignatureResponse(fixture("tlog-witness-response-example.txt"));
    expect(lines.map((l) => l.name)).toEqual(["witness.example/w1", "witness.example/w1", "witness.example/w2"]);
    expect(lines.map((l) => l.signature.length)).toEqual([72, 72, 72]);
    expect(() => parseCosignatureResponse("")).toThrow(NoteError);
    expect(() => parseCosignatureResponse("13\n")).toThrow(NoteError);
  });

  it("refuses leading zeros, short hashes, non-canonical base64 and too many proof lines", () => {
    const note = new TestLog("example.org/log").append(1).note();
    const hash = Buffer.alloc(32, 9).toString("base64");
    for (const body of [
      `old 01\n\n${note}`,
      `old -1\n\n${note}`,
      `Old 1\n\n${note}`,
      `old 1\n${Buffer.alloc(31).toString("base64")}\n\n${note}`,
      `old 1\n${hash.slice(0, -1)}\n\n${note}`,
      `old 1\n${hash}`,
      `old 1\n${`${hash}\n`.repeat(64)}\n${note}`,
      "old 1",
    ]) {
      expect(() => parseAddCheckpointBody(body), JSON.stringify(body.slice(0, 80))).toThrow(NoteError);
    }
    expect(parseAddCheckpointBody(`old 1\n${`${hash}\n`.repeat(63)}\n${note}`).proof).toHaveLength(63);
  });
});

describe("the witness decision (tlog-witness)", () => {
  it("cosigns a first checkpoint from old size 0, then growth with a valid consistency proof", () => {
    const log = new TestLog("example.org/log").append(5);
    const first = run(log, null, log.body(0));
    expect(first).toMatchObject({ kind: "cosign", newState: { size: 5 } });
    if (first.kind !== "cosign") throw new Error("unreachable");
    expect(first.newState.rootHash.equals(log.root(5))).toBe(true);
    log.append(8);
    const grown = run(log, first.newState, log.body(5));
    expect(grown).toMatchObject({ kind: "cosign", newState: { size: 13 } });
    // Re-submitting the same checkpoint is cosigned again (same size, same root).
    expect(run(log, { size: 13, rootHash: log.root(13) }, log.body(13, 13, []))).toMatchObject({ kind: "cosign" });
  });

  it("answers 422 to a proof that does not verify", () => {
    const log = new TestLog("example.org/log").append(13);
    const proof = log.proof(5, 13);
    proof[0] = Buffer.alloc(32, 1);
    expect(run(log, { size: 5, rootHash: log.root(5) }, log.body(5, 13, proof))).toMatchObject({
      kind: "error",
      status: 422,
    });
    expect(run(log, { size: 5, rootHash: log.root(5) }, log.body(5, 13, []))).toMatchObject({
      kind: "error",
      status: 422,
    });
  });

  it("refuses a smaller tree: 400 when old exceeds the size, 409 with the held size otherwise", () => {
    const log = new TestLog("example.org/log").append(13);
    const state = { size: 13, rootHash: log.root(13) };
    expect(run(log, state, log.body(13, 5, []))).toMatchObject({ kind: "error", status: 400 });
    expect(run(log, state, log.body(0, 5))).toEqual({ kind: "conflict", size: 13, reason: "old_size" });
  });

  it("answers a stale old size with 409 and the size it holds", () => {
    const log = new TestLog("example.org/log").append(20);
    expect(run(log, { size: 13, rootHash: log.root(13) }, log.body(5, 20))).toEqual({
      kind: "conflict",
      size: 13,
      reason: "old_size",
    });
    expect(run(log, null, log.body(5, 20))).toEqual({ kind: "conflict", size: 0, reason: "old_size" });
  });

  it("catches a split view: a different tree of the size it cosigned is a conflict", () => {
    const honest = new TestLog("example.org/log").append(8);
    const other = new TestLog("example.org/log", honest.key, "evil ").append(8);
    const first = run(honest, null, honest.body(0));
    if (first.kind !== "cosign") throw new Error("the first tree must be cosigned");
    expect(run(other, first.newState, other.body(8, 8, []))).toEqual({
      kind: "conflict",
      size: 8,
      reason: "different_root",
    });
    // The other tree grown further cannot be proved consistent with the first either.
    other.append(4);
    expect(run(other, first.newState, other.body(8, 12))).toMatchObject({ kind: "error", status: 422 });
  });

  it("answers 403 without a trusted signature and 404 for another origin", () => {
    const log = new TestLog("example.org/log").append(3);
    const stranger = new TestLog("example.org/log").append(3);
    expect(run(stranger, null, stranger.body(0), log)).toMatchObject({ kind: "error", status: 403 });
    const elsewhere = new TestLog("example.org/other").append(3);
    expect(run(elsewhere, null, elsewhere.body(0), log)).toMatchObject({ kind: "error", status: 404 });
  });

  it("refuses a proof with old size 0 and extra blank lines (400)", () => {
    const log = new TestLog("example.org/log").append(3);
    const proof = [Buffer.alloc(32, 2)];
    expect(run(log, null, log.body(0, 3, proof))).toMatchObject({ kind: "error", status: 400 });
    expect(run(log, null, `old 0\n\n\n${log.note()}`)).toMatchObject({ kind: "error", status: 400 });
  });
});
