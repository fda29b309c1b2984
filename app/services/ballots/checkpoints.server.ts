/** Signed checkpoints of each round's ledger and the receipts voters keep. */
import { and, asc, desc, eq, gt, inArray, sql } from "drizzle-orm";
import { type Db, type Tx, queryRows } from "../../../db/client";
import { keyStoreDir, readSigningKey, storeSigningKeyOnce } from "../../../db/keystore";
import {
  ballots,
  checkpoints,
  ledgerLeaves,
  municipalities,
  municipalityKeys,
  phases,
  roundSecrets,
  rounds,
} from "../../../db/schema";
import { type Leaf, rulesFingerprint } from "../../domain/bundle/format";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import {
  type Checkpoint,
  checkpointNoteBody,
  checkpointOrigin,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  signCheckpoint,
} from "../../domain/ledger/checkpoint";
import type { VoterReceiptV2 } from "../../domain/ledger/receipt";
import { signNote, signerFromPem } from "../../domain/ledger/note";
import { consistencyProof, inclusionProof, ledgerHead } from "./ledger-store.server";
import { roundRulesOf } from "../rounds/round-rules.server";
import { serverSecret } from "../secrets.server";
import { config } from "../../config.server";
import { enqueueJob } from "../jobs/jobs.server";
import type { Scope } from "../scope";
import {
  WITNESS_JOB,
  cosignedNote,
  cosignedNotes,
  hasActiveWitnesses,
  witnessSettingsOf,
} from "../witnesses/witnesses.server";

/**
 * The checkpoint schedule (ADR 0016): every SHORA_CHECKPOINT_MINUTES (default 10) minutes, a round
 * whose ledger grew by at least SHORA_CHECKPOINT_BALLOTS (default 10) leaves gets a checkpoint.
 */
export function checkpointSchedule(): { intervalMs: number; minLeaves: number } {
  const { checkpointMinutes, checkpointBallots } = config();
  return { intervalMs: checkpointMinutes * 60_000, minLeaves: checkpointBallots };
}

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

/**
 * The municipality's checkpoint signing key, created on first use: the public key in the database
 * (published data), the private key encrypted with the server secret in the key store (ADR 0016).
 * The first host to store a key wins; every host then uses that one.
 */
export async function signingKey(db: Db | Tx, municipalityId: string) {
  let stored = readSigningKey(municipalityId);
  if (!stored) {
    const [existing] = await db
      .select()
      .from(municipalityKeys)
      .where(eq(municipalityKeys.municipalityId, municipalityId));
    if (existing)
      throw new Error(
        `the private signing key of municipality ${municipalityId} is missing from the key store ${keyStoreDir()} (SHORA_KEY_DIR)`,
      );
    const key = generateSigningKey();
    stored = storeSigningKeyOnce(municipalityId, {
      publicKey: key.publicKeyPem,
      encryptedPrivateKey: encryptPrivateKey(key.privateKeyPem, serverSecret()),
    });
  }
  await db.insert(municipalityKeys).values({ municipalityId, publicKey: stored.publicKey }).onConflictDoNothing();
  const [row] = await db.select().from(municipalityKeys).where(eq(municipalityKeys.municipalityId, municipalityId));
  if (row.publicKey !== stored.publicKey)
    throw new Error(`the key store ${keyStoreDir()} holds another signing key than municipality ${municipalityId}'s`);
  return { ...row, encryptedPrivateKey: stored.encryptedPrivateKey };
}

/** The municipality's public checkpoint key (no key store needed once it exists). */
async function publicKeyOf(db: Db | Tx, municipalityId: string): Promise<string> {
  const [row] = await db.select().from(municipalityKeys).where(eq(municipalityKeys.municipalityId, municipalityId));
  return row?.publicKey ?? (await signingKey(db, municipalityId)).publicKey;
}

/**
 * The round's fingerprint for checkpoints: SHA-256 of the canonical JSON of everything that decides
 * the outcome (voting window as opened, envelopes and their rules, accepted proposals and costs,
 * voter classes and weights, eligibility), which is frozen once voting opens (ADR 0018).
 */
export async function roundFingerprint(db: Db | Tx, input: { roundId: string }): Promise<string> {
  return rulesFingerprint(await roundRulesOf(db, input.roundId));
}

/**
 * Signs a new checkpoint when the ledger grew since the last one and either `force` is set (voting
 * closes, the tally runs, publication) or the schedule says it is due: the last checkpoint is at
 * least the interval old (or there is none) and at least `minLeaves` leaves arrived since. Never
 * called by a cast (ADR 0016). Hosts sign one after the other (an advisory lock per round), so two
 * never sign the same ledger size twice.
 */
export async function maybeCheckpoint(
  db: Db,
  params: { roundId: string; municipalityId: string; now?: Date; force?: boolean },
) {
  return (await checkpointIfDue(db, params)).row;
}

