import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cosignerVerifier } from "../../app/domain/ledger/cosignature";
import { noteVerifier, openNote } from "../../app/domain/ledger/note";
import { TestLog } from "../support/tlog";

const BIN = path.resolve(__dirname, "../../app/cli/bin.cjs");
const dir = mkdtempSync(path.join(os.tmpdir(), "shora-witness-cli-"));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

function shora(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60_000 });
}

/** Starts `shora witness …` and resolves with its URL once it listens. */
function startWitness(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [BIN, "witness", ...args, "--listen", "127.0.0.1:0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ child, url });
    });
    child.stderr?.on("data", (chunk) => {
      err += chunk;
    });
    child.once("exit", (code) => reject(new Error(`witness exited ${code}: ${err}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.kill("SIGTERM");
  });
}

async function post(url: string, body: string) {
  const response = await fetch(`${url}/add-checkpoint`, { method: "POST", body });
  return { status: response.status, body: await response.text() };
}

describe("shora witness", () => {
  const keyFile = path.join(dir, "witness.key");
  const stateDir = path.join(dir, "state");
  const log = new TestLog("shora.example/tehran/round-9").append(6);
  let vkey = "";

  it("keygen writes a private key file (0600), prints the verifier key and never overwrites", () => {
    const made = shora(["witness", "keygen", "--name", "witness.example/cli", "--key-file", keyFile]);
    expect(made.status).toBe(0);
    vkey = made.stdout.trim();
    expect(vkey).toMatch(/^witness\.example\/cli\+[0-9a-f]{8}\+/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = shora(["witness", "keygen", "--name", "witness.example/cli", "--key-file", keyFile]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("exists");
  });

  it("refuses a missing --log and a malformed verifier key with exit code 2", () => {
    const base = ["witness", "--name", "witness.example/cli", "--key-file", keyFile, "--state-dir", stateDir];
    expect(shora(base).stderr).toContain("--log");
    const bad = shora([...base, "--log", "not-a-key"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--log #1");
    const typo = shora([...base, "--log", log.key.verifierKey, "--listn", "127.0.0.1:1"]);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain("unknown flag --listn");
  });

  it("cosigns over HTTP, stops on SIGTERM, and after a restart remembers the size it cosigned", async () => {
    const args = [
      "--name",
      "witness.example/cli",
      "--key-file",
      keyFile,
      "--state-dir",
      stateDir,
      "--log",
      log.key.verifierKey,
    ];
    const first = await startWitness(args);
    const r = await post(first.url, log.body(0));
    expect(r.status).toBe(200);
    const opened = openNote(log.note() + r.body, [noteVerifier(log.key.verifierKey), cosignerVerifier(vkey)]);
    expect(opened.verified.map((s) => s.name)).toEqual([log.origin, "witness.example/cli"]);
    expect(await stop(first.child)).toBe(0);

    const second = await startWitness(args);
    expect(await post(second.url, log.body(0))).toEqual({ status: 409, body: "6\n" });
    await stop(second.child);
  });

  it("two witness processes on one state folder cosign only one of two requests from the same old size", async () => {
    const args = [
      "--name",
      "witness.example/cli",
      "--key-file",
      keyFile,
      "--state-dir",
      stateDir,
      "--log",
      log.key.verifierKey,
    ];
    const [a, b] = await Promise.all([startWitness(args), startWitness(args)]);
    let held = 6;
    for (let round = 0; round < 4; round++) {
      log.append(2);
      const results = await Promise.all([post(a.url, log.body(held, log.size - 1)), post(b.url, log.body(held))]);
      expect(results.map((x) => x.status).sort()).toEqual([200, 409]);
      const winner = results[0].status === 200 ? log.size - 1 : log.size;
      expect(results.find((x) => x.status === 409)?.body).toBe(`${winner}\n`);
      held = winner;
    }
    await Promise.all([stop(a.child), stop(b.child)]);
  });
});
