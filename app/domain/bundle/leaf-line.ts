/**
 * One line of ballots.jsonl as the verifier needs it, read straight from the bytes when the line has
 * the exact form the bundle writer produces (`ballotLine`: canonical JSON, approval or points body, plain
 * ASCII ids), otherwise through JSON.parse. Both readers give the same facts, so the checks that
 * follow — and their messages — are the same whichever read the line. The fast reader hashes the
 * leaf and the ballot body as they lie in the file: for a line of that exact form those bytes are
 * `leafText(leaf)` and the canonical body, which is what the general reader re-serialises.
 */
import { hash } from "node:crypto";
import type { Leaf, Opening } from "./format";
import { leafText } from "./format";
import { canonicalJson } from "../canonical";

export interface LineFacts {
  /** False: the line is not JSON or has no leaf object (the reason is in `problem`). */
  readable: boolean;
  problem: string;
  seq: unknown;
  round: unknown;
  envelope: string;
  /** The bytes the ranges below point into (the line itself, or the general reader's copy). */
  src: Buffer;
  /** Ballot id range; start -1 for a withdrawal (ballotId null). */
  ballotIdAt: number;
  ballotIdEnd: number;
  /** Superseded ballot id range; start -1 when none (null or empty). */
  supersedesAt: number;
  supersedesEnd: number;
  weight: number;
  /** The leaf's commitment is null (a withdrawal must have none). */
  commitmentNull: boolean;
  leafHashOk: boolean;
  /** SHA-256 leaf hash (RFC 9162, prefix 0x00) of the leaf: 32 bytes as a latin1 string. */
  leafHash: string;
  /** The line has an opening (null for withdrawals). */
  openingPresent: boolean;
  /** The opening has a body, a 64-character nonce and a voter tag. */
  opened: boolean;
  /** SHA-256(canonical body ‖ nonce) equals the leaf's commitment. */
  commitmentOk: boolean;
  /** Voter tag range. */
  voterAt: number;
  voterEnd: number;
  /** Canonical JSON text of the body, as a range. */
  bodyAt: number;
  bodyEnd: number;
  /** The parsed body when the general reader read the line (else parse the body text). */
  body: Opening["body"] | null;
  /** Format 2: the day the leaf was appended (YYYY-MM-DD as written; null when absent). */
  day: string | null;
}

export function emptyFacts(): LineFacts {
  return {
    readable: false,
    problem: "",
    seq: null,
    round: null,
    envelope: "",
    src: Buffer.alloc(0),
    ballotIdAt: -1,
    ballotIdEnd: -1,
    supersedesAt: -1,
    supersedesEnd: -1,
    weight: 0,
    commitmentNull: false,
    leafHashOk: false,
    leafHash: "",
    openingPresent: false,
    opened: false,
    commitmentOk: false,
    voterAt: -1,
    voterEnd: -1,
    bodyAt: -1,
    bodyEnd: -1,
    body: null,
    day: null,
  };
}

/** A range of `f.src` as text. */
export function factText(f: LineFacts, at: number, end: number): string {
  return at < 0 ? "" : f.src.toString("utf8", at, end);
}

const QUOTE = 34;
const COMMA = 44;
const scratch = { buffer: Buffer.alloc(1 << 12) };

function room(size: number): Buffer {
  if (scratch.buffer.length < size) scratch.buffer = Buffer.alloc(size * 2);
  return scratch.buffer;
}

/** A literal ASCII text at `at`; the position after it, or -1. */
function literal(b: Buffer, at: number, text: string): number {
  if (at + text.length > b.length) return -1;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return -1;
  return at + text.length;
}

