/**
 * The monitor's comparison (ADR 0022): the checkpoint a voter holds against the checkpoint a witness
 * last cosigned. Both must be signed by the municipality under the round's origin; the smaller tree
 * must be a prefix of the larger one (RFC 9162 consistency proof), or, at equal sizes, the same root.
 * Anything else is a split view: the municipality showed the voter and the witness different ledgers.
 */
import { readCheckpointNoteBody } from "../ledger/checkpoint";
import { verifyConsistency } from "../ledger/merkle";
import { type NoteVerifier, openNote } from "../ledger/note";

export interface HeldCheckpoint {
  treeSize: number;
  rootHash: string;
}

export type Comparison =
  | { kind: "same"; size: number }
  | { kind: "consistent"; from: number; to: number }
  | { kind: "split"; reason: string }
  | { kind: "unchecked"; reason: string };

/** Reads a witness's answer to GET /checkpoint/<origin>: the log's signature and the witness's cosignature must verify. */
export function readWitnessCheckpoint(
  note: string,
  log: NoteVerifier,
  witness: NoteVerifier,
): { checkpoint: HeldCheckpoint; error?: undefined } | { error: string } {
  let opened: ReturnType<typeof openNote>;
  try {
    opened = openNote(note, [log, witness]);
  } catch (error) {
    return { error: `the witness's checkpoint does not verify (${(error as Error).message})` };
  }
  const signedBy = (v: NoteVerifier) => opened.verified.some((s) => s.name === v.name && s.keyHash === v.keyHash);
  if (!signedBy(log)) return { error: "the witness's checkpoint is not signed by the municipality" };
  if (!signedBy(witness)) return { error: "the witness's checkpoint carries no cosignature of the witness" };
  try {
    const body = readCheckpointNoteBody(opened.text);
    if (body.origin !== log.name) return { error: `the witness's checkpoint is for another log (${body.origin})` };
    return { checkpoint: { treeSize: body.treeSize, rootHash: body.rootHash } };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The sizes whose consistency proof the comparison needs (null: none needed). */
export function proofNeeded(held: HeldCheckpoint, seen: HeldCheckpoint): { from: number; to: number } | null {
  if (held.treeSize === seen.treeSize) return null;
  return held.treeSize < seen.treeSize
    ? { from: held.treeSize, to: seen.treeSize }
    : { from: seen.treeSize, to: held.treeSize };
}

export function compareCheckpoints(
  held: HeldCheckpoint,
  seen: HeldCheckpoint,
  proof: readonly string[] | null,
): Comparison {
  if (held.treeSize === seen.treeSize)
    return held.rootHash === seen.rootHash
      ? { kind: "same", size: held.treeSize }
      : { kind: "split", reason: `two different trees of size ${held.treeSize}` };
  const [small, large] = held.treeSize < seen.treeSize ? [held, seen] : [seen, held];
  if (!proof) return { kind: "unchecked", reason: "no consistency proof was given" };
  if (!proof.every((h) => /^[0-9a-f]{64}$/.test(h)))
    return { kind: "unchecked", reason: "the consistency proof is malformed" };
  const ok = verifyConsistency(
    small.treeSize,
    large.treeSize,
    Buffer.from(small.rootHash, "hex"),
    Buffer.from(large.rootHash, "hex"),
    proof.map((h) => Buffer.from(h, "hex")),
  );
  return ok
    ? { kind: "consistent", from: small.treeSize, to: large.treeSize }
    : {
        kind: "split",
        reason: `the tree of ${small.treeSize} leaves is not a prefix of the tree of ${large.treeSize} (the consistency proof fails)`,
      };
}
