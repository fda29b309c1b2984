/**
 * Casting ballots: draft baskets, server-side validation of every envelope rule, revotes that
 * supersede, voter keys instead of user ids, and one ledger leaf per cast ballot — all of one cast
 * in one transaction, serialised per round so the ledger stays one linear sequence.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, randomInt } from "node:crypto";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import { type Db, type Tx, queryRows } from "../../../db/client";
import {
  type SealedBasket,
  ballots,
  baskets,
  type envelopes,
  envelopes as envelopeTable,
  ledgerLeaves,
  ledgerNodes,
  municipalities,
  phases,
  proposals,
  roundSecrets,
  rounds,
  turnout,
  verifications,
} from "../../../db/schema";
import { createKeyOnce, readKey, roundSecretName } from "../../../db/keystore";
import { nodesCompletedByAppend, planAppend } from "../../domain/ledger/merkle";
import { canonicalJson } from "../../domain/canonical";
import { type BallotBody, type BallotViolation, checkBallot } from "../../domain/ballots/rules";
import { type BallotChanges, ballotChanges, hasChanges } from "../../domain/ballots/basket";
import { ballotType } from "../../domain/ballots/types";
import { type PhaseKind, currentPhase, dayIn, hourOf } from "../../domain/rounds/phases";
import { RefusedError } from "../errors.server";
import { enqueueMessage } from "../mail/outbox.server";
import { type Scope, actorUserId } from "../scope";
import { inSharedTransaction } from "./group-commit.server";
import { leafHashOf, loadNodes, storeCompletedNodes } from "./ledger-store.server";
import { serverSecret } from "../secrets.server";

/** Who is voting, as established by verification: never stored with the ballot except as a keyed hash. */
export interface VoterStanding {
  /** Stable identity of the person in this municipality (the verification's identity hash). */
  identity: string;
  weight: number;
  district: string;
  voterClass: string;
}

/** Why a ballot is refused; the messages are in app/web/refusal-messages/ballots.ts. */
export type BallotRefusal =
  | "invalid_ballot"
  | "round_closed"
  | "bad_weight"
  | "not_voting"
  | "not_eligible"
  | "already_voted_online"
  | "already_voted_paper";

/** A refused ballot, with the envelope rules it breaks (`invalid_ballot`) named one by one. */
export class BallotRefused extends RefusedError<BallotRefusal> {
  constructor(
    code: BallotRefusal,
    readonly violations: BallotViolation[] = [],
    status: 400 | 403 | 404 | 409 = 400,
  ) {
    super(code, null, {}, status);
  }
}

/**
 * A revote the voter has not confirmed yet (ADR 0027): found under the ledger lock, so the check and
 * the cast read one state; the route shows what it would change and asks again.
 */
export class RevoteNotConfirmed extends Error {
  constructor(readonly changes: BallotChanges) {
    super("revote_not_confirmed");
  }
}

type EnvelopeRow = typeof envelopes.$inferSelect;

async function ballotProposals(db: Db | Tx, envelopeId: string) {
  return db
    .select({ id: proposals.id, cost: proposals.cost })
    .from(proposals)
    .where(and(eq(proposals.envelopeId, envelopeId), eq(proposals.status, "accepted")));
}

/**
 * An envelope's accepted proposals in the order the ballot page and the printed paper ballot number
 * them, if the envelope is one of the scope's municipality.
 */
export async function printedProposals(db: Db | Tx, scope: Scope, input: { envelopeId: string }) {
  return db
    .select({ id: proposals.id, title: proposals.title, cost: proposals.cost })
    .from(proposals)
    .innerJoin(envelopeTable, eq(envelopeTable.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopeTable.roundId))
    .where(
      and(
        eq(proposals.envelopeId, input.envelopeId),
        eq(proposals.status, "accepted"),
        eq(rounds.municipalityId, scope.municipality.id),
      ),
    )
    .orderBy(asc(proposals.createdAt), asc(proposals.id));
}

/**
 * The ballot page of an envelope for the acting resident: the proposals (in printed order, with what
 * their cards show) and their draft basket.
 */
