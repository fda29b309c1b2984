/**
 * The counting rules, written to give exactly the outcomes of pabutools 1.2.3 (the reference used
 * by researchers and equalshares.net) on every shared Pabulib instance. See
 * docs/decisions/0003-exact-tally-arithmetic.md for the arithmetic.
 */
import type { CountingElection } from "./election";

/** How a voter's satisfaction with a project is measured. */
export type Satisfaction = "cost" | "cardinality" | "points" | "points-times-cost";

/** Orders tied projects: negative when project a goes first. */
export type TieOrder = (a: number, b: number) => number;

export interface TraceStep {
  step: number;
  project: string;
  cost: number;
  support: number;
  score: number;
  totalCost: number;
  phase: "mes" | "greedy" | "zero-cost";
  /** MES: price per unit of satisfaction (ρ), as a decimal. */
  rho?: number;
  /** MES: number of (weighted) voters who paid, and what they paid together. */
  payers?: number;
  paid?: number;
  /** Greedy: projects passed over before this one because they no longer fit. */
  skipped?: string[];
}

/** Relative tolerance under which two floating-point values count as the same rational. */
const EPS = 1e-9;

/** Total cost of a selection. */
export function costOf(e: CountingElection, selection: readonly number[]): number {
  return selection.reduce((sum, j) => sum + e.costs[j], 0);
}

/** No unselected project fits in what is left of the budget. */
export function isExhaustive(e: CountingElection, selection: readonly number[], budget = e.budget): boolean {
  const chosen = new Set(selection);
  const left = budget - costOf(e, selection);
  return e.costs.every((c, j) => chosen.has(j) || c > left);
}

/**
 * Greedy: rank projects by satisfaction per unit of cost (cost satisfaction: the number of
 * supporters; points-times-cost: total points), ties by `order`, and fund in that order whatever
 * still fits; projects nobody supports come last but can still be funded.
 */
export function greedy(
  e: CountingElection,
  sat: Satisfaction,
  order: TieOrder,
  initial: readonly number[] = [],
  trace?: TraceStep[],
): number[] {
  const chosen = new Set(initial);
  // Each project's total satisfaction, from its (weighted) support and points alone, so that greedy
  // needs no ballots (an election read as totals only counts the same).
  const totals = e.costs.map((cost, j) =>
    sat === "cost"
      ? e.support[j] * cost
      : sat === "cardinality"
        ? e.support[j]
        : sat === "points"
          ? e.score[j]
          : e.score[j] * cost,
  );
  const candidates = e.costs.map((_, j) => j).filter((j) => !chosen.has(j));
  candidates.sort(order);
  const rank = new Map(candidates.map((j, i) => [j, i]));
  // density = total satisfaction / cost; 0 without support; infinite for free supported projects.
  const cmp = (a: number, b: number) => {
    const da = totals[a] > 0 ? (e.costs[a] > 0 ? 1 : 2) : 0;
    const db = totals[b] > 0 ? (e.costs[b] > 0 ? 1 : 2) : 0;
    if (da !== db) return db - da;
    if (da === 1) {
      const left = totals[a] * e.costs[b];
      const right = totals[b] * e.costs[a];
      const exact = Number.isSafeInteger(left) && Number.isSafeInteger(right);
      const diff = exact ? right - left : totals[b] / e.costs[b] - totals[a] / e.costs[a];
      if (exact ? diff !== 0 : Math.abs(diff) > EPS * Math.max(totals[a] / e.costs[a], totals[b] / e.costs[b]))
        return diff > 0 ? 1 : -1;
    }
    return (rank.get(a) as number) - (rank.get(b) as number);
  };
  candidates.sort(cmp);
  const selection = [...initial];
  let remaining = e.budget - costOf(e, initial);
  let skipped: string[] = [];
  for (const j of candidates) {
    if (e.costs[j] <= remaining) {
      selection.push(j);
      remaining -= e.costs[j];
      trace?.push({
        step: trace.length + 1,
        project: e.projectIds[j],
        cost: e.costs[j] / e.scale,
        support: e.support[j],
        score: e.score[j],
        totalCost: (e.budget - remaining) / e.scale,
        phase: "greedy",
        skipped,
      });
      skipped = [];
    } else skipped.push(e.projectIds[j]);
  }
  return selection;
}

const satisfactionCache = new WeakMap<
  CountingElection,
  Map<Satisfaction, { sats: Float64Array[]; totals: number[]; weights: Float64Array }>
>();

