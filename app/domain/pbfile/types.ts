/** One participatory-budgeting election as a Pabulib `.pb` file describes it (one envelope). */

export type VoteType = "approval" | "choose-1" | "cumulative" | "scoring" | "ordinal";

export interface PbProject {
  id: string;
  /** Cost as written in the file (exact decimal text). */
  costText: string;
  /** Other columns of the PROJECTS row, by header name (`None` cells left out). */
  fields: Record<string, string>;
}

export interface PbBallot {
  voterId: string;
  /** How many identical voters this row stands for (the optional `weight` column; default 1). */
  weight: number;
  /** Project ids in file order (approval: the approved set; ordinal: the ranking; cumulative/scoring: who got points). */
  vote: string[];
  /** Points aligned with `vote` (cumulative and scoring ballots). */
  points: number[] | null;
  /** Other columns of the VOTES row. */
  fields: Record<string, string>;
}

export interface PbElection {
  /** META rows in file order. */
  meta: [string, string][];
  voteType: VoteType;
  /** Budget as written (exact decimal text). */
  budgetText: string;
  projectColumns: string[];
  projects: PbProject[];
  voteColumns: string[];
  ballots: PbBallot[];
}

export function metaValue(election: Pick<PbElection, "meta">, key: string): string | undefined {
  return election.meta.find(([k]) => k === key)?.[1];
}

/** A bad file: the 1-based line number and what is wrong there. */
export class PbFormatError extends Error {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}
