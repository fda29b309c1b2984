/**
 * The published bundle of a round (format `shora-bundle/3`): what it holds and the exact bytes of
 * its parts, shared by the writer (server export, `shora bundle --demo`) and the verifier.
 *
 *   round.json            the round, voting window, envelopes with ballot and counting rules, proposals, voter
 *                         classes, eligibility, counts
 *   ballots.jsonl         every ledger leaf in order, with the opened ballot (body, nonce, voter tag) — never
 *                         for a withdrawn ballot — and the day it was appended (format 2)
 *   <envelope>.pb         the current ballots of an envelope in Pabulib format, with a weight column
 *   ledger.json           every signed checkpoint (with its signed note and cosignatures), the municipality's
 *                         public key, the witnesses and the quorum
 *   tally.json            per envelope: rule, seed, selected proposals, support and the rule's trace
 *   results-<envelope>.csv  the same results for spreadsheets (formula-like text neutralised: ../csv.ts)
 *   SHA256SUMS(.sig)      SHA-256 of every file above, signed with the municipality's Ed25519 key
 */
import { hash } from "node:crypto";
import { canonicalJson } from "../canonical";
import type { BallotBody, EnvelopeBallotRules } from "../ballots/rules";
import type { BallotOrder } from "../ballots/basket";
import type { RuleName } from "../tally";

/** Format 3 (ADR 0022): ledger.json carries each checkpoint as a C2SP signed note with the witnesses'
 * cosignatures, and the witnesses and quorum. Format 2 (ADR 0018): the fingerprint covers every rule
 * that decides the outcome, leaves carry their day, withdrawn ballots stay closed. Bundles of formats
 * 1 and 2 (published before) are still verified. */
export const BUNDLE_FORMAT = "shora-bundle/3";
export const BUNDLE_FORMAT_V2 = "shora-bundle/2";
export const BUNDLE_FORMAT_V1 = "shora-bundle/1";
export type BundleFormat = typeof BUNDLE_FORMAT | typeof BUNDLE_FORMAT_V2 | typeof BUNDLE_FORMAT_V1;

export type LocalText = { en?: string; fa?: string };

/** The envelope's ballot rules (as the ballot page and the server check them) and its counting rule. */
export interface EnvelopeDoc extends EnvelopeBallotRules {
  slug: string;
  name: LocalText;
  /** District code the envelope is for; null = whole municipality. */
  district: string | null;
  tallyRule: "greedy" | "mes";
  tallyCompletion: boolean;
  /** The tally engine's rule (greedy, mes, mes+greedy) and version. */
  rule: RuleName;
  ruleVersion: string;
  tieBreak: "cost-votes-seed";
  /** The tie-break seed, drawn when the round was first tallied and revealed here. */
  seed: string;
  /**
   * How the ballot page ordered the proposals (ADR 0027): `random` (drawn per voter), `listed` or
   * `cost`. Absent from bundles published before; not covered by the rules fingerprint.
   */
  ballotOrder?: BallotOrder;
}

export interface RoundDoc {
  format: BundleFormat;
  municipality: { slug: string; name: LocalText; currency: string; timeZone: string };
  round: { slug: string; kind: string; title: LocalText; phases: { kind: string; startsOn: string; endsOn: string }[] };
  /** What every checkpoint signs as the round fingerprint: the hash of the frozen ballot and counting rules. */
  rulesFingerprint: string;
  /** Format 2: the voting dates as voting opened (signed); the voting phase may have closed earlier. */
  votingWindow?: { startsOn: string; endsOn: string };
  /** Format 2: who may vote — district codes (null: all) and the minimum age on the first day of voting. */
  eligibility?: { districts: string[] | null; minAge: number | null };
  envelopes: EnvelopeDoc[];
  /** Accepted proposals per envelope, in the order the ballot shows them. */
  proposals: {
    id: string;
    envelope: string;
    title: LocalText;
    cost: number;
    /** The proposal's theme (ADR 0032); absent when it has none. Not covered by the rules fingerprint. */
    theme?: { slug: string; name: LocalText };
  }[];
  /** No classes: every ballot weighs 1. */
  voterClasses: { code: string; name: LocalText; weight: number }[];
  counts: {
    /** Census entries eligible for the round (null without a census). */
    eligible: number | null;
    leaves: number;
    ballots: { online: number; paper: number };
    current: number;
    superseded: number;
    withdrawn: number;
  };
}

/** A ledger leaf: a cast ballot, or a withdrawal (ballotId null, weight 0, commitment null). */
export interface Leaf {
  round: string;
  seq: number;
  ballotId: string | null;
  envelope: string;
  weight: number;
  supersedes: string | null;
  commitment: string | null;
}

/** What publication reveals about a cast ballot: its body, the commitment nonce and a per-envelope voter tag. */
export interface Opening {
  body: BallotBody;
  nonce: string;
  /** Same for every ballot of one voter in one envelope, unlinkable across envelopes and to the person. */
  voter: string;
}

