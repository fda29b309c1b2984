/**
 * Signed notes (c2sp.org/signed-note) with Ed25519 keys, the text format of Shora's checkpoints and of
 * witness cosignatures. Keys use the golang.org/x/mod/sumdb/note encodings:
 *   signer key   PRIVATE+KEY+<name>+<key id, 8 hex>+base64(type ‖ 32-byte seed)
 *   verifier key <name>+<key id, 8 hex>+base64(type ‖ 32-byte public key)
 * key id = SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4], type 0x01 for notes, 0x04 for cosignatures.
 * See docs/decisions/0021-signed-notes-and-witnesses.md.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import type { KeyObject } from "node:crypto";

export type NoteErrorCode =
  | "malformed"
  | "too_large"
  | "non_canonical_base64"
  | "bad_name"
  | "bad_key"
  | "ambiguous_key"
  | "bad_signature"
  | "no_verified_signature";

export class NoteError extends Error {
  constructor(
    readonly code: NoteErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "NoteError";
  }
}

export interface NoteSignature {
  name: string;
  /** uint32 key id, the first four bytes of the decoded signature. */
  keyHash: number;
  /** The signature bytes after the key id. */
  signature: Buffer;
}

export interface NoteSigner {
  name: string;
  keyHash: number;
  sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
  name: string;
  keyHash: number;
  /** The verifier key string, which identifies the key (two verifiers with equal `key` are one key). */
  key: string;
  verify(message: Buffer, signature: Buffer): boolean;
}

/** Larger notes are refused: 16 post-quantum signatures (~5 kB each) still fit. */
export const MAX_NOTE_BYTES = 128 * 1024;
/** golang.org/x/mod/sumdb/note accepts 100; the specification asks for at least 16. */
export const MAX_SIGNATURES = 100;

export const SIGNATURE_TYPE_ED25519 = 0x01;
export const SIGNATURE_TYPE_COSIGNATURE_V1 = 0x04;

const EM_DASH_PREFIX = "\u2014 ";
// Unicode spaces (Go's unicode.IsSpace plus U+FEFF).
const SPACE = /[\s\u0085]/u;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when `text` has a character below U+0020 (other than newline when `newlines` is true). */
export function hasControlCharacter(text: string, newlines: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(newlines && c === 0x0a)) return true;
  }
  return false;
}

export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !SPACE.test(name) && !name.includes("+") && !LONE_SURROGATE.test(name);
}

/** Strict RFC 4648 §4 base64: padded, no whitespace, zero trailing bits. */
export function decodeCanonicalBase64(text: string, what = "base64"): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    throw new NoteError("non_canonical_base64", `${what} is not canonical base64`);
  }
  const bytes = Buffer.from(text, "base64");
  if (bytes.toString("base64") !== text) throw new NoteError("non_canonical_base64", `${what} is not canonical base64`);
  return bytes;
}

function checkText(text: string): void {
  if (Buffer.byteLength(text, "utf8") > MAX_NOTE_BYTES) {
    throw new NoteError("too_large", `the note is larger than ${MAX_NOTE_BYTES} bytes`);
  }
  if (LONE_SURROGATE.test(text)) throw new NoteError("malformed", "the note is not valid UTF-8");
  if (hasControlCharacter(text, true)) throw new NoteError("malformed", "the note contains a control character");
}

function checkBody(text: string): void {
  checkText(text);
  if (!text.endsWith("\n")) throw new NoteError("malformed", "the note text must end in a newline");
}

