import { type PbElection, PbFormatError, metaValue } from "../pbfile";

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
  groups: BallotGroup[];
  /** Project index → groups that support it and the points each gives (1 for approval). */
  supporters: { group: Int32Array; points: Float64Array }[];
  /** Weighted number of voters who approved (or gave points to) each project. */
  support: number[];
  /** Total (weighted) points per project (approval: = support). */
  score: number[];
}

export interface BallotGroup {
  weight: number;
  projects: number[];
  points: number[];
}

function decimals(text: string): number {
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Prepares a parsed `.pb` election for counting. Ordinal and scoring files are read but not counted here. */
export function countingElection(pb: PbElection, options: { minSupport?: number | null } = {}): CountingElection {
  if (pb.voteType !== "approval" && pb.voteType !== "choose-1" && pb.voteType !== "cumulative") {
    throw new PbFormatError(1, `no counting rule for vote_type ${pb.voteType} yet (approval, choose-1 and cumulative are supported)`);
  }
  const kind = pb.voteType === "cumulative" ? "cumulative" : "approval";
  const d = Math.max(decimals(pb.budgetText), ...pb.projects.map((p) => decimals(p.costText)));
  const scale = 10 ** d;
  const toInt = (text: string) => Math.round(Number(text) * scale);
  const index = new Map(pb.projects.map((p, i) => [p.id, i]));
  // Merge identical ballots (same projects, same points): the count depends only on groups.
  const groupsByKey = new Map<string, BallotGroup>();
  let voters = 0;
  const cumulative = kind === "cumulative";
  for (const b of pb.ballots) {
    voters += b.weight;
    const js: number[] = [];
    const ps: number[] = [];
    for (let i = 0; i < b.vote.length; i++) {
      const j = index.get(b.vote[i]) as number;
      const pts = cumulative ? (b.points?.[i] ?? 0) : 1;
      if (pts <= 0 || js.includes(j)) continue;
      // insertion keeps the pair list sorted by project index (ballots are short)
      let at = js.length;
      while (at > 0 && js[at - 1] > j) at--;
      js.splice(at, 0, j);
      ps.splice(at, 0, pts);
    }
    const key = cumulative ? `${js.join(",")}|${ps.join(",")}` : js.join(",");
    const group = groupsByKey.get(key);
    if (group) group.weight += b.weight;
    else groupsByKey.set(key, { weight: b.weight, projects: js, points: ps });
  }
  const groups = [...groupsByKey.values()];
  const support = new Array<number>(pb.projects.length).fill(0);
  const score = new Array<number>(pb.projects.length).fill(0);
  const lists: { group: number[]; points: number[] }[] = pb.projects.map(() => ({ group: [], points: [] }));
  groups.forEach((g, gi) => {
    g.projects.forEach((j, k) => {
      lists[j].group.push(gi);
      lists[j].points.push(g.points[k]);
      support[j] += g.weight;
      score[j] += g.weight * g.points[k];
    });
  });
  const threshold = options.minSupport ?? null;
  if (threshold === null) {
    return {
      kind,
      scale,
      budget: toInt(pb.budgetText),
      projectIds: pb.projects.map((p) => p.id),
      costs: pb.projects.map((p) => toInt(p.costText)),
      voters,
      groups,
      supporters: lists.map((l) => ({ group: Int32Array.from(l.group), points: Float64Array.from(l.points) })),
      support,
      score,
    };
  }
  const keep = pb.projects.map((_, j) => threshold === null || support[j] > threshold);
  const kept = pb.projects.map((_, j) => j).filter((j) => keep[j]);
  const remap = new Map(kept.map((j, k) => [j, k]));
  const remappedGroups = groups.map((g) => {
    const projects: number[] = [];
    const points: number[] = [];
    g.projects.forEach((j, k) => {
      if (remap.has(j)) {
        projects.push(remap.get(j) as number);
        points.push(g.points[k]);
      }
    });
    return { weight: g.weight, projects, points };
  });
  return {
    kind,
    scale,
    budget: toInt(pb.budgetText),
    projectIds: kept.map((j) => pb.projects[j].id),
    costs: kept.map((j) => toInt(pb.projects[j].costText)),
    voters,
    groups: remappedGroups,
    supporters: kept.map((j) => ({ group: Int32Array.from(lists[j].group), points: Float64Array.from(lists[j].points) })),
    support: kept.map((j) => support[j]),
    score: kept.map((j) => score[j]),
  };
}

/** META `min_project_score_threshold`, when the file has one. */
export function thresholdFromFile(pb: PbElection): number | null {
  const value = metaValue(pb, "min_project_score_threshold");
  return value === undefined || value === "" || value.toLowerCase() === "none" ? null : Number(value);
}
