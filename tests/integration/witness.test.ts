import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cosignerVerifier, newCosignerKey } from "../../app/domain/ledger/cosignature";
import { newNoteKey, noteVerifier, openNote } from "../../app/domain/ledger/note";
import { formatCheckpoint } from "../../app/domain/ledger/tlog-checkpoint";
import { evidenceDir, stateFile } from "../../app/witness/state";
import { type Witness, createWitness } from "../../app/witness/witness";
import { TestLog } from "../support/tlog";

const ORIGIN = "shora.example/tehran/round-7";
const witnessKey = newCosignerKey("witness.example/w1");
const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "shora-witness-"));
  dirs.push(dir);
  return dir;
}

async function start(log: TestLog, stateDir = tempDir(), extra: { lockTimeoutMs?: number } = {}) {
  const witness = createWitness({
    name: "witness.example/w1",
    signerKey: witnessKey.signerKey,
    stateDir,
    logs: [{ origin: log.origin, vkeys: [log.key.verifierKey] }],
    clock: () => 1_800_000_000,
    ...extra,
  });
  const server = await witness.listen("127.0.0.1", 0);
  closers.push(server.close);
  return { witness, url: server.url, stateDir };
}

async function post(url: string, body: string | Blob) {
  const response = await fetch(`${url}/add-checkpoint`, { method: "POST", body });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

/** The checkpoint note with the witness's response lines appended, opened with both keys. */
function cosigned(log: TestLog, note: string, responseBody: string) {
  return openNote(note + responseBody, [noteVerifier(log.key.verifierKey), cosignerVerifier(witnessKey.verifierKey)]);
}

afterAll(async () => {
  for (const close of closers) await close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("witness over HTTP (c2sp.org/tlog-witness)", () => {
  let log: TestLog;
  let w: { witness: Witness; url: string; stateDir: string };
  beforeAll(async () => {
    log = new TestLog(ORIGIN).append(5);
    w = await start(log);
  });

  it("cosigns the first checkpoint and persists it before answering", async () => {
    const r = await post(w.url, log.body(0));
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/^\u2014 witness\.example\/w1 [A-Za-z0-9+/=]+\n$/);
    const opened = cosigned(log, log.note(5), r.body);
    expect(opened.verified.map((s) => s.name)).toEqual([ORIGIN, "witness.example/w1"]);
    const stored = JSON.parse(readFileSync(stateFile(w.stateDir, ORIGIN), "utf8"));
    expect(stored).toMatchObject({ version: 1, origin: ORIGIN, size: 5, rootHash: log.root(5).toString("base64") });
    expect(readdirSync(w.stateDir).filter((f) => f.includes(".tmp-") || f.endsWith(".lock"))).toEqual([]);
  });

  it("cosigns growth with a valid consistency proof and refuses a bad one with 422", async () => {
    log.append(8);
    const proof = log.proof(5, 13);
    proof[proof.length - 1] = Buffer.alloc(32, 3);
    expect((await post(w.url, log.body(5, 13, proof))).status).toBe(422);
    const r = await post(w.url, log.body(5));
    expect(r.status).toBe(200);
    expect(cosigned(log, log.note(13), r.body).verified).toHaveLength(2);
  });

  it("refuses a smaller tree and a stale old size with 409 and the size it holds", async () => {
    const stale = await post(w.url, log.body(5, 8));
    expect(stale).toEqual({ status: 409, type: "text/x.tlog.size", body: "13\n" });
    expect((await post(w.url, log.body(13, 8, []))).status).toBe(400);
  });

  it("serves the last cosigned checkpoint at GET /checkpoint/<origin> (Shora's addition)", async () => {
    const response = await fetch(`${w.url}/checkpoint/${encodeURIComponent(ORIGIN)}`);
    expect(response.status).toBe(200);
    const note = await response.text();
    const opened = openNote(note, [noteVerifier(log.key.verifierKey), cosignerVerifier(witnessKey.verifierKey)]);
    expect(opened.text).toBe(log.checkpointText(13));
    expect(opened.verified).toHaveLength(2);
    expect((await fetch(`${w.url}/checkpoint/${encodeURIComponent("nobody.example/log")}`)).status).toBe(404);
    expect((await fetch(`${w.url}/checkpoint/%E0%A4%A`)).status).toBe(400);
    const wrongMethod = await fetch(`${w.url}/add-checkpoint`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });

  it("answers bad input with the specification's status codes", async () => {
    const note = log.note(13);
    // A key with the log's name but another key id: not trusted.
    const stranger = new TestLog(ORIGIN, newNoteKey(ORIGIN)).append(13);
    expect((await post(w.url, stranger.body(13, 13, []))).status).toBe(403);
    expect((await post(w.url, new TestLog("nobody.example/log").append(2).body(0))).status).toBe(404);
    const hash = Buffer.alloc(32, 1).toString("base64");
    expect(hash.endsWith("E=")).toBe(true);
    expect((await post(w.url, `old 5\n${hash.slice(0, -1)}\n\n${note}`)).status).toBe(400);
    expect((await post(w.url, `old 5\n${hash.slice(0, -2)}F=\n\n${note}`)).status).toBe(400);
    // The log's signature (68 bytes: one "=" of padding) without its padding.
    expect(note.endsWith("=\n")).toBe(true);
    expect((await post(w.url, `old 13\n\n${note.replace(/=\n$/, "\n")}`)).status).toBe(400);
    expect((await post(w.url, `old 13\n\n\n${note}`)).status).toBe(400);
    expect((await post(w.url, `old 13\n\n${note}\n`)).status).toBe(400);
    expect((await post(w.url, `old 013\n\n${note}`)).status).toBe(400);
    expect((await post(w.url, new Blob([new Uint8Array([0x6f, 0x6c, 0x64, 0x20, 0xff, 0x0a])]))).status).toBe(400);
    // An oversized note inside an acceptable body, then a body over the limit.
    const huge = formatCheckpoint({
      origin: ORIGIN,
      treeSize: 13,
      rootHash: log.root(13),
      extensions: ["x".repeat(131_100)],
    });
    const hugeNote = `${huge}\n\u2014 ${ORIGIN} ${Buffer.alloc(68, 1).toString("base64")}\n`;
    const oversized = await post(w.url, `old 13\n\n${hugeNote}`);
    expect(oversized.status).toBe(400);
    expect(oversized.body).toMatch(/larger than/);
    expect((await post(w.url, `old 13\n\n${"y".repeat(200_000)}`)).status).toBe(413);
    // None of it moved the state.
    expect(JSON.parse(readFileSync(stateFile(w.stateDir, ORIGIN), "utf8")).size).toBe(13);
  });
});

describe("witness state across restarts and processes", () => {
  it("remembers after a restart what it cosigned (a new witness over the same state folder)", async () => {
    const log = new TestLog(ORIGIN).append(5);
    const first = await start(log);
    expect((await post(first.url, log.body(0))).status).toBe(200);
    const second = await start(log, first.stateDir);
    expect(await post(second.url, log.body(0))).toMatchObject({ status: 409, body: "5\n" });
    log.append(3);
    expect((await post(second.url, log.body(5))).status).toBe(200);
    expect(await second.witness.latest(ORIGIN)).toContain(`${ORIGIN}\n8\n`);
  });

  it("removes temp files a crashed witness left, and keeps a live process's", async () => {
    const log = new TestLog(ORIGIN).append(2);
    const stateDir = tempDir();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    const stale = `${path.basename(stateFile(stateDir, ORIGIN))}.tmp-${dead}-ab12`;
    const live = `${path.basename(stateFile(stateDir, ORIGIN))}.tmp-${process.pid}-cd34`;
    writeFileSync(path.join(stateDir, stale), "{");
    writeFileSync(path.join(stateDir, live), "{");
    await start(log, stateDir);
    expect(readdirSync(stateDir).sort()).toEqual([live]);
  });

  it("cosigns exactly one of two concurrent requests from the same old size", async () => {
    const log = new TestLog(ORIGIN).append(9);
    const w = await start(log);
    const results = await Promise.all([post(w.url, log.body(0, 3)), post(w.url, log.body(0, 9))]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = results.find((r) => r.status === 200);
    const loser = results.find((r) => r.status === 409);
    const size = JSON.parse(readFileSync(stateFile(w.stateDir, ORIGIN), "utf8")).size;
    expect(loser?.body).toBe(`${size}\n`);
    expect(cosigned(log, log.note(size), winner?.body ?? "").verified).toHaveLength(2);
  });

  it("serialises two witnesses sharing one state folder through the lock file", async () => {
    const log = new TestLog(ORIGIN).append(9);
    const a = await start(log);
    const b = await start(log, a.stateDir);
    let held = 0;
    for (let round = 0; round < 5; round++) {
      log.append(2);
      const results = await Promise.all([post(a.url, log.body(held, log.size - 1)), post(b.url, log.body(held))]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      held = JSON.parse(readFileSync(stateFile(a.stateDir, ORIGIN), "utf8")).size;
      expect([log.size - 1, log.size]).toContain(held);
    }
  });

  it("takes over the lock of a dead process and waits for a live one (503 after the timeout)", async () => {
    const log = new TestLog(ORIGIN).append(4);
    const w = await start(log, tempDir(), { lockTimeoutMs: 150 });
    const lock = stateFile(w.stateDir, ORIGIN).replace(/\.json$/, ".lock");
    const dead = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(lock, `${dead} ${os.hostname()}\n`);
    expect((await post(w.url, log.body(0))).status).toBe(200);
    writeFileSync(lock, `${process.pid} ${os.hostname()}\n`);
    log.append(1);
    const busy = await post(w.url, log.body(4));
    expect(busy.status).toBe(503);
    // A checkpoint the log did not sign is refused without waiting for the lock.
    const stranger = new TestLog(ORIGIN, newNoteKey(ORIGIN)).append(5);
    expect((await post(w.url, stranger.body(4))).status).toBe(403);
    rmSync(lock);
    expect((await post(w.url, log.body(4))).status).toBe(200);
  });
});

describe("split view", () => {
  it("an honest witness cosigns only the first of two trees of one size signed by the log's key", async () => {
    const honest = new TestLog(ORIGIN).append(8);
    const forked = new TestLog(ORIGIN, honest.key, "other ballots ").append(8);
    expect(honest.root().equals(forked.root())).toBe(false);
    const w = await start(honest);
    expect((await post(w.url, honest.body(0))).status).toBe(200);
    expect(await post(w.url, forked.body(8, 8, []))).toEqual({ status: 409, type: "text/x.tlog.size", body: "8\n" });
    // Nor from scratch, nor grown further.
    expect((await post(w.url, forked.body(0))).status).toBe(409);
    forked.append(4);
    expect((await post(w.url, forked.body(8))).status).toBe(422);
    expect(await w.witness.latest(ORIGIN)).toContain(honest.root().toString("base64"));
    // The two signed refusals are kept as evidence of the split view; the stale old size is not.
    const evidence = readdirSync(evidenceDir(w.stateDir)).map((f) =>
      readFileSync(path.join(evidenceDir(w.stateDir), f), "utf8"),
    );
    expect(evidence.sort()).toEqual([forked.body(8, 8, []), forked.body(8)].sort());
  });
});

describe("a witness that follows every log of one operator", () => {
  it("cosigns a log it learns from `logKeys` after it started, and still refuses one it cannot name", async () => {
    const operator = newNoteKey("shora.example/m/late");
    const late = new TestLog("shora.example/m/late/rounds/made-today", operator).append(3);
    const stranger = new TestLog("elsewhere.example/log").append(3);
    const witness = createWitness({
      name: "witness.example/w1",
      signerKey: witnessKey.signerKey,
      stateDir: tempDir(),
      logs: [],
      logKeys: (origin) => (origin.startsWith("shora.example/m/late/rounds/") ? [operator.verifierKey] : null),
      clock: () => 1_800_000_000,
    });
    const server = await witness.listen("127.0.0.1", 0);
    closers.push(server.close);
    expect((await post(server.url, stranger.body(0))).status).toBe(404);
    expect(await witness.latest(late.origin)).toBeNull();
    const r = await post(server.url, late.body(0));
    expect(r.status).toBe(200);
    expect(cosigned(late, late.note(3), r.body).verified.map((s) => s.name)).toEqual([
      "shora.example/m/late",
      "witness.example/w1",
    ]);
    expect(await witness.latest(late.origin)).toContain(late.root().toString("base64"));
    // A log under the operator's origins signed by another key is not its log.
    const impostor = new TestLog("shora.example/m/late/rounds/other").append(2);
    expect((await post(server.url, impostor.body(0))).status).toBe(403);
  });
});