/** Each supporter group's satisfaction per project, each project's total, and the group weights. */
function satisfactionsOf(e: CountingElection, sat: Satisfaction) {
  let bySat = satisfactionCache.get(e);
  if (!bySat) {
    bySat = new Map();
    satisfactionCache.set(e, bySat);
  }
  let found = bySat.get(sat);
  if (!found) {
    const sats: Float64Array[] = [];
    const totals: number[] = [];
    for (let j = 0; j < e.costs.length; j++) {
      const s = e.supporters[j];
      const n = s.group.length;
      if (sat === "cost") sats[j] = new Float64Array(n).fill(e.costs[j]);
      else if (sat === "cardinality") sats[j] = new Float64Array(n).fill(1);
      else if (sat === "points") sats[j] = s.points;
      else sats[j] = s.points.map((p) => p * e.costs[j]);
      totals[j] = weightedSum(s.group, sats[j], e.weights);
    }
    found = { sats, totals, weights: e.weights };
    bySat.set(sat, found);
  }
  return found;
}

/** Σ weight × satisfaction over a project's supporter groups. */
function weightedSum(groups: Int32Array, sats: Float64Array, weights: Float64Array): number {
  let total = 0;
  for (let k = 0; k < groups.length; k++) total += weights[groups[k]] * sats[k];
  return total;
}

/**
 * The price per unit of satisfaction (ρ) at which a project's supporters pay its cost: those who
 * cannot pay ρ × satisfaction give all they have ("poor"), the others pay ρ × satisfaction. Found by
 * moving voters to the poor side until nobody else is; the same rational as pabutools' sorted scan.
 * -1 when the supporters together cannot pay. (A small function of its own so that V8 optimises it
 * on its first call: `shora tally` runs it cold.)
 */
function priceOf(
  cost: number,
  total: number,
  groupsOf: Int32Array,
  satsOf: Float64Array,
  budgets: Float64Array,
  weights: Float64Array,
  poorMark: Uint8Array,
): number {
  const n = groupsOf.length;
  let poorBudget = 0;
  let denominator = total;
  let factor = cost / denominator;
  // First pass: what the supporters have together, and who is poor at the all-rich price.
  let available = 0;
  let moved = false;
  for (let k = 0; k < n; k++) {
    const g = groupsOf[k];
    const b = budgets[g];
    const w = weights[g];
    available += w * b;
    if (b * (1 + EPS) < factor * satsOf[k]) {
      poorMark[k] = 1;
      poorBudget += w * b;
      denominator -= w * satsOf[k];
      moved = true;
    } else poorMark[k] = 0;
  }
  if (available < cost * (1 - EPS)) return -1;
  while (moved && denominator > 0) {
    factor = (cost - poorBudget) / denominator;
    moved = false;
    for (let k = 0; k < n; k++) {
      if (poorMark[k]) continue;
      const g = groupsOf[k];
      if (budgets[g] * (1 + EPS) < factor * satsOf[k]) {
        poorMark[k] = 1;
        poorBudget += weights[g] * budgets[g];
        denominator -= weights[g] * satsOf[k];
        moved = true;
      }
    }
  }
  return factor;
}

/** Supporters pay ρ × satisfaction or all they have left; returns [weighted payers, total paid]. */
function pay(
  rho: number,
  groupsOf: Int32Array,
  satsOf: Float64Array,
  budgets: Float64Array,
  weights: Float64Array,
): [number, number] {
  let payers = 0;
  let paid = 0;
  for (let k = 0; k < groupsOf.length; k++) {
    const g = groupsOf[k];
    const payment = Math.min(budgets[g], rho * satsOf[k]);
    budgets[g] -= payment;
    if (payment > 0) {
      payers += weights[g];
      paid += payment * weights[g];
    }
  }
  return [payers, paid];
}

/**
 * The Method of Equal Shares: every voter gets an equal share of the budget (`perVoter`); a project
 * is bought when its supporters can pay for it, the one with the lowest price per unit of
 * satisfaction (ρ) first, each supporter paying ρ × their satisfaction or all they have left.
 */
