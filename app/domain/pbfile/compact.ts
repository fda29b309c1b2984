import { grown } from "../typed-arrays";
import { parsePb } from "./parse";
import type { PbElection } from "./types";
import { votesWasmBase64 } from "./votes-wasm.generated";

/**
 * The VOTES of a `.pb` file in counting form, as flat arrays instead of one object per voter:
 * identical ballots merged (their weights added) in order of first appearance, each as its sorted,
 * distinct project indexes — with their points for cumulative ballots, where a project given no
 * points is not on the ballot. Ballot b's projects are `projects[offsets[b] .. offsets[b + 1])`.
 */
export interface CompactVotes {
  /** Distinct ballots. */
  count: number;
  offsets: Int32Array;
  projects: Int32Array;
  /** Points aligned with `projects` (cumulative ballots); `null` for approval, where each counts 1. */
  points: Float64Array | null;
  weights: Float64Array;
  /** Sum of the weights: the number of voters. */
  voters: number;
  /**
   * The same ballots per project, when the reader has them at hand (the WebAssembly reader):
   * project j's supporting groups are `groups[offsets[j] .. offsets[j + 1])`, in group order, with
   * their points (1 for approval); `support` and `score` as in `ProjectTotals`.
   */
  byProject?: {
    offsets: Int32Array;
    groups: Int32Array;
    points: Float64Array;
    support: Float64Array;
    score: Float64Array;
  };
}

/**
 * The VOTES of a `.pb` file summed per project, without the ballots: all that greedy rules need
 * (they rank projects by support or points, never look at who voted for what).
 */
export interface ProjectTotals {
  /** Per project (in PROJECTS order): weighted number of voters who gave it a vote (or points). */
  support: Float64Array;
  /** Per project: total weighted points (approval: = support). */
  score: Float64Array;
  /** Sum of the weights: the number of voters. */
  voters: number;
}

/**
 * A `.pb` file read for counting: META and PROJECTS as `parsePb` gives them, VOTES compact —
 * as ballots, or (read with `{ ballots: false }`) as per-project totals only.
 */
export type CompactPb =
  | { /** The election without ballots (`ballots` is empty). */ head: PbElection; votes: CompactVotes; totals?: never }
  | { head: PbElection; votes?: never; totals: ProjectTotals };

/**
 * Collects ballots in counting form: `ballot` takes one ballot's (project, points) pairs as they
 * come (sorting them, dropping repeats and pairs without points) and merges it with an identical
 * earlier ballot through a flat open-addressing hash table — a million ballots cost no object each.
 */
export class BallotGroups {
  count = 0;
  voters = 0;
  private weights = new Float64Array(1024);
  private starts = new Int32Array(1025);
  private items = new Int32Array(8192);
  private pts = new Float64Array(8192);
  private used = 0;
  private table = new Int32Array(4096).fill(-1);
  private hashes = new Int32Array(1024);
  private readonly bits = new Float64Array(1);
  private readonly bitsInt = new Int32Array(this.bits.buffer);
  /** The ballot being collected. */
  private js = new Int32Array(64);
  private ps = new Float64Array(64);
  private n = 0;

