/**
 * Publishing a round's results: only on a current tally (no ballot after it), it signs the final
 * checkpoint, has the municipality's witnesses cosign it (refused while fewer than the quorum do:
 * ADR 0022) and records which witnesses the bundle trusts, destroys the per-round voter-key secret (so no ballot can be linked to a person any
 * more), marks the selected proposals funded and opens the results to everyone. One transaction.
 */
import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import fs from "node:fs";
import { destroyKey, keyStoreDir, roundSecretName } from "../../../db/keystore";
import {
  ballots,
  baskets,
  envelopes,
  ledgerLeaves,
  phases,
  proposals,
  roundSecrets,
  roundWitnessPolicies,
  rounds,
  turnout,
} from "../../../db/schema";
import { startPhaseNow } from "../../domain/rounds/rules";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { phaseChangeKey, queueWebhookEvent } from "../webhooks/webhooks.server";
import type { Scope } from "../scope";
import { maybeCheckpoint, publicCheckpoints } from "../ballots/checkpoints.server";
import { RefusedError } from "../errors.server";
import { latestTallies } from "./tally.server";
import { notifyProposalEvent } from "../following/followers.server";
import { sendCheckpoint } from "../witnesses/send.server";
import type { TallyRefusal } from "./tally.server";
import { cosignersOf, witnessSettingsOf } from "../witnesses/witnesses.server";

/**
 * Sends the final checkpoint to the active witnesses now (not through the queue: publication waits
 * for it) and checks that at least the quorum cosigned it. Returns the policy to record.
 */
async function witnessFinalCheckpoint(
  db: Db,
  params: { roundId: string; municipalityId: string; treeSize: number; now: Date },
) {
  const settings = await witnessSettingsOf(db, params.municipalityId);
  const active = settings.witnesses.filter((w) => w.active);
  if (active.length)
    await sendCheckpoint(() => params.now)(db, {
      id: "publish",
      kind: "checkpoint.witness",
      payload: { roundId: params.roundId, treeSize: params.treeSize },
      attempts: 1,
    });
  const cosigned = new Set(
    (await cosignersOf(db, { roundId: params.roundId, treeSize: params.treeSize })).map((c) => c.name),
  );
  const have = active.filter((w) => cosigned.has(w.name)).length;
  if (have < settings.quorum)
    throw new RefusedError<TallyRefusal>("witness_quorum_missing", null, { have, quorum: settings.quorum }, 409);
  return { witnesses: active.map((w) => ({ name: w.name, vkey: w.vkey })), quorum: settings.quorum };
}

export async function isPublished(db: Db, roundId: string): Promise<boolean> {
  const [row] = await db.select().from(roundSecrets).where(eq(roundSecrets.roundId, roundId));
  return Boolean(row?.destroyedAt);
}

/**
 * Destroys any voter-key secret of a published round still in the key store (a host that stopped
 * between publishing and destroying). Run when the server starts. Returns how many it destroyed.
 */
export async function destroyPublishedSecrets(db: Db): Promise<number> {
  const dir = keyStoreDir();
  if (!fs.existsSync(dir)) return 0;
  const ids = fs
    .readdirSync(dir)
    .map((f) => /^round-(.+)\.voter-key-secret$/.exec(f)?.[1])
    .filter((id): id is string => Boolean(id));
  if (!ids.length) return 0;
  const published = await db
    .select({ roundId: roundSecrets.roundId, destroyedAt: roundSecrets.destroyedAt })
    .from(roundSecrets)
    .where(inArray(roundSecrets.roundId, ids));
  let destroyed = 0;
  for (const r of published) if (r.destroyedAt && destroyKey(roundSecretName(r.roundId))) destroyed++;
  return destroyed;
}

