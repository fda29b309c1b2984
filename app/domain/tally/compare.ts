/**
 * Greedy and Method of Equal Shares side by side on one envelope's ballots: what each funds, the money
 * used, and the (weighted) share of voters who see at least one of their choices funded.
 */
import type { PbElection } from "../pbfile";
import { type RuleName, tally } from "./index";

export interface RuleOutcome {
  rule: RuleName;
  selected: string[];
  totalCost: number;
  /** Percent (0–100, one decimal) of the ballots' weight with at least one supported proposal funded. */
  satisfiedShare: number;
}

export function compareRules(election: PbElection, seed: string): RuleOutcome[] {
  const cumulative = election.voteType === "cumulative";
  const rules: RuleName[] = cumulative ? ["greedy", "mes"] : ["greedy", "mes+greedy"];
  const total = election.ballots.reduce((s, b) => s + b.weight, 0);
  return rules.map((rule) => {
    const result = tally(election, { rule, tieBreak: "cost-votes-seed", seed });
    const funded = new Set(result.selected);
    const satisfied = election.ballots.reduce((s, b) => s + (b.vote.some((id) => funded.has(id)) ? b.weight : 0), 0);
    return {
      rule,
      selected: result.selected,
      totalCost: result.totalCost,
      satisfiedShare: total ? Math.round((satisfied / total) * 1000) / 10 : 0,
    };
  });
}
