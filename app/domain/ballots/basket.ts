/**
 * What the ballot page shows around a basket, the same in the browser (live) and on the server:
 * the budget bar of each ballot type, what a revote changes, and the proposals' order on the page.
 */
import type { BallotBody, BasketSummary, EnvelopeBallotRules } from "./rules";

/** The budget bar: how much of the envelope's limit a basket uses, in the limit's own unit. */
export interface BudgetGauge {
  unit: "money" | "choices" | "points";
  used: number;
  limit: number;
  left: number;
  over: boolean;
}

/**
 * Knapsack ballots spend money, k-approval ballots choose up to k proposals, cumulative ballots give
 * points: each bar measures what the envelope limits.
 */
export function budgetGauge(
  envelope: Pick<EnvelopeBallotRules, "ballotType" | "amount" | "maxProjects" | "maxPoints">,
  summary: Pick<BasketSummary, "count" | "totalCost" | "totalPoints">,
): BudgetGauge {
  const [unit, used, limit]: [BudgetGauge["unit"], number, number] =
    envelope.ballotType === "cumulative"
      ? ["points", summary.totalPoints, envelope.maxPoints ?? 0]
      : envelope.ballotType === "k-approval"
        ? ["choices", summary.count, envelope.maxProjects ?? 0]
        : ["money", summary.totalCost, envelope.amount];
  return {
    unit,
    used,
    limit,
    left: Math.max(0, limit - used),
    over: used > limit,
  };
}

/** What replacing one ballot by another changes, proposal by proposal. */
export interface BallotChanges {
  added: string[];
  removed: string[];
  /** Points moved (cumulative ballots): before and after, both above zero. */
  changed: { id: string; before: number; after: number }[];
}

function pointsOf(body: BallotBody): Map<string, number> {
  if ("points" in body) return new Map(Object.entries(body.points).filter(([, n]) => n > 0));
  return new Map(body.approved.map((id) => [id, 1]));
}

export function ballotChanges(before: BallotBody, after: BallotBody): BallotChanges {
  const a = pointsOf(before);
  const b = pointsOf(after);
  const added = [...b.keys()].filter((id) => !a.has(id));
  const removed = [...a.keys()].filter((id) => !b.has(id));
  const changed = [...b.entries()]
    .filter(([id, n]) => a.has(id) && a.get(id) !== n)
    .map(([id, n]) => ({ id, before: a.get(id) ?? 0, after: n }));
  return { added, removed, changed };
}

export function hasChanges(c: BallotChanges): boolean {
  return c.added.length + c.removed.length + c.changed.length > 0;
}

/** How an envelope's proposals are ordered on the ballot page (staff choose per envelope; ADR 0027). */
export const BALLOT_ORDERS = ["random", "listed", "cost"] as const;
export type BallotOrder = (typeof BALLOT_ORDERS)[number];

/**
 * The proposals in the envelope's order. `random` sorts by a per-voter key of each proposal (an HMAC
 * the server computes from a secret of its own, the voter and the envelope), so no proposal is first
 * for everyone and each voter sees the same order every time; `listed` keeps the printed (paper
 * ballot) order; `cost` goes from the cheapest.
 */
export function orderProposals<P extends { id: string; cost: number }>(
  proposals: readonly P[],
  order: BallotOrder,
  randomKey: (id: string) => string,
): P[] {
  if (order === "listed") return [...proposals];
  if (order === "cost") return [...proposals].sort((x, y) => x.cost - y.cost);
  const keys = new Map(proposals.map((p) => [p.id, randomKey(p.id)]));
  return [...proposals].sort((x, y) => ((keys.get(x.id) ?? "") < (keys.get(y.id) ?? "") ? -1 : 1));
}

/**
 * Does a proposal pass the ballot page's filter (district and theme; null: any)? The filter only hides
 * cards: it never removes a choice from the ballot nor changes the order (ADR 0032).
 */
export function matchesFilter(
  proposal: { districtId: string | null; themeId: string | null },
  filter: { district: string | null; theme: string | null },
): boolean {
  return (
    (!filter.district || proposal.districtId === filter.district) &&
    (!filter.theme || proposal.themeId === filter.theme)
  );
}