  /**
   * One ballot: `n` project indexes with their points (`null`: 1 each), in any order, counting
   * `weight` times. Kept sorted by project, without repeats or projects given no points.
   */
  ballot(rowJ: Int32Array, rowP: Float64Array | null, n: number, weight: number) {
    if (this.js.length < n) {
      this.js = new Int32Array(n * 2);
      this.ps = new Float64Array(n * 2);
    }
    const js = this.js;
    const ps = this.ps;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const j = rowJ[i];
      const points = rowP === null ? 1 : rowP[i];
      if (!(points > 0)) continue;
      let at = size;
      let repeated = false;
      for (let k = 0; k < size; k++) if (js[k] === j) repeated = true;
      if (repeated) continue;
      while (at > 0 && js[at - 1] > j) {
        js[at] = js[at - 1];
        ps[at] = ps[at - 1];
        at--;
      }
      js[at] = j;
      ps[at] = points;
      size++;
    }
    this.n = size;
    this.close(weight);
  }

  /** Merges the ballot in js/ps with an identical earlier one, or adds it. */
  private close(weight: number) {
    const { js, ps, n } = this;
    this.n = 0;
    this.voters += weight;
    let h = 0x811c9dc5 ^ n;
    for (let k = 0; k < n; k++) {
      h = Math.imul(h ^ js[k], 0x01000193);
      if (ps[k] === 1) continue;
      this.bits[0] = ps[k];
      h = Math.imul(h ^ this.bitsInt[0], 0x01000193);
      h = Math.imul(h ^ this.bitsInt[1], 0x01000193);
    }
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const g = this.table[slot];
      if (g < 0) {
        this.table[slot] = this.append(weight, n, h);
        if (this.count * 2 > this.table.length) this.rehash();
        return;
      }
      if (this.hashes[g] === h && this.same(g, n)) {
        this.weights[g] += weight;
        return;
      }
    }
  }

  private same(g: number, n: number): boolean {
    const from = this.starts[g];
    if (this.starts[g + 1] - from !== n) return false;
    for (let k = 0; k < n; k++)
      if (this.items[from + k] !== this.js[k] || this.pts[from + k] !== this.ps[k]) return false;
    return true;
  }

  private append(weight: number, n: number, h: number): number {
    const g = this.count++;
    if (g + 1 >= this.weights.length) {
      this.weights = grown(this.weights, this.weights.length * 2);
      this.hashes = grown(this.hashes, this.weights.length);
      this.starts = grown(this.starts, this.weights.length + 1);
    }
    if (this.used + n > this.items.length) {
      const size = Math.max(this.items.length * 2, this.used + n);
      this.items = grown(this.items, size);
      this.pts = grown(this.pts, size);
    }
    for (let k = 0; k < n; k++) {
      this.items[this.used + k] = this.js[k];
      this.pts[this.used + k] = this.ps[k];
    }
    this.used += n;
    this.starts[g + 1] = this.used;
    this.weights[g] = weight;
    this.hashes[g] = h;
    return g;
  }

  private rehash() {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = this.table.length - 1;
    for (let g = 0; g < this.count; g++) {
      let slot = this.hashes[g] & mask;
      while (this.table[slot] >= 0) slot = (slot + 1) & mask;
      this.table[slot] = g;
    }
  }

  /** The collected ballots; `withPoints` false leaves the points out (approval: all 1). */
  done(withPoints: boolean): CompactVotes {
    return {
      count: this.count,
      offsets: this.starts.subarray(0, this.count + 1),
      projects: this.items.subarray(0, this.used),
      points: withPoints ? this.pts.subarray(0, this.used) : null,
      weights: this.weights.subarray(0, this.count),
      voters: this.voters,
    };
  }
}

const SEMI = 59;
const COMMA = 44;
const QUOTE = 34;
const LF = 10;
const CR = 13;
const DOT = 46;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;

const lower = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);

function equalsWord(bytes: Uint8Array, start: number, end: number, word: string): boolean {
  if (end - start !== word.length) return false;
  for (let i = 0; i < word.length; i++) if (lower(bytes[start + i]) !== word.charCodeAt(i)) return false;
  return true;
}

/** Canonical decimal integer (no sign, no leading zero) of at most 15 digits, or -1. */
function canonicalInteger(bytes: Uint8Array, start: number, end: number): number {
  return bytes[start] === ZERO && end - start > 1 ? -1 : digitsValue(bytes, start, end);
}

