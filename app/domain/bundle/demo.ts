/**
 * A synthetic, correctly signed published bundle without a database (`shora bundle --demo`): three
 * envelopes (two approval, one points), weighted voter classes, revotes and a withdrawal — for the
 * verify benchmark and for anyone who wants to try the verifier. The same seed gives the same bytes.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto";
import { canonicalJson } from "../canonical";
import type { BallotBody } from "../ballots/rules";
import { ballotType } from "../ballots/types";
import { checkpointNoteBody, checkpointOrigin, signCheckpoint } from "../ledger/checkpoint";
import { cosign } from "../ledger/cosignature";
import { addSignatures, signNote, signerFromPem } from "../ledger/note";
import { type BundleFile, type BundleLeaf, buildBundle } from "./build";
import {
  BUNDLE_FORMAT,
  type EnvelopeDoc,
  type Leaf,
  type LedgerDoc,
  MerkleAccumulator,
  type RoundDoc,
  commitmentHex,
  leafHashHex,
  leafText,
  rulesFingerprint,
} from "./format";
import { dayIn } from "../rounds/phases";

/** sfc32 seeded from the SHA-256 of a string: reproducible and fast. */
function randomFrom(seed: string) {
  const h = createHash("sha256").update(seed).digest();
  let a = h.readUInt32LE(0);
  let b = h.readUInt32LE(4);
  let c = h.readUInt32LE(8);
  let d = h.readUInt32LE(12);
  return () => {
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function hexFrom(random: () => number, bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i += 4)
    out += Math.floor(random() * 4294967296)
      .toString(16)
      .padStart(8, "0");
  return out.slice(0, bytes * 2);
}

/** An Ed25519 key pair from a 32-byte seed (PKCS#8 wraps the seed directly). */
export function keyPairFromSeed(seed: Buffer): { privateKeyPem: string; publicKeyPem: string } {
  const der = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString(),
  };
}

const ROUND = "demo-round";
const RULE_VERSION = "shora-tally/1 (pabutools 1.2.3 outcomes)";

function envelope(slug: string, name: string, amount: number, extra: Partial<EnvelopeDoc>): EnvelopeDoc {
  return {
    slug,
    name: { en: name },
    amount,
    district: null,
    ballotType: "approval",
    minProjects: null,
    maxProjects: null,
    minSpendShare: null,
    minPoints: null,
    maxPoints: null,
    tallyRule: "mes",
    tallyCompletion: true,
    rule: "mes+greedy",
    ruleVersion: RULE_VERSION,
    tieBreak: "cost-votes-seed",
    seed: "",
    ...extra,
  };
}

export interface DemoBundleOptions {
  /** Number of ledger leaves (ballots, revotes and a few withdrawals). */
  voters: number;
  seed?: string;
  /** Witnesses that cosign every checkpoint (signer and verifier keys), and the quorum ledger.json states. */
  witnesses?: { signerKey: string; verifierKey: string }[];
  quorum?: number;
}

/** The demo bundle's log origin (its checkpoints are notes signed under this name). */
export const DEMO_ORIGIN = checkpointOrigin("shora.local", "demo", "demo-round");