export async function ballotSheetOf(db: Db, scope: Scope, input: { envelopeId: string }) {
  const [proposalRows, basket] = await Promise.all([
    db
      .select({
        id: proposals.id,
        title: proposals.title,
        body: proposals.body,
        cost: proposals.cost,
        districtId: proposals.districtId,
        themeId: proposals.themeId,
        location: proposals.location,
      })
      .from(proposals)
      .innerJoin(envelopeTable, eq(envelopeTable.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopeTable.roundId))
      .where(
        and(
          eq(proposals.envelopeId, input.envelopeId),
          eq(proposals.status, "accepted"),
          eq(rounds.municipalityId, scope.municipality.id),
        ),
      )
      .orderBy(asc(proposals.createdAt), asc(proposals.id)),
    loadBasket(db, scope, input),
  ]);
  return { proposals: proposalRows, basket };
}

const ORDER_KEY_LABEL = "shora-ballot-order/v1";

/**
 * The per-voter key that orders an envelope's proposals at random for the acting resident: an HMAC
 * with the server's secret, so the order is stable for that voter and says nothing about their id
 * (ADR 0027).
 */
export function ballotOrderKey(scope: Scope, input: { envelopeId: string }) {
  const base = createHmac("sha256", serverSecret())
    .update(`${ORDER_KEY_LABEL}\n${actorUserId(scope)}\n${input.envelopeId}`)
    .digest();
  return (proposalId: string) => createHmac("sha256", base).update(proposalId).digest("hex");
}

/** Saves the acting resident's draft basket (minimum rules are only checked when casting). */
export async function saveBasket(db: Db, scope: Scope, input: { envelope: EnvelopeRow; body: BallotBody; now?: Date }) {
  const params = { ...input, userId: actorUserId(scope) };
  // Rules are checked on the body as submitted (a repeated proposal is an error), stored normalised.
  const summary = checkBallot(params.envelope, await ballotProposals(db, params.envelope.id), params.body, {
    final: false,
  });
  const body = ballotType(params.envelope.ballotType).normalize(params.body);
  const structural = summary.violations.filter((v) =>
    ["unknown_proposal", "repeated_proposal", "wrong_body", "points_not_integer", "points_negative"].includes(v.code),
  );
  if (structural.length) throw new BallotRefused("invalid_ballot", structural);
  // Sealed with the round's secret: once it is destroyed, no copy of the row (WAL, backups) says
  // what this user chose (ADR 0016).
  const sealed = sealBasket(await roundSecret(db, params.envelope.roundId), body);
  const updatedAt = hourOf(params.now ?? new Date());
  await db
    .insert(baskets)
    .values({ envelopeId: params.envelope.id, userId: params.userId, body: sealed, updatedAt })
    .onConflictDoUpdate({ target: [baskets.envelopeId, baskets.userId], set: { body: sealed, updatedAt } });
  return summary;
}

const BASKET_KEY_LABEL = "shora-basket/v1";

function basketKey(secret: string): Buffer {
  return createHmac("sha256", secret).update(BASKET_KEY_LABEL).digest();
}

function sealBasket(secret: string, body: BallotBody): SealedBasket {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", basketKey(secret), iv);
  const data = Buffer.concat([cipher.update(JSON.stringify(body), "utf8"), cipher.final()]);
  return { sealed: Buffer.concat([iv, cipher.getAuthTag(), data]).toString("base64url") };
}

function openBasket(secret: string, basket: SealedBasket): BallotBody | null {
  try {
    const bytes = Buffer.from(basket.sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", basketKey(secret), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8"));
  } catch {
    return null;
  }
}

/** The acting resident's draft basket in an envelope of the scope's municipality, if any. */
export async function loadBasket(db: Db, scope: Scope, input: { envelopeId: string }): Promise<BallotBody | null> {
  const [row] = await db
    .select({ body: baskets.body, roundId: envelopeTable.roundId })
    .from(baskets)
    .innerJoin(envelopeTable, eq(envelopeTable.id, baskets.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopeTable.roundId))
    .where(
      and(
        eq(baskets.envelopeId, input.envelopeId),
        eq(baskets.userId, actorUserId(scope)),
        eq(rounds.municipalityId, scope.municipality.id),
      ),
    );
  if (row && "sealed" in row.body) {
    // The round's secret is gone once published: so is the draft.
    const secret = readKey(roundSecretName(row.roundId));
    return secret ? openBasket(secret, row.body) : null;
  }
  return (row?.body as BallotBody | undefined) ?? null;
}