function isNoneCell(bytes: Uint8Array, start: number, end: number): boolean {
  return start === end || equalsWord(bytes, start, end, "none");
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** A file this reader leaves to `parsePb` (an error, or a form it does not read). */
const FALLBACK = -1;

/** Where counting looks in a VOTES row, and the project ids by number and by text. */
class VotesLayout {
  readonly voteCol: number;
  readonly pointsCol: number;
  readonly weightCol: number;
  readonly idCol: number;
  /** Only the cells up to the last one counting needs are looked at (later ones cannot shift them). */
  readonly need: number;
  readonly cumulative: boolean;
  readonly maxPoints: number;
  readonly maxSum: number;
  readonly byNumber = new Map<number, number>();
  readonly byText = new Map<string, number>();
  /** Project index by small numeric id (-1: none). */
  readonly dense: Int32Array;

  constructor(readonly head: PbElection) {
    const columns = head.voteColumns;
    this.voteCol = columns.indexOf("vote");
    this.pointsCol = columns.indexOf("points");
    this.weightCol = columns.indexOf("weight");
    this.idCol = Math.max(0, columns.indexOf("voter_id"));
    this.need = Math.max(this.idCol, this.voteCol, this.pointsCol, this.weightCol) + 1;
    this.cumulative = head.voteType === "cumulative";
    const limit = (key: string) => {
      const text = head.meta.find(([k]) => k === key)?.[1];
      return text === undefined || text === "" || text.toLowerCase() === "none"
        ? Number.POSITIVE_INFINITY
        : Number(text);
    };
    this.maxPoints = limit("max_points");
    this.maxSum = limit("max_sum_points");
    // Project ids: by number when the id is a canonical integer, by text otherwise; small numbers
    // (the usual case) in a plain array.
    head.projects.forEach((p, j) => {
      this.byText.set(p.id, j);
      if (/^(0|[1-9]\d{0,14})$/.test(p.id)) this.byNumber.set(Number(p.id), j);
    });
    this.dense = new Int32Array(Math.min(1 << 20, Math.max(0, ...this.byNumber.keys()) + 1)).fill(-1);
    for (const [n, j] of this.byNumber) if (n < this.dense.length) this.dense[n] = j;
  }
}

/**
 * The VOTES rows, one `row` call per line: every file the WebAssembly reader leaves. Each step is
 * a small method so that V8 optimises it within the first rows: `shora tally` reads a file once, cold.
 */
class VotesReader {
  /** Ballots merged into groups, or `null` when only the per-project totals are kept. */
  readonly groups: BallotGroups | null;
  readonly support: Float64Array;
  readonly score: Float64Array;
  voters = 0;
  /** One row's project indexes and points, in file order. */
  private rowJ = new Int32Array(64);
  private rowP = new Float64Array(64);
  private numericIds = new Float64Array(1024);
  private numericCount = 0;
  private textIds: Set<string> | null = null;
  private readonly cellStart: Int32Array;
  private readonly cellEnd: Int32Array;
  private readonly byNumber: Map<number, number>;
  private readonly byText: Map<string, number>;
  private readonly dense: Int32Array;
  /** Projects on the row being read (in rowJ). */
  private voted = 0;
  private readonly voteCol: number;
  private readonly pointsCol: number;
  private readonly weightCol: number;
  private readonly idCol: number;
  private readonly need: number;
  private readonly cumulative: boolean;
  private readonly maxPoints: number;
  private readonly maxSum: number;

  constructor(
    private readonly bytes: Uint8Array,
    layout: VotesLayout,
    ballots: boolean,
  ) {
    const projects = layout.head.projects.length;
    this.groups = ballots ? new BallotGroups() : null;
    this.support = new Float64Array(ballots ? 0 : projects);
    this.score = new Float64Array(ballots ? 0 : projects);
    ({
      voteCol: this.voteCol,
      pointsCol: this.pointsCol,
      weightCol: this.weightCol,
      idCol: this.idCol,
      need: this.need,
      cumulative: this.cumulative,
      maxPoints: this.maxPoints,
      maxSum: this.maxSum,
      byNumber: this.byNumber,
      byText: this.byText,
      dense: this.dense,
    } = layout);
    this.cellStart = new Int32Array(this.need);
    this.cellEnd = new Int32Array(this.need);
  }

  /** Reads the rows from `pos` to the end; false when the file is for `parsePb`. */
  rows(pos: number): boolean {
    const bytes = this.bytes;
    const size = bytes.length;
    while (pos < size) {
      let lineEnd = bytes.indexOf(LF, pos);
      if (lineEnd < 0) lineEnd = size;
      const lineStart = pos;
      pos = lineEnd + 1;
      if (lineEnd > lineStart && bytes[lineEnd - 1] === CR) lineEnd--;
      if (lineEnd > lineStart && !this.row(lineStart, lineEnd)) return false;
    }
    return this.idsDistinct();
  }

  private row(lineStart: number, lineEnd: number): boolean {
    const cells = this.split(lineStart, lineEnd);
    if (cells === FALLBACK) return false;
    if (this.isMarker(lineStart)) return false;
    if (!this.voterId(cells)) return false;
    const voted = this.voted;
    if (this.pointsCol >= 0 && this.has(this.pointsCol, cells)) {
      if (!this.points(this.cellStart[this.pointsCol], this.cellEnd[this.pointsCol], voted)) return false;
    } else if (this.cumulative && voted > 0) return false;
    let weight = 1;
    if (this.has(this.weightCol, cells)) {
      weight = digitsValue(this.bytes, this.cellStart[this.weightCol], this.cellEnd[this.weightCol]);
      if (!(weight > 0)) return false;
    }
    if (this.groups) this.groups.ballot(this.rowJ, this.cumulative ? this.rowP : null, voted, weight);
    else this.total(voted, weight);
    return true;
  }

  /** Adds one ballot to the per-project totals, counting a project once and only with points (as `BallotGroups` does). */
  private total(voted: number, weight: number) {
    const { rowJ, rowP, cumulative, support, score } = this;
    this.voters += weight;
    for (let i = 0; i < voted; i++) {
      const j = rowJ[i];
      const points = cumulative ? rowP[i] : 1;
      if (!(points > 0)) continue;
      let repeated = false;
      for (let k = 0; k < i; k++) if (rowJ[k] === j && (cumulative ? rowP[k] : 1) > 0) repeated = true;
      if (repeated) continue;
      support[j] += weight;
      score[j] += weight * points;
    }
  }

  /**
   * Cell boundaries up to `need`; a quote or padding in them goes to the full parser. The vote
   * cell is read on the way (`voted`), so its bytes are scanned once.
   */
  private split(lineStart: number, lineEnd: number): number {
    const { bytes, cellStart, cellEnd, need, voteCol } = this;
    let cells = 0;
    let start = lineStart;
    this.voted = 0;
    for (let i = lineStart; ; i++) {
      if (cells === voteCol && i === start) {
        i = this.vote(start, lineEnd);
        if (i === FALLBACK) return FALLBACK;
      }
      const b = i < lineEnd ? bytes[i] : SEMI;
      if (b === SEMI) {
        if (i > start && (bytes[start] <= 32 || bytes[i - 1] <= 32)) return FALLBACK;
        cellStart[cells] = start;
        cellEnd[cells] = i;
        cells++;
        start = i + 1;
        if (cells === need || i >= lineEnd) return cells;
      } else if (b === QUOTE) return FALLBACK;
    }
  }

  /** A section marker here (a second META…) is for parsePb. */
  private isMarker(lineStart: number): boolean {
    const end = this.cellEnd[0];
    const length = end - lineStart;
    if (length < 4 || length > 8) return false;
    const b = this.bytes;
    return (
      equalsWord(b, lineStart, end, "meta") ||
      equalsWord(b, lineStart, end, "projects") ||
      equalsWord(b, lineStart, end, "votes")
    );
  }

  private has(c: number, cells: number): boolean {
    return c >= 0 && c < cells && !isNoneCell(this.bytes, this.cellStart[c], this.cellEnd[c]);
  }

  /** Voter ids: numbers are checked for repeats at the end (sorted), other ids as text. */
  private voterId(cells: number): boolean {
    const start = this.idCol < cells ? this.cellStart[this.idCol] : 0;
    const end = this.idCol < cells ? this.cellEnd[this.idCol] : 0;
    const numeric = this.textIds === null ? canonicalInteger(this.bytes, start, end) : -1;
    if (numeric >= 0) {
      if (this.numericCount === this.numericIds.length) this.numericIds = grown(this.numericIds, this.numericCount * 2);
      this.numericIds[this.numericCount++] = numeric;
      return true;
    }
    if (this.textIds === null) {
      this.textIds = new Set<string>();
      for (let i = 0; i < this.numericCount; i++) this.textIds.add(String(this.numericIds[i]));
      if (this.textIds.size !== this.numericCount) return false;
    }
    const id = decoder.decode(this.bytes.subarray(start, end));
    if (this.textIds.has(id)) return false;
    this.textIds.add(id);
    return true;
  }

  private idsDistinct(): boolean {
    if (this.textIds !== null || this.numericCount < 2) return true;
    // Usually the ids only grow: then they are distinct without sorting.
    let increasing = true;
    for (let i = 1; i < this.numericCount && increasing; i++) increasing = this.numericIds[i] > this.numericIds[i - 1];
    if (increasing) return true;
    const sorted = this.numericIds.slice(0, this.numericCount).sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
    return true;
  }

  /**
   * The vote cell from `start`: project ids separated by commas, exactly as written, into rowJ and
   * their number into `voted` (an empty or `None` cell: none). Returns where the cell ends, or FALLBACK.
   */
  private vote(start: number, lineEnd: number): number {
    const { bytes, dense } = this;
    const first = start < lineEnd ? bytes[start] : SEMI;
    if (first === SEMI) return start;
    if (first === 78 || first === 110) {
      // "None" (any case) is an empty vote
      let end = start;
      while (end < lineEnd && bytes[end] !== SEMI) end++;
      if (isNoneCell(bytes, start, end)) return end;
    }
    // A row has at most (length + 1) / 2 projects.
    if (this.rowJ.length < lineEnd - start + 1) {
      this.rowJ = new Int32Array((lineEnd - start + 1) * 2);
      this.rowP = new Float64Array((lineEnd - start + 1) * 2);
    }
    const rowJ = this.rowJ;
    let voted = 0;
    let t = start;
    let value = 0;
    let plain = true;
    let i = start;
    for (; ; i++) {
      const b = i < lineEnd ? bytes[i] : SEMI;
      if (b !== COMMA && b !== SEMI) {
        // digits of a small canonical number are read on the way; anything else is looked up as text
        if (b >= ZERO && b <= NINE && value < 1 << 20 && !(i > t && bytes[t] === ZERO)) value = value * 10 + (b - ZERO);
        else plain = false;
        continue;
      }
      let j = plain && i > t && value < dense.length ? dense[value] : -1;
      if (j < 0) j = this.projectByText(t, i);
      if (j < 0) return FALLBACK;
      rowJ[voted++] = j;
      if (b === SEMI) break;
      t = i + 1;
      value = 0;
      plain = true;
    }
    this.voted = voted;
    return i;
  }

  private projectByText(start: number, end: number): number {
    const n = canonicalInteger(this.bytes, start, end);
    const j = n >= 0 ? this.byNumber.get(n) : this.byText.get(decoder.decode(this.bytes.subarray(start, end)));
    return j ?? -1;
  }

  /** Points (-?digits(.digits)?) aligned with the vote, into rowP, within META's limits. */
  private points(start: number, end: number, voted: number): boolean {
    const bytes = this.bytes;
    let t = start;
    let count = 0;
    let sum = 0;
    for (let i = start; i <= end; i++) {
      if (i < end && bytes[i] !== COMMA) continue;
      let k = t;
      if (bytes[k] === MINUS) k++;
      const digitsFrom = k;
      while (k < i && bytes[k] >= ZERO && bytes[k] <= NINE) k++;
      if (k === digitsFrom) return false;
      if (k < i) {
        if (bytes[k] !== DOT) return false;
        const fraction = ++k;
        while (k < i && bytes[k] >= ZERO && bytes[k] <= NINE) k++;
        if (k === fraction || k < i) return false;
      }
      const value = Number(decoder.decode(bytes.subarray(t, i)));
      if (this.cumulative && (value < 0 || value > this.maxPoints)) return false;
      sum += value;
      if (count < voted) this.rowP[count] = value;
      count++;
      t = i + 1;
    }
    return count === voted && !(this.cumulative && sum > this.maxSum);
  }
}

/** Digits only (leading zeros allowed, as `parsePb` allows) making a safe integer; else -1. */
function digitsValue(bytes: Uint8Array, start: number, end: number): number {
  if (end === start || end - start > 15) return -1;
  let value = 0;
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b < ZERO || b > NINE) return -1;
    value = value * 10 + (b - ZERO);
  }
  return value;
}

