/**
 * The Equal Shares walkthrough in sentences, in the request's language (ADR 0032). Written on the
 * server so that resident pages do not download these strings (app/tooling/resident-keys.ts).
 */
import { type Locale, formatMoney, formatNumber, intlLocale, pickText, translator } from "../domain/i18n";
import type { WalkthroughPage } from "../services/tally/walkthrough.server";

export interface EnvelopeWords {
  shares: string;
  weights: string[];
  steps: string[];
  /** Proposal id → why it was not funded. */
  unfunded: { id: string; text: string }[];
  greedy: string;
}

function list(locale: Locale, items: string[]): string {
  return new Intl.ListFormat(intlLocale(locale), { type: "conjunction" }).format(items);
}

export function walkthroughWords(page: WalkthroughPage, locale: Locale): Record<string, EnvelopeWords> {
  const t = translator(locale);
  const money = (n: number) => formatMoney(locale, n, page.currency);
  const name = (id: string) => pickText(page.titles[id], locale) || id;
  const out: Record<string, EnvelopeWords> = {};
  for (const e of page.envelopes) {
    const w = e.walk;
    const cost = new Map<string, number>();
    for (const s of w.steps) cost.set(s.project, s.cost);
    for (const u of w.unfunded) cost.set(u.project, u.cost);
    const steps = w.steps.map((s, i) => {
      const base = { step: s.step, project: name(s.project), cost: money(s.cost) };
      if (s.phase === "zero-cost") return t("es.words.stepFree", base);
      if (s.phase === "greedy")
        return t("es.words.stepBudget", { ...base, left: money(i === 0 ? w.budget : w.steps[i - 1].leftInBudget) });
      if (s.price === null) return t("es.words.stepPoints", { ...base, payers: s.payers });
      return t("es.words.stepShares", { ...base, price: money(s.price), payers: s.payers });
    });
    const unfunded = w.unfunded.map((u) => {
      const base = { project: name(u.project), cost: money(u.cost) };
      const parts: string[] = [];
      if (u.supporters === 0) parts.push(t("es.words.noSupport", base));
      else if (u.spentOn.length)
        parts.push(
          t("es.words.short", {
            ...base,
            needed: money(u.needed),
            left: money(u.supportersLeft),
            spentOn: list(
              locale,
              u.spentOn.map((s) => t("es.words.spent", { project: name(s.project), amount: money(s.amount) })),
            ),
          }),
        );
      else parts.push(t("es.words.shortUnspent", { ...base, needed: money(u.needed), left: money(u.supportersLeft) }));
      if (u.leftAtTurn !== null) parts.push(t("es.words.completionLeft", { left: money(u.leftAtTurn) }));
      parts.push(t(u.greedyFunds ? "es.words.greedyWould" : "es.words.greedyWouldNot"));
      return { id: u.project, text: parts.join(" ") };
    });
    const fundedHere = new Set(w.steps.map((s) => s.project));
    const same = w.greedy.length === fundedHere.size && w.greedy.every((id) => fundedHere.has(id));
    out[e.slug] = {
      shares: t("es.words.shares", {
        budget: money(w.budget),
        voters: formatNumber(locale, w.voters),
        share: money(w.share),
      }),
      weights: w.weights.map((x) =>
        t("es.words.weight", { weight: x.weight, count: x.ballots, held: money(x.weight * w.share) }),
      ),
      steps,
      unfunded,
      greedy: same ? t("es.words.greedySame") : t("es.words.greedySummary", { list: list(locale, w.greedy.map(name)) }),
    };
  }
  return out;
}
