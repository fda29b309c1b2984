/**
 * c2sp.org/tlog-checkpoint note text: origin, tree size, base64 root hash, then optional extension
 * lines. Parsing is strict so that one checkpoint has exactly one text (see
 * docs/decisions/0021-signed-notes-and-witnesses.md).
 */
import { NoteError, decodeCanonicalBase64, hasControlCharacter } from "./note";

export interface TlogCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  extensions: string[];
}

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** Parses an ASCII decimal without leading zeros, up to 2^53 - 1. */
export function parseTreeSize(text: string, what = "tree size"): number {
  if (!DECIMAL.test(text)) throw new NoteError("malformed", `${what} must be a decimal number without leading zeros`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new NoteError("malformed", `${what} is too large`);
  return n;
}

function checkLine(line: string, what: string): void {
  if (line === "") throw new NoteError("malformed", `the checkpoint's ${what} is empty`);
  if (hasControlCharacter(line, false))
    throw new NoteError("malformed", `the checkpoint's ${what} contains a control character`);
}

export function formatCheckpoint(c: {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  extensions?: string[];
}): string {
  checkLine(c.origin, "origin");
  if (!Number.isSafeInteger(c.treeSize) || c.treeSize < 0) throw new NoteError("malformed", "bad tree size");
  if (c.rootHash.length !== 32) throw new NoteError("malformed", "the root hash has 32 bytes");
  const extensions = c.extensions ?? [];
  for (const e of extensions) checkLine(e, "extension line");
  return [c.origin, String(c.treeSize), c.rootHash.toString("base64"), ...extensions].map((l) => `${l}\n`).join("");
}

/** Parses a checkpoint note text (the note's text, not the signatures). */
export function parseCheckpoint(text: string): TlogCheckpoint {
  if (!text.endsWith("\n")) throw new NoteError("malformed", "the checkpoint must end in a newline");
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3) throw new NoteError("malformed", "a checkpoint has at least three lines");
  const [origin, size, root, ...extensions] = lines;
  checkLine(origin, "origin");
  checkLine(size, "tree size");
  checkLine(root, "root hash");
  for (const [i, e] of extensions.entries()) checkLine(e, `extension line ${i + 1}`);
  const treeSize = parseTreeSize(size);
  const rootHash = decodeCanonicalBase64(root, "the root hash");
  if (rootHash.length !== 32) throw new NoteError("malformed", "the root hash must be 32 bytes");
  return { origin, treeSize, rootHash, extensions };
}
