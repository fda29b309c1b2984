/**
 * The Method of Equal Shares replayed on one envelope's own ballots, step by step, in the order the
 * published trace records (ADR 0032): every voter's share, who paid how much for each funded project,
 * what was left in each share, and for each unfunded proposal how much its supporters still lacked and
 * where their shares had gone. The replay follows the trace rather than recounting, so it always shows
 * the published outcome; `consistent` says whether the payments it finds add up to what the trace says.
 */
import type { PbElection } from "../pbfile";
import type { StoredStep } from "./explain";
import { tally } from "./index";

/** Voters whose ballots chose the same proposals (with the same points), counted by their weight. */
export interface VoterGroup {
  id: number;
  projects: string[];
  ballots: number;
  /** Sum of the ballots' weights: a ballot of weight 2 holds two shares. */
  weight: number;
}

export interface WalkStep {
  step: number;
  project: string;
  cost: number;
  phase: "mes" | "greedy" | "zero-cost";
  /** Equal shares: what each paying group paid per share (per unit of weight). */
  payments: { group: number; each: number }[];
  /** Equal shares: what one share paid when it could pay in full (those with less gave all they had). */
  price: number | null;
  /** Weighted number of shares that paid something. */
  payers: number;
  /** Paid from voters' shares (equal shares) or from the money left in the budget (completion). */
  fromShares: number;
  fromBudget: number;
  /** Money still unspent in all the shares together after this step. */
  leftInShares: number;
  /** Money of the envelope not yet given to any project after this step. */
  leftInBudget: number;
}

export interface UnfundedReason {
  project: string;
  cost: number;
  /** Weighted supporters. */
  supporters: number;
  /** What was left in its supporters' shares when equal shares stopped. */
  supportersLeft: number;
  /** cost − supportersLeft (never below zero). */
  needed: number;
  /** Where its supporters' shares went, largest first. */
  spentOn: { project: string; amount: number }[];
  /** Completion by greedy: the money left when this proposal's turn came (null without completion). */
  leftAtTurn: number | null;
  /** Whether the greedy rule alone would have funded it. */
  greedyFunds: boolean;
}

export interface Walkthrough {
  budget: number;
  /** Sum of all ballots' weights (empty ballots too: each holds a share). */
  voters: number;
  /** One share: budget ÷ voters. */
  share: number;
  /** How many ballots carry each weight (a ballot of weight w holds w shares). */
  weights: { weight: number; ballots: number }[];
  groups: VoterGroup[];
  steps: WalkStep[];
  /** Per group, what is left of one share after each step (index = step position). */
  leftPerShare: number[][];
  unfunded: UnfundedReason[];
  /** What the greedy rule would have funded on the same ballots, in its order. */
  greedy: string[];
  completion: boolean;
  /** Every equal-shares step of the trace could be paid and paid what the trace records. */
  consistent: boolean;
}

