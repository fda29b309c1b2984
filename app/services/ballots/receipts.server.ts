/**
 * What the public receipt check shows (ADR 0017). While the results are not published, only the
 * ballot's place in the ledger and its checkpoint: never whether it is still the voter's current
 * ballot, so a vote buyer holding a ballot id cannot check that the voter did not vote again. Once
 * published (the bundle shows every chain to anyone), also what became of the ballot.
 */
import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { ballots, checkpoints, rounds, roundSecrets } from "../../../db/schema";
import { type Receipt, receiptFor } from "./checkpoints.server";
import { isPublished } from "../tally/publish.server";
import type { Scope } from "../scope";

export type BallotFate =
  | { kind: "counted" }
  | { kind: "superseded"; next: { ballotId: string; leafIndex: number }; last: { ballotId: string; leafIndex: number } }
  | { kind: "withdrawn" };

/** Follows the ballot's chain in the database: revotes name the ballot they replace; a withdrawal has no ballot row. */
export async function ballotFate(
  db: Db,
  scope: Scope,
  input: { roundId: string; ballotId: string },
): Promise<BallotFate | null> {
  const { roundId, ballotId } = input;
  const row = async (where: ReturnType<typeof eq>) => {
    const [found] = await db
      .select({ id: ballots.id, current: ballots.current, leafIndex: ballots.leafIndex })
      .from(ballots)
      .innerJoin(rounds, and(eq(rounds.id, ballots.roundId), eq(rounds.municipalityId, scope.municipality.id)))
      .where(and(eq(ballots.roundId, roundId), where));
    return found ?? null;
  };
  let at = await row(eq(ballots.id, ballotId));
  if (!at) return null;
  let next: { ballotId: string; leafIndex: number } | null = null;
  // A chain holds one ballot per revote; the bound only guards against a corrupted database.
  for (let step = 0; step < 10_000; step++) {
    if (at.current)
      return next
        ? { kind: "superseded", next, last: { ballotId: at.id, leafIndex: at.leafIndex } }
        : { kind: "counted" };
    const successor = await row(eq(ballots.supersedes, at.id));
    if (!successor) return { kind: "withdrawn" };
    next ??= { ballotId: successor.id, leafIndex: successor.leafIndex };
    at = successor;
  }
  return { kind: "withdrawn" };
}

export interface ReceiptView {
  receipt: Receipt;
  published: boolean;
  /** Only once the results are published. */
  fate: BallotFate | null;
}

/**
 * The receipt as the public check gives it. After publication, a ballot whose chain ends in a
 * withdrawal is never opened (the bundle does not open it either): its receipt has no choices.
 */
export async function receiptView(
  db: Db,
  scope: Scope,
  input: { roundId: string; ballotId: string },
): Promise<ReceiptView | null> {
  const receipt = await receiptFor(db, scope, input);
  if (!receipt) return null;
  if (!(await isPublished(db, input.roundId))) return { receipt, published: false, fate: null };
  const fate = await ballotFate(db, scope, input);
  if (fate?.kind === "withdrawn") return { receipt: { ...receipt, choices: null, nonce: null }, published: true, fate };
  return { receipt, published: true, fate };
}

/** What the receipt check page shows: the ballot's place, the checkpoint covering it, and after publication its fate. */
export interface ReceiptStatus {
  leafIndex: number;
  checkpoint: { treeSize: number; signedAt: string } | null;
  published: boolean;
  fate: BallotFate | null;
}

/**
 * The receipt check page's part of `receiptView`, in one query while the results are not published:
 * the page shows neither the choices nor the rules' fingerprint, which the downloadable receipt
 * computes when no checkpoint covers the ballot yet (seven reads of the round's rules).
 */
export async function receiptStatus(
  db: Db,
  scope: Scope,
  input: { roundId: string; ballotId: string },
): Promise<ReceiptStatus | null> {
  const covering = db
    .select({ treeSize: checkpoints.treeSize, signedAt: checkpoints.signedAt })
    .from(checkpoints)
    .where(and(eq(checkpoints.roundId, ballots.roundId), gt(checkpoints.treeSize, ballots.leafIndex)))
    .orderBy(desc(checkpoints.treeSize))
    .limit(1)
    .as("covering");
  const [row] = await db
    .select({
      leafIndex: ballots.leafIndex,
      treeSize: covering.treeSize,
      signedAt: covering.signedAt,
      destroyedAt: roundSecrets.destroyedAt,
    })
    .from(ballots)
    .innerJoin(rounds, and(eq(rounds.id, ballots.roundId), eq(rounds.municipalityId, scope.municipality.id)))
    .leftJoinLateral(covering, sql`true`)
    .leftJoin(roundSecrets, eq(roundSecrets.roundId, ballots.roundId))
    .where(and(eq(ballots.roundId, input.roundId), eq(ballots.id, input.ballotId)));
  if (!row) return null;
  const published = Boolean(row.destroyedAt);
  return {
    leafIndex: row.leafIndex,
    checkpoint:
      row.treeSize !== null && row.signedAt !== null
        ? { treeSize: row.treeSize, signedAt: row.signedAt.toISOString() }
        : null,
    published,
    fate: published ? await ballotFate(db, scope, input) : null,
  };
}
