/** Signed checkpoints of each round's ledger and the receipts voters keep. */
import { and, asc, desc, eq, gt } from "drizzle-orm";
import type { Db, Tx } from "../../db/client";
import { checkpoints, ledgerLeaves, municipalityKeys, ballots } from "../../db/schema";
import { type Leaf, rulesFingerprint } from "../domain/bundle/format";
import {
  type Checkpoint,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  signCheckpoint,
} from "../domain/ledger/checkpoint";
import type { VoterReceiptV2 } from "../domain/ledger/receipt";
import { inclusionProof, ledgerHead } from "./ballots.server";
import { roundRulesOf } from "./round-rules.server";
import { serverSecret } from "./secrets.server";

/** At most this long between two checkpoints while ballots arrive. */
export const CHECKPOINT_INTERVAL_MS = 5 * 60_000;

/** The municipality's checkpoint signing key, created on first use. */
/**
 * The municipality's private signing key in PEM. Decrypting costs a deliberate scrypt (tens of
 * milliseconds of CPU); done once per key and process, not on every checkpoint and bundle.
 */
const decryptedKeys = new Map<string, string>();
export function privateKeyOf(key: { encryptedPrivateKey: string }): string {
  const secret = serverSecret();
  const memo = `${secret}\n${key.encryptedPrivateKey}`;
  let pem = decryptedKeys.get(memo);
  if (pem === undefined) {
    pem = decryptPrivateKey(key.encryptedPrivateKey, secret);
    decryptedKeys.set(memo, pem);
  }
  return pem;
}

export async function signingKey(db: Db | Tx, municipalityId: string) {
  const [existing] = await db
    .select()
    .from(municipalityKeys)
    .where(eq(municipalityKeys.municipalityId, municipalityId));
  if (existing) return existing;
  const key = generateSigningKey();
  await db
    .insert(municipalityKeys)
    .values({
      municipalityId,
      publicKey: key.publicKeyPem,
      encryptedPrivateKey: encryptPrivateKey(key.privateKeyPem, serverSecret()),
    })
    .onConflictDoNothing();
  const [row] = await db.select().from(municipalityKeys).where(eq(municipalityKeys.municipalityId, municipalityId));
  return row;
}

/**
 * The round's fingerprint for checkpoints: SHA-256 of the canonical JSON of everything that decides
 * the outcome (voting window as opened, envelopes and their rules, accepted proposals and costs,
 * voter classes and weights, eligibility), which is frozen once voting opens (ADR 0018).
 */
export async function roundFingerprint(
  db: Db | Tx,
  roundId: string,
  /** Kept for callers that pass the round they read (the rules are read in full here). */
  _known?: { slug: string; kind: string },
): Promise<string> {
  return rulesFingerprint(await roundRulesOf(db, roundId));
}

/**
 * Signs a new checkpoint when the ledger grew since the last one and either `force` is set (voting
 * closes, the tally runs) or the last checkpoint is older than the interval.
 */
export async function maybeCheckpoint(
  db: Db,
  params: { roundId: string; municipalityId: string; now?: Date; force?: boolean },
) {
  const now = params.now ?? new Date();
  const [last] = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.roundId, params.roundId))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  // The common case while voting: a recent checkpoint exists, nothing to compute.
  if (!params.force && last && now.getTime() - last.signedAt.getTime() < CHECKPOINT_INTERVAL_MS) return last;
  const head = await ledgerHead(db, params.roundId);
  if (head.size === 0 || (last && last.treeSize >= head.size)) return last ?? null;
  if (!params.force && last && now.getTime() - last.signedAt.getTime() < CHECKPOINT_INTERVAL_MS) return last;
  const key = await signingKey(db, params.municipalityId);
  const checkpoint: Checkpoint = {
    roundFingerprint: await roundFingerprint(db, params.roundId),
    treeSize: head.size,
    rootHash: head.root,
    signedAt: now.toISOString(),
  };
  const signature = signCheckpoint(checkpoint, privateKeyOf(key));
  await db
    .insert(checkpoints)
    .values({
      roundId: params.roundId,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      roundFingerprint: checkpoint.roundFingerprint,
      signedAt: now,
      signature,
    })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.roundId, params.roundId), eq(checkpoints.treeSize, checkpoint.treeSize)));
  return row;
}

export async function publicCheckpoints(db: Db, roundId: string, municipalityId: string) {
  const key = await signingKey(db, municipalityId);
  const rows = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.roundId, roundId))
    .orderBy(asc(checkpoints.treeSize));
  return {
    publicKey: key.publicKey,
    checkpoints: rows.map((c) => ({
      roundFingerprint: c.roundFingerprint,
      treeSize: c.treeSize,
      rootHash: c.rootHash,
      signedAt: c.signedAt.toISOString(),
      signature: c.signature,
    })),
  };
}

/** The receipt a voter downloads (version 2, ADR 0017): no status in it, the checks derive it. */
export type Receipt = VoterReceiptV2;

/**
 * A voter's receipt for a ballot id: its leaf as published, the opening (choices and nonce) and, once
 * a checkpoint covers it, that checkpoint and the inclusion proof. Whoever shows it the ballot id gets
 * it; what the pages add to it (and withhold) is decided in receipts.server.ts.
 */
export async function receiptFor(
  db: Db,
  roundId: string,
  ballotId: string,
  /** The round's identity when the caller has read it already (see `roundFingerprint`). */
  round?: { slug: string; kind: string },
): Promise<Receipt | null> {
  // The ballot with its leaf (every ballot has one: both are written in the same statement).
  const [ballot] = await db
    .select({
      leafIndex: ballots.leafIndex,
      body: ballots.body,
      nonce: ballots.nonce,
      commitment: ballots.commitment,
      leaf: ledgerLeaves.leaf,
      leafHash: ledgerLeaves.leafHash,
    })
    .from(ballots)
    .innerJoin(
      ledgerLeaves,
      and(eq(ledgerLeaves.roundId, ballots.roundId), eq(ledgerLeaves.leafIndex, ballots.leafIndex)),
    )
    .where(and(eq(ballots.roundId, roundId), eq(ballots.id, ballotId)));
  if (!ballot) return null;
  const [covering] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.roundId, roundId), gt(checkpoints.treeSize, ballot.leafIndex)))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1);
  return {
    version: 2,
    roundFingerprint: covering?.roundFingerprint ?? (await roundFingerprint(db, roundId, round)),
    ballotId,
    leafIndex: ballot.leafIndex,
    leafHash: ballot.leafHash,
    leaf: JSON.parse(ballot.leaf) as Leaf,
    commitment: ballot.commitment,
    choices: ballot.body,
    nonce: ballot.nonce,
    checkpoint: covering
      ? {
          roundFingerprint: covering.roundFingerprint,
          treeSize: covering.treeSize,
          rootHash: covering.rootHash,
          signedAt: covering.signedAt.toISOString(),
          signature: covering.signature,
        }
      : null,
    inclusionProof: covering ? await inclusionProof(db, roundId, ballot.leafIndex, covering.treeSize) : null,
  };
}
