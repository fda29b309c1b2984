/**
 * The ledger part of `shora verify`: every leaf of ballots.jsonl in order — its hash, sequence,
 * commitment opening, ballot rules, class weight and supersession — and the Merkle root of every
 * checkpoint recomputed from the leaves. Returns a digest of the current ballots of each envelope
 * (in ledger order) for comparison with the .pb files, instead of keeping a million ballots in
 * memory. Plain data in and out, so it can run in a worker thread.
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/canonical";
import { type BallotProposal, checkBallot } from "../ballots/rules";
import { FILES, type Leaf, type LedgerDoc, MerkleAccumulator, type Opening, type RoundDoc, commitmentHex, leafHashHex, leafText, sha256Hex } from "./format";

export interface LedgerFailure {
  check: string;
  where: string;
  reason: string;
}

export interface LedgerSummary {
  leaves: number;
  current: number;
  /** SHA-256 of ballots.jsonl (so the checksum step need not read it again). */
  sha256: string;
  /** Per envelope slug: how many current ballots and the digest of them in ledger order. */
  envelopes: Record<string, { count: number; digest: string }>;
  /** With `keep`: every current ballot's digest per envelope (to name a differing .pb row). */
  kept?: Map<string, Map<string, string>>;
}

export type LedgerResult = LedgerSummary | { failure: LedgerFailure };

/** The choices of a ballot as one text: approval `id,id`, points `id:n,id:n` (ids in code-unit order). */
export function bodyVoteText(body: Opening["body"]): string {
  if ("approved" in body) return isSorted(body.approved) ? body.approved.join(",") : [...body.approved].sort().join(",");
  const ids = Object.keys(body.points).sort();
  return ids.map((id) => `${id}:${body.points[id]}`).join(",");
}