/** A JSON string of plain characters only (letters, digits, - _ . :), which JSON.parse reads as written. */
const PLAIN = new Uint8Array(256);
for (let c = 0; c < 256; c++)
  PLAIN[c] =
    (c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95 || c === 46 ? 1 : 0;

function plainString(b: Buffer, at: number, end: number): number {
  if (b[at] !== QUOTE) return -1;
  let i = at + 1;
  while (i < end && PLAIN[b[i]] === 1) i++;
  return i < end && b[i] === QUOTE ? i + 1 : -1;
}

/** Bytes [a, a2) sort strictly before [b, b2) (code-unit order of plain ASCII keys). */
function before(buf: Buffer, a: number, a2: number, b: number, b2: number): boolean {
  const n = Math.min(a2 - a, b2 - b);
  for (let i = 0; i < n; i++) if (buf[a + i] !== buf[b + i]) return buf[a + i] < buf[b + i];
  return a2 - a < b2 - b;
}

/** A canonical body at `at`: approval `{"approved":["id",…]}` or points `{"points":{"id":n,…}}` (keys in order); its end, or -1. */
function plainBody(b: Buffer, at: number, end: number): number {
  let i = literal(b, at, '{"approved":[');
  if (i >= 0) {
    if (b[i] !== 93) {
      for (;;) {
        i = plainString(b, i, end);
        if (i < 0) return -1;
        if (b[i] !== COMMA) break;
        i++;
      }
    }
    return literal(b, i, "]}");
  }
  i = literal(b, at, '{"points":{');
  if (i < 0) return -1;
  if (b[i] !== 125) {
    let lastKey = -1;
    let lastKeyEnd = -1;
    for (;;) {
      const key = i;
      i = plainString(b, i, end);
      if (i < 0 || (lastKey >= 0 && !before(b, lastKey, lastKeyEnd, key, i))) return -1;
      lastKey = key;
      lastKeyEnd = i;
      if (b[i] !== 58) return -1; // :
      i = plainInteger(b, i + 1, end);
      if (i < 0) return -1;
      if (b[i] !== COMMA) break;
      i++;
    }
  }
  return literal(b, i, "}}");
}

/** A canonical non-negative integer (no leading zero, at most 15 digits). */
function plainInteger(b: Buffer, at: number, end: number): number {
  let i = at;
  while (i < end && b[i] >= 48 && b[i] <= 57) i++;
  const n = i - at;
  if (n === 0 || n > 15 || (n > 1 && b[at] === 48)) return -1;
  return i;
}

/** ASCII bytes as text (Node's latin1 slice: no UTF-8 decoding needed for the plain characters read here). */
const latin1 = (b: Buffer, from: number, to: number): string =>
  (b as unknown as { latin1Slice(a: number, z: number): string }).latin1Slice(from, to);

const digits = (b: Buffer, from: number, to: number) => {
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + b[i] - 48;
  return v;
};

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const LOWER_HEX = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

/** `digest` (32 bytes as a latin1 string) equals the lowercase hex text at `at` (64 characters, then a quote). */
function hexEquals(b: Buffer, at: number, digest: string): boolean {
  for (let i = 0; i < 32; i++) {
    const d = digest.charCodeAt(i);
    if (b[at + 2 * i] !== LOWER_HEX[d >> 4] || b[at + 2 * i + 1] !== LOWER_HEX[d & 15]) return false;
  }
  return b[at + 64] === QUOTE;
}

/**
 * The fast reader: fills `f` and returns true when the line has the writer's exact form;
 * false (and `f` is to be ignored) for any other line.
 */
export function readLineFast(b: Buffer, start: number, end: number, f: LineFacts): boolean {
  let at = literal(b, start, '{"leaf":{"ballotId":');
  if (at < 0) return false;
  const leafStart = start + 8;
  // ballotId
  let ballotIdAt = -1;
  let next = literal(b, at, "null");
  if (next < 0) {
    ballotIdAt = at;
    next = plainString(b, at, end);
    if (next < 0) return false;
  }
  const ballotIdEnd = next;
  at = literal(b, next, ',"commitment":');
  if (at < 0) return false;
  let commitmentAt = -1;
  next = literal(b, at, "null");
  if (next < 0) {
    commitmentAt = at;
    next = plainString(b, at, end);
    if (next < 0) return false;
  }
  at = literal(b, next, ',"envelope":');
  if (at < 0) return false;
  const envelopeAt = at;
  next = plainString(b, at, end);
  if (next < 0) return false;
  const envelopeEnd = next;
  at = literal(b, next, ',"round":');
  if (at < 0) return false;
  const roundAt = at;
  next = plainString(b, at, end);
  if (next < 0) return false;
  const roundEnd = next;
  at = literal(b, next, ',"seq":');
  if (at < 0) return false;
  const seqAt = at;
  next = plainInteger(b, at, end);
  if (next < 0) return false;
  const seqEnd = next;
  at = literal(b, next, ',"supersedes":');
  if (at < 0) return false;
  let supersedesAt = -1;
  next = literal(b, at, "null");
  if (next < 0) {
    supersedesAt = at;
    next = plainString(b, at, end);
    if (next < 0) return false;
  }
  const supersedesEnd = next;
  at = literal(b, next, ',"weight":');
  if (at < 0) return false;
  const weightAt = at;
  next = plainInteger(b, at, end);
  if (next < 0) return false;
  const weightEnd = next;
  if (b[next] !== 125) return false; // }
  const leafEnd = next + 1;
  at = literal(b, leafEnd, ',"leafHash":"');
  if (at < 0 || at + 65 > end) return false;
  const leafHashAt = at;
  at = literal(b, at + 64, '","opening":');
  if (at < 0) return false;
  // opening: null, or {"body":{"approved":[…]},"nonce":"…","voter":"…"}
  let bodyAt = -1;
  let bodyEnd = -1;
  let nonceAt = -1;
  let nonceEnd = -1;
  let voterAt = -1;
  let voterEnd = -1;
  next = literal(b, at, "null");
  if (next < 0) {
    at = literal(b, at, '{"body":');
    if (at < 0) return false;
    bodyAt = at;
    at = plainBody(b, at, end);
    if (at < 0) return false;
    bodyEnd = at;
    at = literal(b, at, ',"nonce":');
    if (at < 0) return false;
    nonceAt = at + 1;
    at = plainString(b, at, end);
    if (at < 0) return false;
    nonceEnd = at - 1;
    at = literal(b, at, ',"voter":');
    if (at < 0) return false;
    voterAt = at + 1;
    at = plainString(b, at, end);
    if (at < 0) return false;
    voterEnd = at - 1;
    next = literal(b, at, "}");
    if (next < 0) return false;
  }
  let dayAt = -1;
  const dayStart = literal(b, next, ',"day":"');
  if (dayStart >= 0) {
    if (dayStart + 11 > end || b[dayStart + 10] !== QUOTE) return false;
    dayAt = dayStart;
    next = dayStart + 11;
  }
  if (next + 1 !== end || b[next] !== 125) return false;

  // The line has the writer's form: the facts.
  f.readable = true;
  f.src = b;
  f.seq = digits(b, seqAt, seqEnd);
  f.round = latin1(b, roundAt + 1, roundEnd - 1);
  f.envelope = latin1(b, envelopeAt + 1, envelopeEnd - 1);
  f.ballotIdAt = ballotIdAt < 0 ? -1 : ballotIdAt + 1;
  f.ballotIdEnd = ballotIdEnd - 1;
  f.supersedesAt = supersedesAt < 0 || supersedesEnd - supersedesAt === 2 ? -1 : supersedesAt + 1;
  f.supersedesEnd = supersedesEnd - 1;
  f.weight = digits(b, weightAt, weightEnd);
  f.commitmentNull = commitmentAt < 0;
  f.day = dayAt < 0 ? null : latin1(b, dayAt, dayAt + 10);
  // leaf hash = SHA-256(0x00 ‖ leaf text)
  const leafBytes = room(leafEnd - leafStart + 1);
  leafBytes[0] = 0;
  b.copy(leafBytes, 1, leafStart, leafEnd);
  f.leafHash = hash("sha256", leafBytes.subarray(0, leafEnd - leafStart + 1), "binary");
  f.leafHashOk = hexEquals(b, leafHashAt, f.leafHash);
  f.openingPresent = bodyAt >= 0;
  f.body = null;
  f.opened = false;
  f.commitmentOk = false;
  if (bodyAt < 0) return true;
  f.voterAt = voterAt;
  f.voterEnd = voterEnd;
  f.bodyAt = bodyAt;
  f.bodyEnd = bodyEnd;
  f.opened = nonceEnd - nonceAt === 64;
  // commitment = SHA-256(body ‖ nonce bytes); a nonce that is not hex opens nothing
  if (f.opened && commitmentAt >= 0) {
    const bodyLength = bodyEnd - bodyAt;
    const buffer = room(bodyLength + 32);
    b.copy(buffer, 0, bodyAt, bodyEnd);
    let hex = true;
    for (let i = 0; i < 32 && hex; i++) {
      const hi = hexValue(b[nonceAt + 2 * i]);
      const lo = hexValue(b[nonceAt + 2 * i + 1]);
      if (hi < 0 || lo < 0) hex = false;
      else buffer[bodyLength + i] = hi * 16 + lo;
    }
    f.commitmentOk =
      hex && hexEquals(b, commitmentAt + 1, hash("sha256", buffer.subarray(0, bodyLength + 32), "binary"));
  }
  return true;
}

/** Canonical JSON of a ballot body; approval bodies (the common case) without the generic walk. */
export function bodyText(body: Opening["body"]): string {
  if (
    "approved" in body &&
    Array.isArray(body.approved) &&
    Object.keys(body).length === 1 &&
    body.approved.every((x) => typeof x === "string")
  ) {
    return `{"approved":${JSON.stringify(body.approved)}}`;
  }
  return canonicalJson(body);
}

/** The general reader: any line, through JSON.parse. */
export function readLineGeneral(text: string, f: LineFacts): void {
  f.readable = false;
  let record: { leaf?: Leaf; leafHash?: unknown; opening?: Opening | null; day?: unknown } | null;
  try {
    record = JSON.parse(text);
  } catch {
    f.problem = "not valid JSON";
    return;
  }
  const leaf = record?.leaf;
  if (!leaf || typeof leaf !== "object") {
    f.problem = "no leaf";
    return;
  }
  f.readable = true;
  f.day = record?.day === undefined ? null : String(record.day);
  f.seq = leaf.seq;
  f.round = leaf.round;
  f.envelope = leaf.envelope;
  f.weight = leaf.weight;
  f.commitmentNull = leaf.commitment === null;
  f.leafHash = hash("sha256", Buffer.concat([Buffer.from([0]), Buffer.from(leafText(leaf), "utf8")]), "binary");
  f.leafHashOk = Buffer.from(f.leafHash, "latin1").toString("hex") === record?.leafHash;
  const opening = record?.opening;
  f.openingPresent = opening !== null;
  f.opened =
    !!opening &&
    typeof opening.nonce === "string" &&
    opening.nonce.length === 64 &&
    typeof opening.voter === "string" &&
    !!opening.body &&
    typeof opening.body === "object";
  f.body = f.opened ? (opening as Opening).body : null;
  const bodyKey = f.body ? bodyText(f.body) : "";
  // The texts the checks compare, as ranges of one buffer (like the fast reader's).
  const parts = [
    leaf.ballotId === null ? null : String(leaf.ballotId),
    leaf.supersedes ? String(leaf.supersedes) : null,
    f.opened ? (opening as Opening).voter : null,
    bodyKey,
  ];
  const ranges: number[] = [];
  let length = 0;
  const encoded = parts.map((p) => {
    const bytes = p === null ? null : Buffer.from(p, "utf8");
    ranges.push(bytes ? length : -1, bytes ? length + bytes.length : -1);
    length += bytes?.length ?? 0;
    return bytes;
  });
  f.src = Buffer.concat(encoded.filter((x) => x !== null) as Buffer[]);
  [f.ballotIdAt, f.ballotIdEnd, f.supersedesAt, f.supersedesEnd, f.voterAt, f.voterEnd, f.bodyAt, f.bodyEnd] = ranges;
  f.commitmentOk = false;
  if (f.opened && f.body) {
    const nonce = Buffer.from((opening as Opening).nonce, "hex");
    if (nonce.length === 32) {
      const commitment = hash("sha256", Buffer.concat([Buffer.from(bodyKey, "utf8"), nonce]), "hex");
      f.commitmentOk = commitment === leaf.commitment;
    }
  }
}
