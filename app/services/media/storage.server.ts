/**
 * Where the bytes of media files live (ADR 0034): in the database (the default, so `npm start` needs
 * nothing), in a folder (`SHORA_MEDIA_DIR`), or in an S3-compatible bucket (`SHORA_MEDIA_S3_*`,
 * signed with SigV4). A file written to a folder or a bucket before its transaction commits stays
 * there if the transaction fails: its key is random and no row names it, so nothing serves it.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { type Config, config } from "../../config.server";
import { sha256Hex, signV4 } from "../../domain/media/sigv4";

export type MediaStorageConfig = Config["media"];

export interface ExternalStore {
  kind: "dir" | "s3";
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  remove(key: string): Promise<void>;
}

/** Keys are `<media id>/<file name>`: letters, digits, dots, dashes and one slash. */
function checkKey(key: string): string {
  if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9.-]+$/.test(key)) throw new Error(`bad media key ${key}`);
  return key;
}

function dirStore(dir: string): ExternalStore {
  const file = (key: string) => path.join(path.resolve(dir), checkKey(key));
  return {
    kind: "dir",
    async put(key, bytes) {
      const target = file(key);
      await fs.mkdir(path.dirname(target), { recursive: true });
      const temp = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temp, bytes);
      await fs.rename(temp, target);
    },
    async get(key) {
      try {
        return new Uint8Array(await fs.readFile(file(key)));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async remove(key) {
      await fs.rm(file(key), { force: true });
    },
  };
}

function s3Store(s3: Extract<MediaStorageConfig, { storage: "s3" }>): ExternalStore {
  async function send(method: string, key: string, body?: Uint8Array, contentType?: string) {
    const url = new URL(`${s3.endpoint}/${s3.bucket}/${checkKey(key)}`);
    const headers = signV4({
      method,
      url,
      headers: contentType ? { "content-type": contentType } : {},
      payloadHash: sha256Hex(body ?? ""),
      region: s3.region,
      service: "s3",
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      date: new Date(),
    });
    const { host: _host, ...sent } = headers;
    return fetch(url, { method, headers: sent, body: body ? Buffer.from(body) : undefined });
  }
  return {
    kind: "s3",
    async put(key, bytes, contentType) {
      const response = await send("PUT", key, bytes, contentType);
      if (!response.ok) throw new Error(`S3 PUT ${key}: ${response.status}`);
    },
    async get(key) {
      const response = await send("GET", key);
      if (response.status === 404) return null;
      if (!response.ok) throw new Error(`S3 GET ${key}: ${response.status}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    async remove(key) {
      const response = await send("DELETE", key);
      if (!response.ok && response.status !== 404) throw new Error(`S3 DELETE ${key}: ${response.status}`);
    },
  };
}

/** The configured store for new files, or null: in the database. */
export function externalStore(media: MediaStorageConfig = config().media): ExternalStore | null {
  if (media.storage === "dir") return dirStore(media.dir);
  if (media.storage === "s3") return s3Store(media);
  return null;
}

/** The store a file row names (a file keeps the store it was written to, whatever the configuration now). */
export function storeFor(kind: "dir" | "s3", media: MediaStorageConfig = config().media): ExternalStore {
  const store = externalStore(media);
  if (!store || store.kind !== kind) throw new Error(`media file stored in ${kind}, which is not configured`);
  return store;
}
