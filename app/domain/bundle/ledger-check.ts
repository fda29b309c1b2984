/**
 * The ledger part of `shora verify`: every leaf of ballots.jsonl in order — its hash, sequence,
 * commitment opening, ballot rules, class weight and supersession — and the Merkle root of every
 * checkpoint recomputed from the leaves. Returns a digest of the current ballots of each envelope
 * (in ledger order) for comparison with the .pb files, instead of keeping a million ballots in
 * memory. Plain data in and out, so it can run in a worker thread.
 *
 * Speed (a million leaves in a few seconds): lines in the writer's exact form are read from the bytes
 * (leaf-line.ts), ballot ids and voter tags live in byte tables rather than as strings, each
 * distinct (envelope, weight, body) is checked against the rules once, and hashes come out of Node
 * as binary strings, its fastest form.
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { type BallotProposal, checkBallot } from "../ballots/rules";
import { dayIn } from "../rounds/phases";
import { BUNDLE_FORMAT_V1, FILES, type LedgerDoc, MerkleBytes, type Opening, type RoundDoc, sha256Hex } from "./format";
import { grown } from "../typed-arrays";
import { BytesTable } from "./bytes-table";
import { emptyFacts, factText, readLineFast, readLineGeneral } from "./leaf-line";

export interface LedgerFailure {
  check: string;
  where: string;
  reason: string;
}

export interface LedgerSummary {
  leaves: number;
  current: number;
  /** Ballot leaves (not withdrawals), revotes among them, withdrawal leaves. */
  ballots: number;
  superseded: number;
  withdrawn: number;
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
  if ("approved" in body)
    return isSorted(body.approved) ? body.approved.join(",") : [...body.approved].sort().join(",");
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

/**
 * SHA-256 over `ballotId digest\n` lines in order: equal digests mean equal ballots in equal order.
 * Lines are gathered in 64 KB chunks (a million `update` calls would cost more than the hashing).
 */
export class CurrentDigest {
  private readonly h = createHash("sha256");
  private chunk = Buffer.alloc(1 << 16);
  private used = 0;
  /** `ballotId` as text, or as its UTF-8 bytes. */
  add(ballotId: string | Uint8Array, digest: string) {
    const idLength = typeof ballotId === "string" ? Buffer.byteLength(ballotId) : ballotId.length;
    const need = idLength + Buffer.byteLength(digest) + 2;
    if (this.used + need > this.chunk.length) {
      this.flush();
      if (need > this.chunk.length) this.chunk = Buffer.alloc(need * 2);
    }
    if (typeof ballotId === "string") this.used += this.chunk.write(ballotId, this.used, "utf8");
    else {
      this.chunk.set(ballotId, this.used);
      this.used += idLength;
    }
    this.chunk[this.used++] = 32;
    this.used += this.chunk.write(digest, this.used, "utf8");
    this.chunk[this.used++] = 10;
  }
  private flush() {
    this.h.update(this.chunk.subarray(0, this.used));
    this.used = 0;
  }
  hex(): string {
    this.flush();
    return this.h.digest("hex");
  }
}

/** Line boundaries of ballots.jsonl and a fast decoder (latin1 equals UTF-8 on ASCII files, and is ~10× faster). */
function lineDecoder(bytes: Buffer): (start: number, end: number) => string {
  const ascii = isAscii(bytes);
  return ascii
    ? (start, end) => bytes.toString("latin1", start, end)
    : (start, end) => bytes.toString("utf8", start, end);
}

const NO_PROPOSALS: BallotProposal[] = [];

/** Growable per-leaf columns: a million leaves cost no object each. */
class LeafColumns {
  envelope = new Uint8Array(1 << 16);
  current = new Uint8Array(1 << 16);
  voter = new Int32Array(1 << 16);
  /** Ballot number (in `ballotIds`) of the leaf; -1 for a withdrawal. */
  ballot = new Int32Array(1 << 16);
  /** The ballot's body, nonce and voter tag are published (format 2: never for a withdrawn ballot). */
  opened = new Uint8Array(1 << 16);
  /** Verdict number (rules and digest of the ballot's envelope, weight and body). */
  verdict = new Int32Array(1 << 16);
  ensure(n: number) {
    if (n < this.envelope.length) return;
    const size = this.envelope.length * 2;
    this.envelope = grown(this.envelope, size);
    this.current = grown(this.current, size);
    this.voter = grown(this.voter, size);
    this.ballot = grown(this.ballot, size);
    this.opened = grown(this.opened, size);
    this.verdict = grown(this.verdict, size);
  }
}

