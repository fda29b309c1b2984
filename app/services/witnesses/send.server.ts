/**
 * Sends a new checkpoint to the municipality's witnesses (c2sp.org/tlog-witness, ADR 0022): the
 * request names the size the witness last cosigned (`old`) with the consistency proof from there;
 * a 409 names the size the witness holds and the request is made again from it. Cosignatures that
 * verify are stored; a witness that failed makes the job retry (with back-off) for it alone.
 */
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { checkpoints, cosignatures, rounds, witnesses } from "../../../db/schema";
import { verifyCosignature } from "../../domain/ledger/cosignature";
import { type NoteSignature, parseNote } from "../../domain/ledger/note";
import { formatAddCheckpointBody, parseCosignatureResponse } from "../../domain/ledger/witness";
import { consistencyProof } from "../ballots/ledger-store.server";
import type { Job, JobHandler } from "../jobs/jobs.server";
import { WITNESS_JOB, type WitnessRow, signatureToStore } from "./witnesses.server";

const TIMEOUT_MS = 10_000;
/** A witness answers with a few signature lines or a size; more is not read. */
const MAX_RESPONSE_BYTES = 64 * 1024;

async function boundedText(response: Response): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_RESPONSE_BYTES) {
        await reader.cancel();
        break;
      }
      chunks.push(value);
    }
  } catch {
    return "";
  }
  return Buffer.concat(chunks).toString("utf8");
}

type Attempt =
  | { kind: "cosigned" }
  | { kind: "ahead"; size: number }
  | { kind: "conflict"; size: number }
  | { kind: "failed"; reason: string };

/** The request body of add-checkpoint: `old N`, the proof lines, a blank line, the note. */
export function addCheckpointBody(oldSize: number, proof: readonly string[], note: string): string {
  return formatAddCheckpointBody({ oldSize, proof: proof.map((h) => Buffer.from(h, "hex")), note });
}

async function lastCosignedSize(db: Db, roundId: string, vkey: string): Promise<number> {
  const [row] = await db
    .select({ size: cosignatures.treeSize })
    .from(cosignatures)
    .where(and(eq(cosignatures.roundId, roundId), eq(cosignatures.vkey, vkey)))
    .orderBy(desc(cosignatures.treeSize))
    .limit(1);
  return row?.size ?? 0;
}