/**
 * Reads a `.pb` file for counting, fast (no object per voter): the byte-level twin of `parsePb`
 * for the plain files real elections publish. It returns `null` — and the caller falls back to
 * `parsePb`, which names the line — for anything it does not read itself: quoted cells, padded
 * cells, a vote type it does not count, and every kind of error (unknown project, duplicate voter,
 * bad weight, points over the limit…). So both readers accept exactly the same files and the
 * error messages come from one place. A test compares the two on every shared instance.
 */
export function readPbCompact(bytes: Uint8Array, options: CompactOptions = {}): CompactPb | null {
  return readPbCompactFrom(bytes.length, (target) => target.set(bytes), options);
}

/**
 * The same, for a file of `size` bytes that `fill` reads into the array it is given: straight into
 * the WebAssembly reader's memory, so a large file is neither allocated nor copied twice.
 */
export function readPbCompactFrom(
  size: number,
  fill: (target: Uint8Array) => void,
  options: CompactOptions = {},
): CompactPb | null {
  const wasm = options.reader === "javascript" ? null : votesInstance();
  if (wasm === null) {
    const bytes = new Uint8Array(size);
    fill(bytes);
    return readCompact(bytes, null, options);
  }
  const at = wasm.prepare(size);
  const bytes = new Uint8Array(wasm.memory.buffer, at, size);
  fill(bytes);
  return readCompact(bytes, { wasm, at }, options);
}

