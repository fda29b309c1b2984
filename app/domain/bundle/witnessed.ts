/**
 * Checkpoints as signed notes and their witnesses (ADR 0022): every note is signed by the
 * municipality's key under the round's origin and says what the checkpoint's JSON fields say; every
 * cosignature from a trusted witness verifies; the final checkpoint carries at least the quorum.
 * Shared by `shora verify`, `shora verify-receipt` and `shora monitor`.
 */
import { readCheckpointNoteBody } from "../ledger/checkpoint";
import { cosignerVerifier } from "../ledger/cosignature";
import { NoteError, type NoteVerifier, noteVerifier, openNote, verifierKeyFromPem } from "../ledger/note";
import type { LedgerDoc } from "./format";

export interface WitnessPolicy {
  /** Cosigner verifier keys (type 0x04) of the trusted witnesses. */
  witnesses: string[];
  quorum: number;
  /** Where the policy comes from, for the report. */
  source: "bundle" | "command line";
}

export type Checkpoint = LedgerDoc["checkpoints"][number];

export interface NoteVerdict {
  /** Names of the trusted witnesses whose cosignature verifies. */
  cosigners: string[];
}

export class WitnessFailure extends Error {
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
  }
}

/** The policy of the bundle unless the command line overrides witnesses or quorum. */
export function witnessPolicy(
  ledger: Pick<LedgerDoc, "witnesses" | "quorum">,
  override: { witnesses?: string[]; quorum?: number },
): WitnessPolicy {
  const fromLine = Boolean(override.witnesses?.length) || override.quorum !== undefined;
  const witnesses = override.witnesses?.length ? override.witnesses : (ledger.witnesses ?? []).map((w) => w.vkey);
  return {
    witnesses,
    quorum: override.quorum ?? ledger.quorum ?? 0,
    source: fromLine ? "command line" : "bundle",
  };
}

/** Verifiers for the policy's witnesses; a key that does not parse is the bundle's (or caller's) error. */
export function witnessVerifiers(policy: WitnessPolicy): NoteVerifier[] {
  return policy.witnesses.map((vkey) => {
    try {
      return cosignerVerifier(vkey.trim());
    } catch (error) {
      throw new WitnessFailure(
        "witnesses",
        `${JSON.stringify(vkey.slice(0, 60))} is not a witness key (${(error as Error).message})`,
      );
    }
  });
}

/** The municipality's note verifier for the round's origin, from its Ed25519 public key (SPKI PEM). */
export function logVerifier(origin: string, publicKeyPem: string): NoteVerifier {
  return noteVerifier(verifierKeyFromPem(origin, publicKeyPem));
}

/**
 * Checks one checkpoint's note: the municipality signed it, its body is the checkpoint (origin, size,
 * root, rules fingerprint, time), and every cosignature from a trusted witness verifies.
 */
export function checkNote(
  checkpoint: Checkpoint,
  origin: string,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[],
  where: string,
): NoteVerdict {
  if (typeof checkpoint.note !== "string") throw new WitnessFailure(where, "has no signed note");
  let opened: ReturnType<typeof openNote>;
  try {
    opened = openNote(checkpoint.note, [log, ...witnesses]);
  } catch (error) {
    const code = error instanceof NoteError ? error.code : "malformed";
    throw new WitnessFailure(
      where,
      code === "bad_signature"
        ? `a signature on the note does not verify (${(error as Error).message})`
        : `the note cannot be read or is not signed by the municipality (${(error as Error).message})`,
    );
  }
  if (!opened.verified.some((s) => s.name === log.name && s.keyHash === log.keyHash))
    throw new WitnessFailure(where, "the note is not signed by the municipality's key");
  let body: ReturnType<typeof readCheckpointNoteBody>;
  try {
    body = readCheckpointNoteBody(opened.text);
  } catch (error) {
    throw new WitnessFailure(where, (error as Error).message);
  }
  if (
    body.origin !== origin ||
    body.treeSize !== checkpoint.treeSize ||
    body.rootHash !== checkpoint.rootHash ||
    body.roundFingerprint !== checkpoint.roundFingerprint ||
    body.signedAt !== checkpoint.signedAt
  )
    throw new WitnessFailure(where, "the signed note says another origin, size, root, fingerprint or time");
  const cosigners = new Set<string>();
  for (const s of opened.verified)
    if (witnesses.some((w) => w.name === s.name && w.keyHash === s.keyHash)) cosigners.add(s.name);
  return { cosigners: [...cosigners].sort() };
}

export interface WitnessedSummary {
  policy: WitnessPolicy;
  names: string[];
  /** Checkpoints with a note (those before are a prefix signed before ADR 0022). */
  noted: number;
  /** Checkpoints whose cosignatures reach the quorum. */
  withQuorum: number;
  finalCosigners: string[];
}

/**
 * All checkpoints of a format 3 ledger.json: checkpoints without a note only as a prefix (signed
 * before the upgrade); the final checkpoint must reach the quorum — it covers every leaf, and each
 * earlier checkpoint is a prefix of it (the leaves show that), so a quorum on it means the witnesses
 * saw one ledger. Throws `WitnessFailure` naming the checkpoint.
 */
