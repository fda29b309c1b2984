import { type ActionEntry, GENESIS_HASH, chainHash } from "./chain";

export type ActionLogCheck =
  | { ok: true; entries: number; head: string }
  | { ok: false; line: number; seq: number | null; reason: string };

/**
 * Re-checks an exported action log (JSON lines, oldest first): every line parses, sequence numbers
 * run 1, 2, 3… and each hash is SHA-256(previous hash ‖ canonical entry). Names the first bad line.
 */
export function verifyActionLog(jsonl: string): ActionLogCheck {
  let previous = GENESIS_HASH;
  let expected = 1;
  const lines = jsonl.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i].trim();
    if (!text) continue;
    const line = i + 1;
    let parsed: ActionEntry & { hash?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, line, seq: null, reason: "not valid JSON" };
    }
    const { hash, ...entry } = parsed;
    if (typeof hash !== "string") return { ok: false, line, seq: entry.seq ?? null, reason: "no hash" };
    if (entry.seq !== expected) {
      return {
        ok: false,
        line,
        seq: entry.seq ?? null,
        reason: `sequence number ${entry.seq} where ${expected} was expected`,
      };
    }
    if (chainHash(previous, entry) !== hash) {
      return {
        ok: false,
        line,
        seq: entry.seq,
        reason: "hash does not match the entry and the previous hash (entry altered)",
      };
    }
    previous = hash;
    expected++;
  }
  return { ok: true, entries: expected - 1, head: previous };
}
