/**
 * Why each proposal was or was not funded, read from the tally's own trace (rules.ts records every
 * funded step: its phase, the supporters who paid under equal shares, the projects greedy passed over
 * because they no longer fit). Pure data: the results page turns each reason into words (ADR 0031).
 */

/** One funded step as the tally stores it (`TraceStep` of rules.ts, read back from JSON). */
export interface StoredStep {
  step: number;
  project: string;
  cost: number;
  phase: string;
  payers?: number;
  skipped?: string[];
}

export type FundingReason =
  /** Bought under equal shares: its supporters paid its cost from their shares. */
  | { funded: true; kind: "shares"; step: number; payers: number }
  /** Costs nothing and has supporters: taken first. */
  | { funded: true; kind: "free"; step: number }
  /** Funded by greedy (or greedy completion): `left` was still available when its turn came. */
  | { funded: true; kind: "fits"; step: number; left: number }
  /** Equal shares only: its supporters' remaining shares could not cover its cost. */
  | { funded: false; kind: "shares-short" }
  /** Greedy (after equal shares when `afterShares`): only `left` remained at its turn, less than its cost. */
  | { funded: false; kind: "did-not-fit"; left: number; afterShares: boolean }
  /** Nobody chose it (and the rule funds only what has supporters). */
  | { funded: false; kind: "no-support" };

/**
 * The plain-words family of a counting rule (which explanation the page shows). Rounds count with
 * greedy, MES, or MES completed by greedy (`ruleOf` in the tally service); the research variants of
 * `shora tally` are named by the family they extend.
 */
export type RuleFamily = "mesGreedy" | "mes" | "greedy";

export function ruleFamily(rule: string): RuleFamily {
  if (rule.startsWith("mes")) return rule.endsWith("+greedy") ? "mesGreedy" : "mes";
  return "greedy";
}

/** Whether the rule ends with (or is) greedy: unfunded proposals then did not fit in what was left. */
function hasGreedyPhase(rule: string): boolean {
  return rule.includes("greedy");
}

/**
 * Each proposal's reason, keyed by id. `budget` and the costs are in the envelope's money; `supporters`
 * is how many ballots chose the proposal.
 */
export function explainOutcome(input: {
  rule: string;
  budget: number;
  trace: readonly StoredStep[];
  proposals: readonly { id: string; cost: number; supporters: number }[];
}): Map<string, FundingReason> {
  const out = new Map<string, FundingReason>();
  // Money left before each step, and the money left when a passed-over project had its turn.
  let spent = 0;
  const leftAtTurn = new Map<string, number>();
  for (const s of input.trace) {
    const left = input.budget - spent;
    for (const id of s.skipped ?? []) leftAtTurn.set(id, left);
    if (s.phase === "mes") out.set(s.project, { funded: true, kind: "shares", step: s.step, payers: s.payers ?? 0 });
    else if (s.phase === "zero-cost") out.set(s.project, { funded: true, kind: "free", step: s.step });
    else out.set(s.project, { funded: true, kind: "fits", step: s.step, left });
    spent += s.cost;
  }
  const leftAtEnd = input.budget - spent;
  const greedyPhase = hasGreedyPhase(input.rule);
  for (const p of input.proposals) {
    if (out.has(p.id)) continue;
    if (greedyPhase)
      out.set(p.id, {
        funded: false,
        kind: "did-not-fit",
        left: leftAtTurn.get(p.id) ?? leftAtEnd,
        afterShares: input.rule.startsWith("mes"),
      });
    else if (p.supporters === 0) out.set(p.id, { funded: false, kind: "no-support" });
    else out.set(p.id, { funded: false, kind: "shares-short" });
  }
  return out;
}
