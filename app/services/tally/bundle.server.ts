/**
 * The published bundle of a round, from the database: the ledger leaves opened with their ballots,
 * the signed checkpoints, the recorded tallies. Only for published rounds (the voter-key secret is
 * destroyed then, and the voter tags cannot be tied to anyone). Built once per round and kept.
 */
import { createHash } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  ballots,
  censusImports,
  censusRecords,
  districts,
  envelopes,
  ledgerLeaves,
  phases,
  roundVoterClasses,
  roundWitnessPolicies,
} from "../../../db/schema";
import { type BundleFile, type BundleLeaf, type RecordedTally, buildBundle, leafDay } from "../../domain/bundle/build";
import {
  BUNDLE_FORMAT,
  type EnvelopeDoc,
  type Leaf,
  type LedgerDoc,
  type RoundDoc,
  bundleFingerprint,
  envelopeRules,
  rulesFingerprint,
} from "../../domain/bundle/format";
import type { RuleName } from "../../domain/tally";
import { type EligibilityRules, roundVerdict } from "../../domain/verification/eligibility";
import { builtOnce } from "../built-once.server";
import { privateKeyOf, publicCheckpoints, signingKey } from "../ballots/checkpoints.server";
import type { Municipality } from "../tenancy/municipality.server";
import { isPublished } from "./publish.server";
import { findRound } from "../rounds/rounds-admin.server";
import { latestTallies } from "./tally.server";
import { ON_BALLOT, proposalsOnBallot, roundRulesOf } from "../rounds/round-rules.server";
import { themesOf } from "../rounds/themes.server";
import { type Scope, observer, scopeOf } from "../scope";
import { roundRules } from "../verification/eligibility.server";
import { dayIn } from "../../domain/rounds/phases";

export { ON_BALLOT };

export interface RoundBundle {
  files: BundleFile[];
  fingerprint: string;
  round: RoundDoc;
}

const bundles = builtOnce<RoundBundle>();

/** A per-envelope voter tag: links one voter's revotes in one envelope, nothing else. */
function voterTag(voterKey: string, envelope: string): string {
  return createHash("sha256").update(voterKey).update("\n").update(envelope).digest("hex").slice(0, 32);
}

/**
 * Census entries eligible for the round, when the census in force was loaded by the first day of
 * voting; null otherwise (a census loaded later says nothing about who could vote then).
 */
async function eligibleInCensus(
  db: Db,
  municipality: Municipality,
  rules: EligibilityRules,
  votingStart: string | null,
): Promise<number | null> {
  const [active] = await db
    .select({ id: censusImports.id, finishedAt: censusImports.finishedAt, startedAt: censusImports.startedAt })
    .from(censusImports)
    .where(and(eq(censusImports.municipalityId, municipality.id), eq(censusImports.status, "active")));
  if (!active || !votingStart) return null;
  if (dayIn(municipality.timeZone, active.finishedAt ?? active.startedAt) > votingStart) return null;
  const rows = await db
    .select({
      birthDate: censusRecords.birthDate,
      districtId: censusRecords.districtId,
      voterClass: censusRecords.voterClass,
    })
    .from(censusRecords)
    .where(eq(censusRecords.importId, active.id));
  return rows.filter((r) => roundVerdict(r, rules).eligible).length;
}

/** The bundle of a published round, or null when the round does not exist or is not published. */
export async function roundBundle(db: Db, scope: Scope, input: { roundSlug: string }): Promise<RoundBundle | null> {
  // Public data: the round is found as an observer would find it, whoever asks.
  const round = await findRound(db, scopeOf(scope.municipality, observer), { slug: input.roundSlug });
  if (!round || !(await isPublished(db, round.id))) return null;
  // One build per round and process, even when a crowd asks at once.
  return bundles(round.id, () => buildRoundBundle(db, scope, round));
}