export function checkWitnessedLedger(ledger: LedgerDoc, publicKeyPem: string, policy: WitnessPolicy): WitnessedSummary {
  const witnesses = witnessVerifiers(policy);
  if (!Number.isSafeInteger(policy.quorum) || policy.quorum < 0)
    throw new WitnessFailure("ledger.json quorum", `${String(policy.quorum)} is not a quorum`);
  if (policy.quorum > witnesses.length)
    throw new WitnessFailure(
      "ledger.json quorum",
      `a quorum of ${policy.quorum} needs at least ${policy.quorum} witnesses; ${witnesses.length} given`,
    );
  const cps = ledger.checkpoints;
  const noted = cps.filter((c) => typeof c.note === "string").length;
  if (noted === 0) {
    if (policy.quorum > 0)
      throw new WitnessFailure(
        `ledger.json checkpoint ${cps.length - 1} (size ${cps.at(-1)?.treeSize ?? 0})`,
        `has no signed note, so no witness cosigned it (quorum ${policy.quorum})`,
      );
    return { policy, names: witnesses.map((w) => w.name), noted, withQuorum: 0, finalCosigners: [] };
  }
  if (typeof ledger.origin !== "string" || !ledger.origin)
    throw new WitnessFailure("ledger.json", "checkpoints carry notes but the ledger names no origin");
  let log: NoteVerifier;
  try {
    log = logVerifier(ledger.origin, publicKeyPem);
  } catch (error) {
    throw new WitnessFailure("ledger.json", `the origin is not a key name (${(error as Error).message})`);
  }
  let withQuorum = 0;
  let finalCosigners: string[] = [];
  const firstNoted = cps.findIndex((c) => typeof c.note === "string");
  cps.forEach((c, i) => {
    const where = `ledger.json checkpoint ${i} (size ${c.treeSize})`;
    if (i < firstNoted) return;
    if (typeof c.note !== "string") throw new WitnessFailure(where, "has no signed note, though an earlier one has");
    const verdict = checkNote(c, ledger.origin as string, log, witnesses, where);
    if (verdict.cosigners.length >= policy.quorum) withQuorum += 1;
    if (i === cps.length - 1) {
      finalCosigners = verdict.cosigners;
      if (verdict.cosigners.length < policy.quorum)
        throw new WitnessFailure(
          where,
          `cosigned by ${verdict.cosigners.length} of the trusted witnesses (${verdict.cosigners.join(", ") || "none"}); the quorum is ${policy.quorum}`,
        );
    }
  });
  return { policy, names: witnesses.map((w) => w.name), noted, withQuorum, finalCosigners };
}

/**
 * The receipt's checkpoint against the published checkpoints (checkpoints.json or ledger.json): its
 * note (the published one, which carries the latest cosignatures, else the receipt's) must be signed
 * by the municipality and cosigned by the quorum of trusted witnesses.
 */
export function checkReceiptCheckpoint(
  checkpoint: Checkpoint,
  published: Pick<LedgerDoc, "origin" | "checkpoints" | "publicKey">,
  policy: WitnessPolicy,
): { ok: boolean; detail: string } {
  const listed = published.checkpoints.find(
    (c) => c.treeSize === checkpoint.treeSize && c.rootHash === checkpoint.rootHash,
  );
  const note = listed?.note ?? checkpoint.note;
  if (typeof note !== "string")
    return policy.quorum > 0
      ? {
          ok: false,
          detail: `the checkpoint (size ${checkpoint.treeSize}) has no signed note, so no witness cosigned it`,
        }
      : { ok: true, detail: "checkpoint signed before witnesses (no note); quorum 0" };
  if (typeof published.origin !== "string")
    return { ok: false, detail: "the published checkpoints name no origin for their notes" };
  try {
    const witnesses = witnessVerifiers(policy);
    if (policy.quorum > witnesses.length)
      return { ok: false, detail: `a quorum of ${policy.quorum} needs at least ${policy.quorum} witnesses` };
    const verdict = checkNote(
      { ...checkpoint, note },
      published.origin,
      logVerifier(published.origin, published.publicKey),
      witnesses,
      `checkpoint (size ${checkpoint.treeSize})`,
    );
    if (verdict.cosigners.length < policy.quorum)
      return {
        ok: false,
        detail: `checkpoint (size ${checkpoint.treeSize}) cosigned by ${verdict.cosigners.length} trusted witnesses (${verdict.cosigners.join(", ") || "none"}); the quorum is ${policy.quorum}`,
      };
    return {
      ok: true,
      detail: `signed note cosigned by ${verdict.cosigners.join(", ") || "no witness"} (quorum ${policy.quorum} of ${witnesses.length}, from the ${policy.source})`,
    };
  } catch (error) {
    if (error instanceof WitnessFailure) return { ok: false, detail: `${error.where}: ${error.reason}` };
    throw error;
  }
}
