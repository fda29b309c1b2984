import { createHash } from "node:crypto";
import { canonicalJson } from "../canonical";

/** One staff action, as it is hashed and published (no resident names or IDs). */
export interface ActionEntry {
  municipality: string;
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  summary: { before?: unknown; after?: unknown };
}

export const GENESIS_HASH = "0".repeat(64);

/** hash = SHA-256(previous hash ‖ canonical entry), hex. */
export function chainHash(previousHash: string, entry: ActionEntry): string {
  return createHash("sha256").update(previousHash).update(canonicalJson(entry)).digest("hex");
}
