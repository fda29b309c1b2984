export { MAX_PB_BYTES, decodePb, parsePb, pbNotText, splitRecord } from "./parse";
export { writePb } from "./write";
export { type PbBallot, type PbElection, PbFormatError, type PbProject, type VoteType, metaValue } from "./types";
export {
  BallotGroups,
  type CompactPb,
  type CompactVotes,
  type ProjectTotals,
  readPbCompact,
  readPbCompactFrom,
} from "./compact";
