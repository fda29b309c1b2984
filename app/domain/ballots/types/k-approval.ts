/** k-approval ballots: choose up to k proposals (the envelope's maximum), whatever they cost. */
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

export const kApproval: BallotTypeModule = {
  name: "k-approval",
  body: "approved",
  pbVoteType: "approval",
  empty: emptyList,
  normalize: normalizeList,
  check: (_rules, costs, body) => countList(costs, body),
  fromForm: listFromForm,
  fromPaper: listFromPaper,
  rulesHint: (envelope) => ({ key: "vote.rules.k", numbers: { k: envelope.maxProjects ?? 0 }, money: {} }),
  totalHint: (summary, envelope) => ({
    key: "vote.total",
    numbers: {},
    money: { total: summary.totalCost, amount: envelope.amount },
  }),
  /** k is the envelope's maximum: required, and no more than the proposals on the ballot. */
  checkSettings(rules, proposalCount) {
    const problems = noPoints(rules);
    if (rules.maxProjects === null || rules.maxProjects < 1)
      problems.unshift({ code: "k_required", field: "maxProjects" });
    else if (proposalCount !== null && proposalCount > 0 && rules.maxProjects > proposalCount)
      problems.unshift({
        code: "k_over_proposals",
        field: "maxProjects",
        params: { k: rules.maxProjects, count: proposalCount },
      });
    return problems;
  },
  pbVote: listPbVote,
};
