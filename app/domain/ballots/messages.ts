import type { MessageKey, Translator } from "../i18n";
import type { BallotViolation } from "./rules";
import type { BallotHint } from "./types";

/** A broken ballot rule in the reader's words, naming the numbers ("total 1,250,000 exceeds 1,000,000"). */
export function violationText(t: Translator, v: BallotViolation, money: (n: number) => string): string {
  const p: Record<string, string | number> = {};
  for (const [k, val] of Object.entries(v)) if (k !== "code" && typeof val === "number") p[k] = val;
  if (v.code === "over_budget") return t("vote.error.over_budget", { total: money(v.total), amount: money(v.amount) });
  if (v.code === "under_min_spend")
    return t("vote.error.under_min_spend", { total: money(v.total), minimum: money(v.minimum) });
  return t(VIOLATION_MESSAGES[v.code], p);
}

const VIOLATION_MESSAGES: { readonly [C in BallotViolation["code"]]: MessageKey } = {
  unknown_proposal: "vote.error.unknown_proposal",
  repeated_proposal: "vote.error.repeated_proposal",
  wrong_body: "vote.error.wrong_body",
  points_not_integer: "vote.error.points_not_integer",
  points_negative: "vote.error.points_negative",
  over_budget: "vote.error.over_budget",
  under_min_spend: "vote.error.under_min_spend",
  too_few: "vote.error.too_few",
  too_many: "vote.error.too_many",
  points_over: "vote.error.points_over",
  points_under: "vote.error.points_under",
  empty: "vote.error.empty",
};

/** A ballot type's hint (app/domain/ballots/types/) in the reader's words. */
export function hintText(t: Translator, hint: BallotHint, money: (n: number) => string): string {
  const params: Record<string, string | number> = { ...hint.numbers };
  for (const [k, n] of Object.entries(hint.money)) params[k] = money(n);
  return t(hint.key, params);
}
