/** Cumulative ballots: points per proposal (whole, not negative), at most the envelope's maximum in all. */
import type { BallotTypeModule } from ".";
import type { RuleViolation } from "../../rounds/rules";
import type { BallotBody, BallotViolation } from "../rules";

export const cumulative: BallotTypeModule = {
  name: "cumulative",
  body: "points",
  pbVoteType: "cumulative",
  empty: () => ({ points: {} }),
  /** Proposals in id order, zero points dropped. */
  normalize(body) {
    if (!("points" in body)) return body;
    const points: Record<string, number> = {};
    for (const id of Object.keys(body.points).sort()) if (body.points[id] > 0) points[id] = body.points[id];
    return { points };
  },
  check(rules, costs, body, final) {
    if (!("points" in body))
      return { count: 0, totalCost: 0, totalPoints: 0, violations: [{ code: "wrong_body", expected: "points" }] };
    const violations: BallotViolation[] = [];
    let count = 0;
    let totalCost = 0;
    let totalPoints = 0;
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
    return { count, totalCost, totalPoints, violations };
  },
  fromForm: (form) => ({ points: { ...form.points } }),
  /** `number:points` (or `number=points`) per proposal given points. */
  fromPaper(tokens, proposalOf) {
    const points: Record<string, number> = {};
    for (const token of tokens) {
      const match = /^([^:=]+)[:=](\d{1,9})$/.exec(token);
      if (!match) return { ok: false, problem: { code: "choice_points", token } };
      const id = proposalOf(match[1]);
      if (!id) return { ok: false, problem: { code: "choice_unknown", token } };
      if (id in points) return { ok: false, problem: { code: "choice_repeated", token } };
      points[id] = Number(match[2]);
    }
    return { ok: true, body: { points } };
  },
  rulesHint: (envelope) => ({ key: "vote.rules.points", numbers: { max: envelope.maxPoints ?? 0 }, money: {} }),
  totalHint: (summary, envelope) => ({
    key: "vote.points",
    numbers: { used: summary.totalPoints, max: envelope.maxPoints ?? 0 },
    money: {},
  }),
  /** A maximum of points is required, and the minimum may not exceed it. */
  checkSettings(rules) {
    const problems: RuleViolation[] = [];
    if (rules.maxPoints === null || rules.maxPoints < 1) problems.push({ code: "points_required", field: "maxPoints" });
    if (rules.minPoints !== null && rules.maxPoints !== null && rules.minPoints > rules.maxPoints) {
      problems.push({ code: "min_over_max", field: "minPoints" });
    }
    return problems;
  },
  pbVote(body: BallotBody) {
    if (!("points" in body)) return { vote: body.approved, points: null };
    const vote = Object.keys(body.points).sort();
    return { vote, points: vote.map((id) => body.points[id]) };
  },
};
