import { type Checkpoint, verifyCheckpoint } from "./checkpoint";
import { verifyInclusion } from "./merkle";

/** What a voter downloads after casting (see app/services/checkpoints.server.ts). */
export interface VoterReceipt {
  version: 1;
  roundFingerprint: string;
  ballotId: string;
  leafIndex: number;
  leafHash: string;
  checkpoint: (Checkpoint & { signature: string }) | null;
  inclusionProof: string[] | null;
}

export interface PublishedCheckpoints {
  publicKey: string;
  checkpoints: (Checkpoint & { signature: string })[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a receipt offline against the round's published checkpoints: the receipt's checkpoint is
 * signed by the municipality and is one of the published ones, and the inclusion proof leads from
 * the ballot's leaf to that checkpoint's root.
 */
export function verifyReceipt(receipt: VoterReceipt, published: PublishedCheckpoints): Check[] {
  const checks: Check[] = [];
  const wellFormed = HEX64.test(receipt.leafHash) && Number.isInteger(receipt.leafIndex) && receipt.leafIndex >= 0;
  checks.push({
    name: "receipt is well formed",
    ok: wellFormed,
    detail: wellFormed ? `ballot ${receipt.ballotId}, leaf ${receipt.leafIndex}` : "leaf hash or index is malformed",
  });
  const cp = receipt.checkpoint;
  if (!cp || !receipt.inclusionProof) {
    checks.push({
      name: "receipt carries a checkpoint",
      ok: false,
      detail: "no checkpoint yet: download the receipt again after the next checkpoint",
    });
    return checks;
  }
  const { signature, ...body } = cp;
  const signed = verifyCheckpoint(body, signature, published.publicKey);
  checks.push({
    name: "checkpoint signature",
    ok: signed,
    detail: signed
      ? `tree of ${cp.treeSize} ballots signed ${cp.signedAt}`
      : "the signature does not verify with the municipality's public key",
  });
  const listed = published.checkpoints.some(
    (c) => c.treeSize === cp.treeSize && c.rootHash === cp.rootHash && c.signature === cp.signature,
  );
  checks.push({
    name: "checkpoint is published",
    ok: listed,
    detail: listed ? "found in the round's checkpoints" : "not among the round's published checkpoints",
  });
  const sameRound = cp.roundFingerprint === receipt.roundFingerprint;
  checks.push({
    name: "same round",
    ok: sameRound,
    detail: sameRound ? receipt.roundFingerprint : "the checkpoint belongs to another round",
  });
  const included =
    wellFormed &&
    receipt.inclusionProof.every((h) => HEX64.test(h)) &&
    verifyInclusion(
      Buffer.from(receipt.leafHash, "hex"),
      receipt.leafIndex,
      cp.treeSize,
      receipt.inclusionProof.map((h) => Buffer.from(h, "hex")),
      Buffer.from(cp.rootHash, "hex"),
    );
  checks.push({
    name: "ballot is in the ledger",
    ok: included,
    detail: included
      ? `leaf ${receipt.leafIndex} leads to root ${cp.rootHash.slice(0, 16)}…`
      : "the inclusion proof does not lead to the checkpoint's root",
  });
  return checks;
}
