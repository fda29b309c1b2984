import { json } from "@remix-run/node";
import type { TextKey, Translator } from "../domain/i18n";
import { RefusedError } from "../services/errors.server";
import type { FormFailure } from "./forms.server";
import { phaseLabel, proposalStatusLabel } from "../components/labels";

export function translateParams(params: Record<string, string | number>, t: Translator): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    out[key] =
      (key === "phase" || key === "previous") && typeof value === "string" && Object.hasOwn(phaseLabel, value)
        ? t(phaseLabel[value as keyof typeof phaseLabel])
        : key === "status" && typeof value === "string" && Object.hasOwn(proposalStatusLabel, value)
          ? t(proposalStatusLabel[value as keyof typeof proposalStatusLabel])
          : key === "what"
            ? t(value === "phases" ? "rounds.title" : value === "envelopes" ? "rounds.envelopes" : "rounds.proposals")
            : value;
  }
  return out;
}

/** Every refusal code of an area mapped to its message: the compiler checks that none is missing. */
export type RefusalMessages<C extends string> = { readonly [K in C]: TextKey };

/**
 * A refused use case as the form failure a route returns (400/403/404/409…, a message per field or
 * `form`, in the user's language), through the area's typed code-to-message map.
 * A code the map does not know is re-thrown (a 500 for the logs), never shown raw.
 */
export function refusalResponseFrom<C extends string>(
  error: unknown,
  t: Translator,
  values: Record<string, string>,
  messages: RefusalMessages<C>,
) {
  if (!(error instanceof RefusedError) || !Object.hasOwn(messages, error.code)) throw error;
  const key = messages[error.code as C];
  return json<FormFailure>(
    { errors: { [error.field ?? "form"]: t(key, translateParams(error.params, t)) }, values },
    { status: error.status },
  );
}
