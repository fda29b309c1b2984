import { json } from "@remix-run/node";
import type { MessageKey, Translator } from "../domain/i18n";
import { type RefusalStatus, RefusedError, ViolationsError } from "../services/errors.server";
import type { FieldErrors, FormFailure } from "./forms.server";

function translateParams(params: Record<string, string | number>, t: Translator): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params)) {
    out[key] =
      (key === "phase" || key === "previous") && typeof value === "string"
        ? t(`phase.${value}` as MessageKey)
        : key === "status" && typeof value === "string"
          ? t(`rounds.proposal.status.${value}` as MessageKey)
          : key === "what"
            ? t(value === "phases" ? "rounds.title" : value === "envelopes" ? "rounds.envelopes" : "rounds.proposals")
            : value;
  }
  return out;
}

/**
 * Turns a refused use case into the form failure a route returns: 400/403/404/409 with a message per
 * field (or `form`), in the user's language. Anything else is re-thrown (a 500 for the logs).
 */
export function refusalResponse(
  error: unknown,
  t: Translator,
  values: Record<string, string>,
  prefix = "rounds.error.",
) {
  let errors: FieldErrors;
  let status: RefusalStatus = 400;
  if (error instanceof ViolationsError) {
    errors = {};
    for (const v of error.violations) {
      errors[v.field] ??= t(`${prefix}${v.code}` as MessageKey, translateParams(v.params ?? {}, t));
    }
  } else if (error instanceof RefusedError) {
    status = error.status;
    errors = { [error.field ?? "form"]: t(`${prefix}${error.code}` as MessageKey, translateParams(error.params, t)) };
  } else {
    throw error;
  }
  return json<FormFailure>({ errors, values }, { status });
}

/** Every refusal code of an area mapped to its message: the compiler checks that none is missing. */
export type RefusalMessages<C extends string> = { readonly [K in C]: MessageKey };

/**
 * Like `refusalResponse`, with the area's typed code-to-message map instead of a key prefix.
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
