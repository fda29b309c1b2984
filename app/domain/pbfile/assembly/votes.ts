// AssemblyScript (compiled to WebAssembly by `npm run build:wasm`, embedded in
// ../votes-wasm.generated.ts). The VOTES rows of a plain `.pb` file, read from the bytes into
// counting form: the same work as `VotesReader` in ../compact.ts for the common case, in a
// module that runs at full speed from its first row (a `shora tally` process reads one file,
// cold; JavaScript would spend most of that read waiting for the optimising compiler).
//
// It gives up (returns 0) on anything but the plainest form — a quote, a padded cell, a marker
// row, a voter id that is not a canonical integer or not larger than the one before, a project id
// not in the numeric table, points that are not whole numbers or cumulative ballots without them,
// any bad value — and the JavaScript reader then reads the file, exactly as before. So this module
// never decides an error or a corner case; it only has to agree with ../compact.ts where it
// finishes, which a test checks on every shared instance.
//
// Memory: [the whole file][dense project table i32][outputs]; one instance per file.

const SEMI: u8 = 59;
const COMMA: u8 = 44;
const QUOTE: u8 = 34;
const LF: u8 = 10;
const CR: u8 = 13;
const ZERO: u8 = 48;
const NINE: u8 = 57;
const MAX_CELLS: i32 = 64;

let heap: usize = 0;