export function equalShares(
  e: CountingElection,
  sat: Satisfaction,
  perVoter: number,
  order: TieOrder,
  initial: readonly number[] = [],
  trace?: TraceStep[],
): number[] {
  const budgets = new Float64Array(e.weights.length).fill(perVoter);
  const selection = [...initial];
  const chosen = new Set(initial);
  // Satisfactions depend on the election and the measure only: Add1 reuses them across its many runs.
  const { sats, totals, weights } = satisfactionsOf(e, sat);
  const afford = new Float64Array(e.costs.length);
  let candidates: number[] = [];
  const free: number[] = [];
  for (let j = 0; j < e.costs.length; j++) {
    if (chosen.has(j) || !(totals[j] > 0)) continue;
    if (e.costs[j] > 0) {
      afford[j] = e.costs[j] / totals[j];
      candidates.push(j);
    } else free.push(j);
  }
  // Supported projects that cost nothing are taken first.
  free.sort(order);
  for (const j of free) {
    selection.push(j);
    trace?.push({
      step: trace.length + 1,
      project: e.projectIds[j],
      cost: 0,
      support: e.support[j],
      score: e.score[j],
      totalCost: costOf(e, selection) / e.scale,
      phase: "zero-cost",
    });
  }
  let poorMark = new Uint8Array(1024);
  for (;;) {
    candidates.sort((a, b) => afford[a] - afford[b]);
    let best = Number.POSITIVE_INFINITY;
    let tied: number[] = [];
    const removed = new Set<number>();
    for (const j of candidates) {
      // Stale prices only grow, so a project whose last price is already worse than the best one
      // found cannot win this round. (pabutools first drops unaffordable projects; those can never be
      // bought later either, since budgets only shrink, so checking the price first changes nothing.)
      if (afford[j] > best * (1 + EPS)) break;
      const groupsOf = e.supporters[j].group;
      if (poorMark.length < groupsOf.length) poorMark = new Uint8Array(groupsOf.length * 2);
      const factor = priceOf(e.costs[j], totals[j], groupsOf, sats[j], budgets, weights, poorMark);
      if (factor < 0) {
        removed.add(j);
        continue;
      }
      afford[j] = factor;
      if (factor < best * (1 - EPS)) {
        best = factor;
        tied = [j];
      } else if (factor <= best * (1 + EPS)) tied.push(j);
    }
    if (removed.size) candidates = candidates.filter((j) => !removed.has(j));
    if (tied.length === 0) break;
    tied.sort(order);
    const j = tied[0];
    const [payers, paid] = pay(best, e.supporters[j].group, sats[j], budgets, weights);
    selection.push(j);
    candidates = candidates.filter((c) => c !== j);
    trace?.push({
      step: trace.length + 1,
      project: e.projectIds[j],
      cost: e.costs[j] / e.scale,
      support: e.support[j],
      score: e.score[j],
      totalCost: costOf(e, selection) / e.scale,
      phase: "mes",
      rho: sat === "cost" || sat === "points-times-cost" ? best : best / e.scale,
      payers,
      paid: paid / e.scale,
    });
  }
  return selection;
}

/** MES, then greedy with the money left if MES left an affordable project. */
export function equalSharesWithCompletion(
  e: CountingElection,
  mesSat: Satisfaction,
  greedySat: Satisfaction,
  order: TieOrder,
  trace?: TraceStep[],
): number[] {
  const outcome = equalShares(e, mesSat, e.budget / e.voters, order, [], trace);
  if (isExhaustive(e, outcome)) return outcome;
  return greedy(e, greedySat, order, outcome, trace);
}

/**
 * MES with each voter's budget raised by one currency unit at a time (the equalshares.net "Add1"
 * convention: ties by lower cost, then more supporters), keeping the last outcome that does not
 * exceed the real budget.
 */
export function equalSharesAdd1(e: CountingElection, order: TieOrder, trace?: TraceStep[]): number[] {
  const base = e.budget / e.voters;
  const candidates = e.costs.map((_, j) => j).filter((j) => e.costs[j] > 0 && e.support[j] > 0);
  let previous: number[] = [];
  let previousTrace: TraceStep[] = [];
  const bound = e.budget * (e.voters + 1);
  for (let k = 0; base * e.voters + k * e.voters * e.scale <= bound; k++) {
    const stepTrace: TraceStep[] = [];
    const outcome = equalShares(e, "cost", base + k * e.scale, order, [], stepTrace);
    if (costOf(e, outcome) > e.budget) break;
    previous = outcome;
    previousTrace = stepTrace;
    // Once every supported project is bought, more budget cannot change the set; at the bound every
    // project is bought at its first price, in order of cost per supporter-unit.
    if (candidates.every((j) => outcome.includes(j))) {
      const last: TraceStep[] = [];
      previous = equalShares(e, "cost", bound / e.voters, order, [], last);
      previousTrace = last;
      break;
    }
  }
  trace?.push(...previousTrace);
  return previous;
}