export interface LedgerDoc {
  publicKey: string;
  /** Format 3: the log's origin, the name of the municipality's note key (ADR 0022). */
  origin?: string;
  /** Format 3: the witnesses (cosigner verifier keys) the municipality trusts, and how many must cosign. */
  witnesses?: { name: string; vkey: string }[];
  quorum?: number;
  checkpoints: {
    roundFingerprint: string;
    treeSize: number;
    rootHash: string;
    signedAt: string;
    signature: string;
    /** Format 3: the checkpoint as a signed note, with the witnesses' cosignatures (absent for checkpoints signed before). */
    note?: string;
  }[];
}

export interface TallyDoc {
  format: BundleFormat;
  envelopes: {
    envelope: string;
    rule: RuleName;
    ruleVersion: string;
    tieBreak: string;
    seed: string;
    budget: number;
    selected: string[];
    totalCost: number;
    ballots: number;
    /** Sum of weights of the counted ballots. */
    voters: number;
    support: { proposal: string; weighted: number; ballots: number }[];
    trace: unknown[];
  }[];
}

/** The exact text of a leaf (canonical JSON, keys in code-unit order) — what its hash covers. */
export function leafText(l: Leaf): string {
  return `{"ballotId":${l.ballotId === null ? "null" : JSON.stringify(l.ballotId)},"commitment":${
    l.commitment === null ? "null" : JSON.stringify(l.commitment)
  },"envelope":${JSON.stringify(l.envelope)},"round":${JSON.stringify(l.round)},"seq":${l.seq},"supersedes":${
    l.supersedes === null ? "null" : JSON.stringify(l.supersedes)
  },"weight":${l.weight}}`;
}

const scratch = { buffer: Buffer.alloc(1 << 16) };

function withPrefix(prefix: number, text: string, tailHex?: string): Uint8Array | null {
  const need = 1 + Buffer.byteLength(text) + (tailHex ? tailHex.length / 2 : 0);
  if (need > scratch.buffer.length) scratch.buffer = Buffer.alloc(need * 2);
  const b = scratch.buffer;
  let at = 0;
  if (prefix >= 0) b[at++] = prefix;
  at += b.write(text, at, "utf8");
  if (tailHex) {
    const written = b.write(tailHex, at, "hex");
    if (written * 2 !== tailHex.length) return null;
    at += written;
  }
  return b.subarray(0, at);
}

/** RFC 9162 leaf hash of a leaf text, hex. */
export function leafHashHex(text: string): string {
  return hash("sha256", withPrefix(0, text) as Uint8Array, "hex");
}

/** commitment = SHA-256(canonical ballot body ‖ 32-byte nonce), hex; null when the nonce is not hex. */
export function commitmentHex(bodyText: string, nonceHex: string): string | null {
  const bytes = withPrefix(-1, bodyText, nonceHex);
  return bytes ? hash("sha256", bytes, "hex") : null;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return hash("sha256", bytes, "hex");
}

const nodeBuffer = Buffer.alloc(65);

/** RFC 9162 interior node, hex in and out. */
export function nodeHashHex(left: string, right: string): string {
  nodeBuffer[0] = 1;
  nodeBuffer.write(left, 1, "hex");
  nodeBuffer.write(right, 33, "hex");
  return hash("sha256", nodeBuffer, "hex");
}

export const EMPTY_ROOT_HEX = sha256Hex("");

/** A Merkle tree grown leaf by leaf that gives the RFC 9162 root of any prefix in O(log n). */
export class MerkleAccumulator {
  /** Roots of complete subtrees, largest first (like the bits of the leaf count). */
  private stack: { hash: string; size: number }[] = [];
  size = 0;

  push(leafHash: string) {
    let node = { hash: leafHash, size: 1 };
    while (this.stack.length && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop()!;
      node = { hash: nodeHashHex(left.hash, node.hash), size: left.size * 2 };
    }
    this.stack.push(node);
    this.size += 1;
  }

  root(): string {
    if (!this.stack.length) return EMPTY_ROOT_HEX;
    let h = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = nodeHashHex(this.stack[i].hash, h);
    return h;
  }
}

/** The same accumulator over 32-byte hashes held as latin1 strings (the verifier's: Node hashes to them fastest). */
export class MerkleBytes {
  private stack: { hash: string; size: number }[] = [];
  private readonly node = Buffer.alloc(65);
  size = 0;

  private parent(left: string, right: string): string {
    this.node[0] = 1;
    this.node.write(left, 1, "latin1");
    this.node.write(right, 33, "latin1");
    return hash("sha256", this.node, "binary");
  }

  push(leafHash: string) {
    let node = { hash: leafHash, size: 1 };
    while (this.stack.length && this.stack[this.stack.length - 1].size === node.size) {
      const left = this.stack.pop() as { hash: string; size: number };
      node = { hash: this.parent(left.hash, node.hash), size: left.size * 2 };
    }
    this.stack.push(node);
    this.size += 1;
  }

  root(): string {
    if (!this.stack.length) return EMPTY_ROOT_HEX;
    let h = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i--) h = this.parent(this.stack[i].hash, h);
    return Buffer.from(h, "latin1").toString("hex");
  }
}