export function checkLedger(
  round: RoundDoc,
  ledger: LedgerDoc,
  bytes: Buffer | null,
  options: { keep?: boolean } = {},
): LedgerResult {
  if (!bytes) return { failure: { check: "bundle", where: FILES.ballots, reason: "missing from the bundle" } };
  const fail = (check: string, where: string, reason: string): LedgerResult => ({ failure: { check, where, reason } });
  const cps = ledger.checkpoints;
  const envelopeList = round.envelopes;
  // Format 2 (ADR 0018): every leaf was appended within the voting window, withdrawn ballots stay closed.
  const v2 = round.format !== BUNDLE_FORMAT_V1;
  let votingStart = "";
  let votingEnd = "";
  let checkpointDays: string[] = [];
  if (v2) {
    const window = round.votingWindow;
    const phase = round.round.phases.find((p) => p.kind === "voting");
    if (!window || !phase) return fail("voting window", FILES.round, "no voting window or voting phase");
    if (phase.startsOn !== window.startsOn || phase.endsOn > window.endsOn || phase.endsOn < phase.startsOn)
      return fail(
        "voting window",
        FILES.round,
        `the voting phase (${phase.startsOn} – ${phase.endsOn}) is neither the signed voting window (${window.startsOn} – ${window.endsOn}) nor an early close of it`,
      );
    votingStart = window.startsOn;
    votingEnd = phase.endsOn;
    try {
      checkpointDays = cps.map((c) => dayIn(round.municipality.timeZone, new Date(c.signedAt)));
    } catch {
      return fail("voting window", FILES.ledger, "a checkpoint time or the round's time zone cannot be read");
    }
    for (const [i, day] of checkpointDays.entries()) {
      // Signed data alone: nothing may be appended after a checkpoint signed once voting had closed.
      if (day < votingStart)
        return fail("voting window", `${FILES.ledger} checkpoint ${i}`, `signed on ${day}, before voting opened`);
      if (day > votingEnd && cps[i].treeSize !== cps[cps.length - 1].treeSize)
        return fail(
          "voting window",
          `${FILES.ledger} checkpoint ${i}`,
          `signed on ${day}, after voting closed (${votingEnd}), yet leaves were appended after it`,
        );
    }
  }
  let ballotLeaves = 0;
  let revotes = 0;
  let withdrawals = 0;
  const envelopeIndex = new Map(envelopeList.map((e, i) => [e.slug, i]));
  const proposalsOf = new Map<string, BallotProposal[]>();
  for (const p of round.proposals) {
    const list = proposalsOf.get(p.envelope) ?? [];
    list.push({ id: p.id, cost: p.cost });
    proposalsOf.set(p.envelope, list);
  }
  const weights = new Set(round.voterClasses.length ? round.voterClasses.map((c) => c.weight) : [1]);
  const tree = new MerkleBytes();
  /** Every ballot id (numbered in ledger order) and the leaf that cast it. */
  const ballotIds = new BytesTable();
  let ballotLeaf = new Int32Array(1 << 16);
  const leaves = new LeafColumns();
  /** Per envelope: voter tags (numbered); per voter: the leaf of their current ballot (-1: none). */
  const voterTags = envelopeList.map(() => new BytesTable());
  const currentOf = envelopeList.map(() => new Int32Array(1 << 12));
  /** Per envelope and weight: ballot bodies → the rules verdict and the ballot's digest (most ballots repeat one). */
  const bodies = new Map<number, { table: BytesTable; ids: number[] }>();
  const verdicts: { broken: string | null; digest: string }[] = [];
  let nextCheckpoint = 0;
  /** Every checkpoint of the tree's size so far signs its root. */
  const checkpointsAt = (): LedgerResult | null => {
    while (nextCheckpoint < cps.length && cps[nextCheckpoint].treeSize === tree.size) {
      const cp = cps[nextCheckpoint];
      if (tree.root() !== cp.rootHash) {
        return fail(
          "Merkle roots",
          `${FILES.ledger} checkpoint ${nextCheckpoint} (size ${cp.treeSize})`,
          `the root of leaves 0–${cp.treeSize - 1} of ${FILES.ballots} is not the signed root`,
        );
      }
      nextCheckpoint += 1;
    }
    return null;
  };
  let line = 0;
  const where = () => `${FILES.ballots} line ${line} (leaf ${line - 1})`;
  const decode = lineDecoder(bytes);
  const f = emptyFacts();
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(10, start);
    if (end === -1) end = bytes.length;
    const lineStart = start;
    start = end + 1;
    if (end === lineStart && start >= bytes.length) break;
    line += 1;
    if (!readLineFast(bytes, lineStart, end, f)) readLineGeneral(decode(lineStart, end), f);
    if (!f.readable) return fail("ledger leaves", where(), f.problem);
    const n = line - 1;
    if (f.seq !== n)
      return fail("ledger leaves", where(), `leaf seq is ${f.seq}: a leaf is missing, added or out of order`);
    if (!f.leafHashOk) return fail("ledger leaves", where(), "the leaf hash does not match the leaf");
    if (f.round !== round.round.slug) return fail("ledger leaves", where(), `leaf of round ${f.round}`);
    if (v2) {
      const day = f.day;
      if (day === null || !/^\d{4}-\d{2}-\d{2}$/.test(day))
        return fail("voting window", where(), "the leaf carries no day it was appended");
      if (day < votingStart || day > votingEnd)
        return fail("voting window", where(), `appended on ${day}, outside voting (${votingStart} – ${votingEnd})`);
      const covering = checkpointDays[nextCheckpoint];
      if (covering !== undefined && day > covering)
        return fail(
          "voting window",
          where(),
          `appended on ${day}, after checkpoint ${nextCheckpoint} that covers it was signed (${covering})`,
        );
    }
    const env = envelopeIndex.get(f.envelope);
    if (env === undefined) return fail("ledger leaves", where(), `unknown envelope ${f.envelope}`);
    leaves.ensure(n);
    leaves.envelope[n] = env;
    leaves.current[n] = 0;
    leaves.ballot[n] = -1;
    const src = f.src;
    const superseded = f.supersedesAt < 0 ? -1 : ballotIds.find(src, f.supersedesAt, f.supersedesEnd);
    if (f.ballotIdAt < 0) {
      // A withdrawal (revoked verification): ends a current ballot, counts for nothing.
      if (f.weight !== 0 || !f.commitmentNull || f.openingPresent)
        return fail("ledger leaves", where(), "a withdrawal must have weight 0 and no commitment or opening");
      const ended = superseded < 0 ? -1 : ballotLeaf[superseded];
      if (ended < 0 || !leaves.current[ended] || leaves.envelope[ended] !== env) {
        return fail("one current ballot per voter", where(), "withdraws a ballot that is not current in this envelope");
      }
      if (v2 && leaves.opened[ended])
        return fail(
          "withdrawn ballots",
          where(),
          `withdraws ${factText(f, f.supersedesAt, f.supersedesEnd)}, whose choices are opened: a withdrawn ballot is never published or counted`,
        );
      leaves.current[ended] = 0;
      if (leaves.voter[ended] >= 0) currentOf[env][leaves.voter[ended]] = -1;
      leaves.voter[n] = -1;
      leaves.opened[n] = 0;
      withdrawals += 1;
    } else {
      const ballot = ballotIds.add(src, f.ballotIdAt, f.ballotIdEnd);
      if (!ballotIds.added)
        return fail("ledger leaves", where(), `ballot id ${factText(f, f.ballotIdAt, f.ballotIdEnd)} appears twice`);
      if (ballot >= ballotLeaf.length) ballotLeaf = grown(ballotLeaf, ballotLeaf.length * 2);
      ballotLeaf[ballot] = -1;
      ballotLeaves += 1;
      if (f.supersedesAt >= 0) revotes += 1;
      if (v2 && !f.openingPresent) {
        // A closed ballot: only a withdrawn one (checked when the withdrawal comes, and at the end).
        if (f.supersedesAt >= 0) {
          const old = superseded < 0 ? -1 : ballotLeaf[superseded];
          if (old < 0 || !leaves.current[old] || leaves.envelope[old] !== env || leaves.opened[old])
            return fail(
              "withdrawn ballots",
              where(),
              `a closed ballot supersedes ${factText(f, f.supersedesAt, f.supersedesEnd)}, which is not a current closed ballot in ${f.envelope}`,
            );
          leaves.current[old] = 0;
        }
        ballotLeaf[ballot] = n;
        leaves.ballot[n] = ballot;
        leaves.current[n] = 1;
        leaves.opened[n] = 0;
        leaves.voter[n] = -1;
        tree.push(f.leafHash);
        const failed = checkpointsAt();
        if (failed) return failed;
        continue;
      }
      if (!f.opened) return fail("commitments", where(), "the ballot is not opened (body, nonce and voter tag)");
      if (!f.commitmentOk)
        return fail("commitments", where(), "the opened body and nonce do not give the leaf's commitment");
      if (!weights.has(f.weight))
        return fail(
          "weights",
          where(),
          `weight ${f.weight} is not the weight of any voter class (${[...weights].join(", ")})`,
        );
      const bodyKey = env * 2 ** 32 + f.weight;
      let known = bodies.get(bodyKey);
      if (!known) {
        known = { table: new BytesTable(), ids: [] };
        bodies.set(bodyKey, known);
      }
      const bodyNo = known.table.add(src, f.bodyAt, f.bodyEnd);
      if (known.table.added) {
        const body = f.body ?? (JSON.parse(factText(f, f.bodyAt, f.bodyEnd)) as Opening["body"]);
        const envelope = envelopeList[env];
        const violations = checkBallot(envelope, proposalsOf.get(envelope.slug) ?? NO_PROPOSALS, body).violations;
        known.ids.push(verdicts.length);
        verdicts.push({
          broken: violations.length ? violations.map((v) => v.code).join(", ") : null,
          digest: ballotDigest(f.weight, bodyVoteText(body)),
        });
      }
      const verdict = known.ids[bodyNo];
      const broken = verdicts[verdict].broken;
      if (broken) return fail("ballot rules", where(), `breaks the envelope's rules: ${broken}`);
      const voter = voterTags[env].add(src, f.voterAt, f.voterEnd);
      if (voterTags[env].added) {
        if (voter >= currentOf[env].length) currentOf[env] = grown(currentOf[env], currentOf[env].length * 2);
        currentOf[env][voter] = -1;
      }
      const currentLeaf = currentOf[env][voter];
      if (f.supersedesAt >= 0) {
        const old = superseded < 0 ? -1 : ballotLeaf[superseded];
        if (old < 0 || !leaves.current[old] || leaves.envelope[old] !== env || leaves.voter[old] !== voter) {
          return fail(
            "one current ballot per voter",
            where(),
            `supersedes ${factText(f, f.supersedesAt, f.supersedesEnd)}, which is not this voter's current ballot in ${f.envelope}`,
          );
        }
        leaves.current[old] = 0;
      } else if (currentLeaf >= 0) {
        return fail(
          "one current ballot per voter",
          where(),
          `a second current ballot of one voter in ${f.envelope} (the first is ${ballotIds.text(leaves.ballot[currentLeaf])})`,
        );
      }
      ballotLeaf[ballot] = n;
      leaves.ballot[n] = ballot;
      leaves.current[n] = 1;
      leaves.opened[n] = 1;
      leaves.voter[n] = voter;
      leaves.verdict[n] = verdict;
      currentOf[env][voter] = n;
    }
    tree.push(f.leafHash);
    const failed = checkpointsAt();
    if (failed) return failed;
  }
  if (nextCheckpoint < cps.length) {
    return fail(
      "Merkle roots",
      `${FILES.ledger} checkpoint ${nextCheckpoint}`,
      `signs ${cps[nextCheckpoint].treeSize} leaves; ${FILES.ballots} has ${tree.size}`,
    );
  }
  const last = cps[cps.length - 1];
  if (!last || last.treeSize !== tree.size)
    return fail(
      "Merkle roots",
      FILES.ballots,
      `${tree.size} leaves, but the final checkpoint signs ${last?.treeSize ?? 0}`,
    );

  // Current ballots in ledger order, per envelope.
  const digests = envelopeList.map(() => new CurrentDigest());
  const counts = envelopeList.map(() => 0);
  const kept = options.keep
    ? new Map<string, Map<string, string>>(envelopeList.map((e) => [e.slug, new Map<string, string>()]))
    : undefined;
  let current = 0;
  for (let n = 0; n < tree.size; n++) {
    if (!leaves.current[n]) continue;
    if (!leaves.opened[n])
      return fail(
        "withdrawn ballots",
        `${FILES.ballots} line ${n + 1} (leaf ${n})`,
        `ballot ${ballotIds.text(leaves.ballot[n])} is neither opened nor withdrawn`,
      );
    const env = leaves.envelope[n];
    const digest = verdicts[leaves.verdict[n]].digest;
    digests[env].add(ballotIds.bytes(leaves.ballot[n]), digest);
    current += 1;
    counts[env] += 1;
    kept?.get(envelopeList[env].slug)?.set(ballotIds.text(leaves.ballot[n]), digest);
  }
  const envelopeDigests: LedgerSummary["envelopes"] = {};
  envelopeList.forEach((e, i) => {
    envelopeDigests[e.slug] = { count: counts[i], digest: digests[i].hex() };
  });
  return {
    leaves: tree.size,
    current,
    ballots: ballotLeaves,
    superseded: revotes,
    withdrawn: withdrawals,
    envelopes: envelopeDigests,
    kept,
    sha256: sha256Hex(bytes),
  };
}
