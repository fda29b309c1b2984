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
