/**
 * c2sp.org/tlog-cosignature v1 (Ed25519): a note signature whose key id uses type 0x04 and whose
 * bytes are an 8-byte big-endian POSIX timestamp followed by an Ed25519 signature over
 * "cosignature/v1\ntime <t>\n" ‖ the checkpoint text. See docs/decisions/0021-signed-notes-and-witnesses.md.
 */
import { generateKeyPairSync, sign, verify } from "node:crypto";
import { parseCheckpoint } from "./tlog-checkpoint";
import {
  NoteError,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  SIGNATURE_TYPE_COSIGNATURE_V1,
  decodeSignerKey,
  decodeVerifierKey,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyFromRaw,
  encodeSignerKey,
  encodeVerifierKey,
  parseNote,
  rawPublicKey,
} from "./note";

const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** The message a v1 cosignature signs. */
export function cosignedMessage(checkpointText: string, timeSeconds: number | bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${BigInt(timeSeconds)}\n${checkpointText}`, "utf8");
}

/** Accepts a checkpoint text or a whole signed checkpoint note; returns the text after checking its shape. */
function checkpointBody(checkpoint: string): string {
  const text = checkpoint.includes("\n\n") ? parseNote(checkpoint).text : checkpoint;
  parseCheckpoint(text);
  return text;
}

export function newCosignerKey(name: string): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "der", type: "pkcs8" }).subarray(16));
  return {
    signerKey: encodeSignerKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, seed),
    verifierKey: encodeVerifierKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, rawPublicKey(privateKey)),
  };
}

/** A cosigner verifier key (type 0x04) for a 32-byte Ed25519 public key. */
export function cosignerVerifierKey(name: string, publicKey: Buffer): string {
  return encodeVerifierKey(name, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey);
}

export function cosignatureTime(signature: Buffer): number {
  if (signature.length !== 72) throw new NoteError("malformed", "a v1 cosignature has 72 bytes");
  const t = signature.readBigUInt64BE(0);
  if (t > MAX_TIMESTAMP) throw new NoteError("malformed", "the cosignature timestamp exceeds 2^63 - 1");
  return Number(t);
}

/**
 * A note verifier for cosignatures: `openNote(note, [logVerifier, ...cosignerVerifiers])` then checks
 * the log's signature and the witnesses' cosignatures in one pass.
 */
export function cosignerVerifier(vkey: string): NoteVerifier {
  const k = decodeVerifierKey(vkey, [SIGNATURE_TYPE_COSIGNATURE_V1]);
  const publicKey = ed25519PublicKeyFromRaw(k.material);
  return {
    name: k.name,
    keyHash: k.keyHash,
    key: vkey,
    verify(message, signature) {
      if (signature.length !== 72) return false;
      const t = signature.readBigUInt64BE(0);
      if (t > MAX_TIMESTAMP) return false;
      return verify(null, cosignedMessage(message.toString("utf8"), t), publicKey, signature.subarray(8));
    },
  };
}

/** A note signer that cosigns at the time `clock` gives (seconds). */
export function cosignerSigner(skey: string, clock: () => number = () => Math.floor(Date.now() / 1000)): NoteSigner {
  const k = decodeSignerKey(skey, [SIGNATURE_TYPE_COSIGNATURE_V1]);
  const privateKey = ed25519PrivateKeyFromSeed(k.material);
  return {
    name: k.name,
    keyHash: k.keyHash,
    sign(message) {
      const time = clock();
      if (!Number.isSafeInteger(time) || time < 0) throw new NoteError("malformed", "bad cosignature time");
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(BigInt(time), 0);
      return Buffer.concat([stamp, sign(null, cosignedMessage(message.toString("utf8"), time), privateKey)]);
    },
  };
}

export function cosign(checkpointText: string, skey: string, timeSeconds: number): NoteSignature {
  const text = checkpointBody(checkpointText);
  const signer = cosignerSigner(skey, () => timeSeconds);
  return { name: signer.name, keyHash: signer.keyHash, signature: signer.sign(Buffer.from(text, "utf8")) };
}

export function verifyCosignature(
  checkpointText: string,
  sig: NoteSignature,
  vkey: string,
): { ok: boolean; time: number } {
  const text = checkpointBody(checkpointText);
  const verifier = cosignerVerifier(vkey);
  const time = sig.signature.length === 72 ? Number(sig.signature.readBigUInt64BE(0)) : 0;
  const ok =
    sig.name === verifier.name &&
    sig.keyHash === verifier.keyHash &&
    verifier.verify(Buffer.from(text, "utf8"), sig.signature);
  return { ok, time };
}