async function checkpointIfDue(
  db: Db,
  params: { roundId: string; municipalityId: string; now?: Date; force?: boolean },
) {
  const now = params.now ?? new Date();
  const { intervalMs, minLeaves } = checkpointSchedule();
  const unchanged = <T>(row: T) => ({ row, signed: false });
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`checkpoint:${params.roundId}`}))`);
    const [last] = await tx
      .select()
      .from(checkpoints)
      .where(eq(checkpoints.roundId, params.roundId))
      .orderBy(desc(checkpoints.treeSize))
      .limit(1);
    if (!params.force && last && now.getTime() - last.signedAt.getTime() < intervalMs) return unchanged(last);
    const head = await ledgerHead(tx as unknown as Db, { roundId: params.roundId });
    if (head.size === 0 || (last && last.treeSize >= head.size)) return unchanged(last ?? null);
    if (!params.force && head.size - (last?.treeSize ?? 0) < minLeaves) return unchanged(last ?? null);
    return { row: await signCheckpointNow(tx, params, head, now), signed: true };
  });
}

/**
 * The scheduler's work (the server runs it on a timer; tests call it directly): every round with
 * unpublished ledger growth gets a checkpoint when one is due. Returns the rounds it signed.
 */
export async function signDueCheckpoints(
  db: Db,
  /** `municipalityId`: only this municipality's rounds (tests sharing a database). */
  input: { now: Date; municipalityId?: string },
): Promise<string[]> {
  const { now } = input;
  const { intervalMs, minLeaves } = checkpointSchedule();
  // Rounds whose ledger grew since their last checkpoint and are not published.
  const grown = await queryRows<{
    round_id: string;
    municipality_id: string;
    time_zone: string;
    n: number;
    signed_at: string | null;
  }>(
    db,
    sql`select r.id as round_id, r.municipality_id, m.time_zone, size.n - coalesce(last.tree_size, 0) as n, last.signed_at
      from ${rounds} r
      join ${municipalities} m on m.id = r.municipality_id
      join lateral (select count(*)::int as n from ${ledgerLeaves} l where l.round_id = r.id) size on true
      left join lateral (select tree_size, signed_at from ${checkpoints} c where c.round_id = r.id
        order by tree_size desc limit 1) last on true
      where size.n > coalesce(last.tree_size, 0)
        and not exists (select 1 from ${roundSecrets} s where s.round_id = r.id and s.destroyed_at is not null)
        ${input.municipalityId ? sql`and r.municipality_id = ${input.municipalityId}` : sql``}`,
  );
  const signed: string[] = [];
  for (const r of grown) {
    const phaseRows = await db.select().from(phases).where(eq(phases.roundId, r.round_id));
    const voting = currentPhase(phaseRows, dayIn(r.time_zone, now))?.kind === "voting";
    // While voting: N minutes and k ballots. Once voting has closed, the closing checkpoint at once.
    if (voting) {
      if (Number(r.n) < minLeaves) continue;
      if (r.signed_at && now.getTime() - new Date(r.signed_at).getTime() < intervalMs) continue;
    }
    const outcome = await checkpointIfDue(db, {
      roundId: r.round_id,
      municipalityId: r.municipality_id,
      now,
      force: !voting,
    });
    if (outcome.signed) signed.push(r.round_id);
  }
  return signed;
}

/** Runs `signDueCheckpoints` every minute until stopped; errors are reported, never fatal. */
export function startCheckpointScheduler(db: Db, report: (error: unknown) => void = console.error) {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = signDueCheckpoints(db, { now: new Date() }).catch(report);
  }, 60_000);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

async function signCheckpointNow(
  tx: Tx,
  params: { roundId: string; municipalityId: string },
  head: { size: number; root: string },
  now: Date,
) {
  const db = tx;
  const key = await signingKey(db, params.municipalityId);
  const checkpoint: Checkpoint = {
    roundFingerprint: await roundFingerprint(db, { roundId: params.roundId }),
    treeSize: head.size,
    rootHash: head.root,
    signedAt: now.toISOString(),
  };
  // Version 1 signature (receipts and bundles before ADR 0022 check it) and the C2SP signed note.
  const signature = signCheckpoint(checkpoint, privateKeyOf(key));
  const origin = await originOf(db, params.roundId);
  const note = signNote(checkpointNoteBody({ origin, ...checkpoint }), [signerFromPem(origin, privateKeyOf(key))]);
  const inserted = await db
    .insert(checkpoints)
    .values({
      roundId: params.roundId,
      treeSize: checkpoint.treeSize,
      rootHash: checkpoint.rootHash,
      roundFingerprint: checkpoint.roundFingerprint,
      signedAt: now,
      signature,
      note,
    })
    .onConflictDoNothing()
    .returning({ treeSize: checkpoints.treeSize });
  // Sent to the witnesses by the job queue once this transaction commits (ADR 0022).
  if (inserted.length && (await hasActiveWitnesses(db, params.municipalityId)))
    await enqueueJob(
      db,
      { actor: { kind: "system", name: "checkpoints" } },
      { kind: WITNESS_JOB, payload: { roundId: params.roundId, treeSize: checkpoint.treeSize } },
    );
  const [row] = await db
    .select()
    .from(checkpoints)
    .where(and(eq(checkpoints.roundId, params.roundId), eq(checkpoints.treeSize, checkpoint.treeSize)));
  return row;
}

/** The round's log origin: `<host>/m/<municipality>/rounds/<round>` (ADR 0022). */
export async function originOf(db: Db | Tx, roundId: string): Promise<string> {
  const [row] = await db
    .select({ round: rounds.slug, municipality: municipalities.slug })
    .from(rounds)
    .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
    .where(eq(rounds.id, roundId));
  if (!row) throw new Error(`no round ${roundId}`);
  return checkpointOrigin(config().checkpointHost, row.municipality, row.round);
}

/**
 * The round's checkpoints as published (checkpoints.json, ledger.json): each with its signed note and
 * the witnesses' cosignatures added to it, and the municipality's witnesses and quorum (ADR 0022).
 */
export async function publicCheckpoints(db: Db, scope: Scope, input: { roundId: string }) {
  const { roundId } = input;
  const municipalityId = scope.municipality.id;
  const publicKey = await publicKeyOf(db, municipalityId);
  const rows = await db
    .select()
    .from(checkpoints)
    .where(eq(checkpoints.roundId, roundId))
    .orderBy(asc(checkpoints.treeSize));
  const settings = await witnessSettingsOf(db, municipalityId);
  const notes = await cosignedNotes(db, { roundId, rows });
  return {
    publicKey,
    ...(rows.some((c) => c.note) ? { origin: await originOf(db, roundId) } : {}),
    witnesses: settings.witnesses.filter((w) => w.active).map((w) => ({ name: w.name, vkey: w.vkey, url: w.url })),
    quorum: settings.quorum,
    checkpoints: rows.map((c, i) => ({
      roundFingerprint: c.roundFingerprint,
      treeSize: c.treeSize,
      rootHash: c.rootHash,
      signedAt: c.signedAt.toISOString(),
      signature: c.signature,
      ...(notes[i] ? { note: notes[i] } : {}),
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
  scope: Scope,
  input: { roundId: string; ballotId: string },
): Promise<Receipt | null> {
  const { roundId, ballotId } = input;
  // The ballot with its leaf (every ballot has one: both are written in the same statement), in a
  // round of the scope's municipality.
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
    .innerJoin(rounds, and(eq(rounds.id, ballots.roundId), eq(rounds.municipalityId, scope.municipality.id)))
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
    roundFingerprint: covering?.roundFingerprint ?? (await roundFingerprint(db, { roundId })),
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
          ...(covering.note ? { note: (await cosignedNote(db, { roundId, checkpoint: covering })) ?? undefined } : {}),
        }
      : null,
    inclusionProof: covering
      ? await inclusionProof(db, { roundId, index: ballot.leafIndex, size: covering.treeSize })
      : null,
  };
}

/**
 * The consistency proof between two signed checkpoints of the round (sizes `from` ≤ `to`), for monitors
 * comparing a voter's checkpoint with a witness's (ADR 0022). Only signed sizes: a proof to an unsigned
 * tree size would say nothing anyone can check.
 */
export async function publicConsistencyProof(
  db: Db,
  scope: Scope,
  input: { roundId: string; from: string; to: string },
): Promise<{ from: number; to: number; proof: string[] } | { error: string; status: 400 | 404 }> {
  const [round] = await db
    .select({ id: rounds.id })
    .from(rounds)
    .where(and(eq(rounds.id, input.roundId), eq(rounds.municipalityId, scope.municipality.id)));
  if (!round) return { error: "no such round", status: 404 };
  const size = (text: string) => (/^(0|[1-9][0-9]{0,9})$/.test(text) ? Number(text) : null);
  const from = size(input.from);
  const to = size(input.to);
  if (from === null) return { error: "from must be a tree size", status: 400 };
  if (to === null || to < from) return { error: "to must be a tree size not below from", status: 400 };
  const signed = await db
    .select({ treeSize: checkpoints.treeSize })
    .from(checkpoints)
    .where(and(eq(checkpoints.roundId, input.roundId), inArray(checkpoints.treeSize, [from, to])));
  const sizes = new Set(signed.map((c) => c.treeSize));
  if (!sizes.has(to) || (from > 0 && !sizes.has(from)))
    return { error: "from and to must be sizes of signed checkpoints", status: 404 };
  const proof =
    from === 0 || from === to ? [] : await consistencyProof(db, { roundId: input.roundId, oldSize: from, newSize: to });
  return { from, to, proof };
}
