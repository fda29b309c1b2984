/** k-approval ballots: choose up to k proposals (the envelope's maximum), whatever they cost. */
import type { BallotTypeModule } from ".";
import { countList, emptyList, listFromForm, listFromPaper, listPbVote, normalizeList } from "./approved-list";

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
  pbVote: listPbVote,
};
