/**
 * A municipality's witnesses and quorum (ADR 0022): who cosigns its checkpoints, edited by its
 * administrators; the cosignatures stored per checkpoint and added to the published notes.
 */
import { randomUUID } from "node:crypto";
import { and, asc, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../../db/client";
import { cosignatures, users, witnessQuorums, witnesses } from "../../../db/schema";
import { type NoteSignature, formatNote, parseNote } from "../../domain/ledger/note";
import { cosignerVerifier } from "../../domain/ledger/cosignature";
import { asciiDigits } from "../../domain/verification/ids";
import { recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";

/** The job kind that sends a checkpoint to the municipality's witnesses (send.server.ts). */
export const WITNESS_JOB = "checkpoint.witness";

export type WitnessRefusal =
  | "witness_vkey"
  | "witness_url"
  | "witness_duplicate"
  | "witness_not_found"
  | "witness_quorum";

export interface WitnessRow {
  id: string;
  name: string;
  vkey: string;
  url: string;
  active: boolean;
}

export async function witnessSettingsOf(
  db: Db | Tx,
  municipalityId: string,
): Promise<{ witnesses: WitnessRow[]; quorum: number }> {
  const rows = await db
    .select({
      id: witnesses.id,
      name: witnesses.name,
      vkey: witnesses.vkey,
      url: witnesses.url,
      active: witnesses.active,
    })
    .from(witnesses)
    .where(eq(witnesses.municipalityId, municipalityId))
    .orderBy(asc(witnesses.name));
  const [q] = await db.select().from(witnessQuorums).where(eq(witnessQuorums.municipalityId, municipalityId));
  return { witnesses: rows, quorum: q?.quorum ?? 0 };
}

/** The witness settings of the scope's municipality (administrators' page). */
export async function witnessesOf(db: Db, scope: Scope) {
  return witnessSettingsOf(db, scope.municipality.id);
}

export async function hasActiveWitnesses(db: Db | Tx, municipalityId: string): Promise<boolean> {
  const [{ n }] = await db
    .select({ n: count() })
    .from(witnesses)
    .where(and(eq(witnesses.municipalityId, municipalityId), eq(witnesses.active, true)));
  return n > 0;
}

/** The key's name (the witness's name in cosignature lines), or null when the vkey is not a cosigner key. */
export function witnessKeyName(vkey: string): string | null {
  try {
    return cosignerVerifier(vkey.trim()).name;
  } catch {
    return null;
  }
}

const addInput = z.object({
  vkey: z.string().trim().min(1).max(500),
  url: z.string().trim().min(1).max(500),
});

function witnessUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RefusedError<WitnessRefusal>("witness_url", "url");
  }
  if ((url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password || url.search || url.hash)
    throw new RefusedError<WitnessRefusal>("witness_url", "url");
  return url.toString().replace(/\/+$/, "");
}

async function lockWitnesses(tx: Tx, municipalityId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`witnesses:${municipalityId}`}))`);
}

async function log(tx: Tx, scope: Scope, action: string, target: string, before: unknown, after: unknown) {
  const userId = actorUserId(scope);
  const [user] = await tx.select({ displayName: users.displayName }).from(users).where(eq(users.id, userId));
  await recordAction(tx, {
    municipalityId: scope.municipality.id,
    municipalitySlug: scope.municipality.slug,
    actor: { id: userId, displayName: user?.displayName ?? "" },
    action,
    target,
    before,
    after,
  });
}

/** Adds a witness: its name is the name in its verifier key (what its cosignature lines carry). */
export async function addWitness(db: Db, scope: Scope, input: { vkey: string; url: string }) {
  const parsed = addInput.safeParse(input);
  if (!parsed.success)
    throw new RefusedError<WitnessRefusal>(
      parsed.error.issues[0]?.path[0] === "url" ? "witness_url" : "witness_vkey",
      String(parsed.error.issues[0]?.path[0] ?? "vkey"),
    );
  const name = witnessKeyName(parsed.data.vkey);
  if (!name) throw new RefusedError<WitnessRefusal>("witness_vkey", "vkey");
  const url = witnessUrl(parsed.data.url);
  return db.transaction(async (tx) => {
    await lockWitnesses(tx, scope.municipality.id);
    const [same] = await tx
      .select({ id: witnesses.id })
      .from(witnesses)
      .where(and(eq(witnesses.municipalityId, scope.municipality.id), eq(witnesses.name, name)));
    if (same) throw new RefusedError<WitnessRefusal>("witness_duplicate", "vkey", { name }, 409);
    const id = randomUUID();
    await tx
      .insert(witnesses)
      .values({ id, municipalityId: scope.municipality.id, name, vkey: parsed.data.vkey, url, active: true });
    await log(tx, scope, "witness.add", `witness:${name}`, null, { name, vkey: parsed.data.vkey, url });
    return { id, name };
  });
}

async function witnessIn(tx: Tx, municipalityId: string, id: string) {
  const [row] = await tx
    .select()
    .from(witnesses)
    .where(and(eq(witnesses.municipalityId, municipalityId), eq(witnesses.id, id)));
  if (!row) throw new RefusedError<WitnessRefusal>("witness_not_found", "id", {}, 404);
  return row;
}

async function activeCount(tx: Tx, municipalityId: string) {
  const [{ n }] = await tx
    .select({ n: count() })
    .from(witnesses)
    .where(and(eq(witnesses.municipalityId, municipalityId), eq(witnesses.active, true)));
  return n;
}

async function quorumOf(tx: Tx, municipalityId: string) {
  const [q] = await tx.select().from(witnessQuorums).where(eq(witnessQuorums.municipalityId, municipalityId));
  return q?.quorum ?? 0;
}

/** Pauses or resumes a witness; the quorum can never exceed the active witnesses. */
export async function setWitnessActive(db: Db, scope: Scope, input: { id: string; active: boolean }) {
  return db.transaction(async (tx) => {
    await lockWitnesses(tx, scope.municipality.id);
    const row = await witnessIn(tx, scope.municipality.id, input.id);
    if (row.active === input.active) return { name: row.name, changed: false };
    if (
      !input.active &&
      (await activeCount(tx, scope.municipality.id)) - 1 < (await quorumOf(tx, scope.municipality.id))
    )
      throw new RefusedError<WitnessRefusal>("witness_quorum", "quorum", { name: row.name }, 409);
    await tx.update(witnesses).set({ active: input.active }).where(eq(witnesses.id, row.id));
    await log(
      tx,
      scope,
      input.active ? "witness.resume" : "witness.pause",
      `witness:${row.name}`,
      { active: row.active },
      { active: input.active },
    );
    return { name: row.name, changed: true };
  });
}

export async function removeWitness(db: Db, scope: Scope, input: { id: string }) {
  return db.transaction(async (tx) => {
    await lockWitnesses(tx, scope.municipality.id);
    const row = await witnessIn(tx, scope.municipality.id, input.id);
    if (row.active && (await activeCount(tx, scope.municipality.id)) - 1 < (await quorumOf(tx, scope.municipality.id)))
      throw new RefusedError<WitnessRefusal>("witness_quorum", "quorum", { name: row.name }, 409);
    await tx.delete(witnesses).where(eq(witnesses.id, row.id));
    await log(
      tx,
      scope,
      "witness.remove",
      `witness:${row.name}`,
      { name: row.name, vkey: row.vkey, url: row.url },
      null,
    );
    return { name: row.name };
  });
}

/** How many active witnesses must cosign (0 to the number of active witnesses). */
export async function setWitnessQuorum(db: Db, scope: Scope, input: { quorum: string | number }) {
  const text = asciiDigits(String(input.quorum).trim());
  const quorum = Number(text);
  if (!/^[0-9]{1,4}$/.test(text)) throw new RefusedError<WitnessRefusal>("witness_quorum", "quorum");
  return db.transaction(async (tx) => {
    await lockWitnesses(tx, scope.municipality.id);
    if (quorum > (await activeCount(tx, scope.municipality.id)))
      throw new RefusedError<WitnessRefusal>("witness_quorum", "quorum");
    const before = await quorumOf(tx, scope.municipality.id);
    await tx
      .insert(witnessQuorums)
      .values({ municipalityId: scope.municipality.id, quorum })
      .onConflictDoUpdate({ target: witnessQuorums.municipalityId, set: { quorum } });
    await log(tx, scope, "witness.quorum", `municipality:${scope.municipality.slug}`, { quorum: before }, { quorum });
    return { quorum };
  });
}

/** A stored cosignature as a note signature (the base64 holds key id ‖ timestamp ‖ signature). */
export function storedSignature(row: { witnessName: string; signature: string }): NoteSignature {
  const bytes = Buffer.from(row.signature, "base64");
  return { name: row.witnessName, keyHash: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

export function signatureToStore(sig: NoteSignature): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(sig.keyHash >>> 0);
  return Buffer.concat([id, sig.signature]).toString("base64");
}

/** The checkpoint's note with every stored cosignature added after the municipality's signature. */
export async function cosignedNote(
  db: Db | Tx,
  input: { roundId: string; checkpoint: { treeSize: number; note: string | null } },
): Promise<string | null> {
  const { roundId, checkpoint } = input;
  if (!checkpoint.note) return null;
  const rows = await db
    .select()
    .from(cosignatures)
    .where(and(eq(cosignatures.roundId, roundId), eq(cosignatures.treeSize, checkpoint.treeSize)))
    .orderBy(asc(cosignatures.witnessName));
  if (!rows.length) return checkpoint.note;
  const note = parseNote(checkpoint.note);
  return formatNote(note.text, [...note.signatures, ...rows.map(storedSignature)]);
}

/** Every checkpoint note of a round with its stored cosignatures added: one query for all of them. */
export async function cosignedNotes(
  db: Db | Tx,
  input: { roundId: string; rows: readonly { treeSize: number; note: string | null }[] },
): Promise<(string | null)[]> {
  const { roundId, rows } = input;
  const all = await db
    .select()
    .from(cosignatures)
    .where(eq(cosignatures.roundId, roundId))
    .orderBy(asc(cosignatures.treeSize), asc(cosignatures.witnessName));
  const bySize = new Map<number, (typeof all)[number][]>();
  for (const c of all) bySize.set(c.treeSize, [...(bySize.get(c.treeSize) ?? []), c]);
  return rows.map((c) => {
    if (!c.note) return null;
    const extra = bySize.get(c.treeSize);
    if (!extra?.length) return c.note;
    const note = parseNote(c.note);
    return formatNote(note.text, [...note.signatures, ...extra.map(storedSignature)]);
  });
}

/** Which witnesses cosigned the checkpoint of `treeSize` (the results page names them). */
export async function cosignersOf(db: Db, input: { roundId: string; treeSize: number }) {
  const { roundId, treeSize } = input;
  return db
    .select({ name: cosignatures.witnessName, at: cosignatures.cosignedAt })
    .from(cosignatures)
    .where(and(eq(cosignatures.roundId, roundId), eq(cosignatures.treeSize, treeSize)))
    .orderBy(asc(cosignatures.witnessName));
}
