/**
 * The key store: secrets that must never be written to the database (its table files, WAL, backups
 * and replicas keep every byte ever written). A directory, shared by every app host of one
 * installation: files are created once and atomically (a temporary file linked to its final name,
 * which fails if the name exists, so two hosts creating the same secret at once agree on one), mode
 * 0600 in a 0700 directory. See ADR 0016.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { config } from "../app/config.server";

/** SHORA_KEY_DIR, else a folder beside the embedded database's: `<data folder>-keys` (./data-keys). */
export function keyStoreDir(): string {
  const { keyDir, dataDir } = config();
  return keyDir ? path.resolve(keyDir) : `${path.resolve(dataDir)}-keys`;
}

function fileOf(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`bad key store name: ${name}`);
  return path.join(keyStoreDir(), name);
}

function ensureDir(): string {
  const dir = keyStoreDir();
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
  return dir;
}

function fsyncDir(dir: string) {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some file systems cannot fsync a directory */
  }
}

/** The stored text, or null when there is none. */
export function readKey(name: string): string | null {
  try {
    return fs.readFileSync(fileOf(name), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/**
 * Stores `contents` under `name` unless something is stored there already, and returns what is
 * stored: the first writer wins, on this host or another one sharing the directory.
 */
export function createKeyOnce(name: string, contents: string): string {
  const existing = readKey(name);
  if (existing !== null) return existing;
  const dir = ensureDir();
  const final = fileOf(name);
  const temp = path.join(dir, `.${name}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  const fd = fs.openSync(temp, "wx", 0o600);
  try {
    fs.writeSync(fd, contents);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, final);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  fsyncDir(dir);
  return fs.readFileSync(final, "utf8");
}

/**
 * Destroys a stored secret: its bytes are overwritten with random bytes and synced, then the file is
 * removed. On journaling or copy-on-write file systems, snapshots and backups, overwriting is best
 * effort (ADR 0016). Returns whether there was something to destroy.
 */
export function destroyKey(name: string): boolean {
  const file = fileOf(name);
  let fd: number;
  try {
    fd = fs.openSync(file, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, randomBytes(Math.max(size, 1)), 0, Math.max(size, 1), 0);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(file, { force: true });
  fsyncDir(path.dirname(file));
  return true;
}

/** The key store name of a round's voter-key secret. */
export const roundSecretName = (roundId: string) => `round-${roundId}.voter-key-secret`;
/** The key store name of a municipality's checkpoint signing key. */
export const signingKeyName = (municipalityId: string) => `municipality-${municipalityId}.signing-key`;

/** A stored signing key: the public key (also in the database) and the encrypted private key. */
export interface StoredSigningKey {
  publicKey: string;
  encryptedPrivateKey: string;
}

export function storeSigningKeyOnce(municipalityId: string, key: StoredSigningKey): StoredSigningKey {
  return JSON.parse(createKeyOnce(signingKeyName(municipalityId), JSON.stringify(key)));
}

export function readSigningKey(municipalityId: string): StoredSigningKey | null {
  const text = readKey(signingKeyName(municipalityId));
  return text === null ? null : JSON.parse(text);
}
