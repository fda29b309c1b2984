import type { BallotBody } from "../ballots/rules";
import { ballotType } from "../ballots/types";
import type { PbElection } from "./types";

/**
 * One envelope's ballots as a Pabulib election — the same shape for the server's tally and the
 * published bundle: voter ids are ballot ids (never people), a weight column, points in id order.
 */
export function envelopeElectionOf(p: {
  roundSlug: string;
  envelope: { slug: string; amount: number; ballotType: string; tallyRule: string };
  projects: readonly { id: string; cost: number; title: { en?: string; fa?: string } }[];
  ballots: readonly { id: string; weight: number; body: BallotBody }[];
}): PbElection {
  const type = ballotType(p.envelope.ballotType);
  const voteType = type.pbVoteType;
  return {
    meta: [
      ["description", `${p.roundSlug} / ${p.envelope.slug}`],
      ["num_projects", String(p.projects.length)],
      ["num_votes", String(p.ballots.length)],
      ["budget", String(p.envelope.amount)],
      ["vote_type", voteType],
      ["rule", p.envelope.tallyRule === "greedy" ? "greedy" : "equalshares"],
    ],
    voteType,
    budgetText: String(p.envelope.amount),
    projectColumns: ["project_id", "cost", "name"],
    projects: p.projects.map((x) => ({
      id: x.id,
      costText: String(x.cost),
      fields: { name: x.title.en ?? x.title.fa ?? "" },
    })),
    voteColumns: voteType === "cumulative" ? ["voter_id", "vote", "points", "weight"] : ["voter_id", "vote", "weight"],
    ballots: p.ballots.map((b) => ({ voterId: b.id, weight: b.weight, ...type.pbVote(b.body), fields: {} })),
  };
}