export async function publishRound(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const { roundSlug } = input;
  const now = input.now ?? new Date();
  const { municipality } = scope;
  const [round] = await db
    .select()
    .from(rounds)
    .where(and(eq(rounds.municipalityId, municipality.id), eq(rounds.slug, roundSlug)));
  if (!round) throw new RefusedError("round_not_found", null, {}, 404);
  if (await isPublished(db, round.id)) throw new RefusedError("already_published", null, {}, 409);
  const phaseRows = await db.select().from(phases).where(eq(phases.roundId, round.id));
  const today = dayIn(municipality.timeZone, now);
  if (currentPhase(phaseRows, today)?.kind !== "tallying") throw new RefusedError("not_tallying", null, {}, 409);
  const results = await latestTallies(db, round.id);
  if (results.some((r) => !r.tally)) throw new RefusedError("no_tally", null, {}, 409);
  if (results.some((r) => r.stale)) throw new RefusedError("tally_stale", null, {}, 409);
  const finalCheckpoint = await maybeCheckpoint(db, {
    roundId: round.id,
    municipalityId: municipality.id,
    now,
    force: true,
  });
  const policy = finalCheckpoint?.note
    ? await witnessFinalCheckpoint(db, {
        roundId: round.id,
        municipalityId: municipality.id,
        treeSize: finalCheckpoint.treeSize,
        now,
      })
    : { witnesses: [], quorum: 0 };
  const winners = results.flatMap((r) => r.tally?.selected ?? []);
  // Publication moves the round to its published phase at once, even on tallying's first day (ADR 0028).
  const advanced = startPhaseNow(phaseRows, "published", today);
  await db.transaction(async (tx) => {
    await tx
      .insert(roundSecrets)
      .values({ roundId: round.id, destroyedAt: now })
      .onConflictDoUpdate({ target: roundSecrets.roundId, set: { destroyedAt: now } });
    await tx
      .insert(roundWitnessPolicies)
      .values({ roundId: round.id, ...policy, recordedAt: now })
      .onConflictDoNothing();
    // Draft baskets are of no use any more (and unreadable once the secret is destroyed).
    await tx
      .delete(baskets)
      .where(
        inArray(
          baskets.envelopeId,
          tx.select({ id: envelopes.id }).from(envelopes).where(eq(envelopes.roundId, round.id)),
        ),
      );
    // Nothing finer than the day (of the municipality's time zone) stays next to a ballot (ADR 0016).
    const tz = municipality.timeZone;
    await tx
      .update(ballots)
      .set({ castAt: sql`date_trunc('day', ${ballots.castAt} at time zone ${tz}) at time zone ${tz}` })
      .where(eq(ballots.roundId, round.id));
    await tx
      .update(ledgerLeaves)
      .set({ createdAt: sql`date_trunc('day', ${ledgerLeaves.createdAt} at time zone ${tz}) at time zone ${tz}` })
      .where(eq(ledgerLeaves.roundId, round.id));
    if (winners.length)
      await tx.update(proposals).set({ status: "funded", updatedAt: now }).where(inArray(proposals.id, winners));
    // Authors and followers of funded proposals are told with the publication (ADR 0033).
    await notifyProposalEvent(tx, { proposalIds: winners, event: "proposal.funded", occurrence: "publish", now });
    // Other systems hear of it in the same transaction (ADR 0040): public ids and statuses only.
    const data = { round: round.slug };
    await queueWebhookEvent(tx, {
      municipality,
      event: "round.results_published",
      key: round.id,
      data: { ...data, funded: winners, results: `/m/${municipality.slug}/api/rounds/${round.slug}/results` },
      now,
    });
    if (advanced.ok)
      await queueWebhookEvent(tx, {
        municipality,
        event: "round.phase_changed",
        key: phaseChangeKey(round.slug, "published", dayIn(municipality.timeZone, now)),
        data: { ...data, from: advanced.from, to: "published", at: now.toISOString() },
        now,
      });
    for (const proposal of winners)
      await queueWebhookEvent(tx, {
        municipality,
        event: "proposal.status_changed",
        key: `${proposal}:funded`,
        data: { ...data, proposal, from: "accepted", to: "funded" },
        now,
      });
    if (advanced.ok) {
      for (const p of advanced.phases) {
        await tx
          .update(phases)
          .set({
            startsOn: p.startsOn,
            endsOn: p.endsOn,
            ...(advanced.closed.includes(p.kind) ? { closedAt: now } : {}),
          })
          .where(and(eq(phases.roundId, round.id), eq(phases.kind, p.kind)));
      }
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "round.publish",
      target: `round:${round.slug}`,
      roundId: round.id,
      after: {
        funded: winners,
        finalCheckpoint: finalCheckpoint
          ? { treeSize: finalCheckpoint.treeSize, rootHash: finalCheckpoint.rootHash }
          : null,
        voterKeySecret: "destroyed",
        witnesses: policy.witnesses.map((w) => w.name),
        quorum: policy.quorum,
      },
      at: now,
    });
  });
  // The secret lives only in the key store: destroyed once publication is committed.
  destroyKey(roundSecretName(round.id));
  return { funded: winners, treeSize: finalCheckpoint?.treeSize ?? 0 };
}

