export { parsePb, splitRecord } from "./parse";
export { writePb } from "./write";
export { type PbBallot, type PbElection, PbFormatError, type PbProject, type VoteType, metaValue } from "./types";
