/**
 * A c2sp.org/tlog-witness witness over node:http (no Remix, no database): `POST /add-checkpoint`
 * cosigns a checkpoint consistent with the last one it cosigned for that log; `GET /checkpoint/<origin>`
 * (Shora's addition, for monitors) returns that last cosigned checkpoint. The check and the state
 * update run under an in-process lock and a lock file per log; signed but inconsistent checkpoints
 * are kept in `<stateDir>/evidence/`. See
 * docs/decisions/0021-signed-notes-and-witnesses.md.
 */
import http from "node:http";
import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { cosignerSigner, cosignerVerifierKey } from "../domain/ledger/cosignature";
import {
  MAX_NOTE_BYTES,
  NoteError,
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  decodeSignerKey,
  ed25519PrivateKeyFromSeed,
  formatNote,
  formatSignatureLine,
  noteVerifier,
  openNote,
  parseNote,
  rawPublicKey,
} from "../domain/ledger/note";
import { parseCheckpoint } from "../domain/ledger/tlog-checkpoint";
import { MAX_PROOF_LINES, addCheckpoint as decide, parseAddCheckpointBody } from "../domain/ledger/witness";
import {
  WitnessBusyError,
  readLogState,
  removeStaleTempFiles,
  saveEvidence,
  withLogLockFile,
  writeLogState,
} from "./state";

export interface WitnessLogConfig {
  origin: string;
  /** The log's note verifier keys (several during a key rotation). */
  vkeys: string[];
}

export interface WitnessOptions {
  /** The witness's name: the key name of its cosigner key. */
  name: string;
  /** `PRIVATE+KEY+<name>+<id>+…` with signature type 0x04 (see `newCosignerKey`). */
  signerKey: string;
  stateDir: string;
  logs: WitnessLogConfig[];
  /**
   * The verifier keys of a log not in `logs`, or null when it is unknown: for a witness that follows
   * every log of one operator (the demo's witnesses follow every round of the demo municipality,
   * including the rounds created after they started).
   */
  logKeys?: (origin: string) => string[] | null;
  /** POSIX seconds for the cosignature timestamps. */
  clock?: () => number;
  /** How long to wait for another process holding a log's lock file (default 5 s). */
  lockTimeoutMs?: number;
}

export interface WitnessResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface Witness {
  name: string;
  /** The cosigner verifier key to give to the logs and verifiers that trust this witness. */
  verifierKey: string;
  addCheckpoint(bodyText: string): Promise<WitnessResponse>;
  /** The last cosigned checkpoint note of a log (with this witness's cosignature), or null. */
  latest(origin: string): Promise<string | null>;
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  listen(host: string, port: number): Promise<{ url: string; port: number; close(): Promise<void> }>;
}

/** Largest request body: a maximal note plus 63 proof lines and the old size line. */
export const MAX_ADD_CHECKPOINT_BYTES = MAX_NOTE_BYTES + MAX_PROOF_LINES * 45 + 32;

const TEXT = "text/plain; charset=utf-8";
const SIZE = "text/x.tlog.size";

const reply = (status: number, body: string, contentType = TEXT): WitnessResponse => ({
  status,
  contentType,
  body: body.endsWith("\n") ? body : `${body}\n`,
});