async function post(
  db: Db,
  witness: WitnessRow,
  checkpoint: { roundId: string; treeSize: number; note: string },
  oldSize: number,
  now: () => Date,
): Promise<Attempt | { kind: "retry"; size: number }> {
  const proof =
    oldSize > 0 && oldSize < checkpoint.treeSize
      ? await consistencyProof(db, { roundId: checkpoint.roundId, oldSize, newSize: checkpoint.treeSize })
      : [];
  let response: Response;
  try {
    response = await fetch(`${witness.url}/add-checkpoint`, {
      method: "POST",
      headers: { "Content-Type": "text/plain; charset=utf-8" },
      body: addCheckpointBody(oldSize, proof, checkpoint.note),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    return { kind: "failed", reason: `${witness.name}: ${(error as Error).message}` };
  }
  const text = await boundedText(response);
  if (response.status === 409) {
    const size = /^(0|[1-9][0-9]*)\n?$/.exec(text) ? Number(text.trim()) : Number.NaN;
    if (!Number.isSafeInteger(size)) return { kind: "failed", reason: `${witness.name}: 409 without a size` };
    if (size > checkpoint.treeSize) return { kind: "ahead", size };
    // Asked again from the size it holds, it still refuses: another tree of that size (a split view).
    if (size === oldSize) return { kind: "conflict", size };
    // It holds another size (it cosigned more than we stored, or lost state): ask from there.
    return { kind: "retry", size };
  }
  if (response.status !== 200)
    return { kind: "failed", reason: `${witness.name}: HTTP ${response.status} ${text.slice(0, 200).trim()}` };
  const body = parseNote(checkpoint.note).text;
  let lines: NoteSignature[];
  try {
    lines = parseCosignatureResponse(text);
  } catch (error) {
    return {
      kind: "failed",
      reason: `${witness.name}: the answer is not signature lines (${(error as Error).message})`,
    };
  }
  for (const sig of lines) {
    if (sig.name !== witness.name) continue;
    let verdict: { ok: boolean; time: number };
    try {
      verdict = verifyCosignature(body, sig, witness.vkey);
    } catch {
      continue;
    }
    if (!verdict.ok) continue;
    await db
      .insert(cosignatures)
      .values({
        roundId: checkpoint.roundId,
        treeSize: checkpoint.treeSize,
        witnessName: witness.name,
        vkey: witness.vkey,
        signature: signatureToStore(sig),
        cosignedAt: verdict.time > 0 ? new Date(verdict.time * 1000) : now(),
      })
      .onConflictDoNothing();
    return { kind: "cosigned" };
  }
  return { kind: "failed", reason: `${witness.name}: no valid cosignature in the response` };
}

/** One witness, following its 409s (each names the size it holds) a few times. */
async function sendTo(
  db: Db,
  witness: WitnessRow,
  checkpoint: { roundId: string; treeSize: number; note: string },
  now: () => Date,
): Promise<Attempt> {
  let oldSize = await lastCosignedSize(db, checkpoint.roundId, witness.vkey);
  if (oldSize > checkpoint.treeSize) return { kind: "ahead", size: oldSize };
  for (let tries = 0; tries < 3; tries++) {
    const outcome = await post(db, witness, checkpoint, oldSize, now);
    if (outcome.kind !== "retry") return outcome;
    oldSize = outcome.size;
  }
  return { kind: "failed", reason: `${witness.name}: the size it holds kept changing` };
}

/** The job: `{ roundId, treeSize }`. Witnesses that cosigned already (or are ahead) are skipped. */
export const sendCheckpoint =
  (now: () => Date = () => new Date()): JobHandler =>
  async (db: Db, job: Job) => {
    const roundId = String(job.payload.roundId);
    const treeSize = Number(job.payload.treeSize);
    const [row] = await db
      .select({ note: checkpoints.note, municipalityId: rounds.municipalityId })
      .from(checkpoints)
      .innerJoin(rounds, eq(rounds.id, checkpoints.roundId))
      .where(and(eq(checkpoints.roundId, roundId), eq(checkpoints.treeSize, treeSize)));
    if (!row?.note) return;
    const active = await db
      .select({
        id: witnesses.id,
        name: witnesses.name,
        vkey: witnesses.vkey,
        url: witnesses.url,
        active: witnesses.active,
      })
      .from(witnesses)
      .where(and(eq(witnesses.municipalityId, row.municipalityId), eq(witnesses.active, true)));
    const done = new Set(
      (
        await db
          .select({ vkey: cosignatures.vkey })
          .from(cosignatures)
          .where(and(eq(cosignatures.roundId, roundId), eq(cosignatures.treeSize, treeSize)))
      ).map((c) => c.vkey),
    );
    const problems: string[] = [];
    const outcomes = await Promise.all(
      active
        .filter((w) => !done.has(w.vkey))
        .map((w) => sendTo(db, w, { roundId, treeSize, note: row.note as string }, now)),
    );
    for (const o of outcomes) {
      if (o.kind === "failed") problems.push(o.reason);
      // A conflict is what a split view looks like to the sender: never retried into silence.
      if (o.kind === "conflict") problems.push(`a witness holds another tree of size ${o.size}`);
    }
    return problems.length ? { retry: problems.join("; ") } : undefined;
  };

export const witnessJobHandlers = (now?: () => Date): Record<string, JobHandler> => ({
  [WITNESS_JOB]: sendCheckpoint(now),
});