function bump(size: usize): usize {
  const at = (heap + 7) & ~(<usize>7);
  heap = at + size;
  const pages = <i32>((heap + 0xffff) >>> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  return at;
}

let input: usize = 0;
let inputLength: i32 = 0;
let dense: usize = 0;
let denseLength: i32 = 0;
let projectCount: i32 = 0;
let cellStart: usize = 0;
let cellEnd: usize = 0;

/** Makes room for the file (read into it by the caller); returns where it goes. */
export function prepare(length: i32): usize {
  heap = __heap_base;
  cellStart = bump(MAX_CELLS * 4);
  cellEnd = bump(MAX_CELLS * 4);
  input = bump(<usize>length + 16); // nextLine reads 16 bytes at a time
  inputLength = length;
  return input;
}

/**
 * Makes room for the numeric project table (-1: no such project) and for the projects' ids as
 * bytes (`projectIdOffsets`, `projectIdBytes`); returns where the table goes.
 */
export function reserveDense(denseSize: i32, projects: i32, idBytes: i32): usize {
  dense = bump(<usize>denseSize * 4);
  denseLength = denseSize;
  projectCount = projects;
  projectIdOffsets = bump((<usize>projects + 1) << 2);
  projectIdBytes = bump(<usize>idBytes);
  return dense;
}

// Outputs, read by the caller after `read`.
export let groups: i32 = 0;
export let used: i32 = 0;
export let voters: f64 = 0;
export let starts: usize = 0;
export let items: usize = 0;
export let points: usize = 0;
export let weights: usize = 0;
export let support: usize = 0;
export let score: usize = 0;

let hashes: usize = 0;
let table: usize = 0;
let tableMask: i32 = 0;

// Layout of the file's VOTES columns.
let voteCol: i32 = -1;
let pointsCol: i32 = -1;
let weightCol: i32 = -1;
let idCol: i32 = 0;
let need: i32 = 0;
let cumulative: bool = false;
let keepBallots: bool = true;
let maxPoints: f64 = Infinity;
let maxSum: f64 = Infinity;
let lastId: f64 = -1;
let idStarts: usize = 0;
let idEnds: usize = 0;
let rows: i32 = 0;
let idsAsBytes: bool = false;

@inline function byte(at: usize): u8 {
  return load<u8>(at);
}

let end: usize = 0;

/**
 * The byte at `at`, with the end of the line — LF, a CR before LF, the end of the file (where
 * `read` puts an LF) — read as LF (the JavaScript reader cuts the line there, the same way).
 */
@inline function cellByte(at: usize): u8 {
  const b = byte(at);
  return b == CR && byte(at + 1) == LF ? LF : b;
}

/** Where the next line starts, from inside this one: after its LF (16 bytes at a time). */
function nextLine(from: usize): usize {
  const lf = i8x16.splat(<i8>LF);
  let at = from;
  while (at < end) {
    const mask = i8x16.bitmask(i8x16.eq(v128.load(at), lf));
    if (mask != 0) {
      const found = at + <usize>ctz(mask);
      return found < end ? found + 1 : end;
    }
    at += 16;
  }
  return end;
}

@inline function lower(b: u8): u8 {
  return b >= 65 && b <= 90 ? b + 32 : b;
}

/** The cell [start, end) is empty or "None" in any case. */
function isNone(start: usize, end: usize): bool {
  if (start == end) return true;
  return (
    end - start == 4 &&
    lower(byte(start)) == 110 &&
    lower(byte(start + 1)) == 111 &&
    lower(byte(start + 2)) == 110 &&
    lower(byte(start + 3)) == 101
  );
}

/** Digits only (leading zeros allowed), at most 15: the value, else -1. */
function digits(start: usize, end: usize): f64 {
  if (end == start || end - start > 15) return -1;
  let value: f64 = 0;
  for (let i = start; i < end; i++) {
    const b = byte(i);
    if (b < ZERO || b > NINE) return -1;
    value = value * 10 + <f64>(b - ZERO);
  }
  return value;
}

/** The first cell spells a section name (meta, projects, votes) in any case. */
function isMarker(start: usize, end: usize): bool {
  const length = end - start;
  if (length == 4) {
    return lower(byte(start)) == 109 && lower(byte(start + 1)) == 101 && lower(byte(start + 2)) == 116 && lower(byte(start + 3)) == 97;
  }
  if (length == 5) {
    return (
      lower(byte(start)) == 118 &&
      lower(byte(start + 1)) == 111 &&
      lower(byte(start + 2)) == 116 &&
      lower(byte(start + 3)) == 101 &&
      lower(byte(start + 4)) == 115
    );
  }
  if (length == 8) {
    return (
      lower(byte(start)) == 112 &&
      lower(byte(start + 1)) == 114 &&
      lower(byte(start + 2)) == 111 &&
      lower(byte(start + 3)) == 106 &&
      lower(byte(start + 4)) == 101 &&
      lower(byte(start + 5)) == 99 &&
      lower(byte(start + 6)) == 116 &&
      lower(byte(start + 7)) == 115
    );
  }
  return false;
}

let voted: i32 = 0;

/**
 * The vote cell from `start`: numeric project ids separated by commas, into items[used ..] in
 * file order (`voted` of them). Returns where the cell ends, or 0 to give up.
 */
function vote(start: usize): usize {
  voted = 0;
  const first = cellByte(start);
  if (first == SEMI || first == LF) return start;
  if (first == 78 || first == 110) {
    let cell = start;
    while (cellByte(cell) != SEMI && cellByte(cell) != LF) cell++;
    if (isNone(start, cell)) return cell;
  }
  const row = items + (<usize>used << 2);
  let i = start;
  for (;;) {
    // Usually a canonical number below 2^20, read in a tight loop (the file ends with an LF
    // sentinel) and looked up in the numeric table; any other id is looked up by its bytes.
    const t = i;
    let value: u32 = 0;
    let digit = <u32>byte(i) - ZERO;
    while (digit <= 9 && value < 1 << 20) {
      value = value * 10 + digit;
      digit = <u32>byte(++i) - ZERO;
    }
    let b = byte(i);
    let j: i32 = -1;
    if (endsToken(b, i) && i > t && !(i - t > 1 && byte(t) == ZERO) && value < <u32>denseLength)
      j = load<i32>(dense + (<usize>value << 2));
    if (j < 0) {
      while (!endsToken(b, i)) {
        if (b >= 0x80) return 0; // bytes compare as JavaScript's strings only for ASCII
        b = byte(++i);
      }
      j = projectByBytes(t, i);
      if (j < 0) return 0;
    }
    store<i32>(row + (<usize>voted << 2), j);
    voted++;
    if (b != COMMA) return i;
    i++;
  }
  return 0;
}

@inline function endsToken(b: u8, at: usize): bool {
  return b == COMMA || b == SEMI || b == LF || (b == CR && byte(at + 1) == LF);
}

// Project ids as bytes, for the ones the numeric table does not hold: offsets (count + 1) then
// the bytes, written by the caller; an open-addressing table of index + 1.
export let projectIdOffsets: usize = 0;
export let projectIdBytes: usize = 0;
let projectTable: usize = 0;
let projectMask: i32 = 0;

function hashBytes(start: usize, end: usize): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = start; i < end; i++) h = (h ^ <u32>byte(i)) * 0x01000193;
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  return h;
}

