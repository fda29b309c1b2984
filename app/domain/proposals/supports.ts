/** The rules of supports (ADR 0036): pure, shared by the service and the pages. */
import type { PhaseKind } from "../rounds/phases";

/** Statuses a proposal may be supported in: awaiting review or accepted, never merged. */
export const SUPPORTABLE_STATUSES = ["submitted", "accepted"] as const;

/**
 * Whether supports may be given or withdrawn now: the round opened them, its proposals phase is the
 * current one, and the proposal is awaiting review or accepted and not merged into another.
 */
export function supportsOpenFor(input: {
  supportsOpen: boolean;
  phase: PhaseKind | null;
  status: string;
  mergedIntoId: string | null;
}): boolean {
  return (
    input.supportsOpen &&
    input.phase === "proposals" &&
    input.mergedIntoId === null &&
    (SUPPORTABLE_STATUSES as readonly string[]).includes(input.status)
  );
}

/** Whether a proposal has the supports its round asks for to reach review (no threshold: always). */
export function reachedThreshold(supports: number, threshold: number | null): boolean {
  return threshold === null || supports >= threshold;
}

/** The orders of a round's list. */
export const PROPOSAL_SORTS = ["newest", "supports", "cost-asc", "cost-desc"] as const;
export type ProposalSort = (typeof PROPOSAL_SORTS)[number];

/** Proposals per page of a round's list. */
export const PROPOSALS_PER_PAGE = 20;

/** A page number within 1…pages (anything unreadable is page 1). */
export function clampPage(
  page: number,
  total: number,
  perPage: number = PROPOSALS_PER_PAGE,
): { page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(total / perPage));
  const wanted = Number.isFinite(page) ? Math.trunc(page) : 1;
  return { page: Math.min(Math.max(1, wanted), pages), pages };
}