/** The same text from a .pb row. */
export function pbVoteText(vote: readonly string[], points: readonly number[] | null): string {
  if (!points) return isSorted(vote) ? vote.join(",") : [...vote].sort().join(",");
  const pairs = vote.map((id, i) => [id, points[i]] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return pairs.map(([id, n]) => `${id}:${n}`).join(",");
}

function isSorted(list: readonly string[]): boolean {
  for (let i = 1; i < list.length; i++) if (list[i - 1] >= list[i]) return false;
  return true;
}

export function ballotDigest(weight: number, voteText: string): string {
  return sha256Hex(`${weight}|${voteText}`);
}

/** SHA-256 over `ballotId digest\n` lines in order: equal digests mean equal ballots in equal order. */
export class CurrentDigest {
  private readonly h = createHash("sha256");
  add(ballotId: string, digest: string) {
    this.h.update(`${ballotId} ${digest}\n`);
  }
  hex(): string {
    return this.h.digest("hex");
  }
}

/** Canonical JSON of a ballot body; approval bodies (the common case) without the generic walk. */
function bodyText(body: Opening["body"]): string {
  if ("approved" in body && Array.isArray(body.approved) && Object.keys(body).length === 1 && body.approved.every((x) => typeof x === "string")) {
    return `{"approved":${JSON.stringify(body.approved)}}`;
  }
  return canonicalJson(body);
}

/** Line boundaries of ballots.jsonl and a fast decoder (latin1 equals UTF-8 on ASCII files, and is ~10× faster). */
function lineDecoder(bytes: Buffer): (start: number, end: number) => string {
  const ascii = isAscii(bytes);
  return ascii ? (start, end) => bytes.toString("latin1", start, end) : (start, end) => bytes.toString("utf8", start, end);
}

const NO_PROPOSALS: BallotProposal[] = [];

interface Current {
  envelope: string;
  voter: string;
  digest: string;
}

export function checkLedger(round: RoundDoc, ledger: LedgerDoc, bytes: Buffer | null, options: { keep?: boolean } = {}): LedgerResult {
  if (!bytes) return { failure: { check: "bundle", where: FILES.ballots, reason: "missing from the bundle" } };
  const fail = (check: string, where: string, reason: string): LedgerResult => ({ failure: { check, where, reason } });
  const cps = ledger.checkpoints;
  const envelopes = new Map(round.envelopes.map((e) => [e.slug, e]));
  const proposalsOf = new Map<string, BallotProposal[]>();
  for (const p of round.proposals) {
    const list = proposalsOf.get(p.envelope) ?? [];
    list.push({ id: p.id, cost: p.cost });
    proposalsOf.set(p.envelope, list);
  }
  const weights = new Set(round.voterClasses.length ? round.voterClasses.map((c) => c.weight) : [1]);
  const tree = new MerkleAccumulator();
  /** Every ballot id seen; current ones map to their envelope, voter and digest, superseded ones to null. */
  const ballots = new Map<string, Current | null>();
  /** Per envelope: voter tag → their current ballot. */
  const currentByVoter = new Map(round.envelopes.map((e) => [e.slug, new Map<string, string>()]));
  let nextCheckpoint = 0;
  let line = 0;
  const where = () => `${FILES.ballots} line ${line} (leaf ${line - 1})`;
  const decode = lineDecoder(bytes);
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    const text = decode(start, end);
    start = end + 1;
    if (text === "" && start >= bytes.length) break;
    line += 1;
    let record: { leaf: Leaf; leafHash: string; opening: Opening | null };
    try {
      record = JSON.parse(text);
    } catch {
      return fail("ledger leaves", where(), "not valid JSON");
    }
    const leaf = record?.leaf;
    if (!leaf || typeof leaf !== "object") return fail("ledger leaves", where(), "no leaf");
    if (leaf.seq !== line - 1) return fail("ledger leaves", where(), `leaf seq is ${leaf.seq}: a leaf is missing, added or out of order`);
    const hash = leafHashHex(leafText(leaf));
    if (hash !== record.leafHash) return fail("ledger leaves", where(), "the leaf hash does not match the leaf");
    if (leaf.round !== round.round.slug) return fail("ledger leaves", where(), `leaf of round ${leaf.round}`);
    const envelope = envelopes.get(leaf.envelope);
    if (!envelope) return fail("ledger leaves", where(), `unknown envelope ${leaf.envelope}`);
    if (leaf.ballotId === null) {
      // A withdrawal (revoked verification): ends a current ballot, counts for nothing.
      if (leaf.weight !== 0 || leaf.commitment !== null || record.opening !== null) return fail("ledger leaves", where(), "a withdrawal must have weight 0 and no commitment or opening");
      const ended = leaf.supersedes ? ballots.get(leaf.supersedes) : undefined;
      if (!leaf.supersedes || !ended || ended.envelope !== leaf.envelope) return fail("one current ballot per voter", where(), "withdraws a ballot that is not current in this envelope");
      ballots.set(leaf.supersedes, null);
      currentByVoter.get(ended.envelope)?.delete(ended.voter);
    } else {
      const opening = record.opening;
      if (ballots.has(leaf.ballotId)) return fail("ledger leaves", where(), `ballot id ${leaf.ballotId} appears twice`);
      if (!opening || typeof opening.nonce !== "string" || opening.nonce.length !== 64 || typeof opening.voter !== "string" || !opening.body || typeof opening.body !== "object") {
        return fail("commitments", where(), "the ballot is not opened (body, nonce and voter tag)");
      }
      const body = bodyText(opening.body);
      const commitment = commitmentHex(body, opening.nonce);
      if (commitment === null || commitment !== leaf.commitment) return fail("commitments", where(), "the opened body and nonce do not give the leaf's commitment");
      if (!weights.has(leaf.weight)) return fail("weights", where(), `weight ${leaf.weight} is not the weight of any voter class (${[...weights].join(", ")})`);
      const violations = checkBallot(envelope, proposalsOf.get(envelope.slug) ?? NO_PROPOSALS, opening.body).violations;
      const broken = violations.length ? violations.map((v) => v.code).join(", ") : null;
      if (broken) return fail("ballot rules", where(), `breaks the envelope's rules: ${broken}`);
      const voters = currentByVoter.get(leaf.envelope) as Map<string, string>;
      if (leaf.supersedes) {
        const old = ballots.get(leaf.supersedes);
        if (!old || old.envelope !== leaf.envelope || old.voter !== opening.voter) {
          return fail("one current ballot per voter", where(), `supersedes ${leaf.supersedes}, which is not this voter's current ballot in ${leaf.envelope}`);
        }
        ballots.set(leaf.supersedes, null);
      } else if (voters.has(opening.voter)) {
        return fail("one current ballot per voter", where(), `a second current ballot of one voter in ${leaf.envelope} (the first is ${voters.get(opening.voter)})`);
      }
      ballots.set(leaf.ballotId, { envelope: leaf.envelope, voter: opening.voter, digest: ballotDigest(leaf.weight, bodyVoteText(opening.body)) });
      voters.set(opening.voter, leaf.ballotId);
    }
    tree.push(hash);
    while (nextCheckpoint < cps.length && cps[nextCheckpoint].treeSize === tree.size) {
      const cp = cps[nextCheckpoint];
      if (tree.root() !== cp.rootHash) {
        return fail("Merkle roots", `${FILES.ledger} checkpoint ${nextCheckpoint} (size ${cp.treeSize})`, `the root of leaves 0–${cp.treeSize - 1} of ${FILES.ballots} is not the signed root`);
      }
      nextCheckpoint += 1;
    }
  }
  if (nextCheckpoint < cps.length) {
    return fail("Merkle roots", `${FILES.ledger} checkpoint ${nextCheckpoint}`, `signs ${cps[nextCheckpoint].treeSize} leaves; ${FILES.ballots} has ${tree.size}`);
  }
  const last = cps[cps.length - 1];
  if (!last || last.treeSize !== tree.size) return fail("Merkle roots", FILES.ballots, `${tree.size} leaves, but the final checkpoint signs ${last?.treeSize ?? 0}`);

  const digests = new Map<string, CurrentDigest>();
  const counts = new Map<string, number>();
  const kept = options.keep ? new Map<string, Map<string, string>>() : undefined;
  let current = 0;
  // Map order is insertion order: current ballots come out in ledger order.
  for (const [ballotId, c] of ballots) {
    if (!c) continue;
    current += 1;
    let d = digests.get(c.envelope);
    if (!d) {
      d = new CurrentDigest();
      digests.set(c.envelope, d);
    }
    d.add(ballotId, c.digest);
    counts.set(c.envelope, (counts.get(c.envelope) ?? 0) + 1);
    if (kept) {
      const m = kept.get(c.envelope) ?? new Map<string, string>();
      m.set(ballotId, c.digest);
      kept.set(c.envelope, m);
    }
  }
  const envelopeDigests: LedgerSummary["envelopes"] = {};
  for (const e of round.envelopes) envelopeDigests[e.slug] = { count: counts.get(e.slug) ?? 0, digest: (digests.get(e.slug) ?? new CurrentDigest()).hex() };
  return { leaves: tree.size, current, envelopes: envelopeDigests, kept, sha256: sha256Hex(bytes) };
}