/** Splits a signed note into its text (with the final newline) and its signature lines. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  checkText(note);
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("malformed", "the note has no blank line before its signatures");
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === "" || !block.endsWith("\n")) {
    throw new NoteError("malformed", "the signature lines must follow the blank line and end in a newline");
  }
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new NoteError("too_large", `more than ${MAX_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => parseSignatureLine(line, i + 1));
  return { text, signatures };
}

function parseSignatureLine(line: string, n: number): NoteSignature {
  if (!line.startsWith(EM_DASH_PREFIX)) {
    throw new NoteError("malformed", `signature line ${n} does not start with an em dash and a space`);
  }
  const rest = line.slice(EM_DASH_PREFIX.length);
  const space = rest.indexOf(" ");
  if (space < 0) throw new NoteError("malformed", `signature line ${n} has no signature after the key name`);
  const name = rest.slice(0, space);
  const encoded = rest.slice(space + 1);
  if (!isValidKeyName(name)) throw new NoteError("bad_name", `signature line ${n} has an invalid key name`);
  const bytes = decodeCanonicalBase64(encoded, `signature line ${n}`);
  if (bytes.length < 5) throw new NoteError("malformed", `signature line ${n} is too short`);
  return { name, keyHash: bytes.readUInt32BE(0), signature: Buffer.from(bytes.subarray(4)) };
}

export function formatSignatureLine(s: NoteSignature): string {
  if (!isValidKeyName(s.name)) throw new NoteError("bad_name", `invalid key name ${JSON.stringify(s.name)}`);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(s.keyHash >>> 0, 0);
  return `${EM_DASH_PREFIX}${s.name} ${Buffer.concat([id, s.signature]).toString("base64")}\n`;
}

export function formatNote(text: string, signatures: NoteSignature[]): string {
  checkBody(text);
  if (signatures.length === 0) throw new NoteError("malformed", "a signed note needs at least one signature");
  if (signatures.length > MAX_SIGNATURES) throw new NoteError("too_large", `more than ${MAX_SIGNATURES} signatures`);
  const note = `${text}\n${signatures.map(formatSignatureLine).join("")}`;
  checkText(note);
  return note;
}

export function signNote(text: string, signers: NoteSigner[]): string {
  checkBody(text);
  const message = Buffer.from(text, "utf8");
  return formatNote(
    text,
    signers.map((s) => ({ name: s.name, keyHash: s.keyHash, signature: s.sign(message) })),
  );
}

/** Adds signatures (e.g. witness cosignatures) to a note, skipping exact duplicates. */
export function addSignatures(note: string, extra: NoteSignature[]): string {
  const { text, signatures } = parseNote(note);
  const seen = new Set(signatures.map(formatSignatureLine));
  const all = [...signatures];
  for (const s of extra) {
    const line = formatSignatureLine(s);
    if (!seen.has(line)) {
      seen.add(line);
      all.push(s);
    }
  }
  return formatNote(text, all);
}

/**
 * Verifies a note with trusted keys. Signatures from unknown keys are returned in `unknown`;
 * a failing signature from a known key rejects the whole note (`bad_signature`), and so does a note
 * no known key signed (`no_verified_signature`).
 */
export function openNote(
  note: string,
  verifiers: NoteVerifier[],
): { text: string; verified: NoteSignature[]; unknown: NoteSignature[] } {
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, "utf8");
  const verified: NoteSignature[] = [];
  const unknown: NoteSignature[] = [];
  const seenVerified = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const s of signatures) {
    const id = `${s.name}+${hex8(s.keyHash)}`;
    const matching = verifiers.filter((v) => v.name === s.name && v.keyHash === s.keyHash);
    const keys = new Set(matching.map((v) => v.key));
    if (keys.size > 1) throw new NoteError("ambiguous_key", `ambiguous key ${id}`);
    if (matching.length === 0) {
      const line = formatSignatureLine(s);
      if (!seenUnknown.has(line)) {
        seenUnknown.add(line);
        unknown.push(s);
      }
      continue;
    }
    if (!matching[0].verify(message, s.signature)) {
      throw new NoteError("bad_signature", `invalid signature for key ${id}`);
    }
    if (!seenVerified.has(id)) {
      seenVerified.add(id);
      verified.push(s);
    }
  }
  if (verified.length === 0) throw new NoteError("no_verified_signature", "the note has no verifiable signatures");
  return { text, verified, unknown };
}

// ---- keys ----

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

/** SHA-256(name ‖ "\n" ‖ type ‖ public key)[:4] as a big-endian uint32. */
export function keyId(name: string, type: number, publicKey: Buffer): number {
  return createHash("sha256")
    .update(`${name}\n`, "utf8")
    .update(Buffer.from([type]))
    .update(publicKey)
    .digest()
    .readUInt32BE(0);
}

export function ed25519PrivateKeyFromSeed(seed: Buffer): KeyObject {
  if (seed.length !== 32) throw new NoteError("bad_key", "an Ed25519 seed has 32 bytes");
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
}

export function ed25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new NoteError("bad_key", "an Ed25519 public key has 32 bytes");
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new NoteError("bad_key", "the key is not an Ed25519 key");
  return Buffer.from(publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_ED25519_PREFIX.length));
}

function rawSeed(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== "ed25519") throw new NoteError("bad_key", "the key is not an Ed25519 key");
  return Buffer.from(key.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_ED25519_PREFIX.length));
}

export interface DecodedKey {
  name: string;
  keyHash: number;
  type: number;
  /** 32-byte Ed25519 public key (verifier keys) or seed (signer keys). */
  material: Buffer;
}

/** Encodes `name+hash+base64(type ‖ material)`, with the key id computed from the public key. */
export function encodeVerifierKey(name: string, type: number, publicKey: Buffer): string {
  if (!isValidKeyName(name)) throw new NoteError("bad_name", `invalid key name ${JSON.stringify(name)}`);
  const id = keyId(name, type, publicKey);
  return `${name}+${hex8(id)}+${Buffer.concat([Buffer.from([type]), publicKey]).toString("base64")}`;
}

