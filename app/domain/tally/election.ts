import {
  BallotGroups,
  type CompactPb,
  type CompactVotes,
  type PbElection,
  PbFormatError,
  type ProjectTotals,
  metaValue,
} from "../pbfile";

/**
 * An election prepared for counting: costs and budget as integers (scaled by 10^decimals so that
 * money is exact), identical ballots merged into groups with their total weight.
 */
export interface CountingElection {
  kind: "approval" | "cumulative";
  /** 10^decimals: costs and budget are multiplied by it. */
  scale: number;
  budget: number;
  projectIds: string[];
  costs: number[];
  /** Voters (sum of weights), empty ballots included: MES gives each of them a share. */
  voters: number;
  /**
   * False when the election was read as per-project totals only (`readPbCompact` with
   * `ballots: false`, enough for greedy rules): then `weights` and `supporters` are empty.
   */
  ballots: boolean;
  /** Weight of each group of identical ballots (how many voters cast it). */
  weights: Float64Array;
  /** Project index → groups that support it and the points each gives (1 for approval). */
  supporters: { group: Int32Array; points: Float64Array }[];
  /** Weighted number of voters who approved (or gave points to) each project. */
  support: number[];
  /** Total (weighted) points per project (approval: = support). */
  score: number[];
}

function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

type Head = Pick<PbElection, "voteType" | "budgetText" | "projects" | "meta">;

function countingKind(pb: Head): "approval" | "cumulative" {
  if (pb.voteType !== "approval" && pb.voteType !== "choose-1" && pb.voteType !== "cumulative") {
    throw new PbFormatError(
      1,
      `no counting rule for vote_type ${pb.voteType} yet (approval, choose-1 and cumulative are supported)`,
    );
  }
  return pb.voteType === "cumulative" ? "cumulative" : "approval";
}

/** Prepares a parsed `.pb` election for counting. Ordinal and scoring files are read but not counted here. */
export function countingElection(pb: PbElection, options: { minSupport?: number | null } = {}): CountingElection {
  const kind = countingKind(pb);
  const index = new Map(pb.projects.map((p, i) => [p.id, i]));
  const groups = new BallotGroups();
  let projects = new Int32Array(64);
  let points = new Float64Array(64);
  for (const b of pb.ballots) {
    if (b.vote.length > projects.length) {
      projects = new Int32Array(b.vote.length);
      points = new Float64Array(b.vote.length);
    }
    for (let i = 0; i < b.vote.length; i++) {
      projects[i] = index.get(b.vote[i]) as number;
      points[i] = kind === "cumulative" ? (b.points?.[i] ?? 0) : 1;
    }
    groups.ballot(projects, points, b.vote.length, b.weight);
  }
  return finish(pb, kind, groups.done(kind === "cumulative"), options.minSupport ?? null);
}

/**
 * The same, from a file read by `readPbCompact` (the fast path of `shora tally`): its ballots are
 * already grouped, or only their per-project totals were kept.
 */
export function countingElectionCompact(pb: CompactPb, options: { minSupport?: number | null } = {}): CountingElection {
  const kind = countingKind(pb.head);
  const threshold = options.minSupport ?? null;
  return pb.totals ? fromTotals(pb.head, kind, pb.totals, threshold) : finish(pb.head, kind, pb.votes, threshold);
}

/** Costs and budget as integers, the projects kept by the threshold, and the election around them. */
function counting(
  pb: Head,
  kind: "approval" | "cumulative",
  voters: number,
  support: ArrayLike<number>,
  score: ArrayLike<number>,
  threshold: number | null,
) {
  const d = Math.max(decimals(pb.budgetText), ...pb.projects.map((p) => decimals(p.costText)));
  const scale = 10 ** d;
  const toInt = (text: string) => Math.round(Number(text) * scale);
  // Projects with at most `threshold` supporters are left out; the groups (and so every voter's share) stay.
  const kept = pb.projects.map((_, j) => j).filter((j) => threshold === null || support[j] > threshold);
  return {
    kept,
    election: {
      kind,
      scale,
      budget: toInt(pb.budgetText),
      projectIds: kept.map((j) => pb.projects[j].id),
      costs: kept.map((j) => toInt(pb.projects[j].costText)),
      voters,
      support: kept.map((j) => support[j]),
      score: kept.map((j) => score[j]),
    },
  };
}

function fromTotals(
  pb: Head,
  kind: "approval" | "cumulative",
  totals: ProjectTotals,
  threshold: number | null,
): CountingElection {
  const { election } = counting(pb, kind, totals.voters, totals.support, totals.score, threshold);
  return { ...election, ballots: false, weights: new Float64Array(0), supporters: [] };
}

function finish(
  pb: Head,
  kind: "approval" | "cumulative",
  votes: CompactVotes,
  threshold: number | null,
): CountingElection {
  const { weights } = votes;
  const { lists, support, score } = votes.byProject
    ? fromTransposed(pb.projects.length, votes.byProject)
    : transpose(pb.projects.length, votes);
  const { kept, election } = counting(pb, kind, votes.voters, support, score, threshold);
  return { ...election, ballots: true, weights, supporters: kept.map((j) => lists[j]) };
}

/** Per project: the groups that support it and their points, with its support and score. */
function transpose(m: number, votes: CompactVotes) {
  const { count, offsets, projects, points, weights } = votes;
  const sizes = new Int32Array(m);
  for (let i = 0; i < projects.length; i++) sizes[projects[i]]++;
  const lists = Array.from(sizes, (n) => ({ group: new Int32Array(n), points: new Float64Array(n) }));
  const fill = new Int32Array(m);
  const support = new Array<number>(m).fill(0);
  const score = new Array<number>(m).fill(0);
  for (let g = 0; g < count; g++) {
    const w = weights[g];
    for (let i = offsets[g]; i < offsets[g + 1]; i++) {
      const j = projects[i];
      const p = points ? points[i] : 1;
      const at = fill[j]++;
      lists[j].group[at] = g;
      lists[j].points[at] = p;
      support[j] += w;
      score[j] += w * p;
    }
  }
  return { lists, support, score };
}

/** The same, from a reader that transposed them already (same groups, same order, same sums). */
function fromTransposed(m: number, by: NonNullable<CompactVotes["byProject"]>) {
  const lists = Array.from({ length: m }, (_, j) => ({
    group: by.groups.subarray(by.offsets[j], by.offsets[j + 1]),
    points: by.points.subarray(by.offsets[j], by.offsets[j + 1]),
  }));
  return { lists, support: Array.from(by.support), score: Array.from(by.score) };
}

/** META `min_project_score_threshold`, when the file has one. */
export function thresholdFromFile(pb: Pick<PbElection, "meta">): number | null {
  const value = metaValue(pb, "min_project_score_threshold");
  return value === undefined || value === "" || value.toLowerCase() === "none" ? null : Number(value);
}