interface CompactOptions {
  ballots?: boolean;
  /** Which reader reads the VOTES rows (tests compare them): by default WebAssembly, then JavaScript where it gives up. */
  reader?: "either" | "javascript" | "webassembly";
}

/** `bytes` is the file; with `loaded`, a view of the WebAssembly reader's memory at `at`. */
function readCompact(
  bytes: Uint8Array,
  loaded: { wasm: VotesExports; at: number } | null,
  options: CompactOptions,
): CompactPb | null {
  // META and PROJECTS are small: find the VOTES marker and its header line, read the head with parsePb.
  let pos = 0;
  let votesHeaderEnd = -1;
  while (pos < bytes.length) {
    let end = bytes.indexOf(LF, pos);
    if (end < 0) end = bytes.length;
    let cellEnd = pos;
    while (cellEnd < end && bytes[cellEnd] !== SEMI && bytes[cellEnd] !== CR) cellEnd++;
    let rest = cellEnd;
    while (rest < end && (bytes[rest] === SEMI || bytes[rest] === CR)) rest++;
    if (rest === end && equalsWord(bytes, pos, cellEnd, "votes")) {
      const headerEnd = bytes.indexOf(LF, end + 1);
      votesHeaderEnd = headerEnd < 0 ? bytes.length : headerEnd + 1;
      break;
    }
    pos = end + 1;
  }
  if (votesHeaderEnd < 0) return null;
  let head: PbElection;
  try {
    head = parsePb(decoder.decode(bytes.subarray(0, votesHeaderEnd)));
  } catch {
    return null;
  }
  if (head.voteType !== "approval" && head.voteType !== "choose-1" && head.voteType !== "cumulative") return null;
  if (head.voteColumns.length === 0) return null;
  const layout = new VotesLayout(head);
  const ballots = options.ballots ?? true;
  if (loaded) {
    const size = bytes.length;
    const fast = readVotesWasm(loaded.wasm, votesHeaderEnd, layout, ballots);
    if (fast || options.reader === "webassembly") return fast;
    // Reading may have grown the module's memory, which detaches views of the old one.
    bytes = new Uint8Array(loaded.wasm.memory.buffer, loaded.at, size);
  }
  const rows = new VotesReader(bytes, layout, ballots);
  if (!rows.rows(votesHeaderEnd)) return null;
  if (rows.groups === null) return { head, totals: { support: rows.support, score: rows.score, voters: rows.voters } };
  return { head, votes: rows.groups.done(head.voteType === "cumulative") };
}