/** Format 1's fingerprint: the round's identity and its envelopes' ballot and counting rules only. */
export function rulesFingerprintV1(
  round: { slug: string; kind: string },
  envelopes: readonly EnvelopeDocRules[],
): string {
  const data = {
    round: round.slug,
    kind: round.kind,
    envelopes: [...envelopes]
      .sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0))
      .map((e) => ({
        slug: e.slug,
        amount: e.amount,
        ...envelopeRules(e),
      })),
  };
  return sha256Hex(canonicalJson(data));
}

/** Everything that decides a round's outcome and is frozen once voting opens (ADR 0018). */
export interface RoundRules {
  round: { slug: string; kind: string };
  timeZone: string;
  votingWindow: { startsOn: string; endsOn: string } | null;
  envelopes: readonly (EnvelopeDocRules & { district: string | null })[];
  proposals: readonly { id: string; envelope: string; cost: number }[];
  voterClasses: readonly { code: string; weight: number }[];
  eligibility: { districts: string[] | null; minAge: number | null };
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What checkpoints sign as the round fingerprint (format 2): the round's identity, time zone and voting
 * window, every envelope's amount, district, ballot and counting rules, the accepted proposals and their
 * costs, the voter classes and weights, and eligibility. Recomputed by the verifier from round.json.
 */
export function rulesFingerprint(rules: RoundRules): string {
  const data = {
    v: 2,
    round: rules.round.slug,
    kind: rules.round.kind,
    timeZone: rules.timeZone,
    voting: rules.votingWindow ? { startsOn: rules.votingWindow.startsOn, endsOn: rules.votingWindow.endsOn } : null,
    envelopes: [...rules.envelopes]
      .sort((a, b) => byText(a.slug, b.slug))
      .map((e) => ({
        slug: e.slug,
        district: e.district,
        amount: e.amount,
        ...envelopeRules(e),
      })),
    proposals: [...rules.proposals]
      .sort((a, b) => byText(a.id, b.id))
      .map((p) => ({ id: p.id, envelope: p.envelope, cost: p.cost })),
    voterClasses: [...rules.voterClasses]
      .sort((a, b) => byText(a.code, b.code))
      .map((c) => ({ code: c.code, weight: c.weight })),
    eligibility: {
      districts: rules.eligibility.districts ? [...rules.eligibility.districts].sort(byText) : null,
      minAge: rules.eligibility.minAge,
    },
  };
  return sha256Hex(canonicalJson(data));
}

/** The rules of a format 2 round.json. */
export function rulesOfRoundDoc(doc: RoundDoc): RoundRules {
  return {
    round: doc.round,
    timeZone: doc.municipality.timeZone,
    votingWindow: doc.votingWindow ?? null,
    envelopes: doc.envelopes,
    proposals: doc.proposals,
    voterClasses: doc.voterClasses,
    eligibility: doc.eligibility ?? { districts: null, minAge: null },
  };
}

/** An envelope's ballot and counting rules alone, picked from anything that has them. */
export function envelopeRules(e: Omit<EnvelopeDocRules, "slug" | "amount">): Omit<EnvelopeDocRules, "slug" | "amount"> {
  return {
    ballotType: e.ballotType,
    minProjects: e.minProjects,
    maxProjects: e.maxProjects,
    minSpendShare: e.minSpendShare,
    minPoints: e.minPoints,
    maxPoints: e.maxPoints,
    tallyRule: e.tallyRule,
    tallyCompletion: e.tallyCompletion,
  };
}

export type EnvelopeDocRules = Pick<
  EnvelopeDoc,
  | "slug"
  | "amount"
  | "ballotType"
  | "minProjects"
  | "maxProjects"
  | "minSpendShare"
  | "minPoints"
  | "maxPoints"
  | "tallyRule"
  | "tallyCompletion"
>;

/** The bundle fingerprint shown on results pages: SHA-256 of round.json's canonical JSON. */
export function bundleFingerprint(round: RoundDoc): string {
  return sha256Hex(canonicalJson(round));
}

/** One line of ballots.jsonl; format 2 adds the day the leaf was appended (in the round's time zone). */
export function ballotLine(leaf: Leaf, leafHash: string, opening: Opening | null, day: string | null = null): string {
  const open = opening
    ? `{"body":${canonicalJson(opening.body)},"nonce":${JSON.stringify(opening.nonce)},"voter":${JSON.stringify(opening.voter)}}`
    : "null";
  return `{"leaf":${leafText(leaf)},"leafHash":"${leafHash}","opening":${open}${day === null ? "" : `,"day":"${day}"`}}`;
}

export const FILES = {
  round: "round.json",
  ballots: "ballots.jsonl",
  ledger: "ledger.json",
  tally: "tally.json",
  sums: "SHA256SUMS",
  signature: "SHA256SUMS.sig",
} as const;

export const pbName = (envelope: string) => `${envelope}.pb`;
export const resultsCsvName = (envelope: string) => `results-${envelope}.csv`;