/**
 * The round's voter-key secret, from the key store (never the database: ADR 0016), created with the
 * round's first ballot. Refused once the round is published (the secret is destroyed then).
 */
async function roundSecret(tx: Db | Tx, roundId: string): Promise<string> {
  const [row] = await tx
    .select({ destroyedAt: roundSecrets.destroyedAt })
    .from(roundSecrets)
    .where(eq(roundSecrets.roundId, roundId));
  if (row?.destroyedAt) throw new BallotRefused("round_closed", [], 409);
  return createKeyOnce(roundSecretName(roundId), randomBytes(32).toString("base64url"));
}

/** The voter key: HMAC-SHA-256 of the person's identity with the round's secret (hex). */
export function voterKey(secret: string, identity: string): string {
  return createHmac("sha256", secret).update(identity).digest("hex");
}

/**
 * Which of these identities (verification hashes) have a current ballot in the round, in any envelope
 * and on either channel; null once the round's secret is destroyed (published: nobody is reminded).
 * The server computes the same voter keys at every cast; the reminders use it (ADR 0041).
 */
export async function identitiesWithBallot(
  db: Db | Tx,
  scope: Scope,
  input: { roundId: string; identities: readonly string[] },
): Promise<Set<string> | null> {
  const [row] = await db
    .select({ destroyedAt: roundSecrets.destroyedAt })
    .from(roundSecrets)
    .where(eq(roundSecrets.roundId, input.roundId));
  if (row?.destroyedAt) return null;
  // No secret yet: nobody has cast in this round.
  const secret = readKey(roundSecretName(input.roundId));
  const voted = new Set<string>();
  if (!secret) return voted;
  const byKey = new Map(input.identities.map((identity) => [voterKey(secret, identity), identity]));
  const keys = [...byKey.keys()];
  for (let i = 0; i < keys.length; i += 5_000) {
    const chunk = keys.slice(i, i + 5_000);
    const rows = await db
      .selectDistinct({ voterKey: ballots.voterKey })
      .from(ballots)
      .where(and(eq(ballots.roundId, input.roundId), eq(ballots.current, true), inArray(ballots.voterKey, chunk)));
    for (const r of rows) voted.add(byKey.get(r.voterKey) as string);
  }
  return voted;
}

/** commitment = SHA-256(canonical ballot body ‖ 32-byte nonce), hex: the body stays hidden until publication. */
export function commitmentOf(body: BallotBody, nonce: Buffer): string {
  return createHash("sha256").update(canonicalJson(body)).update(nonce).digest("hex");
}

/**
 * A ballot to cast in a round of the scope's municipality. When the scope's actor is a resident casting
 * online, they are the voter: their verification (of `voter.identity`, by them) is read again under
 * the round's ledger lock, so a cast racing a revocation is either before the withdrawal (and
 * withdrawn) or refused, and their draft basket is cleared once cast. Staff entering paper ballots,
 * and the system (the demo), cast for voters the census names.
 */
export interface CastInput {
  roundId: string;
  roundSlug: string;
  envelope: EnvelopeRow;
  voter: VoterStanding;
  body: BallotBody;
  channel: "online" | "paper";
  now?: Date;
  /** The round's title, for the vote confirmation (read again when absent). */
  roundTitle?: Record<string, string>;
  /** Refuse (RevoteNotConfirmed) to replace a different online ballot of this voter in the envelope. */
  askBeforeReplacing?: boolean;
}

/** The resident casting their own ballot online, if that is who the scope's actor is. */
function castingResident(scope: Scope, input: Pick<CastInput, "channel">): string | null {
  return input.channel === "online" && scope.actor.kind === "user" ? scope.actor.userId : null;
}

export interface CastReceipt {
  ballotId: string;
  leafIndex: number;
  leafHash: string;
  supersedes: string | null;
  weight: number;
}

/**
 * Casts (or re-casts) a ballot. Refused with the broken rules named; a revote supersedes the
 * voter's current ballot in this envelope; a ballot on the other channel (paper vs online) is refused.
 */