let votesModule: WebAssembly.Module | null | undefined;

/** The compiled VOTES reader, or `null` where WebAssembly cannot run (the JavaScript reader then does it all). */
function votesWasm(): WebAssembly.Module | null {
  if (votesModule === undefined) {
    try {
      const text = atob(votesWasmBase64);
      const binary = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) binary[i] = text.charCodeAt(i);
      votesModule = new WebAssembly.Module(binary);
    } catch {
      votesModule = null;
    }
  }
  return votesModule;
}

/** A fresh reader (its own memory), or `null` where WebAssembly cannot run. */
function votesInstance(): VotesExports | null {
  const module = votesWasm();
  return module && (new WebAssembly.Instance(module, {}).exports as unknown as VotesExports);
}

interface VotesExports {
  memory: WebAssembly.Memory;
  prepare(length: number): number;
  reserveDense(denseSize: number, projects: number, idBytes: number): number;
  indexProjects(): number;
  projectIdOffsets: WebAssembly.Global;
  projectIdBytes: WebAssembly.Global;
  read(
    vote: number,
    points: number,
    weight: number,
    id: number,
    need: number,
    cumulative: number,
    ballots: number,
    maxPoints: number,
    maxSum: number,
    rowsFrom: number,
  ): number;
  groups: WebAssembly.Global;
  used: WebAssembly.Global;
  voters: WebAssembly.Global;
  starts: WebAssembly.Global;
  items: WebAssembly.Global;
  points: WebAssembly.Global;
  weights: WebAssembly.Global;
  support: WebAssembly.Global;
  score: WebAssembly.Global;
  transpose(): void;
  supportOffsets: WebAssembly.Global;
  supportGroups: WebAssembly.Global;
  supportPoints: WebAssembly.Global;
}