export function encodeSignerKey(name: string, type: number, seed: Buffer): string {
  if (!isValidKeyName(name)) throw new NoteError("bad_name", `invalid key name ${JSON.stringify(name)}`);
  const publicKey = rawPublicKey(ed25519PrivateKeyFromSeed(seed));
  const id = keyId(name, type, publicKey);
  return `PRIVATE+KEY+${name}+${hex8(id)}+${Buffer.concat([Buffer.from([type]), seed]).toString("base64")}`;
}

function decodeKey(text: string, kind: "verifier" | "signer", types: readonly number[]): DecodedKey {
  let rest = text;
  if (kind === "signer") {
    if (!rest.startsWith("PRIVATE+KEY+")) throw new NoteError("bad_key", "a signer key starts with PRIVATE+KEY+");
    rest = rest.slice("PRIVATE+KEY+".length);
  }
  const parts = rest.split("+");
  // The name has no "+", and neither does the hash; base64 may contain "+".
  if (parts.length < 3) throw new NoteError("bad_key", `malformed ${kind} key`);
  const [name, hash] = parts;
  const encoded = parts.slice(2).join("+");
  if (!isValidKeyName(name)) throw new NoteError("bad_name", `malformed ${kind} key: invalid name`);
  if (!/^[0-9a-f]{8}$/.test(hash)) throw new NoteError("bad_key", `malformed ${kind} key: the key id is 8 hex digits`);
  const bytes = decodeCanonicalBase64(encoded, `${kind} key`);
  if (bytes.length !== 33 || !types.includes(bytes[0])) {
    throw new NoteError("bad_key", `${kind} key: unknown algorithm or wrong key length`);
  }
  const type = bytes[0];
  const material = Buffer.from(bytes.subarray(1));
  const publicKey = kind === "signer" ? rawPublicKey(ed25519PrivateKeyFromSeed(material)) : material;
  const keyHash = Number.parseInt(hash, 16);
  if (keyId(name, type, publicKey) !== keyHash)
    throw new NoteError("bad_key", `${kind} key: the key id does not match`);
  if (kind === "verifier") ed25519PublicKeyFromRaw(material);
  return { name, keyHash, type, material };
}

export function decodeVerifierKey(vkey: string, types: readonly number[] = [SIGNATURE_TYPE_ED25519]): DecodedKey {
  return decodeKey(vkey, "verifier", types);
}

export function decodeSignerKey(skey: string, types: readonly number[] = [SIGNATURE_TYPE_ED25519]): DecodedKey {
  return decodeKey(skey, "signer", types);
}

export function newNoteKey(name: string): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync("ed25519");
  return {
    signerKey: encodeSignerKey(name, SIGNATURE_TYPE_ED25519, rawSeed(privateKey)),
    verifierKey: encodeVerifierKey(name, SIGNATURE_TYPE_ED25519, rawPublicKey(privateKey)),
  };
}

export function noteSigner(skey: string): NoteSigner {
  const k = decodeSignerKey(skey);
  const privateKey = ed25519PrivateKeyFromSeed(k.material);
  return { name: k.name, keyHash: k.keyHash, sign: (message) => sign(null, message, privateKey) };
}

export function noteVerifier(vkey: string): NoteVerifier {
  const k = decodeVerifierKey(vkey);
  const publicKey = ed25519PublicKeyFromRaw(k.material);
  return {
    name: k.name,
    keyHash: k.keyHash,
    key: vkey,
    verify: (message, signature) => signature.length === 64 && verify(null, message, publicKey, signature),
  };
}

/** The note verifier key of an Ed25519 public key in SPKI PEM (the municipality's key store format). */
export function verifierKeyFromPem(name: string, spkiPem: string): string {
  let key: KeyObject;
  try {
    key = createPublicKey(spkiPem);
  } catch {
    throw new NoteError("bad_key", "the public key PEM cannot be read");
  }
  return encodeVerifierKey(name, SIGNATURE_TYPE_ED25519, rawPublicKey(key));
}

/** A note signer for an Ed25519 private key in PKCS#8 PEM. */
export function signerFromPem(name: string, pkcs8Pem: string): NoteSigner {
  let key: KeyObject;
  try {
    key = createPrivateKey(pkcs8Pem);
  } catch {
    throw new NoteError("bad_key", "the private key PEM cannot be read");
  }
  return noteSigner(encodeSignerKey(name, SIGNATURE_TYPE_ED25519, rawSeed(key)));
}
