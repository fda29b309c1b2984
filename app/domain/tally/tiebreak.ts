import type { CountingElection } from "./election";
import type { TieOrder } from "./rules";

// node:crypto is loaded only for a seeded draw: loading it costs a `shora tally` process more time
// than greedy takes to count a city's ballots. (process.getBuiltinModule: Node ≥ 20.16.)

export type TieBreak = "lexico" | "cost-votes-seed";

const byId = (e: CountingElection) => (a: number, b: number) =>
  e.projectIds[a] < e.projectIds[b] ? -1 : e.projectIds[a] > e.projectIds[b] ? 1 : 0;

/**
 * `lexico`: the smallest project id as a string first (pabutools' default).
 * `cost-votes-seed`: lower cost first, then more supporters, then SHA-256(seed ‖ project id) — the
 * platform's default, with the seed published in the round's data so anyone can redo the draw.
 */
export function tieOrder(e: CountingElection, rule: TieBreak, seed = ""): TieOrder {
  if (rule === "lexico") return byId(e);
  const { createHash } = process.getBuiltinModule("node:crypto");
  const draw = e.projectIds.map((id) => createHash("sha256").update(seed).update(id).digest("hex"));
  return (a, b) =>
    e.costs[a] - e.costs[b] || e.support[b] - e.support[a] || (draw[a] < draw[b] ? -1 : draw[a] > draw[b] ? 1 : 0);
}

/** equalshares.net's order for Add1: lower cost, then more supporters, then the chosen tie-break. */
export function eqnetOrder(e: CountingElection, last: TieOrder): TieOrder {
  return (a, b) => e.costs[a] - e.costs[b] || e.support[b] - e.support[a] || last(a, b);
}