/**
 * The VOTES rows read by the WebAssembly twin of `VotesReader` (assembly/votes.ts), which runs at
 * full speed from the first row; `null` when it leaves the file to `VotesReader` (quotes, padding,
 * non-ASCII ids, every error). A fresh instance per file: the arrays returned are views of its memory.
 */
function readVotesWasm(wasm: VotesExports, rowsFrom: number, layout: VotesLayout, ballots: boolean): CompactPb | null {
  const projects = layout.head.projects.length;
  const ids = layout.head.projects.map((p) => encoder.encode(p.id));
  const idBytes = ids.reduce((sum, id) => sum + id.length, 0);
  const dense = wasm.reserveDense(layout.dense.length, projects, idBytes);
  new Int32Array(wasm.memory.buffer, dense, layout.dense.length).set(layout.dense);
  // Every project id as bytes too, for votes that name projects by text ("L005", "c12").
  const offsets = new Int32Array(wasm.memory.buffer, wasm.projectIdOffsets.value, projects + 1);
  const bytes = new Uint8Array(wasm.memory.buffer, wasm.projectIdBytes.value, idBytes);
  ids.forEach((id, j) => {
    bytes.set(id, offsets[j]);
    offsets[j + 1] = offsets[j] + id.length;
  });
  if (wasm.indexProjects() !== 1) return null;
  const done = wasm.read(
    layout.voteCol,
    layout.pointsCol,
    layout.weightCol,
    layout.idCol,
    layout.need,
    layout.cumulative ? 1 : 0,
    ballots ? 1 : 0,
    layout.maxPoints,
    layout.maxSum,
    rowsFrom,
  );
  if (done !== 1) return null;
  const voters = wasm.voters.value as number;
  if (!ballots) {
    const memory = wasm.memory.buffer;
    return {
      head: layout.head,
      totals: {
        support: new Float64Array(memory, wasm.support.value, projects),
        score: new Float64Array(memory, wasm.score.value, projects),
        voters,
      },
    };
  }
  const count = wasm.groups.value as number;
  const used = wasm.used.value as number;
  wasm.transpose();
  const memory = wasm.memory.buffer; // after the last growth
  return {
    head: layout.head,
    votes: {
      count,
      offsets: new Int32Array(memory, wasm.starts.value, count + 1),
      projects: new Int32Array(memory, wasm.items.value, used),
      points: layout.cumulative ? new Float64Array(memory, wasm.points.value, used) : null,
      weights: new Float64Array(memory, wasm.weights.value, count),
      voters,
      byProject: {
        offsets: new Int32Array(memory, wasm.supportOffsets.value, projects + 1),
        groups: new Int32Array(memory, wasm.supportGroups.value, used),
        points: new Float64Array(memory, wasm.supportPoints.value, used),
        support: new Float64Array(memory, wasm.support.value, projects),
        score: new Float64Array(memory, wasm.score.value, projects),
      },
    },
  };
}