async function buildRoundBundle(
  db: Db,
  scope: Scope,
  round: NonNullable<Awaited<ReturnType<typeof findRound>>>,
): Promise<RoundBundle> {
  const { municipality } = scope;
  const [envelopeRows, districtRows, phaseRows, classRows, results] = await Promise.all([
    db
      .select()
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
    db.select().from(districts).where(eq(districts.municipalityId, municipality.id)),
    db.select().from(phases).where(eq(phases.roundId, round.id)).orderBy(asc(phases.startsOn)),
    db
      .select()
      .from(roundVoterClasses)
      .where(eq(roundVoterClasses.roundId, round.id))
      .orderBy(asc(roundVoterClasses.position), asc(roundVoterClasses.code)),
    latestTallies(db, round.id),
  ]);
  const districtCode = new Map(districtRows.map((d) => [d.id, d.code]));
  const envelopeDocs: EnvelopeDoc[] = envelopeRows.map((e) => {
    const tally = results.find((r) => r.envelope.id === e.id)?.tally;
    return {
      slug: e.slug,
      name: e.name,
      amount: e.amount,
      district: e.districtId ? (districtCode.get(e.districtId) ?? null) : null,
      ...envelopeRules(e),
      rule: (tally?.rule ?? "greedy") as RuleName,
      ruleVersion: tally?.ruleVersion ?? "",
      tieBreak: "cost-votes-seed",
      seed: tally?.seed ?? "",
      // How the ballot page ordered the proposals (ADR 0027); not part of the rules fingerprint.
      ballotOrder: e.ballotOrder,
    };
  });
  const envelopeSlug = new Map(envelopeRows.map((e) => [e.id, e.slug]));
  const [proposalRows, themeRows] = await Promise.all([
    proposalsOnBallot(db, envelopeRows),
    themesOf(db, { roundId: round.id }),
  ]);
  const themeById = new Map(themeRows.map((th) => [th.id, { slug: th.slug, name: th.name }]));
  const order = new Map(envelopeRows.map((e, i) => [e.id, i]));
  proposalRows.sort((a, b) => (order.get(a.envelopeId) ?? 0) - (order.get(b.envelopeId) ?? 0));

  const leafRows = await db
    .select()
    .from(ledgerLeaves)
    .where(eq(ledgerLeaves.roundId, round.id))
    .orderBy(asc(ledgerLeaves.leafIndex));
  const ballotRows = await db.select().from(ballots).where(eq(ballots.roundId, round.id));
  const ballotById = new Map(ballotRows.map((b) => [b.id, b]));
  const signedRules = await roundRulesOf(db, round.id);
  const votingStart = signedRules.votingWindow?.startsOn ?? "";
  const leaves: BundleLeaf[] = leafRows.map((row) => {
    const leaf = JSON.parse(row.leaf) as Leaf;
    const ballot = leaf.ballotId ? ballotById.get(leaf.ballotId) : undefined;
    return {
      day: leafDay(row.createdAt, municipality.timeZone, votingStart),
      leaf,
      opening: ballot
        ? { body: ballot.body, nonce: ballot.nonce, voter: voterTag(ballot.voterKey, leaf.envelope) }
        : null,
      channel: ballot?.channel ?? null,
    };
  });

  const rules = await roundRules(db, scopeOf(municipality, observer), { round });
  const eligible = await eligibleInCensus(
    db,
    municipality,
    {
      districtIds: rules.districtIds,
      minAge: rules.minAge,
      classes: rules.classes.map((c) => ({ code: c.code, weight: c.weight })),
      ageDay: rules.ageDay,
    },
    rules.votingStartsOn,
  );
  const recorded = new Map<string, RecordedTally>();
  for (const r of results) {
    if (!r.tally) continue;
    const result = r.tally.result as { totalCost: number; trace: unknown[] };
    recorded.set(r.envelope.slug, { selected: r.tally.selected, totalCost: result.totalCost, trace: result.trace });
  }
  // The witnesses and quorum recorded at publication (ADR 0022); none for rounds published before.
  const published = await publicCheckpoints(db, scope, { roundId: round.id });
  const [policy] = await db.select().from(roundWitnessPolicies).where(eq(roundWitnessPolicies.roundId, round.id));
  const ledger: LedgerDoc = {
    ...published,
    witnesses: policy?.witnesses ?? [],
    quorum: policy?.quorum ?? 0,
  };
  const key = await signingKey(db, municipality.id);
  const roundDoc: BundleParts["round"] = {
    format: BUNDLE_FORMAT,
    municipality: {
      slug: municipality.slug,
      name: municipality.name,
      currency: municipality.currency,
      timeZone: municipality.timeZone,
    },
    round: {
      slug: round.slug,
      kind: round.kind,
      title: round.title,
      phases: phaseRows.map((p) => ({ kind: p.kind, startsOn: p.startsOn, endsOn: p.endsOn })),
    },
    rulesFingerprint: rulesFingerprint(signedRules),
    votingWindow: signedRules.votingWindow ?? undefined,
    eligibility: signedRules.eligibility,
    envelopes: envelopeDocs,
    proposals: proposalRows.map((p) => ({
      id: p.id,
      envelope: envelopeSlug.get(p.envelopeId) ?? "",
      title: p.title,
      cost: p.cost,
      ...(p.themeId && themeById.has(p.themeId) ? { theme: themeById.get(p.themeId) } : {}),
    })),
    voterClasses: classRows.map((c) => ({ code: c.code, name: c.name, weight: c.weight })),
    counts: { eligible },
  };
  const files = buildBundle({
    round: roundDoc,
    leaves,
    ledger,
    recorded,
    privateKeyPem: privateKeyOf(key),
  });
  const roundFile = files.find((f) => f.name === "round.json");
  const parsed = JSON.parse(roundFile?.bytes.toString("utf8") ?? "{}") as RoundDoc;
  const bundle = { files, fingerprint: bundleFingerprint(parsed), round: parsed };
  return bundle;
}

type BundleParts = Parameters<typeof buildBundle>[0];
