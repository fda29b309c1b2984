import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  cosign,
  cosignatureTime,
  cosignedMessage,
  cosignerVerifier,
  newCosignerKey,
  verifyCosignature,
} from "../../app/domain/ledger/cosignature";
import {
  NoteError,
  addSignatures,
  decodeCanonicalBase64,
  formatNote,
  newNoteKey,
  noteSigner,
  noteVerifier,
  openNote,
  parseNote,
  signNote,
  signerFromPem,
  verifierKeyFromPem,
} from "../../app/domain/ledger/note";
import { formatCheckpoint, parseCheckpoint } from "../../app/domain/ledger/tlog-checkpoint";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/c2sp/${name}`, import.meta.url), "utf8");
const [PETER_SKEY, PETER_VKEY, ENOCH_VKEY] = fixture("go-note-keys.txt").trim().split("\n");
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof NoteError) return error.code;
    throw error;
  }
  return "no error";
}

describe("signed notes: specification vectors", () => {
  it("parses and re-formats every C2SP example byte for byte", () => {
    for (const name of [
      "signed-note-example.txt",
      "tlog-checkpoint-example.txt",
      "tlog-cosignature-example.txt",
      "go-note-peterneumann.txt",
      "go-note-two-signatures.txt",
    ]) {
      const note = fixture(name);
      const parsed = parseNote(note);
      expect(formatNote(parsed.text, parsed.signatures)).toBe(note);
    }
    const poem = parseNote(fixture("signed-note-example.txt"));
    // The text keeps its own blank line: the signatures follow the LAST blank line.
    expect(poem.text).toBe(
      "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n",
    );
    expect(poem.signatures).toHaveLength(1);
    expect(poem.signatures[0].name).toBe("quasimodo.example/salvatore");
    expect(poem.signatures[0].keyHash).toBe(0x367ba04b);
    expect(poem.signatures[0].signature).toHaveLength(64);
  });

  it("reads the C2SP checkpoint and its cosignature's key id and timestamp", () => {
    const { text, signatures } = parseNote(fixture("tlog-cosignature-example.txt"));
    const checkpoint = parseCheckpoint(text);
    expect(checkpoint.origin).toBe("example.com/behind-the-sofa");
    expect(checkpoint.treeSize).toBe(20852163);
    expect(checkpoint.rootHash.toString("base64")).toBe("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=");
    expect(checkpoint.extensions).toEqual([]);
    expect(formatCheckpoint(checkpoint)).toBe(text);
    const [log, witness] = signatures;
    expect(log.signature).toHaveLength(64);
    expect(witness.name).toBe("witness.example.com/w1");
    expect(witness.keyHash).toBe(0x8d66cf3f);
    expect(witness.signature).toHaveLength(72);
    // The specification's own signed-message example has this timestamp and these bytes.
    expect(cosignatureTime(witness.signature)).toBe(1679315147);
    expect(cosignedMessage(text, 1679315147).toString("utf8")).toBe(fixture("tlog-cosignature-signed-message.txt"));
  });

  it("signs the Go note vector byte for byte and verifies it with the published keys", () => {
    const signer = noteSigner(PETER_SKEY);
    expect(signer.name).toBe("PeterNeumann");
    expect(signer.keyHash).toBe(0xc74f20a3);
    expect(signNote(GO_TEXT, [signer])).toBe(fixture("go-note-peterneumann.txt"));

    const peter = noteVerifier(PETER_VKEY);
    const enoch = noteVerifier(ENOCH_VKEY);
    expect(enoch.keyHash).toBe(0xaf0cfe78);
    const both = fixture("go-note-two-signatures.txt");
    const one = openNote(both, [peter]);
    expect(one.text).toBe(GO_TEXT);
    expect(one.verified.map((s) => s.name)).toEqual(["PeterNeumann"]);
    expect(one.unknown.map((s) => s.name)).toEqual(["EnochRoot"]);
    const two = openNote(both, [peter, enoch]);
    expect(two.verified.map((s) => s.name)).toEqual(["PeterNeumann", "EnochRoot"]);
    expect(two.unknown).toEqual([]);
    expect(codeOf(() => openNote(both, []))).toBe("no_verified_signature");
  });

  it("refuses every mangling of the Go keys (truncations and changed characters)", () => {
    for (const key of [PETER_VKEY, PETER_SKEY]) {
      const load = key === PETER_VKEY ? noteVerifier : noteSigner;
      for (let i = 0; i < key.length; i++) {
        const changed = key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1);
        expect(() => load(changed), changed).toThrow(NoteError);
      }
      for (let i = 0; i <= key.length; i += 7) {
        for (let j = i + 1; j <= key.length; j += 5) {
          if (i === 0 && j === key.length) continue;
          expect(() => load(key.slice(i, j)), key.slice(i, j)).toThrow(NoteError);
        }
      }
    }
    // Go's: a wrong-length key and an unknown algorithm, each with a matching key id.
    expect(() => noteVerifier("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")).toThrow(
      NoteError,
    );
    expect(() => noteVerifier("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(NoteError);
  });

  it("rejects a note whose known-key signature was altered, and Go's malformed messages", () => {
    const peterSig = fixture("go-note-peterneumann.txt").slice(GO_TEXT.length + 1);
    const peter = noteVerifier(PETER_VKEY);
    const altered = `${GO_TEXT}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`;
    expect(codeOf(() => openNote(altered, [peter]))).toBe("bad_signature");
    const bad = [
      GO_TEXT,
      `${GO_TEXT}\n`,
      `${GO_TEXT}\n${peterSig.slice(0, -1)}`,
      `\u0001${GO_TEXT}\n${peterSig}`,
      `${GO_TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=`,
      `${GO_TEXT}\n${peterSig}Unexpected line.\n`,
    ];
    for (const note of bad)
      expect(
        codeOf(() => parseNote(note)),
        JSON.stringify(note),
      ).not.toBe("no error");
    expect(codeOf(() => parseNote(`${GO_TEXT}\n${peterSig.repeat(101)}`))).toBe("too_large");
    expect(codeOf(() => parseNote(`${"x".repeat(200_000)}\n\n${peterSig}`))).toBe("too_large");
  });

  it("ignores unknown keys that share only the name or only the key id", () => {
    const { signerKey } = newNoteKey("PeterNeumann");
    const impostor = signNote(GO_TEXT, [noteSigner(signerKey)]);
    const mixed = `${fixture("go-note-peterneumann.txt")}${impostor.slice(GO_TEXT.length + 1)}`;
    const opened = openNote(mixed, [noteVerifier(PETER_VKEY)]);
    expect(opened.verified).toHaveLength(1);
    expect(opened.unknown).toHaveLength(1);
    expect(opened.unknown[0].keyHash).not.toBe(0xc74f20a3);
  });
});

describe("signed notes: strict input", () => {
  const text = "example.org/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";

  it("accepts only canonical base64", () => {
    expect(decodeCanonicalBase64("AAAA")).toEqual(Buffer.alloc(3));
    for (const bad of ["AAA", "AAAA=", "AB==", "AAB=", "A A=", "AA==\n", "-_8=", "AAAA===="]) {
      expect(
        codeOf(() => decodeCanonicalBase64(bad)),
        bad,
      ).toBe("non_canonical_base64");
    }
    const note = fixture("go-note-peterneumann.txt");
    // "=" turned into "==" / a non-zero trailing bit: both decode leniently elsewhere.
    expect(codeOf(() => parseNote(note.replace("AM=\n", "AN=\n")))).toBe("non_canonical_base64");
  });

  it("requires the text to end in a newline and at least one signature", () => {
    const signer = noteSigner(newNoteKey("example.org/log").signerKey);
    expect(codeOf(() => signNote("no newline", [signer]))).toBe("malformed");
    expect(codeOf(() => formatNote(text, []))).toBe("malformed");
    expect(codeOf(() => formatNote(text, [{ name: "a+b", keyHash: 1, signature: Buffer.alloc(64) }]))).toBe("bad_name");
    expect(codeOf(() => formatNote(text, [{ name: "a b", keyHash: 1, signature: Buffer.alloc(64) }]))).toBe("bad_name");
  });

  it("adds cosignatures to a note without duplicating them", () => {
    const log = newNoteKey("example.org/log");
    const witness = newCosignerKey("witness.example/w1");
    const note = signNote(text, [noteSigner(log.signerKey)]);
    const cosignature = cosign(note, witness.signerKey, 1_700_000_000);
    const withOne = addSignatures(note, [cosignature]);
    expect(addSignatures(withOne, [cosignature])).toBe(withOne);
    const opened = openNote(withOne, [noteVerifier(log.verifierKey), cosignerVerifier(witness.verifierKey)]);
    expect(opened.verified.map((s) => s.name)).toEqual(["example.org/log", "witness.example/w1"]);
  });

  it("turns the municipality's PEM key pair into a note signer and verifier key", () => {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const name = "shora.example/tehran/round-1";
    const vkey = verifierKeyFromPem(name, publicKey.export({ type: "spki", format: "pem" }).toString());
    const signer = signerFromPem(name, privateKey.export({ type: "pkcs8", format: "pem" }).toString());
    const note = signNote(text, [signer]);
    expect(openNote(note, [noteVerifier(vkey)]).verified).toHaveLength(1);
    expect(vkey.startsWith(`${name}+`)).toBe(true);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(
      codeOf(() => verifierKeyFromPem(name, rsa.publicKey.export({ type: "spki", format: "pem" }).toString())),
    ).toBe("bad_key");
  });
});

describe("tlog checkpoints", () => {
  const root = Buffer.alloc(32, 7);

  it("formats and parses origin, size, root and extension lines", () => {
    const text = formatCheckpoint({
      origin: "shora.example/r1",
      treeSize: 12,
      rootHash: root,
      extensions: ["rules abc"],
    });
    expect(text).toBe(`shora.example/r1\n12\n${root.toString("base64")}\nrules abc\n`);
    expect(parseCheckpoint(text)).toEqual({
      origin: "shora.example/r1",
      treeSize: 12,
      rootHash: root,
      extensions: ["rules abc"],
    });
  });

  it("refuses non-canonical sizes, short hashes, empty lines and missing lines", () => {
    const b64 = root.toString("base64");
    for (const bad of [
      `o\n012\n${b64}\n`,
      `o\n+1\n${b64}\n`,
      `o\n1.0\n${b64}\n`,
      `o\n99999999999999999999\n${b64}\n`,
      `\n1\n${b64}\n`,
      `o\n1\n${Buffer.alloc(31).toString("base64")}\n`,
      `o\n1\n${b64.replace("=", "")}\n`,
      `o\n1\n${b64}\n\nextension\n`,
      `o\n1\n${b64}`,
      "o\n1\n",
    ]) {
      expect(
        codeOf(() => parseCheckpoint(bad)),
        JSON.stringify(bad),
      ).not.toBe("no error");
    }
    expect(parseCheckpoint(`o\n0\n${b64}\n`).treeSize).toBe(0);
  });
});

describe("cosignatures (tlog-cosignature v1, Ed25519)", () => {
  const checkpoint = formatCheckpoint({ origin: "shora.example/r1", treeSize: 5, rootHash: Buffer.alloc(32, 1) });

  it("signs 'cosignature/v1\\ntime t\\n' + checkpoint with an 8-byte timestamp and verifies", () => {
    const key = newCosignerKey("witness.example/w1");
    expect(key.verifierKey).toMatch(/^witness\.example\/w1\+[0-9a-f]{8}\+/);
    expect(Buffer.from(key.verifierKey.split("+")[2], "base64")[0]).toBe(0x04);
    const sig = cosign(checkpoint, key.signerKey, 1_700_000_123);
    expect(sig.signature).toHaveLength(72);
    expect(cosignatureTime(sig.signature)).toBe(1_700_000_123);
    expect(verifyCosignature(checkpoint, sig, key.verifierKey)).toEqual({ ok: true, time: 1_700_000_123 });

    const otherTree = formatCheckpoint({ origin: "shora.example/r1", treeSize: 6, rootHash: Buffer.alloc(32, 1) });
    expect(verifyCosignature(otherTree, sig, key.verifierKey).ok).toBe(false);
    const shifted = Buffer.from(sig.signature);
    shifted.writeBigUInt64BE(1_700_000_124n, 0);
    expect(verifyCosignature(checkpoint, { ...sig, signature: shifted }, key.verifierKey).ok).toBe(false);
    expect(verifyCosignature(checkpoint, sig, newCosignerKey("witness.example/w1").verifierKey).ok).toBe(false);
  });

  it("keeps note keys and cosigner keys apart (different type bytes, different key ids)", () => {
    const note = newNoteKey("witness.example/w1");
    expect(() => cosignerVerifier(note.verifierKey)).toThrow(NoteError);
    expect(() => noteVerifier(newCosignerKey("witness.example/w1").verifierKey)).toThrow(NoteError);
  });
});
