/**
 * UI strings of the Equal Shares walkthrough (merged into en.ts / fa.ts; ADR 0032). The `es.words.*`
 * sentences are filled in on the server (app/web/equal-shares-words.server.ts), so resident pages do
 * not download them.
 */
export const equalSharesEn = {
  "es.title": "Equal Shares, step by step",
  "es.link": "Equal Shares, step by step: the count on this round's own ballots",
  "es.back": "Back to the results",
  "es.intro":
    "This page goes through the count again on this round's own published ballots, in the order the published tally recorded, so it always shows the published result.",
  "es.none": "No envelope of this round was counted by the Method of Equal Shares.",
  "es.mismatch":
    "Warning: the payments replayed here do not add up to what the published tally records. Check the bundle with shora verify.",
  "es.sharesTitle": "Every voter's share",
  "es.weight": "Weight",
  "es.class": "Voter class",
  "es.ballots": "Ballots",
  "es.shareOf": "Share of one ballot",
  "es.groupsTitle": "Voters grouped by what they chose",
  "es.groupsIntro":
    "Ballots that chose the same proposals pay alike. Each column shows what one share paid in that step; the last column shows what one share had left at the end.",
  "es.group": "Group",
  "es.chose": "Chose",
  "es.nothing": "(nothing)",
  "es.stepCol": "Step {step}",
  "es.left": "Left",
  "es.stepsTitle": "The steps",
  "es.step": "Step",
  "es.proposal": "Proposal",
  "es.cost": "Cost",
  "es.paidBy": "How it was paid",
  "es.byShares": "by {payers} shares",
  "es.byBudget": "from the money left",
  "es.leftShares": "Left in the shares",
  "es.leftBudget": "Left in the envelope",
  "es.whyTitle": "Why the other proposals were not funded",
  "es.compareTitle": "Compared with the greedy rule",
  "es.equalShares": "Equal Shares",
  "es.greedy": "Greedy rule",
  "es.funded": "funded",
  "es.notFunded": "not funded",
  "es.viewTitle": "Watch the shares step by step",
  "es.prev": "Previous step",
  "es.next": "Next step",
  "es.before": "Before the first step: every share is whole.",
  "es.after": "After step {step} of {steps}: {project}",
  "es.words.shares":
    "The envelope holds {budget}. The ballots that count carry a weight of {voters} in all, so one share is {budget} ÷ {voters} = {share}.",
  "es.words.weight.one": "A ballot of weight {weight} ({count} ballot) holds {held}.",
  "es.words.weight.other": "A ballot of weight {weight} ({count} ballots) holds {held}.",
  "es.words.stepShares":
    "Step {step}: {project} ({cost}). The shares of its supporters paid for it: each share paid {price}, or all it had left when that was less ({payers} shares paid).",
  "es.words.stepPoints":
    "Step {step}: {project} ({cost}). The shares of its supporters paid for it, each in proportion to the points it gave, or all it had left when that was less ({payers} shares paid).",
  "es.words.stepFree": "Step {step}: {project} costs nothing and voters chose it.",
  "es.words.stepBudget":
    "Step {step}: {project} ({cost}). No other proposal could be paid from the shares any more; it was funded from the money still in the envelope ({left} before it).",
  "es.words.short":
    "{project} ({cost}) needed {needed} more from its supporters, who had spent their shares on {spentOn}; their shares held only {left} at the end.",
  "es.words.shortUnspent":
    "{project} ({cost}) needed {needed} more from its supporters: their shares together held only {left}.",
  "es.words.noSupport": "{project} ({cost}): no ballot chose it.",
  "es.words.spent": "{project} ({amount})",
  "es.words.completionLeft": "When the money left was handed out, only {left} remained at its turn.",
  "es.words.greedyWould": "The greedy rule would have funded it.",
  "es.words.greedyWouldNot": "The greedy rule would not have funded it either.",
  "es.words.greedySummary": "On the same ballots the greedy rule (most supported first) would have funded: {list}.",
  "es.words.greedySame": "On these ballots the greedy rule would have funded the same proposals.",
};
