/**
 * Writes a round's published bundle from its parts: the round document, the ledger leaves with their
 * openings, the signed checkpoints and (for a server export) the recorded tallies. The `.pb` files
 * and the support figures are derived from the current ballots, so they cannot disagree with the
 * ledger; the verifier derives them again on its own.
 */
import { sign as edSign, createPrivateKey } from "node:crypto";
import { csvLine } from "../csv";
import type { PbElection } from "../pbfile";
import { writePb } from "../pbfile";
import { envelopeElectionOf } from "../pbfile/envelope";
import { dayIn } from "../rounds/phases";
import { tally } from "../tally";
import {
  BUNDLE_FORMAT,
  FILES,
  type Leaf,
  type LedgerDoc,
  type Opening,
  type RoundDoc,
  type TallyDoc,
  ballotLine,
  leafHashHex,
  leafText,
  pbName,
  resultsCsvName,
  sha256Hex,
} from "./format";

export interface BundleLeaf {
  leaf: Leaf;
  opening: Opening | null;
  channel: "online" | "paper" | null;
  /** The day (round's time zone) the leaf was appended. */
  day: string | null;
}

/**
 * Ballots a withdrawal ended, and every earlier ballot of the same voter they superseded: they were
 * never counted, and their openings would show how a named (revoked) resident voted (ADR 0018).
 */
export function withdrawnBallots(leaves: readonly BundleLeaf[]): Set<string> {
  const supersedes = new Map<string, string>();
  for (const { leaf } of leaves) if (leaf.ballotId && leaf.supersedes) supersedes.set(leaf.ballotId, leaf.supersedes);
  const withdrawn = new Set<string>();
  for (const { leaf } of leaves) {
    if (leaf.ballotId !== null || !leaf.supersedes) continue;
    for (let id: string | undefined = leaf.supersedes; id && !withdrawn.has(id); id = supersedes.get(id))
      withdrawn.add(id);
  }
  return withdrawn;
}

export interface RecordedTally {
  selected: string[];
  totalCost: number;
  trace: unknown[];
}

export interface BundleParts {
  /** The round document without its counts (derived from the leaves here). */
  round: Omit<RoundDoc, "counts"> & { counts: Pick<RoundDoc["counts"], "eligible"> };
  leaves: readonly BundleLeaf[];
  ledger: LedgerDoc;
  /** Recorded outcome per envelope slug (server export); without it the rule runs here (demo bundles). */
  recorded?: ReadonlyMap<string, RecordedTally>;
  /** Ed25519 private key (PKCS#8 PEM) that signs SHA256SUMS. */
  privateKeyPem: string;
}

export interface BundleFile {
  name: string;
  bytes: Buffer;
}

interface CurrentBallot {
  ballotId: string;
  envelope: string;
  weight: number;
  body: Opening["body"];
  seq: number;
}

/**
 * The day (round's time zone) a leaf was appended, from its stored time. Stored times may be coarsened
 * to the whole UTC hour (ADR 0016); in a zone with a half-hour offset (Asia/Tehran) a ballot cast in the
 * first half hour of voting is then stored in the evening before, and its day is the next one.
 */
export function leafDay(at: Date, timeZone: string, votingStart: string): string {
  const day = dayIn(timeZone, at);
  if (at.getTime() % 3_600_000 === 0 && day < votingStart) {
    const later = dayIn(timeZone, new Date(at.getTime() + 3_599_999));
    if (later === votingStart) return later;
  }
  return day;
}

/** The current (never superseded, not withdrawn) ballots of each envelope, in ledger order. */
export function currentBallots(leaves: readonly BundleLeaf[]): Map<string, CurrentBallot[]> {
  const current = new Map<string, CurrentBallot>();
  for (const { leaf, opening } of leaves) {
    if (leaf.supersedes) current.delete(leaf.supersedes);
    if (leaf.ballotId && opening)
      current.set(leaf.ballotId, {
        ballotId: leaf.ballotId,
        envelope: leaf.envelope,
        weight: leaf.weight,
        body: opening.body,
        seq: leaf.seq,
      });
  }
  const out = new Map<string, CurrentBallot[]>();
  for (const b of [...current.values()].sort((a, c) => a.seq - c.seq)) {
    const list = out.get(b.envelope) ?? [];
    list.push(b);
    out.set(b.envelope, list);
  }
  return out;
}

/** An envelope's current ballots as a Pabulib election: voter ids are ballot ids, never people. */
export function envelopePb(
  round: Pick<RoundDoc, "round" | "envelopes" | "proposals">,
  envelopeSlug: string,
  ballots: readonly CurrentBallot[],
): PbElection {
  const envelope = round.envelopes.find((e) => e.slug === envelopeSlug);
  if (!envelope) throw new Error(`no envelope ${envelopeSlug}`);
  return envelopeElectionOf({
    roundSlug: round.round.slug,
    envelope,
    projects: round.proposals.filter((p) => p.envelope === envelopeSlug),
    ballots: ballots.map((b) => ({ id: b.ballotId, weight: b.weight, body: b.body })),
  });
}