export async function castBallot(db: Db, scope: Scope, input: CastInput): Promise<CastReceipt> {
  const now = input.now ?? new Date();
  // Casts of one round waiting at the same time share a transaction and its commit (ADR 0042).
  const receipt = await inSharedTransaction(db, {
    lane: `ledger:${input.roundId}`,
    work: (tx) => castBallotIn(tx, scope, { ...input, now }),
    isRefusal: (error) => error instanceof BallotRefused || error instanceof RevoteNotConfirmed,
  });
  // The draft basket goes in a transaction of its own: a row naming the user deleted by the cast's
  // transaction would carry the ballot's transaction id in the table file (ADR 0016). Checkpoints
  // are signed on a schedule, never by a cast.
  const userId = castingResident(scope, input);
  if (userId) {
    await db.delete(baskets).where(and(eq(baskets.envelopeId, input.envelope.id), eq(baskets.userId, userId)));
    await queueVoteConfirmation(db, scope, { ...input, userId, now });
  }
  return receipt;
}

/**
 * The vote confirmation (ADR 0025), queued after the cast in a transaction of its own (as the basket,
 * ADR 0016): round, envelope, the hour of the cast and the receipt page; never the ballot's id or
 * choices. Its time is the ballot's (to the hour), and it is sent after a random delay of up to five
 * minutes, so the outbox does not order people as the ledger orders ballots.
 */
async function queueVoteConfirmation(db: Db, scope: Scope, input: CastInput & { userId: string; now: Date }) {
  const title =
    input.roundTitle ??
    (await db.select({ title: rounds.title }).from(rounds).where(eq(rounds.id, input.roundId)))[0]?.title;
  const timeZone = scope.municipality.timeZone;
  const castHour = hourOf(input.now, timeZone);
  const at = `${dayIn(timeZone, input.now)} ${new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(castHour)}`;
  await enqueueMessage(db, {
    kind: "vote.confirmation",
    userId: input.userId,
    municipalityId: scope.municipality.id,
    payload: {
      round: title ?? {},
      envelope: input.envelope.name,
      at,
      path: `/m/${scope.municipality.slug}/rounds/${input.roundSlug}/receipt`,
    },
    idempotencyKey: `vote:${randomBytes(16).toString("hex")}`,
    now: castHour,
    delayMs: randomInt(0, 300_000),
  });
}

/**
 * The cast inside the caller's transaction (a batch of paper ballots casts many in one). Refusals are
 * thrown before anything is written. `final` refuses any second ballot in the envelope (a paper ballot
 * cannot be replaced), where online revotes supersede.
 */
