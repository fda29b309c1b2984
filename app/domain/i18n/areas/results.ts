/**
 * UI strings of the results page in plain words (merged into en.ts / fa.ts; ADR 0031): what the
 * counting rule does, why each proposal was or was not funded, what the ledger counts, and the two
 * fingerprints by their own names.
 */
export const resultsEn = {
  "explain.ruleTitle": "How the money was shared out",
  "explain.rule.mesGreedy": "Method of Equal Shares, completed by greedy",
  "explain.rule.mes": "Method of Equal Shares",
  "explain.rule.greedy": "Greedy: most supported first",
  "explain.ruleText.shares":
    "Every voter gets an equal share of the envelope. A proposal is funded when the shares of the voters who chose it can pay its cost together, each paying an equal part or all they have left; the one cheapest for each of its supporters goes first, until no other proposal can be paid for this way.",
  "explain.ruleText.completion":
    "The money left then goes to the remaining proposals, the most supported first, as long as each still fits.",
  "explain.ruleText.greedy":
    "Proposals take their turn from the most supported to the least; each is funded if it still fits in the money left.",
  "explain.whyTitle": "Why each proposal was or was not funded",
  "explain.why.shares": "Funded in step {step}: the shares of its {payers} supporters could pay its cost.",
  "explain.why.free": "Funded in step {step}: it costs nothing and voters chose it.",
  "explain.why.fits": "Funded in step {step}: when its turn came, {left} was still available, enough for its cost.",
  "explain.why.sharesShort": "Not funded: the shares its supporters had left could not cover its cost.",
  "explain.why.didNotFitAfterShares":
    "Not funded: its supporters' shares could not cover it, and when its turn came only {left} was left.",
  "explain.why.didNotFit": "Not funded: when its turn came, only {left} remained, less than its cost.",
  "explain.why.noSupport": "Not funded: no ballot chose it.",
  "explain.ledger":
    "The ballot ledger holds {size} entries, all under the final signed root {root}: every ballot cast online or on paper in any envelope, ballots later replaced by a new vote, and withdrawals of ballots whose voter's verification was revoked. The ballots that count, below, are each envelope's current ballots only.",
  "explain.ballots": "Ballots that count",
  "explain.bundleFingerprint": "Bundle fingerprint (SHA-256 of round.json, the whole published round):",
  "explain.rulesFingerprint": "Rules fingerprint (signed in every ledger checkpoint since voting opened):",
};
