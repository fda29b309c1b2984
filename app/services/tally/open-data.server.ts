/**
 * Open data of a municipality: every round with its phase and, once published, the addresses of its
 * bundle and results. Field names are stable (the JSON API is documented in the README).
 */
import type { Db } from "../../../db/client";
import { roundBundle } from "./bundle.server";
import type { Scope } from "../scope";
import { isPublished, publishedResults } from "./publish.server";
import { findRound } from "../rounds/rounds-admin.server";
import { roundsOf } from "../rounds/rounds.server";
import { observer, scopeOf } from "../scope";

export async function openDataIndex(db: Db, scope: Scope, input: { origin: string }) {
  const { municipality } = scope;
  const base = `${input.origin}/m/${municipality.slug}`;
  const out = [];
  for (const round of await roundsOf(db, scopeOf(municipality, observer))) {
    const bundle = (await isPublished(db, round.id)) ? await roundBundle(db, scope, { roundSlug: round.slug }) : null;
    out.push({
      slug: round.slug,
      title: round.title,
      kind: round.kind,
      phase: round.currentPhase,
      phases: round.phases.map((p) => ({ kind: p.kind, startsOn: p.startsOn, endsOn: p.endsOn })),
      published: Boolean(bundle),
      fingerprint: bundle?.fingerprint ?? null,
      links: {
        page: `${base}/rounds/${round.slug}`,
        results: bundle ? `${base}/api/rounds/${round.slug}/results` : null,
        bundle: bundle ? `${base}/rounds/${round.slug}/bundle.zip` : null,
        files: bundle
          ? Object.fromEntries(bundle.files.map((f) => [f.name, `${base}/rounds/${round.slug}/bundle/${f.name}`]))
          : {},
        checkpoints: `${base}/rounds/${round.slug}/checkpoints.json`,
      },
    });
  }
  return {
    municipality: { slug: municipality.slug, name: municipality.name, currency: municipality.currency },
    rounds: out,
  };
}

/** The results of a published round as data (null before publication). */
export async function roundResultsData(db: Db, scope: Scope, input: { roundSlug: string }) {
  const { municipality } = scope;
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round || !(await isPublished(db, round.id))) return null;
  const [results, bundle] = await Promise.all([
    publishedResults(db, scope, { roundId: round.id }),
    roundBundle(db, scope, { roundSlug: input.roundSlug }),
  ]);
  return {
    round: { slug: round.slug, title: round.title },
    currency: municipality.currency,
    fingerprint: bundle?.fingerprint ?? null,
    ledger: { size: results.ledgerSize, finalRoot: results.finalCheckpoint?.rootHash ?? null },
    envelopes: results.envelopes.map((e) => ({
      slug: e.envelope.slug,
      name: e.envelope.name,
      amount: e.envelope.amount,
      rule: e.envelope.rule,
      seed: e.envelope.seed,
      used: e.used,
      ballots: e.ballots,
      selected: e.proposals.filter((p) => p.selected).map((p) => p.id),
      proposals: e.proposals.map((p) => ({
        id: p.id,
        title: p.title,
        cost: p.cost,
        weightedSupport: p.weighted,
        ballots: p.count,
        selected: p.selected,
      })),
    })),
    turnout: results.turnout.map((t) => ({
      day: t.day,
      district: t.district,
      voterClass: t.voterClass,
      channel: t.channel,
      voters: t.voters,
    })),
  };
}
