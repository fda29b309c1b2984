/**
 * The witness decision of c2sp.org/tlog-witness add-checkpoint, as a pure function of the state the
 * witness holds for one log (the last cosigned size and root) and the request. The caller holds the
 * log's lock, persists `newState` and cosigns only on `kind: "cosign"`.
 * See docs/decisions/0021-signed-notes-and-witnesses.md.
 */
import { EMPTY_ROOT, verifyConsistency } from "./merkle";
import { NoteError, type NoteSignature, type NoteVerifier, decodeCanonicalBase64, openNote, parseNote } from "./note";
import { type TlogCheckpoint, parseCheckpoint, parseTreeSize } from "./tlog-checkpoint";

export interface WitnessState {
  size: number;
  rootHash: Buffer;
}

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  note: string;
}

export type AddCheckpointOutcome =
  | { kind: "cosign"; newState: WitnessState; checkpoint: TlogCheckpoint; text: string }
  /** `different_root`: the log signed another tree of the size the witness holds (a split view). */
  | { kind: "conflict"; size: number; reason: "old_size" | "different_root" }
  | { kind: "error"; status: 400 | 403 | 404 | 422; message: string };

/** The specification's limit on consistency proof lines. */
export const MAX_PROOF_LINES = 63;

/** `old N\n`, up to 63 base64 hash lines, an empty line, then the checkpoint note. */
export function parseAddCheckpointBody(text: string): AddCheckpointRequest {
  const first = text.indexOf("\n");
  if (first < 0) throw new NoteError("malformed", "the body must start with an old size line");
  const oldLine = text.slice(0, first);
  if (!oldLine.startsWith("old ")) throw new NoteError("malformed", 'the first line must be "old <size>"');
  const oldSize = parseTreeSize(oldLine.slice(4), "the old size");
  const proof: Buffer[] = [];
  let at = first + 1;
  for (;;) {
    const end = text.indexOf("\n", at);
    if (end < 0) throw new NoteError("malformed", "the proof must end with an empty line before the checkpoint");
    const line = text.slice(at, end);
    at = end + 1;
    if (line === "") break;
    if (proof.length === MAX_PROOF_LINES) {
      throw new NoteError("malformed", `more than ${MAX_PROOF_LINES} consistency proof lines`);
    }
    const hash = decodeCanonicalBase64(line, `proof line ${proof.length + 1}`);
    if (hash.length !== 32) throw new NoteError("malformed", `proof line ${proof.length + 1} is not a 32-byte hash`);
    proof.push(hash);
  }
  return { oldSize, proof, note: text.slice(at) };
}

/** The request body a log sends to a witness (the inverse of `parseAddCheckpointBody`). */
export function formatAddCheckpointBody(request: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(request.oldSize) || request.oldSize < 0) throw new NoteError("malformed", "bad old size");
  if (request.proof.length > MAX_PROOF_LINES) {
    throw new NoteError("malformed", `more than ${MAX_PROOF_LINES} consistency proof lines`);
  }
  parseNote(request.note);
  return `old ${request.oldSize}\n${request.proof.map((h) => `${h.toString("base64")}\n`).join("")}\n${request.note}`;
}

/**
 * The signature lines of a witness's 200 answer, parsed. To keep only the cosignatures of trusted
 * witnesses, add them to the note and open it with the witnesses' verifiers (tlog-witness says the
 * same); this only checks the lines' shape.
 */
export function parseCosignatureResponse(body: string): NoteSignature[] {
  if (body === "" || body.startsWith("\n")) throw new NoteError("malformed", "the answer has no signature lines");
  // Reuse the note parser on a placeholder text: same line rules, same limits.
  return parseNote(`x\n\n${body}`).signatures;
}

function errorOf(error: unknown, status: 400 | 403): AddCheckpointOutcome {
  if (error instanceof NoteError) return { kind: "error", status, message: error.message };
  throw error;
}

export function addCheckpoint(
  state: WitnessState | null,
  request: AddCheckpointRequest,
  log: { origin: string; verifiers: NoteVerifier[] },
): AddCheckpointOutcome {
  let text: string;
  let checkpoint: TlogCheckpoint;
  try {
    text = parseNote(request.note).text;
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    return errorOf(error, 400);
  }
  if (checkpoint.origin !== log.origin) return { kind: "error", status: 404, message: "unknown log origin" };
  try {
    openNote(request.note, log.verifiers);
  } catch (error) {
    // No trusted signature, or a trusted key's signature that does not verify.
    if (error instanceof NoteError && (error.code === "no_verified_signature" || error.code === "bad_signature")) {
      return { kind: "error", status: 403, message: "the checkpoint is not signed by a key trusted for this log" };
    }
    return errorOf(error, 400);
  }
  if (request.oldSize > checkpoint.treeSize) {
    return { kind: "error", status: 400, message: "the old size is larger than the checkpoint's size" };
  }
  const held = state ?? { size: 0, rootHash: EMPTY_ROOT };
  if (request.oldSize !== held.size) return { kind: "conflict", size: held.size, reason: "old_size" };
  if (request.oldSize === 0 && request.proof.length > 0) {
    return { kind: "error", status: 400, message: "the consistency proof must be empty when the old size is 0" };
  }
  if (checkpoint.treeSize === held.size && !checkpoint.rootHash.equals(held.rootHash)) {
    // Same size, different root: a split view (or a fork) of the log.
    return { kind: "conflict", size: held.size, reason: "different_root" };
  }
  if (!verifyConsistency(held.size, checkpoint.treeSize, held.rootHash, checkpoint.rootHash, request.proof)) {
    return { kind: "error", status: 422, message: "the consistency proof does not verify" };
  }
  return { kind: "cosign", newState: { size: checkpoint.treeSize, rootHash: checkpoint.rootHash }, checkpoint, text };
}
