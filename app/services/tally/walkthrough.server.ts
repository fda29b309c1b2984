/**
 * The Equal Shares walkthrough of a published round (ADR 0032): for each envelope counted by equal
 * shares, the count replayed on the bundle's own .pb file in the order of the bundle's tally.json, so
 * the page shows exactly the published outcome. Public data, built once per round like the bundle.
 */
import type { Db } from "../../../db/client";
import { FILES, type TallyDoc, pbName } from "../../domain/bundle/format";
import { parsePb } from "../../domain/pbfile";
import type { StoredStep } from "../../domain/tally/explain";
import { type Walkthrough, walkthrough } from "../../domain/tally/walkthrough";
import { builtOnce } from "../built-once.server";
import type { Scope } from "../scope";
import { roundBundle } from "./bundle.server";

type LocalText = { en?: string; fa?: string };

export interface EnvelopeWalkthrough {
  slug: string;
  name: LocalText;
  rule: string;
  walk: Walkthrough;
}

export interface WalkthroughPage {
  slug: string;
  currency: string;
  round: { slug: string; title: LocalText };
  titles: Record<string, LocalText>;
  /** Voter classes by weight, to name who holds how many shares. */
  classes: { weight: number; name: LocalText }[];
  envelopes: EnvelopeWalkthrough[];
}

const pages = builtOnce<WalkthroughPage>();

/** Whether a recorded rule counts by equal shares (alone or completed by greedy). */
export function isEqualShares(rule: string): boolean {
  return rule.startsWith("mes");
}

/** The walkthrough of a published round; null when the round is not published (or does not exist). */
export async function equalSharesWalkthrough(
  db: Db,
  scope: Scope,
  input: { roundSlug: string },
): Promise<WalkthroughPage | null> {
  const bundle = await roundBundle(db, scope, { roundSlug: input.roundSlug });
  if (!bundle) return null;
  return pages(bundle.fingerprint, async () => {
    const text = (name: string) => bundle.files.find((f) => f.name === name)?.bytes.toString("utf8");
    const tallyDoc = JSON.parse(text(FILES.tally) ?? '{"envelopes":[]}') as TallyDoc;
    const envelopes: EnvelopeWalkthrough[] = [];
    for (const recorded of tallyDoc.envelopes) {
      if (!isEqualShares(recorded.rule)) continue;
      const pb = text(pbName(recorded.envelope));
      const envelope = bundle.round.envelopes.find((e) => e.slug === recorded.envelope);
      if (!pb || !envelope) continue;
      envelopes.push({
        slug: envelope.slug,
        name: envelope.name,
        rule: recorded.rule,
        walk: walkthrough({
          election: parsePb(pb),
          rule: recorded.rule,
          seed: recorded.seed,
          trace: recorded.trace as StoredStep[],
        }),
      });
    }
    return {
      slug: bundle.round.municipality.slug,
      currency: bundle.round.municipality.currency,
      round: { slug: bundle.round.round.slug, title: bundle.round.round.title },
      titles: Object.fromEntries(bundle.round.proposals.map((p) => [p.id, p.title])),
      classes: bundle.round.voterClasses.map((c) => ({ weight: c.weight, name: c.name })),
      envelopes,
    };
  });
}