function sameBytes(a: usize, aEnd: usize, b: usize, bEnd: usize): bool {
  if (aEnd - a != bEnd - b) return false;
  for (let k: usize = 0; k < aEnd - a; k++) if (byte(a + k) != byte(b + k)) return false;
  return true;
}

/** Indexes the project ids the caller wrote; false when two are the same bytes. */
export function indexProjects(): bool {
  let size: i32 = 16;
  while (size < projectCount * 2) size <<= 1;
  projectTable = bump(<usize>size << 2);
  memory.fill(projectTable, 0, <usize>size << 2);
  projectMask = size - 1;
  for (let j: i32 = 0; j < projectCount; j++) {
    const from = projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>j << 2));
    const to = projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>(j + 1) << 2));
    let slot = <i32>hashBytes(from, to) & projectMask;
    for (;;) {
      const k = load<i32>(projectTable + (<usize>slot << 2)) - 1;
      if (k < 0) break;
      if (sameBytes(from, to, projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>k << 2)), projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>(k + 1) << 2))))
        return false;
      slot = (slot + 1) & projectMask;
    }
    store<i32>(projectTable + (<usize>slot << 2), j + 1);
  }
  return true;
}

/** The project whose id is the bytes [start, end), or -1. */
function projectByBytes(start: usize, end: usize): i32 {
  for (let slot = <i32>hashBytes(start, end) & projectMask; ; slot = (slot + 1) & projectMask) {
    const j = load<i32>(projectTable + (<usize>slot << 2)) - 1;
    if (j < 0) return -1;
    const from = projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>j << 2));
    const to = projectIdBytes + <usize>load<i32>(projectIdOffsets + (<usize>(j + 1) << 2));
    if (sameBytes(start, end, from, to)) return j;
  }
  return -1;
}

/** Whole-number points aligned with the vote, into points[used ..], within META's limits. */
function readPoints(start: usize, end: usize): bool {
  const row = points + (<usize>used << 3);
  let t = start;
  let count: i32 = 0;
  let sum: f64 = 0;
  for (let i = start; i <= end; i++) {
    if (i < end && byte(i) != COMMA) continue;
    const value = digits(t, i);
    if (value < 0 || value > maxPoints) return false;
    sum += value;
    if (count < voted) store<f64>(row + (<usize>count << 3), value);
    count++;
    t = i + 1;
  }
  return count == voted && !(sum > maxSum);
}

@inline function has(c: i32, cells: i32): bool {
  return c >= 0 && c < cells && !isNone(load<i32>(cellStart + (<usize>c << 2)), load<i32>(cellEnd + (<usize>c << 2)));
}

/** Where the row being read ends: the start of the next line. */
let rowNext: usize = 0;

