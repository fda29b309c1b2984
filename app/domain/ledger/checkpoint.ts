/**
 * Signed checkpoints (tree heads) of a round's ballot ledger, Ed25519 with node:crypto.
 *
 * The signed bytes are the UTF-8 text
 *   "shora-checkpoint/v1\n" + roundFingerprint + "\n" + treeSize + "\n" + rootHash(hex) + "\n" + signedAt(ISO 8601) + "\n"
 * and the signature is base64. Observers verify with the municipality's public key (SPKI PEM).
 * Private keys are stored encrypted with a server secret: "v1:" salt ":" iv ":" tag ":" ciphertext
 * (base64url), AES-256-GCM with a key derived by scrypt from the secret and the salt.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  sign,
  verify,
} from "node:crypto";
import { formatCheckpoint, parseCheckpoint } from "./tlog-checkpoint";

export interface Checkpoint {
  roundFingerprint: string;
  treeSize: number;
  rootHash: string;
  signedAt: string;
}

export function checkpointBytes(c: Checkpoint): Buffer {
  return Buffer.from(
    `shora-checkpoint/v1\n${c.roundFingerprint}\n${c.treeSize}\n${c.rootHash}\n${c.signedAt}\n`,
    "utf8",
  );
}

export function generateSigningKey(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  return {
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

export function signCheckpoint(c: Checkpoint, privateKeyPem: string): string {
  return sign(null, checkpointBytes(c), createPrivateKey(privateKeyPem)).toString("base64");
}

export function verifyCheckpoint(c: Checkpoint, signature: string, publicKeyPem: string): boolean {
  try {
    return verify(null, checkpointBytes(c), createPublicKey(publicKeyPem), Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
}

export class KeyDecryptionError extends Error {
  readonly code = "key_decryption_failed" as const;
}

function keyFrom(secret: string, salt: Buffer): Buffer {
  return scryptSync(secret, salt, 32, { N: 1 << 14, r: 8, p: 1 });
}

export function encryptPrivateKey(privateKeyPem: string, secret: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(secret, salt), iv);
  const body = Buffer.concat([cipher.update(privateKeyPem, "utf8"), cipher.final()]);
  return ["v1", salt, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(":");
}

export function decryptPrivateKey(stored: string, secret: string): string {
  const [version, salt, iv, tag, body] = stored.split(":");
  if (version !== "v1" || !body) throw new KeyDecryptionError("unknown key format");
  try {
    const decipher = createDecipheriv(
      "aes-256-gcm",
      keyFrom(secret, Buffer.from(salt, "base64url")),
      Buffer.from(iv, "base64url"),
    );
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new KeyDecryptionError("the server secret does not open this signing key (SHORA_SECRET changed?)");
  }
}

/**
 * Checkpoints as C2SP signed notes (ADR 0022). The note body is a c2sp.org/tlog-checkpoint: origin,
 * tree size, base64 root hash, then two Shora extension lines, the rules fingerprint and the signing
 * time (both signed, as the version 1 text signed them):
 *
 *   shora.local/m/<municipality>/rounds/<round>
 *   <size>
 *   <base64 root>
 *   shora-rules <hex rules fingerprint>
 *   shora-time <ISO 8601 signing time>
 *
 * The signing key's note name is the origin, so each round is its own log for the witnesses.
 */

export function checkpointOrigin(host: string, municipalitySlug: string, roundSlug: string): string {
  return `${host}/m/${municipalitySlug}/rounds/${roundSlug}`;
}

export interface NoteCheckpoint {
  origin: string;
  treeSize: number;
  /** Hex, as the rest of Shora writes hashes. */
  rootHash: string;
  roundFingerprint: string;
  signedAt: string;
}

export class CheckpointNoteError extends Error {}

export function checkpointNoteBody(c: NoteCheckpoint): string {
  return formatCheckpoint({
    origin: c.origin,
    treeSize: c.treeSize,
    rootHash: Buffer.from(c.rootHash, "hex"),
    extensions: [`shora-rules ${c.roundFingerprint}`, `shora-time ${c.signedAt}`],
  });
}

/** Reads Shora's checkpoint body (strict: the extension lines must be exactly the two Shora writes). */
export function readCheckpointNoteBody(text: string): NoteCheckpoint {
  let parsed: ReturnType<typeof parseCheckpoint>;
  try {
    parsed = parseCheckpoint(text);
  } catch (error) {
    throw new CheckpointNoteError(`not a checkpoint: ${(error as Error).message}`);
  }
  const rules = /^shora-rules ([0-9a-f]{64})$/.exec(parsed.extensions[0] ?? "");
  const time = /^shora-time (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{3})?Z)$/.exec(parsed.extensions[1] ?? "");
  if (!rules || !time || parsed.extensions.length !== 2)
    throw new CheckpointNoteError("the checkpoint lacks Shora's shora-rules and shora-time lines");
  return {
    origin: parsed.origin,
    treeSize: parsed.treeSize,
    rootHash: parsed.rootHash.toString("hex"),
    roundFingerprint: rules[1],
    signedAt: time[1],
  };
}
