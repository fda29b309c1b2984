/** What the two list ballots (knapsack and k-approval) share: a body listing the proposals chosen. */
import type { ChoiceProblem } from "../paper";
import type { RuleViolation } from "../../rounds/rules";
import type { BallotBody, BallotViolation, BasketSummary, EnvelopeBallotRules } from "../rules";

export function emptyList(): BallotBody {
  return { approved: [] };
}

/** Approvals sorted, repeats dropped. */
export function normalizeList(body: BallotBody): BallotBody {
  if (!("approved" in body)) return body;
  return { approved: [...new Set(body.approved)].sort() };
}

/** Counts the listed proposals and their cost; unknown and repeated proposals are violations. */
export function countList(costs: ReadonlyMap<string, number>, body: BallotBody): BasketSummary {
  if (!("approved" in body))
    return { count: 0, totalCost: 0, totalPoints: 0, violations: [{ code: "wrong_body", expected: "approved" }] };
  const violations: BallotViolation[] = [];
  const seen = new Set<string>();
  let count = 0;
  let totalCost = 0;
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
  return { count, totalCost, totalPoints: 0, violations };
}

export function listFromForm(form: { approved: readonly string[] }): BallotBody {
  return { approved: [...form.approved] };
}

/** Paper choices of a list ballot: one printed number (or id) per chosen proposal. */
export function listFromPaper(
  tokens: readonly string[],
  proposalOf: (ref: string) => string | null,
): { ok: true; body: BallotBody } | { ok: false; problem: ChoiceProblem } {
  const approved: string[] = [];
  for (const token of tokens) {
    const id = proposalOf(token);
    if (!id) return { ok: false, problem: { code: "choice_unknown", token } };
    approved.push(id);
  }
  return { ok: true, body: { approved } };
}

export function listPbVote(body: BallotBody): { vote: string[]; points: number[] | null } {
  return { vote: "approved" in body ? body.approved : Object.keys(body.points).sort(), points: null };
}

/** List ballots take no points: a minimum or maximum of points is a setting of cumulative ballots only. */
export function noPoints(rules: Pick<EnvelopeBallotRules, "minPoints" | "maxPoints">): RuleViolation[] {
  if (rules.minPoints === null && rules.maxPoints === null) return [];
  return [{ code: "points_only_cumulative", field: rules.maxPoints !== null ? "maxPoints" : "minPoints" }];
}
