import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  EMPTY_ROOT,
  type Hash,
  consistencyProofFromNodes,
  hashChildren,
  hashLeaf,
  inclusionProofFromNodes,
  nodesCompletedByAppend,
  planAppend,
  planConsistency,
  planInclusion,
  planRoot,
  rootFromNodes,
  verifyConsistency,
  verifyInclusion,
} from "../../app/domain/ledger/merkle";

/** The reference: RFC 9162 MTH straight from its definition, over all leaf hashes. */
function mth(leaves: Hash[]): Hash {
  if (leaves.length === 0) return createHash("sha256").digest();
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return hashChildren(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** Builds the complete-subtree node store by appending leaves one by one, as the server does. */
function store(leaves: Hash[]) {
  const nodes = new Map<string, Hash>();
  const lookup = (level: number, index: number) => {
    const h = nodes.get(`${level}/${index}`);
    if (!h) throw new Error(`node ${level}/${index} not stored`);
    return h;
  };
  leaves.forEach((leaf, i) => {
    for (const n of nodesCompletedByAppend(i, leaf, lookup)) nodes.set(`${n.level}/${n.index}`, n.hash);
    for (const need of planAppend(i + 1)) expect(nodes.has(`${need.level}/${need.index}`)).toBe(true);
  });
  return lookup;
}

const leafHashes = (n: number) => Array.from({ length: n }, (_, i) => hashLeaf(`leaf ${i}`));

describe("RFC 9162 Merkle tree", () => {
  it("matches the Certificate Transparency test vector (8 leaves)", () => {
    const data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
    const leaves = data.map((hex) => hashLeaf(Buffer.from(hex, "hex")));
    expect(mth(leaves).toString("hex")).toBe("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
    expect(rootFromNodes(8, store(leaves)).toString("hex")).toBe(
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    );
    expect(rootFromNodes(0, store([])).equals(EMPTY_ROOT)).toBe(true);
  });

  it("computes roots, inclusion and consistency proofs from stored complete subtrees, for every size up to 40", () => {
    const all = leafHashes(40);
    const lookup = store(all);
    for (let n = 1; n <= 40; n++) {
      const leaves = all.slice(0, n);
      const root = rootFromNodes(n, lookup);
      expect(root.equals(mth(leaves)), `root ${n}`).toBe(true);
      expect(planRoot(n).length).toBeLessThanOrEqual(Math.ceil(Math.log2(n)) + 1);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProofFromNodes(i, n, lookup);
        expect(verifyInclusion(leaves[i], i, n, proof, root), `inclusion ${i}/${n}`).toBe(true);
        expect(verifyInclusion(hashLeaf("forged"), i, n, proof, root)).toBe(false);
        expect(planInclusion(i, n).length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(n)) + 1);
      }
      for (let m = 1; m <= n; m++) {
        const proof = consistencyProofFromNodes(m, n, lookup);
        const oldRoot = rootFromNodes(m, lookup);
        expect(verifyConsistency(m, n, oldRoot, root, proof), `consistency ${m}→${n}`).toBe(true);
        if (m < n) {
          expect(verifyConsistency(m, n, hashLeaf("other"), root, proof)).toBe(false);
          expect(planConsistency(m, n).length).toBeGreaterThan(0);
        }
      }
    }
  });

  it("rejects a proof for the wrong index or root, or an index beyond the tree", () => {
    const leaves = leafHashes(13);
    const lookup = store(leaves);
    const root = rootFromNodes(13, lookup);
    const proof = inclusionProofFromNodes(5, 13, lookup);
    expect(verifyInclusion(leaves[5], 6, 13, proof, root)).toBe(false);
    expect(verifyInclusion(leaves[5], 5, 13, proof, hashLeaf("x"))).toBe(false);
    expect(verifyInclusion(leaves[5], 13, 13, proof, root)).toBe(false);
  });
});
