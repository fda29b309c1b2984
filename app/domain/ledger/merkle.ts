/**
 * RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, over leaf hashes:
 * leaf = SHA-256(0x00 ‖ leaf bytes), node = SHA-256(0x01 ‖ left ‖ right), the empty tree = SHA-256("").
 * A range [start, end) splits at the largest power of two smaller than its size.
 *
 * To stay O(log n) on a ledger of any size, everything is computed from the hashes of COMPLETE
 * subtrees — node (level ℓ, index k) covers leaves [k·2^ℓ, (k+1)·2^ℓ) — which the server stores as
 * leaves arrive. `plan*` functions list the nodes a computation needs (one database query), and the
 * same functions then compute with a lookup of those nodes.
 */
import { createHash } from "node:crypto";

export type Hash = Buffer;
export interface NodeId {
  level: number;
  index: number;
}
export type NodeLookup = (level: number, index: number) => Hash;

export function hashLeaf(data: Uint8Array | string): Hash {
  return createHash("sha256")
    .update(Buffer.from([0]))
    .update(data)
    .digest();
}

export function hashChildren(left: Hash, right: Hash): Hash {
  return createHash("sha256")
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

export const EMPTY_ROOT: Hash = createHash("sha256").digest();

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isCompleteSubtree(start: number, end: number): NodeId | null {
  const size = end - start;
  if (size <= 0 || (size & (size - 1)) !== 0 || start % size !== 0) return null;
  return { level: Math.log2(size), index: start / size };
}

/** MTH of leaves [start, end), from complete-subtree nodes (recording which ones when `need` is given). */
function rangeHash(start: number, end: number, lookup: NodeLookup | null, need?: NodeId[]): Hash {
  const node = isCompleteSubtree(start, end);
  if (node) {
    need?.push(node);
    return lookup ? lookup(node.level, node.index) : EMPTY_ROOT;
  }
  const k = largestPowerOfTwoBelow(end - start);
  const left = rangeHash(start, start + k, lookup, need);
  const right = rangeHash(start + k, end, lookup, need);
  return lookup ? hashChildren(left, right) : EMPTY_ROOT;
}

export function rootFromNodes(size: number, lookup: NodeLookup): Hash {
  return size === 0 ? EMPTY_ROOT : rangeHash(0, size, lookup);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[start:end]). */
function path(m: number, start: number, end: number, lookup: NodeLookup | null, need?: NodeId[]): Hash[] {
  const n = end - start;
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...path(m, start, start + k, lookup, need), rangeHash(start + k, end, lookup, need)];
  return [...path(m - k, start + k, end, lookup, need), rangeHash(start, start + k, lookup, need)];
}

export function inclusionProofFromNodes(index: number, size: number, lookup: NodeLookup): Hash[] {
  return path(index, 0, size, lookup);
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:end], b). */
function subproof(
  m: number,
  start: number,
  end: number,
  complete: boolean,
  lookup: NodeLookup | null,
  need?: NodeId[],
): Hash[] {
  const n = end - start;
  if (m === n) return complete ? [] : [rangeHash(start, end, lookup, need)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k)
    return [...subproof(m, start, start + k, complete, lookup, need), rangeHash(start + k, end, lookup, need)];
  return [...subproof(m - k, start + k, end, false, lookup, need), rangeHash(start, start + k, lookup, need)];
}

export function consistencyProofFromNodes(oldSize: number, newSize: number, lookup: NodeLookup): Hash[] {
  if (oldSize === 0 || oldSize === newSize) return [];
  return subproof(oldSize, 0, newSize, true, lookup);
}

/** The complete-subtree nodes needed for the root, an inclusion proof and a consistency proof. */
export function planRoot(size: number): NodeId[] {
  const need: NodeId[] = [];
  if (size > 0) rangeHash(0, size, null, need);
  return need;
}
export function planInclusion(index: number, size: number): NodeId[] {
  const need: NodeId[] = [];
  path(index, 0, size, null, need);
  return need;
}
export function planConsistency(oldSize: number, newSize: number): NodeId[] {
  const need: NodeId[] = [];
  if (oldSize > 0 && oldSize < newSize) subproof(oldSize, 0, newSize, true, null, need);
  return need;
}

/**
 * The nodes that appending leaf `index` completes: the leaf itself (level 0), then every parent whose
 * right child it closes. `lookup` gives the existing left siblings.
 */
export function nodesCompletedByAppend(index: number, leafHash: Hash, lookup: NodeLookup): (NodeId & { hash: Hash })[] {
  const out: (NodeId & { hash: Hash })[] = [{ level: 0, index, hash: leafHash }];
  let level = 0;
  let at = index;
  let hash = leafHash;
  while (at % 2 === 1) {
    hash = hashChildren(lookup(level, at - 1), hash);
    level++;
    at = (at - 1) / 2;
    out.push({ level, index: at, hash });
  }
  return out;
}

/** Left siblings `nodesCompletedByAppend` will read. */
export function planAppend(index: number): NodeId[] {
  const need: NodeId[] = [];
  let level = 0;
  let at = index;
  while (at % 2 === 1) {
    need.push({ level, index: at - 1 });
    level++;
    at = (at - 1) / 2;
  }
  return need;
}

/** RFC 9162 §2.1.3.2: verify an inclusion proof against a root. */
export function verifyInclusion(
  leafHash: Hash,
  index: number,
  size: number,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = hashChildren(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else r = hashChildren(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: verify that the tree of `oldSize` leaves is a prefix of the tree of `newSize`. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  oldRoot: Hash,
  newRoot: Hash,
  proof: readonly Hash[],
): boolean {
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0;
  let path = [...proof];
  if ((oldSize & (oldSize - 1)) === 0) path = [oldRoot, ...path];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else sr = hashChildren(sr, c);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