export async function castBallotIn(tx: Tx, scope: Scope, input: CastInput & { final?: boolean }): Promise<CastReceipt> {
  const now = input.now ?? new Date();
  const { timeZone } = scope.municipality;
  const body = ballotType(input.envelope.ballotType).normalize(input.body);
  if (!Number.isSafeInteger(input.voter.weight) || input.voter.weight < 1) throw new BallotRefused("bad_weight");
  // What does not depend on other casts is read by the statement that takes the round's ledger lock
  // (one ledger per round, one writer at a time, so the sequence stays linear across app processes),
  // and the lock is held for as few round trips as possible (every cast of the round waits for it):
  // one query reads what the append needs and one statement writes it.
  const before = await beforeLockThenLock(tx, scope, { roundId: input.roundId, envelopeId: input.envelope.id });
  const summary = checkBallot(input.envelope, before.proposals, input.body);
  if (summary.violations.length) throw new BallotRefused("invalid_ballot", summary.violations);
  if (before.published) throw new BallotRefused("round_closed", [], 409);
  const key = voterKey(
    createKeyOnce(roundSecretName(input.roundId), randomBytes(32).toString("base64url")),
    input.voter.identity,
  );
  // A round of another municipality has no phases here: it is not voting.
  if (currentPhase(before.phases, dayIn(timeZone, now))?.kind !== "voting")
    throw new BallotRefused("not_voting", [], 409);
  const resident = castingResident(scope, input);
  const state = await appendState(tx, input.roundId, key, {
    voter: input.voter,
    verifiedIn: resident ? { municipalityId: scope.municipality.id, userId: resident } : null,
  });
  // Read under the lock that revocation takes too: a revoked voter's cast is refused here.
  if (resident && !state.verified) throw new BallotRefused("not_eligible", [], 403);
  // This voter's current ballots in the round: the one in this envelope, and any on the other channel.
  const previous = state.mine.find((b) => b.envelopeId === input.envelope.id);
  if (previous && (previous.channel !== input.channel || input.final))
    throw new BallotRefused(`already_voted_${previous.channel}` as const, [], 409);
  // Nobody votes both online and on paper in one round, whichever envelopes the two ballots are in.
  const otherChannel = state.mine.find((b) => b.channel !== input.channel);
  if (otherChannel) throw new BallotRefused(`already_voted_${otherChannel.channel}` as const, [], 409);
  if (previous && input.askBeforeReplacing) {
    const changes = ballotChanges(previous.body, body);
    if (hasChanges(changes)) throw new RevoteNotConfirmed(changes);
  }
  // A statement of its own, before the insert: the partial unique index allows one current ballot.
  if (previous) await tx.update(ballots).set({ current: false }).where(eq(ballots.id, previous.id));
  const n = state.size;
  const ballotId = randomBytes(16).toString("hex");
  const nonce = randomBytes(32);
  const commitment = commitmentOf(body, nonce);
  const leaf = canonicalJson({
    round: input.roundSlug,
    seq: n,
    ballotId,
    envelope: input.envelope.slug,
    weight: input.voter.weight,
    supersedes: previous?.id ?? null,
    commitment,
  });
  const leafHash = leafHashOf(leaf);
  // The complete subtrees this leaf closes, from the right edge of the tree read above.
  const needed = planAppend(n);
  const siblings = needed.every((x) => state.edge.has(`${x.level}/${x.index}`))
    ? (level: number, index: number) => state.edge.get(`${level}/${index}`) as Buffer
    : await loadNodes(tx, { roundId: input.roundId, needed });
  const nodes = nodesCompletedByAppend(n, Buffer.from(leafHash, "hex"), siblings);
  const at = hourOf(now, timeZone).toISOString();
  const day = dayIn(timeZone, now);
  const parts = [
    sql`leaf as (insert into ${ledgerLeaves} (round_id, leaf_index, leaf, leaf_hash, created_at) values (${input.roundId}, ${n}, ${leaf}, ${leafHash}, ${at}::timestamptz))`,
    sql`nodes as (insert into ${ledgerNodes} (round_id, level, "index", hash) values ${sql.join(
      nodes.map((x) => sql`(${input.roundId}, ${x.level}, ${x.index}, ${x.hash.toString("hex")})`),
      sql`, `,
    )})`,
    sql`ballot as (insert into ${ballots} (id, round_id, envelope_id, voter_key, weight, body, nonce, commitment, channel, supersedes, current, leaf_index, cast_at) values (${ballotId}, ${input.roundId}, ${input.envelope.id}, ${key}, ${input.voter.weight}, ${JSON.stringify(body)}::jsonb, ${nonce.toString("hex")}, ${commitment}, ${input.channel}, ${previous?.id ?? null}, true, ${n}, ${at}::timestamptz))`,
  ];
  // Turnout counts people: only the voter's first ballot in the round (any envelope, withdrawn or not).
  if (!state.votedBefore) {
    parts.push(
      sql`counted as (insert into ${turnout} (round_id, day, district, voter_class, channel, voters) values (${input.roundId}, ${day}, ${input.voter.district}, ${input.voter.voterClass}, ${input.channel}, 1) on conflict (round_id, day, district, voter_class, channel) do update set voters = ${turnout}.voters + 1)`,
    );
  }
  await tx.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
  return { ballotId, leafIndex: n, leafHash, supersedes: previous?.id ?? null, weight: input.voter.weight };
}

/**
 * What a cast checks that other casts do not change, read by the statement that then takes the
 * round's ledger lock (each query is a round trip, the largest cost of a cast): the envelope's
 * accepted proposals, whether the round's secret was destroyed (its results published), and the
 * round's phases when the round is the scope's municipality's. The statement's snapshot is taken
 * before the lock, so what the append needs is read by the next statement (appendState).
 */
