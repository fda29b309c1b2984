/**
 * The ballot rules of an envelope, checked the same way in the browser (live basket totals), on the
 * server (before a ballot is stored) and by observers re-validating published ballots.
 */

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

/**
 * Summarises a basket and lists every rule it breaks. `final` adds the rules that only apply when
 * casting (minimums): a draft basket may be incomplete.
 */
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

export function checkBallot(
  rules: EnvelopeBallotRules,
  proposals: readonly BallotProposal[],
  body: BallotBody,
  { final = true }: { final?: boolean } = {},
): BasketSummary {
  const costs = costsOf(proposals);
  const violations: BallotViolation[] = [];
  let count = 0;
  let totalCost = 0;
  let totalPoints = 0;
  if (rules.ballotType === "cumulative") {
    if (!("points" in body))
      return { count, totalCost, totalPoints, violations: [{ code: "wrong_body", expected: "points" }] };
    for (const [id, points] of Object.entries(body.points)) {
      if (!costs.has(id)) violations.push({ code: "unknown_proposal", proposal: id });
      else if (!Number.isSafeInteger(points)) violations.push({ code: "points_not_integer", proposal: id });
      else if (points < 0) violations.push({ code: "points_negative", proposal: id });
      else if (points > 0) {
        count++;
        totalPoints += points;
        totalCost += costs.get(id) ?? 0;
      }
    }
    if (rules.maxPoints !== null && totalPoints > rules.maxPoints) {
      violations.push({ code: "points_over", total: totalPoints, maximum: rules.maxPoints });
    }
    if (final && rules.minPoints !== null && totalPoints < rules.minPoints) {
      violations.push({ code: "points_under", total: totalPoints, minimum: rules.minPoints });
    }
  } else {
    if (!("approved" in body))
      return { count, totalCost, totalPoints, violations: [{ code: "wrong_body", expected: "approved" }] };
    const seen = new Set<string>();
    for (const id of body.approved) {
      if (seen.has(id)) {
        violations.push({ code: "repeated_proposal", proposal: id });
        continue;
      }
      seen.add(id);
      if (!costs.has(id)) violations.push({ code: "unknown_proposal", proposal: id });
      else {
        count++;
        totalCost += costs.get(id) ?? 0;
      }
    }
    if (rules.ballotType === "approval" && totalCost > rules.amount) {
      violations.push({ code: "over_budget", total: totalCost, amount: rules.amount });
    }
    if (final && rules.ballotType === "approval" && rules.minSpendShare) {
      const minimum = Math.ceil((rules.amount * rules.minSpendShare) / 100);
      if (totalCost < minimum) violations.push({ code: "under_min_spend", total: totalCost, minimum });
    }
  }
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
  return { count, totalCost, totalPoints, violations };
}

/** The body in a canonical form: approvals sorted, zero points dropped (what is hashed and published). */
export function normalizeBallot(body: BallotBody): BallotBody {
  if ("approved" in body) return { approved: [...new Set(body.approved)].sort() };
  const points: Record<string, number> = {};
  for (const id of Object.keys(body.points).sort()) if (body.points[id] > 0) points[id] = body.points[id];
  return { points };
}
