/**
 * Voter receipts and their offline checks (ADR 0017). A receipt proves that the ledger signed by the
 * municipality holds the voter's ballot; with the published bundle, it shows which ballot of the
 * voter's chain (revotes, withdrawal) was counted and whether its published opening is the voter's.
 */
import { canonicalJson } from "../canonical";
import type { BallotBody } from "../ballots/rules";
import { type Leaf, commitmentHex, leafHashHex, leafText } from "../bundle/format";
import { type Checkpoint, verifyCheckpoint } from "./checkpoint";
import { verifyInclusion } from "./merkle";

/** Since ADR 0022 a checkpoint also carries its C2SP signed note, with the witnesses' cosignatures. */
type SignedCheckpoint = Checkpoint & { signature: string; note?: string };

/** Version 1 (before ADR 0017): the ballot's place in the ledger, without its choices. */
export interface VoterReceiptV1 {
  version: 1;
  roundFingerprint: string;
  ballotId: string;
  leafIndex: number;
  leafHash: string;
  checkpoint: SignedCheckpoint | null;
  inclusionProof: string[] | null;
  /** Written by version 1 servers; never trusted by the checks. */
  status?: string;
}

/**
 * Version 2: also the ledger leaf as published, and the opening — the voter's choices and the nonce,
 * so that SHA-256(canonical choices ‖ nonce) = commitment can be recomputed by anyone holding it.
 */
export interface VoterReceiptV2 {
  version: 2;
  roundFingerprint: string;
  ballotId: string;
  leafIndex: number;
  leafHash: string;
  leaf: Leaf;
  commitment: string;
  /** Null only when the server no longer gives them out (a withdrawn ballot of a published round). */
  choices: BallotBody | null;
  nonce: string | null;
  checkpoint: SignedCheckpoint | null;
  inclusionProof: string[] | null;
}

export type VoterReceipt = VoterReceiptV1 | VoterReceiptV2;