async function beforeLockThenLock(tx: Tx, scope: Scope, input: { roundId: string; envelopeId: string }) {
  const [row] = await queryRows<{ proposals: unknown; published: unknown; phases: unknown }>(
    tx,
    sql`select
    (select coalesce(json_agg(json_build_object('id', id, 'cost', cost)), '[]'::json)
       from ${proposals} where envelope_id = ${input.envelopeId} and status = 'accepted') as proposals,
    exists (select 1 from ${roundSecrets} where round_id = ${input.roundId} and destroyed_at is not null) as published,
    (select coalesce(json_agg(json_build_object('kind', p.kind, 'startsOn', p.starts_on, 'endsOn', p.ends_on, 'closedAt', p.closed_at)), '[]'::json)
       from ${phases} p join ${rounds} r on r.id = p.round_id
       where p.round_id = ${input.roundId} and r.municipality_id = ${scope.municipality.id}) as phases,
    pg_advisory_xact_lock(hashtext(${`ledger:${input.roundId}`})) is null as locked`,
  );
  const json = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;
  return {
    proposals: json<{ id: string; cost: number | string }[]>(row.proposals).map((p) => ({
      id: p.id,
      cost: Number(p.cost),
    })),
    published: row.published === true || row.published === "t",
    phases: json<{ kind: PhaseKind; startsOn: string; endsOn: string; closedAt: string | null }[]>(row.phases),
  };
}

/**
 * Under the round's ledger lock, in one query: the ledger's size, the right edge of its tree (the
 * last complete subtree of every level, which holds every node an append needs) and the voter's
 * current ballots in the round.
 */
async function appendState(
  tx: Tx,
  roundId: string,
  voterKeyHex: string,
  input: { voter: VoterStanding; verifiedIn: { municipalityId: string; userId: string } | null },
) {
  const verified = input.verifiedIn
    ? sql`exists (select 1 from ${verifications} where municipality_id = ${input.verifiedIn.municipalityId}
        and identity_hash = ${input.voter.identity} and revoked_at is null
        and district_id = ${input.voter.district} and voter_class = ${input.voter.voterClass}
        and user_id = ${input.verifiedIn.userId})`
    : sql`true`;
  const result = await tx.execute(sql`select
    ${verified} as verified,
    exists (select 1 from ${ballots} where round_id = ${roundId} and voter_key = ${voterKeyHex}) as voted_before,
    (select max(leaf_index) from ${ledgerLeaves} where round_id = ${roundId}) as last,
    (select coalesce(json_agg(json_build_object('id', id, 'envelopeId', envelope_id, 'channel', channel, 'body', body)), '[]'::json)
       from ${ballots} where round_id = ${roundId} and voter_key = ${voterKeyHex} and current) as mine,
    (select coalesce(json_agg(json_build_object('level', e.level, 'index', e."index", 'hash', e.hash)), '[]'::json)
       from generate_series(0, 48) as g(level)
       cross join lateral (select level, "index", hash from ${ledgerNodes} where round_id = ${roundId} and level = g.level order by "index" desc limit 1) e) as edge`);
  const row = (result as unknown as { rows: Record<string, unknown>[] }).rows[0];
  const json = <T>(value: unknown): T => (typeof value === "string" ? JSON.parse(value) : value) as T;
  const last = row.last === null || row.last === undefined ? null : Number(row.last);
  const edge = new Map<string, Buffer>();
  for (const x of json<{ level: number; index: number; hash: string }[]>(row.edge))
    edge.set(`${x.level}/${x.index}`, Buffer.from(x.hash, "hex"));
  return {
    verified: row.verified === true || row.verified === "t",
    votedBefore: row.voted_before === true || row.voted_before === "t",
    size: last === null ? 0 : last + 1,
    mine: json<{ id: string; envelopeId: string; channel: "online" | "paper"; body: BallotBody }[]>(row.mine),
    edge,
  };
}

/**
 * A round's turnout per day, district, class and channel (counts of voters, never who), for staff
 * during voting; null when the municipality has no such round.
 */
export async function turnoutOf(db: Db, scope: Scope, input: { roundSlug: string }) {
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(rounds.slug, input.roundSlug)));
  if (!round) return null;
  const rows = await db.select().from(turnout).where(eq(turnout.roundId, round.id)).orderBy(desc(turnout.day));
  return { round, rows };
}