export function demoBundle(options: DemoBundleOptions): { files: BundleFile[]; publicKeyPem: string } {
  const seed = options.seed ?? "shora-demo";
  const random = randomFrom(seed);
  const keys = keyPairFromSeed(createHash("sha256").update(`key:${seed}`).digest());
  const tieSeed = hexFrom(random, 16);
  const envelopes = [
    envelope("north", "North district", 2_000_000, {
      district: "north",
      tallyRule: "mes",
      tallyCompletion: true,
      rule: "mes+greedy",
      seed: tieSeed,
    }),
    envelope("south", "South district", 1_500_000, {
      district: "south",
      tallyRule: "greedy",
      tallyCompletion: false,
      rule: "greedy",
      seed: tieSeed,
    }),
    envelope("green", "Green city", 3_000_000, {
      ballotType: "cumulative",
      maxPoints: 10,
      tallyRule: "mes",
      tallyCompletion: false,
      rule: "mes",
      seed: tieSeed,
    }),
  ];
  const proposals: RoundDoc["proposals"] = [];
  const costsOf = new Map<string, { id: string; cost: number; appeal: number }[]>();
  for (const e of envelopes) {
    const list: { id: string; cost: number; appeal: number }[] = [];
    for (let i = 0; i < 12; i++) {
      const id = `${e.slug}-${String(i + 1).padStart(2, "0")}`;
      const cost = Math.round((e.amount * (0.05 + random() * 0.3)) / 1000) * 1000;
      list.push({ id, cost, appeal: 0.1 + random() * 0.6 });
      proposals.push({ id, envelope: e.slug, title: { en: `Project ${i + 1} (${e.slug})` }, cost });
    }
    costsOf.set(e.slug, list);
  }
  const voterClasses = [
    { code: "resident", name: { en: "Resident" }, weight: 2 },
    { code: "works-here", name: { en: "Works in the city" }, weight: 1 },
    { code: "youth", name: { en: "Youth" }, weight: 3 },
  ];
  const roundMeta = { slug: ROUND, kind: "budgeting" };
  const votingWindow = { startsOn: "2026-05-01", endsOn: "2026-05-21" };
  const eligibility = { districts: null, minAge: 16 };
  const fingerprint = rulesFingerprint({
    round: roundMeta,
    timeZone: "UTC",
    votingWindow,
    envelopes,
    proposals,
    voterClasses,
    eligibility,
  });

  const ballotFor = (slug: string): BallotBody => {
    const list = costsOf.get(slug) ?? [];
    const e = envelopes.find((x) => x.slug === slug) as EnvelopeDoc;
    if (ballotType(e.ballotType).body === "points") {
      const points: Record<string, number> = {};
      let left = 10;
      for (const p of list) {
        if (left > 0 && random() < p.appeal * 0.5) {
          const n = 1 + Math.floor(random() * Math.min(left, 5));
          points[p.id] = n;
          left -= n;
        }
      }
      if (!Object.keys(points).length) points[list[0].id] = 1;
      return { points };
    }
    const approved: string[] = [];
    let total = 0;
    for (const p of list) {
      if (random() < p.appeal && total + p.cost <= e.amount) {
        approved.push(p.id);
        total += p.cost;
      }
    }
    if (!approved.length) approved.push(list[0].id);
    return { approved: approved.sort() };
  };

  const leaves: BundleLeaf[] = [];
  const tree = new MerkleAccumulator();
  const checkpoints: LedgerDoc["checkpoints"] = [];
  const live: { ballotId: string; envelope: string; voter: string; weight: number }[] = [];
  const startedAt = Date.UTC(2026, 4, 1, 8);
  /** Leaves spread over the first 20 days of voting. */
  const step = Math.floor((20 * 86_400) / Math.max(1, options.voters));
  const every = Math.max(1, Math.floor(options.voters / 20));
  const noteSigner = signerFromPem(DEMO_ORIGIN, keys.privateKeyPem);
  const sign = (at: number) => {
    const c = {
      roundFingerprint: fingerprint,
      treeSize: tree.size,
      rootHash: tree.root(),
      signedAt: new Date(startedAt + at * step * 1000).toISOString(),
    };
    const body = checkpointNoteBody({ origin: DEMO_ORIGIN, ...c });
    let note = signNote(body, [noteSigner]);
    const time = Math.floor(Date.parse(c.signedAt) / 1000) + 60;
    if (options.witnesses?.length)
      note = addSignatures(
        note,
        options.witnesses.map((w) => cosign(body, w.signerKey, time)),
      );
    checkpoints.push({ ...c, signature: signCheckpoint(c, keys.privateKeyPem), note });
  };
  for (let seq = 0; seq < options.voters; seq++) {
    const r = random();
    let leaf: Leaf;
    let opening: BundleLeaf["opening"] = null;
    let channel: BundleLeaf["channel"] = null;
    if (live.length > 10 && r < 0.001) {
      // A revoked verification withdraws a ballot.
      const [old] = live.splice(Math.floor(random() * live.length), 1);
      leaf = {
        round: ROUND,
        seq,
        ballotId: null,
        envelope: old.envelope,
        weight: 0,
        supersedes: old.ballotId,
        commitment: null,
      };
    } else {
      const revote = live.length > 10 && r < 0.05;
      const old = revote ? live.splice(Math.floor(random() * live.length), 1)[0] : null;
      const slug = old?.envelope ?? envelopes[Math.floor(random() * envelopes.length)].slug;
      const voter = old?.voter ?? hexFrom(random, 16);
      const classPick = random();
      const weight = old?.weight ?? (classPick < 0.6 ? 2 : classPick < 0.9 ? 1 : 3);
      const body = ballotFor(slug);
      const nonce = hexFrom(random, 32);
      const ballotId = hexFrom(random, 16);
      leaf = {
        round: ROUND,
        seq,
        ballotId,
        envelope: slug,
        weight,
        supersedes: old?.ballotId ?? null,
        commitment: commitmentHex(canonicalJson(body), nonce),
      };
      opening = { body, nonce, voter };
      channel = random() < 0.9 ? "online" : "paper";
      live.push({ ballotId, envelope: slug, voter, weight });
    }
    leaves.push({ leaf, opening, channel, day: dayIn("UTC", new Date(startedAt + seq * step * 1000)) });
    tree.push(leafHashHex(leafText(leaf)));
    if ((seq + 1) % every === 0) sign(seq + 1);
  }
  if (!checkpoints.length || checkpoints[checkpoints.length - 1].treeSize !== tree.size) sign(options.voters + 1);

  const files = buildBundle({
    round: {
      format: BUNDLE_FORMAT,
      municipality: { slug: "demo", name: { en: "Demo city" }, currency: "EUR", timeZone: "UTC" },
      round: {
        ...roundMeta,
        title: { en: "Demo budgeting round" },
        phases: [
          { kind: "voting", startsOn: "2026-05-01", endsOn: "2026-05-21" },
          { kind: "tallying", startsOn: "2026-05-22", endsOn: "2026-05-25" },
          { kind: "published", startsOn: "2026-05-26", endsOn: "2026-12-31" },
        ],
      },
      rulesFingerprint: fingerprint,
      votingWindow,
      eligibility,
      envelopes,
      proposals,
      voterClasses,
      counts: { eligible: null },
    },
    leaves,
    ledger: {
      publicKey: keys.publicKeyPem,
      origin: DEMO_ORIGIN,
      witnesses: (options.witnesses ?? []).map((w) => ({ name: w.verifierKey.split("+")[0], vkey: w.verifierKey })),
      quorum: options.quorum ?? 0,
      checkpoints,
    },
    privateKeyPem: keys.privateKeyPem,
  });
  return { files, publicKeyPem: keys.publicKeyPem };
}