export interface PublishedCheckpoints {
  publicKey: string;
  checkpoints: SignedCheckpoint[];
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const HEX64 = /^[0-9a-f]{64}$/;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The receipt's shape, or what is wrong with it (the CLI answers exit 2). */
export function parseReceipt(value: unknown): VoterReceipt | string {
  if (!isObject(value)) return "the receipt is not a JSON object";
  if (value.version !== 1 && value.version !== 2) return "the receipt has no known version (1 or 2)";
  for (const key of ["roundFingerprint", "ballotId", "leafHash"])
    if (typeof value[key] !== "string") return `the receipt has no ${key}`;
  if (typeof value.leafIndex !== "number") return "the receipt has no leafIndex";
  if (value.checkpoint !== null && !isObject(value.checkpoint)) return "the receipt's checkpoint is malformed";
  if (value.inclusionProof !== null && !Array.isArray(value.inclusionProof))
    return "the receipt's inclusion proof is malformed";
  if (value.version === 2) {
    const leaf = value.leaf;
    if (!isObject(leaf) || typeof leaf.seq !== "number" || typeof leaf.envelope !== "string")
      return "the receipt has no ledger leaf";
    if (typeof value.commitment !== "string") return "the receipt has no commitment";
    if (value.choices !== null && !isObject(value.choices)) return "the receipt's choices are malformed";
    if (value.nonce !== null && typeof value.nonce !== "string") return "the receipt's nonce is malformed";
  }
  return value as unknown as VoterReceipt;
}

/** The choices in canonical JSON, as the commitment covers them. */
export const choicesText = (body: BallotBody) => canonicalJson(body);

/**
 * A version 2 receipt is consistent in itself: its leaf hashes to its leaf hash, names its ballot at
 * its index, and commits to its choices with its nonce.
 */
export function receiptConsistency(receipt: VoterReceiptV2): Check {
  const name = "receipt holds your choices";
  const leaf = receipt.leaf;
  if (leafHashHex(leafText(leaf)) !== receipt.leafHash)
    return { name, ok: false, detail: "the receipt's leaf does not hash to its leaf hash" };
  if (leaf.ballotId !== receipt.ballotId || leaf.seq !== receipt.leafIndex || leaf.commitment !== receipt.commitment)
    return { name, ok: false, detail: "the receipt's leaf names another ballot, position or commitment" };
  if (!receipt.choices || !receipt.nonce)
    return { name, ok: true, detail: "this receipt carries no choices: only the ballot's place can be checked" };
  if (commitmentHex(choicesText(receipt.choices), receipt.nonce) !== receipt.commitment)
    return { name, ok: false, detail: "SHA-256(choices ‖ nonce) is not the ballot's commitment" };
  return {
    name,
    ok: true,
    detail: `the commitment ${receipt.commitment.slice(0, 16)}… opens to the receipt's choices`,
  };
}

/**
 * Checks a receipt offline against the round's published checkpoints: the receipt's checkpoint is
 * signed by the municipality and is one of the published ones, and the inclusion proof leads from
 * the ballot's leaf to that checkpoint's root. It says nothing about whether the ballot was counted.
 */
export function verifyReceipt(receipt: VoterReceipt, published: PublishedCheckpoints): Check[] {
  const checks: Check[] = [];
  const wellFormed = HEX64.test(receipt.leafHash) && Number.isInteger(receipt.leafIndex) && receipt.leafIndex >= 0;
  checks.push({
    name: "receipt is well formed",
    ok: wellFormed,
    detail: wellFormed ? `ballot ${receipt.ballotId}, leaf ${receipt.leafIndex}` : "leaf hash or index is malformed",
  });
  if (receipt.version === 2 && wellFormed) checks.push(receiptConsistency(receipt));
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
    receipt.inclusionProof.every((h) => typeof h === "string" && HEX64.test(h)) &&
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

/** What became of the receipt's ballot in the published ledger. */
export type Fate =
  /** Nothing of the chain after it: it is the ballot that counts. */
  | { kind: "counted" }
  /** A later ballot (a revote — by the voter or not) replaced it; `last` is the one that counts. */
  | { kind: "superseded"; next: { ballotId: string; seq: number }; last: { ballotId: string; seq: number } }
  /** The chain ends in a withdrawal leaf (the voter's verification was revoked during voting). */
  | { kind: "withdrawn"; seq: number; via: { ballotId: string; seq: number }[] }
  /** The ballot is not at the receipt's place in ballots.jsonl. */
  | { kind: "missing" };

interface Line {
  leaf: Leaf;
  leafHash?: string;
  opening: { body: BallotBody; nonce: string } | null;
}

/**
 * Follows the receipt's ballot through `ballots.jsonl` (one ledger leaf per line, in order): each
 * later leaf whose `supersedes` names the chain's last ballot extends the chain, a withdrawal leaf
 * ends it. Checks that the leaf at the receipt's position is the receipt's, and — for a version 2
 * receipt — that the published opening of the ballot that counts is the receipt's choices.
 * Lines are parsed only when they mention a ballot of the chain, so large bundles stay fast.
 */
export function checkAgainstBallots(receipt: VoterReceipt, ballotsJsonl: string): { checks: Check[]; fate: Fate } {
  const checks: Check[] = [];
  let own: Line | null = null;
  let head: string | null = receipt.ballotId;
  const chain: { ballotId: string; seq: number; opening: Line["opening"] }[] = [];
  let withdrawnAt: number | null = null;
  let lines = 0;
  let start = 0;
  const text = ballotsJsonl;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const lineText = text.slice(start, end);
    start = end + 1;
    if (!lineText) continue;
    lines++;
    const mentionsOwn = !own && lineText.includes(receipt.ballotId);
    const mentionsHead = head !== null && own !== null && lineText.includes(head);
    if (!mentionsOwn && !mentionsHead) continue;
    let line: Line;
    try {
      line = JSON.parse(lineText) as Line;
    } catch {
      continue;
    }
    if (!isObject(line) || !isObject(line.leaf)) continue;
    if (!own) {
      if (line.leaf.ballotId === receipt.ballotId && line.leaf.seq === receipt.leafIndex) own = line;
      continue;
    }
    if (head !== null && line.leaf.supersedes === head && line.leaf.seq > receipt.leafIndex) {
      if (line.leaf.ballotId === null) {
        withdrawnAt = line.leaf.seq;
        head = null;
      } else {
        chain.push({ ballotId: line.leaf.ballotId, seq: line.leaf.seq, opening: line.opening });
        head = line.leaf.ballotId;
      }
    }
  }
  const ownHash = own ? leafHashHex(leafText(own.leaf)) : null;
  const found = own !== null && ownHash === receipt.leafHash;
  checks.push({
    name: "ballot is in the published ledger",
    ok: found,
    detail: found
      ? `leaf ${receipt.leafIndex} of ${lines}`
      : own
        ? `leaf ${receipt.leafIndex} in ballots.jsonl is not the receipt's leaf`
        : "no such ballot at that leaf in ballots.jsonl",
  });
  if (!own || !found) return { checks, fate: { kind: "missing" } };

  // The opening published for the receipt's ballot, when the bundle opens it.
  if (receipt.version === 2 && receipt.choices) {
    const opening = own.opening;
    if (!opening) {
      checks.push({
        name: "published opening is your choices",
        ok: withdrawnAt !== null || chain.length > 0,
        detail:
          withdrawnAt !== null || chain.length > 0
            ? "the bundle does not open this ballot (it does not count)"
            : "the bundle does not open this ballot although nothing replaced it",
      });
    } else {
      const same =
        isObject(opening.body) &&
        choicesText(opening.body) === choicesText(receipt.choices) &&
        opening.nonce === receipt.nonce &&
        commitmentHex(choicesText(opening.body), opening.nonce) === receipt.commitment;
      checks.push({
        name: "published opening is your choices",
        ok: same,
        detail: same
          ? "ballots.jsonl opens this ballot to the receipt's choices"
          : "ballots.jsonl opens this ballot to other choices than the receipt's",
      });
    }
  }

  const at = (b: { ballotId: string; seq: number }) => `ballot ${b.ballotId} (leaf ${b.seq})`;
  if (withdrawnAt !== null) {
    const via = chain.map(({ ballotId, seq }) => ({ ballotId, seq }));
    checks.push({
      name: "ballot was counted",
      ok: false,
      detail: `no: ${
        via.length ? `replaced by ${via.map(at).join(", then ")}, which was` : "it was"
      } withdrawn at leaf ${withdrawnAt} (a verification was revoked during voting): no ballot of this chain counts`,
    });
    return { checks, fate: { kind: "withdrawn", seq: withdrawnAt, via } };
  }
  if (chain.length) {
    const next = chain[0];
    const last = chain[chain.length - 1];
    const differs =
      receipt.version === 2 && receipt.choices && last.opening && isObject(last.opening.body)
        ? choicesText(last.opening.body) !== choicesText(receipt.choices)
        : null;
    checks.push({
      name: "ballot was counted",
      ok: false,
      detail: `no: ${at(next)} replaced it${
        last.ballotId !== next.ballotId ? `, and ${at(last)} is the one that counts` : ", and that one counts"
      }${
        differs === true
          ? ", with other choices than this receipt's"
          : differs === false
            ? ", with the same choices"
            : ""
      }. This check cannot tell who cast it: if you voted again, check the receipt of your latest ballot; if you did not, your vote was replaced by someone else`,
    });
    return {
      checks,
      fate: {
        kind: "superseded",
        next: { ballotId: next.ballotId, seq: next.seq },
        last: { ballotId: last.ballotId, seq: last.seq },
      },
    };
  }
  checks.push({
    name: "ballot was counted",
    ok: true,
    detail:
      receipt.version === 2 && receipt.choices
        ? "it is the ballot of its chain that counts, and its published opening is the receipt's choices"
        : "it is the voter's current ballot: it was counted (a version 1 receipt carries no choices, so it cannot show that the published opening is yours)",
  });
  return { checks, fate: { kind: "counted" } };
}