/**
 * A revoked voter's ballots in rounds still voting are withdrawn: each current ballot stops
 * counting, and the ledger records it with a withdrawal leaf
 * `{round, seq, ballotId: null, envelope, weight: 0, supersedes: <withdrawn ballot>, commitment: null}`.
 * Runs inside the revoking transaction.
 */
export async function withdrawBallotsOf(tx: Tx, params: { municipalityId: string; identityHash: string; at: Date }) {
  const [municipality] = await tx.select().from(municipalities).where(eq(municipalities.id, params.municipalityId));
  if (!municipality) return { withdrawn: 0 };
  const roundRows = await tx.select().from(rounds).where(eq(rounds.municipalityId, params.municipalityId));
  const today = dayIn(municipality.timeZone, params.at);
  let withdrawn = 0;
  for (const round of roundRows) {
    const phaseRows = await tx.select().from(phases).where(eq(phases.roundId, round.id));
    if (currentPhase(phaseRows, today)?.kind !== "voting") continue;
    // No secret yet: nobody has voted in the round.
    const secret = readKey(roundSecretName(round.id));
    if (!secret) continue;
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`ledger:${round.id}`}))`);
    const key = voterKey(secret, params.identityHash);
    const current = await tx
      .select({ ballot: ballots, envelopeSlug: envelopeTable.slug })
      .from(ballots)
      .innerJoin(envelopeTable, eq(envelopeTable.id, ballots.envelopeId))
      .where(and(eq(ballots.roundId, round.id), eq(ballots.voterKey, key), eq(ballots.current, true)));
    for (const { ballot, envelopeSlug } of current) {
      await tx.update(ballots).set({ current: false }).where(eq(ballots.id, ballot.id));
      const [{ n }] = await tx.select({ n: count() }).from(ledgerLeaves).where(eq(ledgerLeaves.roundId, round.id));
      const leaf = canonicalJson({
        round: round.slug,
        seq: n,
        ballotId: null,
        envelope: envelopeSlug,
        weight: 0,
        supersedes: ballot.id,
        commitment: null,
      });
      const leafHash = leafHashOf(leaf);
      await tx.insert(ledgerLeaves).values({
        roundId: round.id,
        leafIndex: n,
        leaf,
        leafHash,
        createdAt: hourOf(params.at, municipality.timeZone),
      });
      await storeCompletedNodes(tx, { roundId: round.id, index: n, leafHash: Buffer.from(leafHash, "hex") });
      withdrawn++;
    }
  }
  return { withdrawn };
}

/** One of the acting voter's current ballots, as only that voter's own session can find it (ADR 0027). */
export interface MyBallot {
  ballotId: string;
  envelopeId: string;
  body: BallotBody;
  channel: "online" | "paper";
  /** Kept to the hour (ADR 0016). */
  castAt: Date;
}

/**
 * The voter's current ballots in a round of the scope's municipality, found the way a revote finds
 * the ballot it supersedes: by the voter key computed from the voter's own verified identity with the
 * round's secret from the key store. Nobody else's session holds that identity, and once the round's
 * secret is destroyed (publication) nothing links a ballot to its voter any more: the list is empty
 * (ADR 0027).
 */
export async function myCurrentBallots(
  db: Db,
  scope: Scope,
  input: { roundId: string; voter: Pick<VoterStanding, "identity"> },
): Promise<MyBallot[]> {
  const secret = readKey(roundSecretName(input.roundId));
  if (!secret) return [];
  const key = voterKey(secret, input.voter.identity);
  const rows = await db
    .select({
      ballotId: ballots.id,
      envelopeId: ballots.envelopeId,
      body: ballots.body,
      channel: ballots.channel,
      castAt: ballots.castAt,
    })
    .from(ballots)
    .innerJoin(rounds, eq(rounds.id, ballots.roundId))
    .where(
      and(
        eq(ballots.roundId, input.roundId),
        eq(ballots.voterKey, key),
        eq(ballots.current, true),
        eq(rounds.municipalityId, scope.municipality.id),
      ),
    );
  return rows.map((r) => ({
    ...r,
    body: r.body as BallotBody,
    channel: r.channel as "online" | "paper",
  }));
}