/** Everything the public results page shows, once the round is published. */
export async function publishedResults(db: Db, scope: Scope, input: { roundId: string }) {
  const round = { id: input.roundId };
  const results = await latestTallies(db, round.id);
  const out = [];
  for (const { envelope, tally, proposals: proposalRows } of results) {
    const ballotRows = await db
      .select({ body: ballots.body, weight: ballots.weight })
      .from(ballots)
      .where(and(eq(ballots.envelopeId, envelope.id), eq(ballots.current, true)));
    const support = new Map<string, { weighted: number; count: number }>();
    for (const b of ballotRows) {
      const ids = "approved" in b.body ? b.body.approved : Object.keys(b.body.points);
      for (const id of ids) {
        const s = support.get(id) ?? { weighted: 0, count: 0 };
        s.weighted += b.weight;
        s.count += 1;
        support.set(id, s);
      }
    }
    const selected = new Set(tally?.selected ?? []);
    out.push({
      envelope: {
        slug: envelope.slug,
        name: envelope.name,
        amount: envelope.amount,
        rule: tally?.rule ?? null,
        seed: tally?.seed ?? null,
      },
      used: proposalRows.filter((p) => selected.has(p.id)).reduce((s, p) => s + p.cost, 0),
      ballots: ballotRows.length,
      trace: (tally?.result.trace ?? []) as {
        step: number;
        project: string;
        cost: number;
        support: number;
        rho?: number;
        payers?: number;
        phase: string;
        skipped?: string[];
      }[],
      proposals: proposalRows
        .filter((p) => p.status !== "withdrawn" && p.status !== "rejected" && p.status !== "submitted")
        .map((p) => ({
          id: p.id,
          title: p.title,
          cost: p.cost,
          selected: selected.has(p.id),
          weighted: support.get(p.id)?.weighted ?? 0,
          count: support.get(p.id)?.count ?? 0,
        }))
        .sort((a, b) => b.weighted - a.weighted),
    });
  }
  const turnoutRows = await db.select().from(turnout).where(eq(turnout.roundId, round.id)).orderBy(asc(turnout.day));
  const [{ n: ledgerSize }] = await db
    .select({ n: count() })
    .from(ledgerLeaves)
    .where(eq(ledgerLeaves.roundId, round.id));
  const checkpointsData = await publicCheckpoints(db, scope, { roundId: round.id });
  const finalCheckpoint = checkpointsData.checkpoints.at(-1) ?? null;
  // Which witnesses cosigned the final checkpoint (ADR 0022), for the results page.
  const [policy] = await db.select().from(roundWitnessPolicies).where(eq(roundWitnessPolicies.roundId, round.id));
  const cosigners = finalCheckpoint
    ? (await cosignersOf(db, { roundId: round.id, treeSize: finalCheckpoint.treeSize })).map((c) => ({
        name: c.name,
        at: c.at.toISOString(),
      }))
    : [];
  return {
    envelopes: out,
    turnout: turnoutRows,
    ledgerSize,
    finalCheckpoint,
    witnesses: { quorum: policy?.quorum ?? 0, cosigners },
  };
}