/** One row, from `lineStart` (not an empty line); false to give up. */
function row(lineStart: usize): bool {
  let cells: i32 = 0;
  let start = lineStart;
  voted = 0;
  for (let i = lineStart; ; i++) {
    if (cells == voteCol && i == start) {
      i = vote(start);
      if (i == 0) return false;
    }
    const b = cellByte(i);
    if (b == SEMI || b == LF) {
      if (i > start && (byte(start) <= 32 || byte(i - 1) <= 32)) return false;
      store<i32>(cellStart + (<usize>cells << 2), <i32>start);
      store<i32>(cellEnd + (<usize>cells << 2), <i32>i);
      cells++;
      start = i + 1;
      if (b == LF) {
        rowNext = i >= end ? end : byte(i) == CR ? i + 2 : i + 1;
        break;
      }
      if (cells == need) {
        rowNext = nextLine(i + 1);
        break;
      }
    } else if (b == QUOTE) return false;
  }
  if (isMarker(lineStart, load<i32>(cellEnd))) return false;
  // Voter ids must be distinct: canonical integers each larger than the one before are; any
  // other ids are compared as bytes at the end.
  let idStart: usize = 0;
  let idEnd: usize = 0;
  if (idCol < cells) {
    idStart = <usize>load<i32>(cellStart + (<usize>idCol << 2));
    idEnd = <usize>load<i32>(cellEnd + (<usize>idCol << 2));
  }
  store<i32>(idStarts + (<usize>rows << 2), <i32>idStart);
  store<i32>(idEnds + (<usize>rows << 2), <i32>idEnd);
  rows++;
  const id = idEnd - idStart > 1 && byte(idStart) == ZERO ? -1 : digits(idStart, idEnd);
  if (id >= 0 && id > lastId) lastId = id;
  else {
    idsAsBytes = true;
    for (let k = idStart; k < idEnd; k++) if (byte(k) >= 0x80) return false;
  }
  if (has(pointsCol, cells)) {
    if (!cumulative) return false;
    const p = <usize>pointsCol << 2;
    if (!readPoints(load<i32>(cellStart + p), load<i32>(cellEnd + p))) return false;
  } else if (cumulative && voted > 0) return false;
  let weight: f64 = 1;
  if (has(weightCol, cells)) {
    const w = <usize>weightCol << 2;
    weight = digits(load<i32>(cellStart + w), load<i32>(cellEnd + w));
    if (!(weight > 0)) return false;
  }
  voters += weight;
  if (keepBallots) ballot(weight);
  else total(weight);
  return true;
}

@inline function pointAt(base: usize, k: i32): f64 {
  return cumulative ? load<f64>(base + (<usize>k << 3)) : 1;
}

/** Adds the row to the per-project totals, each project once and only with points. */
function total(weight: f64): void {
  for (let i: i32 = 0; i < voted; i++) {
    const j = load<i32>(items + (<usize>i << 2));
    const p = pointAt(points, i);
    if (!(p > 0)) continue;
    let repeated = false;
    for (let k: i32 = 0; k < i; k++) if (load<i32>(items + (<usize>k << 2)) == j && pointAt(points, k) > 0) repeated = true;
    if (repeated) continue;
    store<f64>(support + (<usize>j << 3), load<f64>(support + (<usize>j << 3)) + weight);
    store<f64>(score + (<usize>j << 3), load<f64>(score + (<usize>j << 3)) + weight * p);
  }
}

/**
 * The row (at items[used ..]) sorted by project, without repeats or projects given no points, then
 * merged with an identical earlier ballot or kept as a new one (groups in order of first appearance).
 */
