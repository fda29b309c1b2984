/**
 * One module per ballot type behind one interface (after Go Vocal's voting methods): what a ballot
 * body is, how it is normalised and checked against the envelope, how a form or a paper ballot reads
 * into it, what the ballot page says about it, and how it is written to a .pb file and counted.
 * Callers ask `ballotType(envelope.ballotType)` instead of branching on the name.
 */
import type { MessageKey } from "../../i18n";
import type { ChoiceProblem } from "../paper";
import type { RuleViolation } from "../../rounds/rules";
import type { BallotBody, BallotType, BasketSummary, EnvelopeBallotRules } from "../rules";
import { cumulative } from "./cumulative";
import { kApproval } from "./k-approval";
import { knapsack } from "./knapsack";

/** A sentence for the ballot page: a message key with plain numbers and amounts of money. */
export interface BallotHint {
  key: MessageKey;
  numbers: Record<string, number>;
  money: Record<string, number>;
}

export interface BallotTypeModule {
  readonly name: BallotType;
  /** What a ballot body holds: the proposals chosen (`approved`), or points per proposal (`points`). */
  readonly body: "approved" | "points";
  /** The Pabulib vote_type of its published ballots, which also says how the tally counts them. */
  readonly pbVoteType: "approval" | "cumulative";
  /** An empty basket. */
  empty(): BallotBody;
  /** The canonical body (what is hashed and published). */
  normalize(body: BallotBody): BallotBody;
  /**
   * The type's own rules on a body as submitted. The rules every type shares (how many proposals) are
   * added by `checkBallot` (app/domain/ballots/rules.ts).
   */
  check(
    rules: EnvelopeBallotRules,
    costs: ReadonlyMap<string, number>,
    body: BallotBody,
    final: boolean,
  ): BasketSummary;
  /** The body a ballot form describes: checked proposals, and `points.<id>` fields already read as numbers. */
  fromForm(form: { approved: readonly string[]; points: Readonly<Record<string, number>> }): BallotBody;
  /** The body a paper ballot's choices describe (`proposalOf` turns a printed number or id into an id). */
  fromPaper(
    tokens: readonly string[],
    proposalOf: (ref: string) => string | null,
  ): { ok: true; body: BallotBody } | { ok: false; problem: ChoiceProblem };
  /** The rule stated above the ballot. */
  rulesHint(envelope: Pick<EnvelopeBallotRules, "amount" | "maxProjects" | "maxPoints">): BallotHint;
  /** The running total under the ballot. */
  totalHint(
    summary: Pick<BasketSummary, "totalCost" | "totalPoints">,
    envelope: Pick<EnvelopeBallotRules, "amount" | "maxPoints">,
  ): BallotHint;
  /**
   * The type's own checks of an envelope's settings as staff save them (`proposalCount`: proposals on
   * the ballot, null when not known yet). The checks every type shares are in `checkEnvelope`
   * (app/domain/rounds/rules.ts).
   */
  checkSettings(rules: EnvelopeBallotRules, proposalCount: number | null): RuleViolation[];
  /** The .pb vote columns of a body: proposals in file order, and their points (null when each counts 1). */
  pbVote(body: BallotBody): { vote: string[]; points: number[] | null };
}

export const BALLOT_TYPES: readonly BallotType[] = ["approval", "k-approval", "cumulative"];

const modules: Record<BallotType, BallotTypeModule> = {
  approval: knapsack,
  "k-approval": kApproval,
  cumulative,
};

/** The module of a ballot type (as stored on the envelope). An unknown name is a programming error. */
export function ballotType(name: string): BallotTypeModule {
  const module = Object.hasOwn(modules, name) ? modules[name as BallotType] : undefined;
  if (!module) throw new Error(`unknown ballot type ${name}`);
  return module;
}
