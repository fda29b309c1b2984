/**
 * The witness's durable state: one JSON file per log origin, replaced atomically (temp file, fsync,
 * rename, fsync of the folder), and a lock file per log so that two witness processes sharing a
 * state folder never check and cosign the same log at once. See
 * docs/decisions/0021-signed-notes-and-witnesses.md.
 */
import { createHash, randomBytes } from "node:crypto";
import { promises as fs, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface StoredLogState {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The last cosigned checkpoint: its text, the log's verified signatures and this witness's cosignature. */
  note: string;
}

export class WitnessBusyError extends Error {
  readonly code = "witness_busy" as const;
}

export class WitnessStateError extends Error {
  readonly code = "witness_state" as const;
}

function fileStem(origin: string): string {
  return `log-${createHash("sha256").update(origin, "utf8").digest("hex").slice(0, 32)}`;
}

export function stateFile(stateDir: string, origin: string): string {
  return path.join(stateDir, `${fileStem(origin)}.json`);
}

export async function readLogState(stateDir: string, origin: string): Promise<StoredLogState | null> {
  let text: string;
  try {
    text = await fs.readFile(stateFile(stateDir, origin), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  let value: { version?: unknown; origin?: unknown; size?: unknown; rootHash?: unknown; note?: unknown };
  try {
    value = JSON.parse(text);
  } catch {
    throw new WitnessStateError(`the state file of ${origin} is not JSON; refusing to guess`);
  }
  if (
    value.version !== 1 ||
    value.origin !== origin ||
    !Number.isSafeInteger(value.size) ||
    typeof value.rootHash !== "string" ||
    typeof value.note !== "string"
  ) {
    throw new WitnessStateError(`the state file of ${origin} is not a version 1 witness state; refusing to guess`);
  }
  const rootHash = Buffer.from(value.rootHash, "base64");
  if (rootHash.length !== 32) throw new WitnessStateError(`the state file of ${origin} has a bad root hash`);
  return { origin, size: value.size as number, rootHash, note: value.note };
}

/** Writes the state so that a crash leaves either the old or the new file, never a mix. */
export async function writeLogState(stateDir: string, state: StoredLogState): Promise<void> {
  const target = stateFile(stateDir, state.origin);
  const temp = `${target}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  const text = `${JSON.stringify({
    version: 1,
    origin: state.origin,
    size: state.size,
    rootHash: state.rootHash.toString("base64"),
    note: state.note,
  })}\n`;
  const handle = await fs.open(temp, "wx", 0o644);
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, target);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
  const dir = await fs.open(stateDir, "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes temp files a crashed witness left mid-write (never a live process's). */
export function removeStaleTempFiles(stateDir: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(stateDir)) {
    const pid = /^log-[0-9a-f]{32}\.json\.tmp-([0-9]+)-[0-9a-f]+$/.exec(name)?.[1];
    if (pid !== undefined && !alive(Number(pid))) {
      rmSync(path.join(stateDir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` holding the log's lock file (created exclusively). A lock left by a dead process on this
 * host is removed; a live holder is waited for up to `timeoutMs`, then `WitnessBusyError`.
 */
export async function withLogLockFile<T>(
  stateDir: string,
  origin: string,
  timeoutMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = path.join(stateDir, `${fileStem(origin)}.lock`);
  const owner = `${process.pid} ${os.hostname()}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await fs.open(lock, "wx", 0o644);
      try {
        await handle.writeFile(owner, "utf8");
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await fs.readFile(lock, "utf8").catch(() => "");
    const [pid, host] = holder.trim().split(" ");
    if (host === os.hostname() && /^[0-9]+$/.test(pid) && !alive(Number(pid))) {
      await fs.rm(lock, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new WitnessBusyError(`the log ${origin} is locked by ${holder.trim() || "?"}`);
    await sleep(10);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { force: true });
  }
}

/** Most evidence files kept per log: only the log's own key can make them, but disks are finite. */
export const MAX_EVIDENCE_FILES = 1000;

export function evidenceDir(stateDir: string): string {
  return path.join(stateDir, "evidence");
}

/**
 * Keeps a refused request whose checkpoint the log did sign (a split view or an inconsistent tree):
 * with the checkpoint the witness cosigned before, it proves the log misbehaved. Returns the file, or
 * null when the cap is reached.
 */
export async function saveEvidence(stateDir: string, origin: string, body: string): Promise<string | null> {
  const dir = evidenceDir(stateDir);
  await fs.mkdir(dir, { recursive: true });
  const stem = fileStem(origin);
  const existing = (await fs.readdir(dir)).filter((f) => f.startsWith(`${stem}-`));
  if (existing.length >= MAX_EVIDENCE_FILES) return null;
  const file = path.join(dir, `${stem}-${Date.now()}-${randomBytes(4).toString("hex")}.txt`);
  const handle = await fs.open(file, "wx", 0o644);
  try {
    await handle.writeFile(body, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  return file;
}
