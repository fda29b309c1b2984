/**
 * The tally engine (pure domain code): the same functions count a round on the server, in the
 * `shora tally` command and for observers who re-run a published tally.
 *
 *   tally(parsePb(text), { rule: "mes", tieBreak: "lexico" }) → { rule, selected, totalCost, budget, trace }
 */
import type { CompactPb, PbElection } from "../pbfile";
import { type CountingElection, countingElection, countingElectionCompact, thresholdFromFile } from "./election";
import { type TraceStep, costOf, equalShares, equalSharesAdd1, equalSharesWithCompletion, greedy } from "./rules";
import { type TieBreak, eqnetOrder, tieOrder } from "./tiebreak";

export const RULES = [
  "greedy",
  "greedy-per-cost",
  "mes",
  "mes-card",
  "mes+greedy",
  "mes-add1",
  "mes-add1+greedy",
] as const;
export type RuleName = (typeof RULES)[number];

export interface TallyOptions {
  rule: RuleName;
  tieBreak?: TieBreak;
  seed?: string;
  /** Leave out projects with at most this many supporters. */
  minSupport?: number | null;
  /** Use META min_project_score_threshold as minSupport. */
  thresholdFromFile?: boolean;
}

export interface TallyResult {
  rule: RuleName;
  selected: string[];
  totalCost: number;
  budget: number;
  trace: TraceStep[];
}

export class RuleNotApplicable extends Error {
  readonly code = "rule_not_applicable" as const;
}

/** Rules that look at ballots (equal shares); greedy rules need only each project's totals. */
export function ruleNeedsBallots(rule: RuleName): boolean {
  return rule !== "greedy" && rule !== "greedy-per-cost";
}

export function tallyCounting(e: CountingElection, options: TallyOptions): TallyResult {
  if (!e.ballots && ruleNeedsBallots(options.rule))
    throw new Error(`${options.rule} needs the ballots; this election was read as per-project totals`);
  const base = tieOrder(e, options.tieBreak ?? "lexico", options.seed);
  const trace: TraceStep[] = [];
  const approval = e.kind === "approval";
  let selection: number[];
  switch (options.rule) {
    case "greedy":
      selection = greedy(e, approval ? "cost" : "points-times-cost", base, [], trace);
      break;
    case "greedy-per-cost":
      selection = greedy(e, approval ? "cardinality" : "points", base, [], trace);
      break;
    case "mes":
      selection = equalShares(e, approval ? "cost" : "points", e.budget / e.voters, base, [], trace);
      break;
    case "mes-card":
      if (!approval) throw new RuleNotApplicable("mes-card needs approval ballots");
      selection = equalShares(e, "cardinality", e.budget / e.voters, base, [], trace);
      break;
    case "mes+greedy":
      selection = approval
        ? equalSharesWithCompletion(e, "cost", "cost", base, trace)
        : equalSharesWithCompletion(e, "points", "points-times-cost", base, trace);
      break;
    case "mes-add1":
    case "mes-add1+greedy": {
      if (!approval) throw new RuleNotApplicable(`${options.rule} needs approval ballots`);
      selection = equalSharesAdd1(e, eqnetOrder(e, base), trace);
      if (options.rule === "mes-add1+greedy" && costOf(e, selection) < e.budget)
        selection = greedy(e, "cost", base, selection, trace);
      break;
    }
  }
  return {
    rule: options.rule,
    selected: selection.map((j) => e.projectIds[j]),
    totalCost: costOf(e, selection) / e.scale,
    budget: e.budget / e.scale,
    trace,
  };
}

/** Counts one envelope given as a parsed `.pb` election. */
export function tally(pb: PbElection, options: TallyOptions): TallyResult {
  const minSupport = options.thresholdFromFile ? thresholdFromFile(pb) : (options.minSupport ?? null);
  return tallyCounting(countingElection(pb, { minSupport }), options);
}

/** Counts one envelope read by `readPbCompact` (same result as `tally` on the same file). */
export function tallyCompact(pb: CompactPb, options: TallyOptions): TallyResult {
  const minSupport = options.thresholdFromFile ? thresholdFromFile(pb.head) : (options.minSupport ?? null);
  return tallyCounting(countingElectionCompact(pb, { minSupport }), options);
}

export {
  countingElection,
  countingElectionCompact,
  thresholdFromFile,
  type CountingElection,
  type TraceStep,
  type TieBreak,
};