export function createWitness(options: WitnessOptions): Witness {
  const key = decodeSignerKey(options.signerKey, [SIGNATURE_TYPE_COSIGNATURE_V1]);
  if (key.name !== options.name) {
    throw new NoteError("bad_key", `the key file is for ${key.name}, not for ${options.name}`);
  }
  const verifierKey = cosignerVerifierKey(key.name, rawPublicKey(ed25519PrivateKeyFromSeed(key.material)));
  const clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  const signer = cosignerSigner(options.signerKey, clock);
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  const logs = new Map<string, NoteVerifier[]>();
  for (const log of options.logs) {
    if (log.vkeys.length === 0) throw new NoteError("bad_key", `the log ${log.origin} has no verifier key`);
    const verifiers = log.vkeys.map((v) => noteVerifier(v));
    logs.set(log.origin, [...(logs.get(log.origin) ?? []), ...verifiers]);
  }
  /** A log `logKeys` knows, remembered from then on. */
  function learnedLog(origin: string): NoteVerifier[] | null {
    const vkeys = options.logKeys?.(origin);
    if (!vkeys?.length) return null;
    const verifiers = vkeys.map((v) => noteVerifier(v));
    logs.set(origin, verifiers);
    return verifiers;
  }
  mkdirSync(options.stateDir, { recursive: true });
  removeStaleTempFiles(options.stateDir);

  // One queue per log: requests for a log run one after the other in this process.
  const queues = new Map<string, Promise<unknown>>();
  function serialised<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(origin) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    queues.set(origin, settled);
    void settled.then(() => {
      if (queues.get(origin) === settled) queues.delete(origin);
    });
    return run;
  }

  async function addCheckpoint(bodyText: string): Promise<WitnessResponse> {
    let request: ReturnType<typeof parseAddCheckpointBody>;
    let origin: string;
    try {
      request = parseAddCheckpointBody(bodyText);
      origin = parseCheckpoint(parseNote(request.note).text).origin;
    } catch (error) {
      if (error instanceof NoteError) return reply(400, error.message);
      throw error;
    }
    const verifiers = logs.get(origin) ?? learnedLog(origin);
    if (!verifiers) return reply(404, "unknown log origin");
    // Refuse unsigned junk before touching the lock file (the decision checks the signature again).
    try {
      openNote(request.note, verifiers);
    } catch (error) {
      if (!(error instanceof NoteError)) throw error;
      const forbidden = error.code === "no_verified_signature" || error.code === "bad_signature";
      return forbidden
        ? reply(403, "the checkpoint is not signed by a key trusted for this log")
        : reply(400, error.message);
    }
    try {
      return await serialised(origin, () =>
        withLogLockFile(options.stateDir, origin, lockTimeoutMs, async () => {
          const held = await readLogState(options.stateDir, origin);
          const outcome = decide(held, request, { origin, verifiers });
          // Both come after the log's signature verified: keep them as evidence (tlog-witness allows it).
          if (
            (outcome.kind === "conflict" && outcome.reason === "different_root") ||
            (outcome.kind === "error" && outcome.status === 422)
          ) {
            // The answer matters more than the evidence: a full disk must not turn a 409 into a 500.
            await saveEvidence(options.stateDir, origin, bodyText).catch(() => null);
          }
          if (outcome.kind === "conflict") return reply(409, String(outcome.size), SIZE);
          if (outcome.kind === "error") return reply(outcome.status, outcome.message);
          const { verified } = openNote(request.note, verifiers);
          const cosignature = {
            name: signer.name,
            keyHash: signer.keyHash,
            signature: signer.sign(Buffer.from(outcome.text, "utf8")),
          };
          await writeLogState(options.stateDir, {
            origin,
            size: outcome.newState.size,
            rootHash: outcome.newState.rootHash,
            note: formatNote(outcome.text, [...verified, cosignature]),
          });
          return reply(200, formatSignatureLine(cosignature));
        }),
      );
    } catch (error) {
      if (error instanceof WitnessBusyError) return reply(503, "the log is busy; retry");
      throw error;
    }
  }

  async function latest(origin: string): Promise<string | null> {
    if (!logs.has(origin) && !learnedLog(origin)) return null;
    return (await readLogState(options.stateDir, origin))?.note ?? null;
  }

  function send(res: http.ServerResponse, r: WitnessResponse, extra: Record<string, string> = {}) {
    res.writeHead(r.status, { "Content-Type": r.contentType, "Cache-Control": "no-store", ...extra });
    res.end(r.body);
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    void route(req, res).catch((error) => {
      if (!res.headersSent) send(res, reply(500, "internal error"));
      else res.destroy(error as Error);
    });
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://witness.invalid");
    if (url.pathname === "/add-checkpoint") {
      if (req.method !== "POST") return send(res, reply(405, "use POST"), { Allow: "POST" });
      const body = await readBody(req, MAX_ADD_CHECKPOINT_BYTES);
      if (body === "too_large") {
        return send(res, reply(413, `the body is larger than ${MAX_ADD_CHECKPOINT_BYTES} bytes`), {
          Connection: "close",
        });
      }
      if (body === "not_utf8") return send(res, reply(400, "the body is not valid UTF-8"));
      return send(res, await addCheckpoint(body));
    }
    if (url.pathname.startsWith("/checkpoint/")) {
      if (req.method !== "GET" && req.method !== "HEAD")
        return send(res, reply(405, "use GET"), { Allow: "GET, HEAD" });
      let origin: string;
      try {
        origin = decodeURIComponent(url.pathname.slice("/checkpoint/".length));
      } catch {
        return send(res, reply(400, "the origin is not percent-encoded UTF-8"));
      }
      const note = await latest(origin);
      if (note === null) return send(res, reply(404, "no cosigned checkpoint for this origin"));
      return send(res, { status: 200, contentType: TEXT, body: note });
    }
    return send(res, reply(404, "not found"));
  }

  function listen(host: string, port: number) {
    const server = http.createServer(handle);
    return new Promise<{ url: string; port: number; close(): Promise<void> }>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        const actual = (server.address() as AddressInfo).port;
        const shownHost = host.includes(":") ? `[${host}]` : host;
        resolve({
          url: `http://${shownHost}:${actual}`,
          port: actual,
          close: () =>
            new Promise<void>((done, fail) => {
              server.close((error) => (error ? fail(error) : done()));
              server.closeIdleConnections();
            }),
        });
      });
    });
  }

  return { name: key.name, verifierKey, addCheckpoint, latest, handle, listen };
}

/** The request body as UTF-8 text, or why it was refused; reads at most `limit` bytes into memory. */
async function readBody(req: http.IncomingMessage, limit: number): Promise<string | "too_large" | "not_utf8"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return "too_large";
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  if (tooLarge) return "too_large";
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
  } catch {
    return "not_utf8";
  }
}
