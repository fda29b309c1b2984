/**
 * Knapsack ballots (stored as `approval`): choose proposals whose costs together fit the envelope's
 * amount, spending at least its minimum share when one is set.
 */
import type { BallotTypeModule } from ".";
import {
  countList,
  emptyList,
  listFromForm,
  listFromPaper,
  listPbVote,
  noPoints,
  normalizeList,
} from "./approved-list";

export const knapsack: BallotTypeModule = {
  name: "approval",
  body: "approved",
  pbVoteType: "approval",
  empty: emptyList,
  normalize: normalizeList,
  check(rules, costs, body, final) {
    const summary = countList(costs, body);
    if (!("approved" in body)) return summary;
    if (summary.totalCost > rules.amount) {
      summary.violations.push({ code: "over_budget", total: summary.totalCost, amount: rules.amount });
    }
    if (final && rules.minSpendShare) {
      const minimum = Math.ceil((rules.amount * rules.minSpendShare) / 100);
      if (summary.totalCost < minimum)
        summary.violations.push({ code: "under_min_spend", total: summary.totalCost, minimum });
    }
    return summary;
  },
  fromForm: listFromForm,
  fromPaper: listFromPaper,
  rulesHint: (envelope) => ({ key: "vote.rules.approval", numbers: {}, money: { amount: envelope.amount } }),
  totalHint: (summary, envelope) => ({
    key: "vote.total",
    numbers: {},
    money: { total: summary.totalCost, amount: envelope.amount },
  }),
  checkSettings: noPoints,
  pbVote: listPbVote,
};