function ballot(weight: f64): void {
  const js = items + (<usize>used << 2);
  const ps = points + (<usize>used << 3);
  let size: i32 = 0;
  for (let i: i32 = 0; i < voted; i++) {
    const j = load<i32>(js + (<usize>i << 2));
    const p = pointAt(ps, i);
    if (!(p > 0)) continue;
    let repeated = false;
    for (let k: i32 = 0; k < size; k++) if (load<i32>(js + (<usize>k << 2)) == j) repeated = true;
    if (repeated) continue;
    let at = size;
    while (at > 0 && load<i32>(js + (<usize>(at - 1) << 2)) > j) {
      store<i32>(js + (<usize>at << 2), load<i32>(js + (<usize>(at - 1) << 2)));
      if (cumulative) store<f64>(ps + (<usize>at << 3), load<f64>(ps + (<usize>(at - 1) << 3)));
      at--;
    }
    store<i32>(js + (<usize>at << 2), j);
    if (cumulative) store<f64>(ps + (<usize>at << 3), p);
    size++;
  }
  let h: u32 = 0x811c9dc5 ^ <u32>size;
  for (let k: i32 = 0; k < size; k++) {
    h = (h ^ load<u32>(js + (<usize>k << 2))) * 0x01000193;
    if (cumulative) {
      const bits = reinterpret<u64>(load<f64>(ps + (<usize>k << 3)));
      h = (h ^ <u32>bits) * 0x01000193;
      h = (h ^ <u32>(bits >> 32)) * 0x01000193;
    }
  }
  for (let slot = <i32>h & tableMask; ; slot = (slot + 1) & tableMask) {
    const g = load<i32>(table + (<usize>slot << 2)) - 1;
    if (g < 0) {
      store<i32>(table + (<usize>slot << 2), groups + 1);
      store<u32>(hashes + (<usize>groups << 2), h);
      store<f64>(weights + (<usize>groups << 3), weight);
      used += size;
      groups++;
      store<i32>(starts + (<usize>groups << 2), used);
      if (groups * 2 > tableMask + 1) rehash();
      return;
    }
    if (load<u32>(hashes + (<usize>g << 2)) == h && same(g, js, ps, size)) {
      store<f64>(weights + (<usize>g << 3), load<f64>(weights + (<usize>g << 3)) + weight);
      return;
    }
  }
}

/** An empty table of `size` slots (a power of two), holding group + 1 per used slot. */
function newTable(size: i32): void {
  table = bump(<usize>size << 2);
  memory.fill(table, 0, <usize>size << 2);
  tableMask = size - 1;
}

function rehash(): void {
  newTable((tableMask + 1) << 1);
  for (let g: i32 = 0; g < groups; g++) {
    let slot = <i32>load<u32>(hashes + (<usize>g << 2)) & tableMask;
    while (load<i32>(table + (<usize>slot << 2)) != 0) slot = (slot + 1) & tableMask;
    store<i32>(table + (<usize>slot << 2), g + 1);
  }
}

function same(g: i32, js: usize, ps: usize, size: i32): bool {
  const from = load<i32>(starts + (<usize>g << 2));
  if (load<i32>(starts + (<usize>(g + 1) << 2)) - from != size) return false;
  for (let k: i32 = 0; k < size; k++) {
    if (load<i32>(items + (<usize>(from + k) << 2)) != load<i32>(js + (<usize>k << 2))) return false;
    if (cumulative && load<f64>(points + (<usize>(from + k) << 3)) != load<f64>(ps + (<usize>k << 3))) return false;
  }
  return true;
}

/**
 * Reads the rows. `ballots` 0 keeps per-project totals only (`support`, `score`); 1 keeps the
 * merged ballots (`groups`, `starts`, `items`, `points` for cumulative ballots, `weights`).
 * Returns 1 when done, 0 when the JavaScript reader must read the file.
 */
export function read(
  vote: i32,
  pointsColumn: i32,
  weight: i32,
  id: i32,
  cellsNeeded: i32,
  isCumulative: i32,
  ballots: i32,
  pointsLimit: f64,
  sumLimit: f64,
  rowsFrom: i32,
): i32 {
  voteCol = vote;
  pointsCol = pointsColumn;
  weightCol = weight;
  idCol = id;
  need = cellsNeeded;
  cumulative = isCumulative != 0;
  keepBallots = ballots != 0;
  maxPoints = pointsLimit;
  maxSum = sumLimit;
  lastId = -1;
  rows = 0;
  idsAsBytes = false;
  groups = 0;
  used = 0;
  voters = 0;
  if (need > MAX_CELLS || need < 1 || rowsFrom > inputLength) return 0;
  end = input + <usize>inputLength;
  store<u8>(end, LF); // the sentinel: every scan stops at the end of the file without checking for it
  // A row has at most (length + 1) / 2 projects, and there are at most length / 2 + 1 rows.
  const tokens = <usize>(((inputLength - rowsFrom) >> 1) + 1);
  items = bump(tokens << 2);
  points = cumulative ? bump(tokens << 3) : 0;
  idStarts = bump(tokens << 2);
  idEnds = bump(tokens << 2);
  if (keepBallots) {
    starts = bump((tokens + 1) << 2);
    weights = bump(tokens << 3);
    hashes = bump(tokens << 2);
    newTable(4096);
    store<i32>(starts, 0);
  } else {
    support = bump(<usize>projectCount << 3);
    score = bump(<usize>projectCount << 3);
  }
  let pos = input + <usize>rowsFrom;
  while (pos < end) {
    if (cellByte(pos) == LF) {
      pos = nextLine(pos);
      continue;
    }
    if (!row(pos)) return 0;
    pos = rowNext;
  }
  return idsAsBytes ? <i32>idsDistinct() : 1;
}

