/**
 * The ballot rules of an envelope, checked the same way in the browser (live basket totals), on the
 * server (before a ballot is stored) and by observers re-validating published ballots.
 */
import { ballotType } from "./types";

export type BallotType = "approval" | "k-approval" | "cumulative";

export interface EnvelopeBallotRules {
  amount: number;
  ballotType: BallotType;
  minProjects: number | null;
  maxProjects: number | null;
  /** Percent of the amount a ballot must spend at least (approval ballots). */
  minSpendShare: number | null;
  minPoints: number | null;
  maxPoints: number | null;
}

export interface BallotProposal {
  id: string;
  cost: number;
}

/** Approval-type ballots list proposals; cumulative ballots give points per proposal. */
export type BallotBody = { approved: string[] } | { points: Record<string, number> };

export type BallotViolation =
  | { code: "unknown_proposal"; proposal: string }
  | { code: "repeated_proposal"; proposal: string }
  | { code: "wrong_body"; expected: "approved" | "points" }
  | { code: "points_not_integer"; proposal: string }
  | { code: "points_negative"; proposal: string }
  | { code: "over_budget"; total: number; amount: number }
  | { code: "under_min_spend"; total: number; minimum: number }
  | { code: "too_few"; count: number; minimum: number }
  | { code: "too_many"; count: number; maximum: number }
  | { code: "points_over"; total: number; maximum: number }
  | { code: "points_under"; total: number; minimum: number }
  | { code: "empty" };

export interface BasketSummary {
  count: number;
  totalCost: number;
  totalPoints: number;
  violations: BallotViolation[];
}

/** Costs by proposal id, built once per proposal list (a verifier checks a million ballots against one). */
const costMaps = new WeakMap<readonly BallotProposal[], Map<string, number>>();
function costsOf(proposals: readonly BallotProposal[]): Map<string, number> {
  let costs = costMaps.get(proposals);
  if (!costs) {
    costs = new Map(proposals.map((p) => [p.id, p.cost]));
    costMaps.set(proposals, costs);
  }
  return costs;
}

/**
 * Summarises a basket and lists every rule it breaks: the ballot type's own rules
 * (app/domain/ballots/types/), then how many proposals. `final` adds the rules that only apply when
 * casting (minimums): a draft basket may be incomplete.
 */
export function checkBallot(
  rules: EnvelopeBallotRules,
  proposals: readonly BallotProposal[],
  body: BallotBody,
  { final = true }: { final?: boolean } = {},
): BasketSummary {
  const summary = ballotType(rules.ballotType).check(rules, costsOf(proposals), body, final);
  const { count, violations } = summary;
  if (violations.some((v) => v.code === "wrong_body")) return summary;
  if (rules.maxProjects !== null && count > rules.maxProjects) {
    violations.push({ code: "too_many", count, maximum: rules.maxProjects });
  }
  if (final) {
    if (rules.minProjects !== null && count < rules.minProjects) {
      violations.push({ code: "too_few", count, minimum: rules.minProjects });
    } else if (count === 0 && violations.length === 0) {
      violations.push({ code: "empty" });
    }
  }
  return summary;
}
