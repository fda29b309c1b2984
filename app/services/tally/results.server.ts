/**
 * A round's results page as data: the published outcome, the bundle's files and, per envelope, the
 * greedy and equal-shares outcomes recounted from the published .pb files (ADR 0008).
 */
import type { Db } from "../../../db/client";
import { parsePb } from "../../domain/pbfile";
import { compareRules } from "../../domain/tally/compare";
import { explainOutcome } from "../../domain/tally/explain";
import { builtOnce } from "../built-once.server";
import { findRound } from "../rounds/rounds-admin.server";
import type { Scope } from "../scope";
import { type RoundBundle, roundBundle } from "./bundle.server";
import { isPublished, publishedResults } from "./publish.server";

export type RuleComparison = ReturnType<typeof compareRules>;

/** Greedy and equal shares side by side for each envelope, recounted from the bundle's .pb files. */
export function ruleComparisons(bundle: RoundBundle): Record<string, RuleComparison> {
  const comparisons: Record<string, RuleComparison> = {};
  for (const e of bundle.round.envelopes) {
    const file = bundle.files.find((f) => f.name === `${e.slug}.pb`);
    if (file) comparisons[e.slug] = compareRules(parsePb(file.bytes.toString("utf8")), e.seed);
  }
  return comparisons;
}

type Round = NonNullable<Awaited<ReturnType<typeof findRound>>>;

async function resultsPayload(db: Db, scope: Scope, round: Round, published: boolean) {
  const { municipality } = scope;
  const results = published ? await publishedResults(db, scope, { roundId: round.id }) : null;
  const bundle = published ? await roundBundle(db, scope, { roundSlug: round.slug }) : null;
  return {
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: round.slug, title: round.title },
    comparisons: bundle ? ruleComparisons(bundle) : {},
    bundle: bundle
      ? {
          fingerprint: bundle.fingerprint,
          rulesFingerprint: bundle.round.rulesFingerprint,
          files: bundle.files.map((f) => ({ name: f.name, bytes: f.bytes.length })),
        }
      : null,
    results: results
      ? {
          ...results,
          // Each proposal with the reason it was or was not funded, read from the trace here, so the
          // page carries a few words per proposal instead of the whole trace (ADR 0031).
          envelopes: results.envelopes.map(({ trace, ...e }) => {
            const reasons = explainOutcome({
              rule: e.envelope.rule ?? "mes+greedy",
              budget: e.envelope.amount,
              trace,
              proposals: e.proposals.map((p) => ({ id: p.id, cost: p.cost, supporters: p.count })),
            });
            return { ...e, proposals: e.proposals.map((p) => ({ ...p, reason: reasons.get(p.id) ?? null })) };
          }),
          turnout: results.turnout.map((t) => ({
            day: t.day,
            district: t.district,
            channel: t.channel,
            voters: t.voters,
          })),
        }
      : null,
  };
}

export type ResultsPage = Awaited<ReturnType<typeof resultsPayload>>;

/**
 * A published round never changes (ADR 0008): its results are built once per round and served from
 * memory after that — observers arrive in crowds on the evening results come out.
 */
const publishedPayloads = builtOnce<ResultsPage>();

/** The results page of a round (null when the municipality has no such round); `published` once final. */
export async function resultsOf(
  db: Db,
  scope: Scope,
  input: { roundSlug: string },
): Promise<{ published: boolean; page: ResultsPage } | null> {
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) return null;
  if (!(await isPublished(db, round.id)))
    return { published: false, page: await resultsPayload(db, scope, round, false) };
  return { published: true, page: await publishedPayloads(round.id, () => resultsPayload(db, scope, round, true)) };
}