/** Every voter id (as bytes) once. */
function idsDistinct(): bool {
  let size: i32 = 16;
  while (size < rows * 2) size <<= 1;
  const seen = bump(<usize>size << 2);
  memory.fill(seen, 0, <usize>size << 2);
  const mask = size - 1;
  for (let r: i32 = 0; r < rows; r++) {
    const from = <usize>load<i32>(idStarts + (<usize>r << 2));
    const to = <usize>load<i32>(idEnds + (<usize>r << 2));
    let slot = <i32>hashBytes(from, to) & mask;
    for (;;) {
      const k = load<i32>(seen + (<usize>slot << 2)) - 1;
      if (k < 0) break;
      if (sameBytes(from, to, <usize>load<i32>(idStarts + (<usize>k << 2)), <usize>load<i32>(idEnds + (<usize>k << 2))))
        return false;
      slot = (slot + 1) & mask;
    }
    store<i32>(seen + (<usize>slot << 2), r + 1);
  }
  return true;
}

// Per project, after `read` with ballots: the groups supporting it (in group order) with their
// points, and its weighted support and score — the transposition counting needs, summed in the
// same order as the JavaScript counting code so the totals are the same numbers.
export let supportOffsets: usize = 0;
export let supportGroups: usize = 0;
export let supportPoints: usize = 0;

export function transpose(): void {
  const m = <usize>projectCount;
  supportOffsets = bump((m + 1) << 2);
  support = bump(m << 3);
  score = bump(m << 3);
  const fill = bump(m << 2);
  memory.fill(supportOffsets, 0, (m + 1) << 2);
  memory.fill(support, 0, m << 3);
  memory.fill(score, 0, m << 3);
  memory.fill(fill, 0, m << 2);
  for (let i: i32 = 0; i < used; i++) {
    const at = supportOffsets + ((<usize>load<i32>(items + (<usize>i << 2)) + 1) << 2);
    store<i32>(at, load<i32>(at) + 1);
  }
  for (let j: usize = 0; j < m; j++) {
    const at = supportOffsets + ((j + 1) << 2);
    store<i32>(at, load<i32>(at) + load<i32>(at - 4));
  }
  supportGroups = bump(<usize>used << 2);
  supportPoints = bump(<usize>used << 3);
  for (let g: i32 = 0; g < groups; g++) {
    const w = load<f64>(weights + (<usize>g << 3));
    const to = load<i32>(starts + (<usize>(g + 1) << 2));
    for (let i = load<i32>(starts + (<usize>g << 2)); i < to; i++) {
      const j = <usize>load<i32>(items + (<usize>i << 2));
      const p: f64 = cumulative ? load<f64>(points + (<usize>i << 3)) : 1;
      const slot = <usize>(load<i32>(supportOffsets + (j << 2)) + load<i32>(fill + (j << 2)));
      store<i32>(fill + (j << 2), load<i32>(fill + (j << 2)) + 1);
      store<i32>(supportGroups + (slot << 2), g);
      store<f64>(supportPoints + (slot << 3), p);
      store<f64>(support + (j << 3), load<f64>(support + (j << 3)) + w);
      store<f64>(score + (j << 3), load<f64>(score + (j << 3)) + w * p);
    }
  }
}
