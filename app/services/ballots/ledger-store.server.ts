/**
 * The ballot ledger's storage: leaf hashes, the complete-subtree nodes each append closes, and the
 * root and proofs read from those nodes (RFC 9162; ADR 0017). Casting, checkpoints and receipts all
 * read the ledger through this module.
 */
import { createHash } from "node:crypto";
import { and, count, eq, or } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { ledgerLeaves, ledgerNodes } from "../../../db/schema";
import {
  type NodeId,
  type NodeLookup,
  consistencyProofFromNodes,
  inclusionProofFromNodes,
  nodesCompletedByAppend,
  planAppend,
  planConsistency,
  planInclusion,
  planRoot,
  rootFromNodes,
} from "../../domain/ledger/merkle";
import { RefusedError } from "../errors.server";

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ leaf bytes), hex. */
export function leafHashOf(leaf: string): string {
  return createHash("sha256")
    .update(Buffer.from([0]))
    .update(leaf, "utf8")
    .digest("hex");
}

/** Stores the complete subtrees that leaf `index` closes, so proofs never read all leaves. */
export async function storeCompletedNodes(tx: Tx, input: { roundId: string; index: number; leafHash: Buffer }) {
  const { roundId, index, leafHash } = input;
  const siblings = await loadNodes(tx, { roundId, needed: planAppend(index) });
  const nodes = nodesCompletedByAppend(index, leafHash, siblings);
  await tx
    .insert(ledgerNodes)
    .values(nodes.map((n) => ({ roundId, level: n.level, index: n.index, hash: n.hash.toString("hex") })));
}

/** Loads the given complete-subtree nodes of a round's ledger in one query and returns a lookup. */
export async function loadNodes(db: Db | Tx, input: { roundId: string; needed: NodeId[] }): Promise<NodeLookup> {
  const { roundId, needed } = input;
  const found = new Map<string, Buffer>();
  if (needed.length) {
    const rows = await db
      .select()
      .from(ledgerNodes)
      .where(
        and(
          eq(ledgerNodes.roundId, roundId),
          or(...needed.map((n) => and(eq(ledgerNodes.level, n.level), eq(ledgerNodes.index, n.index)))),
        ),
      );
    for (const r of rows) found.set(`${r.level}/${r.index}`, Buffer.from(r.hash, "hex"));
  }
  return (level, index) => {
    const hash = found.get(`${level}/${index}`);
    if (!hash) throw new Error(`ledger node ${level}/${index} of round ${roundId} is missing`);
    return hash;
  };
}

/** The root of the round's ledger at `size` leaves (default: now). */
export async function ledgerHead(db: Db, input: { roundId: string; size?: number }) {
  const { roundId, size } = input;
  const [{ n }] = await db.select({ n: count() }).from(ledgerLeaves).where(eq(ledgerLeaves.roundId, roundId));
  const treeSize = size ?? n;
  if (treeSize > n) throw new RefusedError("ledger_too_small", null, {}, 404);
  return {
    size: treeSize,
    root: rootFromNodes(treeSize, await loadNodes(db, { roundId, needed: planRoot(treeSize) })).toString("hex"),
  };
}

/** Proof that leaf `index` is in the ledger of `size` leaves. */
export async function inclusionProof(db: Db, input: { roundId: string; index: number; size: number }) {
  const { roundId, index, size } = input;
  const lookup = await loadNodes(db, { roundId, needed: planInclusion(index, size) });
  return inclusionProofFromNodes(index, size, lookup).map((h) => h.toString("hex"));
}

/** Proof that the ledger of `oldSize` leaves is a prefix of the ledger of `newSize` leaves. */
export async function consistencyProof(db: Db, input: { roundId: string; oldSize: number; newSize: number }) {
  const { roundId, oldSize, newSize } = input;
  const lookup = await loadNodes(db, { roundId, needed: planConsistency(oldSize, newSize) });
  return consistencyProofFromNodes(oldSize, newSize, lookup).map((h) => h.toString("hex"));
}