/** Weighted and plain support of every proposal of an envelope. */
export function supportOf(
  projectIds: readonly string[],
  ballots: readonly { weight: number; vote: readonly string[] }[],
) {
  const support = new Map(projectIds.map((id) => [id, { weighted: 0, ballots: 0 }]));
  for (const b of ballots) {
    for (const id of b.vote) {
      const s = support.get(id);
      if (s) {
        s.weighted += b.weight;
        s.ballots += 1;
      }
    }
  }
  return projectIds.map((id) => ({ proposal: id, ...(support.get(id) ?? { weighted: 0, ballots: 0 }) }));
}

function linesToBuffer(lines: Iterable<string>): Buffer {
  const chunks: Buffer[] = [];
  let batch: string[] = [];
  for (const line of lines) {
    batch.push(line);
    if (batch.length === 10_000) {
      chunks.push(Buffer.from(`${batch.join("\n")}\n`, "utf8"));
      batch = [];
    }
  }
  if (batch.length) chunks.push(Buffer.from(`${batch.join("\n")}\n`, "utf8"));
  return Buffer.concat(chunks);
}

/** Writes every file of the bundle (sorted by name), SHA256SUMS and its signature last. */
export function buildBundle(parts: BundleParts): BundleFile[] {
  const closed = withdrawnBallots(parts.leaves);
  const leaves = parts.leaves.map((l) =>
    l.leaf.ballotId && closed.has(l.leaf.ballotId) ? { ...l, opening: null } : l,
  );
  let withdrawn = 0;
  let superseded = 0;
  const channels = { online: 0, paper: 0 };
  for (const l of leaves) {
    if (l.leaf.ballotId === null) withdrawn += 1;
    else if (l.leaf.supersedes) superseded += 1;
    if (l.leaf.ballotId && l.channel) channels[l.channel] += 1;
  }
  const current = currentBallots(leaves);
  const currentCount = [...current.values()].reduce((s, list) => s + list.length, 0);
  const round: RoundDoc = {
    ...parts.round,
    counts: {
      eligible: parts.round.counts.eligible,
      leaves: leaves.length,
      ballots: channels,
      current: currentCount,
      superseded,
      withdrawn,
    },
  };
  const files: BundleFile[] = [];
  const add = (name: string, bytes: Buffer | string) =>
    files.push({ name, bytes: typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes });

  add(FILES.round, `${JSON.stringify(round, null, 2)}\n`);
  add(
    FILES.ballots,
    linesToBuffer(
      (function* () {
        for (const l of leaves) yield ballotLine(l.leaf, leafHashHex(leafText(l.leaf)), l.opening, l.day);
      })(),
    ),
  );
  add(FILES.ledger, `${JSON.stringify(parts.ledger, null, 2)}\n`);

  const tallyDoc: TallyDoc = { format: BUNDLE_FORMAT, envelopes: [] };
  for (const envelope of round.envelopes) {
    const election = envelopePb(round, envelope.slug, current.get(envelope.slug) ?? []);
    add(pbName(envelope.slug), writePb(election));
    const recorded = parts.recorded?.get(envelope.slug);
    const outcome =
      recorded ?? tally(election, { rule: envelope.rule, tieBreak: envelope.tieBreak, seed: envelope.seed });
    const projectIds = election.projects.map((p) => p.id);
    const support = supportOf(projectIds, election.ballots);
    tallyDoc.envelopes.push({
      envelope: envelope.slug,
      rule: envelope.rule,
      ruleVersion: envelope.ruleVersion,
      tieBreak: envelope.tieBreak,
      seed: envelope.seed,
      budget: envelope.amount,
      selected: outcome.selected,
      totalCost: outcome.totalCost,
      ballots: election.ballots.length,
      voters: election.ballots.reduce((s, b) => s + b.weight, 0),
      support,
      trace: outcome.trace,
    });
    const order = new Map(outcome.selected.map((id, i) => [id, i + 1]));
    const rows = ["proposal_id,title_en,title_fa,cost,weighted_support,ballots,selected,selection_order"];
    for (const p of round.proposals.filter((x) => x.envelope === envelope.slug)) {
      const s = support.find((x) => x.proposal === p.id) ?? { weighted: 0, ballots: 0 };
      rows.push(
        csvLine([
          p.id,
          p.title.en ?? "",
          p.title.fa ?? "",
          p.cost,
          s.weighted,
          s.ballots,
          order.has(p.id) ? "yes" : "no",
          order.get(p.id) ?? "",
        ]),
      );
    }
    add(resultsCsvName(envelope.slug), `${rows.join("\n")}\n`);
  }
  add(FILES.tally, `${JSON.stringify(tallyDoc, null, 2)}\n`);

  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sums = files.map((f) => `${sha256Hex(f.bytes)}  ${f.name}\n`).join("");
  add(FILES.sums, sums);
  add(
    FILES.signature,
    `${edSign(null, Buffer.from(sums, "utf8"), createPrivateKey(parts.privateKeyPem)).toString("base64")}\n`,
  );
  return files;
}
