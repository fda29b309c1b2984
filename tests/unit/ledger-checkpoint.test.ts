import { describe, expect, it } from "vitest";
import {
  KeyDecryptionError,
  checkpointBytes,
  decryptPrivateKey,
  encryptPrivateKey,
  generateSigningKey,
  signCheckpoint,
  verifyCheckpoint,
} from "../../app/domain/ledger/checkpoint";

const checkpoint = {
  roundFingerprint: "ab".repeat(32),
  treeSize: 42,
  rootHash: "cd".repeat(32),
  signedAt: "2026-11-28T12:00:00.000Z",
};

describe("signed checkpoints", () => {
  it("signs the documented bytes and verifies with the public key only", () => {
    expect(checkpointBytes(checkpoint).toString()).toBe(
      `shora-checkpoint/v1\n${"ab".repeat(32)}\n42\n${"cd".repeat(32)}\n2026-11-28T12:00:00.000Z\n`,
    );
    const key = generateSigningKey();
    const signature = signCheckpoint(checkpoint, key.privateKeyPem);
    expect(verifyCheckpoint(checkpoint, signature, key.publicKeyPem)).toBe(true);
    expect(verifyCheckpoint({ ...checkpoint, treeSize: 43 }, signature, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint({ ...checkpoint, rootHash: "ce".repeat(32) }, signature, key.publicKeyPem)).toBe(false);
    expect(verifyCheckpoint(checkpoint, signature, generateSigningKey().publicKeyPem)).toBe(false);
    expect(verifyCheckpoint(checkpoint, "not a signature", key.publicKeyPem)).toBe(false);
  });

  it("keeps private keys encrypted at rest and refuses the wrong server secret", () => {
    const key = generateSigningKey();
    const stored = encryptPrivateKey(key.privateKeyPem, "server secret one");
    expect(stored).toMatch(/^v1:/);
    expect(stored).not.toContain("PRIVATE KEY");
    expect(decryptPrivateKey(stored, "server secret one")).toBe(key.privateKeyPem);
    expect(() => decryptPrivateKey(stored, "another secret")).toThrow(KeyDecryptionError);
  });
});
