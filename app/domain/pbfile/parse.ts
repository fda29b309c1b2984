import { type NotText, decodeTextFile, notTextIn } from "../text-file";
import { type PbBallot, type PbElection, PbFormatError, type PbProject, type VoteType } from "./types";

const VOTE_TYPES: VoteType[] = ["approval", "choose-1", "cumulative", "scoring", "ordinal"];
const NUMBER = /^-?\d+(?:[.,]\d+)?$/;

/**
 * Largest `.pb` file `shora tally` reads: 128 MB is some 6 million ballots of a few projects, 30 times
 * the largest city file in the shared Pabulib sample (Wrocław 2015, 3.9 MB). Every path must still
 * name the line of a bad file: `parsePb`, the reader that does, needs ~2.8 GB for a 128 MB file, and
 * a larger one would not fit in Node's default heap (4 GB). ADR 0014.
 */
export const MAX_PB_BYTES = 128 * 1024 * 1024;

function notTextError(where: NotText): PbFormatError {
  return new PbFormatError(
    where.line,
    where.reason === "nul"
      ? "a NUL byte: a .pb file must be UTF-8 text, not UTF-16 or binary"
      : "not UTF-8 text: a .pb file must be UTF-8 (save it again as UTF-8)",
  );
}

/** The error naming the first line of a `.pb` file that is not UTF-8 text, or null when it all is. */
export function pbNotText(bytes: Uint8Array): PbFormatError | null {
  const where = notTextIn(bytes);
  return where && notTextError(where);
}

/** A `.pb` file's bytes as text; a `PbFormatError` naming the line where they are not UTF-8 text. */
export function decodePb(bytes: Uint8Array): string {
  const decoded = decodeTextFile(bytes);
  if ("notText" in decoded) throw notTextError(decoded.notText);
  return decoded.text;
}