const EPS = 1e-9;

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function walkthrough(input: {
  election: PbElection;
  rule: string;
  seed: string;
  trace: readonly StoredStep[];
}): Walkthrough {
  const { election, trace } = input;
  const cumulative = election.voteType === "cumulative";
  const budget = Number(election.budgetText);
  const costs = new Map(election.projects.map((p) => [p.id, Number(p.costText)]));

  // Identical ballots form one group; the group keeps the points (cumulative) each project got.
  const byKey = new Map<string, VoterGroup & { points: Map<string, number> }>();
  const weightCount = new Map<number, number>();
  let voters = 0;
  for (const b of election.ballots) {
    voters += b.weight;
    weightCount.set(b.weight, (weightCount.get(b.weight) ?? 0) + 1);
    const pairs = b.vote.map((id, i) => [id, cumulative ? (b.points?.[i] ?? 0) : 1] as const);
    pairs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    const key = pairs.map(([id, p]) => `${id}:${p}`).join(",");
    const found = byKey.get(key);
    if (found) {
      found.ballots += 1;
      found.weight += b.weight;
    } else {
      byKey.set(key, {
        id: 0,
        projects: pairs.filter(([, p]) => p > 0).map(([id]) => id),
        ballots: 1,
        weight: b.weight,
        points: new Map(pairs),
      });
    }
  }
  const full = [...byKey.values()].sort(
    (a, b) => b.weight - a.weight || (a.projects.join(",") < b.projects.join(",") ? -1 : 1),
  );
  full.forEach((g, i) => {
    g.id = i + 1;
  });
  const share = voters > 0 ? budget / voters : 0;
  const left = full.map(() => share);
  const paidFor = full.map(() => new Map<string, number>());

  const steps: WalkStep[] = [];
  const leftPerShare: number[][] = [];
  let consistent = true;
  let spent = 0;
  const leftAtTurn = new Map<string, number>();
  for (const s of trace) {
    const cost = costs.get(s.project) ?? s.cost;
    const leftBefore = budget - spent;
    for (const id of s.skipped ?? []) leftAtTurn.set(id, leftBefore);
    const phase = s.phase === "mes" || s.phase === "zero-cost" ? s.phase : "greedy";
    let payments: { group: number; each: number }[] = [];
    let price: number | null = null;
    let payers = 0;
    let fromShares = 0;
    if (phase === "mes") {
      // Supporters pay in proportion to their satisfaction (1 per approval, the points when
      // cumulative); those whose share cannot pay that give all they have left.
      const supporters = full
        .map((g, k) => ({ k, sat: g.points.get(s.project) ?? 0 }))
        .filter((x) => x.sat > 0 && left[x.k] > 0);
      const available = supporters.reduce((sum, x) => sum + full[x.k].weight * left[x.k], 0);
      if (available < cost * (1 - EPS)) consistent = false;
      supporters.sort((a, b) => left[a.k] / a.sat - left[b.k] / b.sat);
      let rest = cost;
      let denominator = supporters.reduce((sum, x) => sum + full[x.k].weight * x.sat, 0);
      for (const x of supporters) {
        if (denominator <= 0) break;
        if (left[x.k] < (rest / denominator) * x.sat * (1 - EPS)) {
          rest -= full[x.k].weight * left[x.k];
          denominator -= full[x.k].weight * x.sat;
        } else break;
      }
      const rho = denominator > 0 ? rest / denominator : 0;
      price = cumulative ? null : rho;
      for (const x of supporters) {
        const each = Math.min(left[x.k], rho * x.sat);
        if (each <= 0) continue;
        left[x.k] -= each;
        paidFor[x.k].set(s.project, (paidFor[x.k].get(s.project) ?? 0) + each);
        payments.push({ group: full[x.k].id, each });
        payers += full[x.k].weight;
        fromShares += full[x.k].weight * each;
      }
      payments = payments.sort((a, b) => a.group - b.group);
      if (Math.abs(fromShares - cost) > Math.max(1e-6, cost * 1e-9)) consistent = false;
      if (s.payers !== undefined && Math.abs(s.payers - payers) > 1e-6) consistent = false;
    }
    spent += cost;
    steps.push({
      step: s.step,
      project: s.project,
      cost,
      phase,
      payments,
      price,
      payers,
      fromShares,
      fromBudget: phase === "mes" ? 0 : cost,
      leftInShares: full.reduce((sum, g, k) => sum + g.weight * left[k], 0),
      leftInBudget: budget - spent,
    });
    leftPerShare.push([...left]);
  }

  const funded = new Set(trace.map((s) => s.project));
  const greedyOutcome = tally(election, { rule: "greedy", tieBreak: "cost-votes-seed", seed: input.seed });
  const greedySet = new Set(greedyOutcome.selected);
  const completion = input.rule.includes("greedy");
  const unfunded: UnfundedReason[] = [];
  for (const p of election.projects) {
    if (funded.has(p.id)) continue;
    const cost = Number(p.costText);
    let supporters = 0;
    let supportersLeft = 0;
    const spentOn = new Map<string, number>();
    full.forEach((g, k) => {
      if (!((g.points.get(p.id) ?? 0) > 0)) return;
      supporters += g.weight;
      supportersLeft += g.weight * left[k];
      for (const [project, each] of paidFor[k]) spentOn.set(project, (spentOn.get(project) ?? 0) + g.weight * each);
    });
    unfunded.push({
      project: p.id,
      cost,
      supporters,
      supportersLeft: round2(supportersLeft),
      needed: round2(Math.max(0, cost - supportersLeft)),
      spentOn: [...spentOn]
        .map(([project, amount]) => ({ project, amount: round2(amount) }))
        .sort((a, b) => b.amount - a.amount || (a.project < b.project ? -1 : 1)),
      leftAtTurn: completion ? (leftAtTurn.get(p.id) ?? budget - spent) : null,
      greedyFunds: greedySet.has(p.id),
    });
  }
  unfunded.sort((a, b) => b.supporters - a.supporters || (a.project < b.project ? -1 : 1));

  return {
    budget,
    voters,
    share,
    weights: [...weightCount].map(([weight, ballots]) => ({ weight, ballots })).sort((a, b) => b.weight - a.weight),
    groups: full.map(({ id, projects, ballots, weight }) => ({ id, projects, ballots, weight })),
    steps,
    leftPerShare,
    unfunded,
    greedy: greedyOutcome.selected,
    completion,
    consistent,
  };
}