/** Splits one `;`-separated CSV record (double-quote quoting allowed), trimming every cell. */
export function splitRecord(line: string): string[] {
  if (!line.includes('"')) {
    const cells = line.split(";");
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i];
      if (c.length && (c.charCodeAt(0) <= 32 || c.charCodeAt(c.length - 1) <= 32)) cells[i] = c.trim();
    }
    return cells;
  }
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ";") {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

const NO_FIELDS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const isNone = (cell: string | undefined) =>
  cell === undefined || cell === "" || (cell.length === 4 && cell.toLowerCase() === "none");

function positiveInteger(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/**
 * Reads a Pabulib `.pb` file (META / PROJECTS / VOTES). Every problem is reported with its line
 * number; the election is checked: known project ids in votes, costs ≥ 0, a budget, unique voter
 * ids, positive integer weights, points within META's limits.
 */
export function parsePb(text: string): PbElection {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const meta: [string, string][] = [];
  const projects: PbProject[] = [];
  const ballots: PbBallot[] = [];
  let projectColumns: string[] = [];
  let voteColumns: string[] = [];
  let section: "meta" | "projects" | "votes" | null = null;
  let expectHeader = false;
  const projectIds = new Set<string>();
  const voterIds = new Set<string>();
  let voteLine: number[] = [];
  let voteCol = -2;
  let pointsCol = -1;
  let weightCol = -1;
  let idCol = 0;
  let extraCols: number[] = [];

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.length === 0 || (raw.length < 8 && raw.trim() === "")) continue;
    const lineNo = i + 1;
    const cells = splitRecord(raw);
    const first = cells[0];
    const marker = first.length >= 4 && first.length <= 8 ? first.toLowerCase() : "";
    if ((marker === "meta" || marker === "projects" || marker === "votes") && cells.slice(1).every((c) => c === "")) {
      section = marker;
      expectHeader = true;
      continue;
    }
    if (section === null) throw new PbFormatError(lineNo, "expected a section marker (META, PROJECTS or VOTES)");
    if (expectHeader) {
      expectHeader = false;
      if (section === "projects") projectColumns = cells;
      if (section === "votes") voteColumns = cells;
      continue;
    }
    if (section === "meta") {
      if (cells.length < 2) throw new PbFormatError(lineNo, "a META row needs a key and a value");
      meta.push([cells[0], cells[1]]);
    } else if (section === "projects") {
      const id = cells[0];
      if (!id) throw new PbFormatError(lineNo, "project id is empty");
      if (projectIds.has(id)) throw new PbFormatError(lineNo, `duplicate project id "${id}"`);
      const fields: Record<string, string> = {};
      for (let c = 1; c < projectColumns.length; c++) if (!isNone(cells[c])) fields[projectColumns[c]] = cells[c];
      const costText = fields.cost;
      if (costText === undefined) throw new PbFormatError(lineNo, `project "${id}" has no cost`);
      if (!NUMBER.test(costText) || Number(costText.replace(",", ".")) < 0) {
        throw new PbFormatError(lineNo, `cost of project "${id}" is not a non-negative number: "${costText}"`);
      }
      delete fields.cost;
      projectIds.add(id);
      projects.push({ id, costText: costText.replace(",", "."), fields });
    } else {
      // Hot path (hundreds of thousands of rows): known columns by position, extras only when present.
      if (voteCol === -2) {
        voteCol = voteColumns.indexOf("vote");
        pointsCol = voteColumns.indexOf("points");
        weightCol = voteColumns.indexOf("weight");
        idCol = Math.max(0, voteColumns.indexOf("voter_id"));
        extraCols = voteColumns
          .map((_, c) => c)
          .filter((c) => c !== voteCol && c !== pointsCol && c !== weightCol && c !== idCol);
      }
      const voterId = cells[idCol] ?? "";
      if (voterIds.has(voterId)) throw new PbFormatError(lineNo, `duplicate voter id "${voterId}"`);
      voterIds.add(voterId);
      const voteCell = voteCol >= 0 ? cells[voteCol] : undefined;
      const vote = isNone(voteCell) ? [] : (voteCell as string).split(",");
      for (let v = 0; v < vote.length; v++) {
        if (!projectIds.has(vote[v])) throw new PbFormatError(lineNo, `vote names unknown project id "${vote[v]}"`);
      }
      let weight = 1;
      const weightCell = weightCol >= 0 ? cells[weightCol] : undefined;
      if (!isNone(weightCell)) {
        const w = positiveInteger(weightCell as string);
        if (w === null) throw new PbFormatError(lineNo, `weight must be a positive integer, not "${weightCell}"`);
        weight = w;
      }
      let points: number[] | null = null;
      const pointsCell = pointsCol >= 0 ? cells[pointsCol] : undefined;
      if (!isNone(pointsCell)) {
        points = (pointsCell as string).split(",").map((p) => {
          if (!NUMBER.test(p)) throw new PbFormatError(lineNo, `points must be numbers, not "${p}"`);
          return Number(p.replace(",", "."));
        });
        if (points.length !== vote.length)
          throw new PbFormatError(lineNo, `${points.length} points for ${vote.length} voted projects`);
      }
      let fields: Record<string, string> = NO_FIELDS;
      for (const c of extraCols) {
        if (isNone(cells[c])) continue;
        if (fields === NO_FIELDS) fields = {};
        fields[voteColumns[c]] = cells[c];
      }
      ballots.push({ voterId, weight, vote, points, fields });
      voteLine.push(lineNo);
    }
  }
  const metaMap = new Map(meta);
  const budgetText = metaMap.get("budget");
  if (budgetText === undefined || isNone(budgetText)) throw new PbFormatError(1, "META has no budget");
  if (!NUMBER.test(budgetText) || Number(budgetText.replace(",", ".")) < 0)
    throw new PbFormatError(1, `budget is not a number: "${budgetText}"`);
  const voteType = (metaMap.get("vote_type") ?? "").toLowerCase() as VoteType;
  if (!VOTE_TYPES.includes(voteType))
    throw new PbFormatError(1, `META vote_type must be one of ${VOTE_TYPES.join(", ")}`);
  if (voteType === "cumulative" || voteType === "scoring") {
    const maxPoints = metaMap.get("max_points");
    const maxSum = metaMap.get("max_sum_points");
    ballots.forEach((b, index) => {
      const pts = b.points ?? [];
      if (voteType === "cumulative" && b.vote.length > 0 && b.points === null) {
        throw new PbFormatError(voteLine[index], "a cumulative vote needs points");
      }
      if (maxPoints !== undefined && !isNone(maxPoints) && pts.some((p) => p > Number(maxPoints))) {
        throw new PbFormatError(voteLine[index], `points over the limit max_points=${maxPoints}`);
      }
      if (pts.some((p) => p < 0)) throw new PbFormatError(voteLine[index], "points cannot be negative");
      if (maxSum !== undefined && !isNone(maxSum) && pts.reduce((s, p) => s + p, 0) > Number(maxSum)) {
        throw new PbFormatError(voteLine[index], `points over the limit max_sum_points=${maxSum}`);
      }
    });
  }
  voteLine = [];
  return { meta, voteType, budgetText: budgetText.replace(",", "."), projectColumns, projects, voteColumns, ballots };
}
