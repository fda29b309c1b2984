import { json } from "@remix-run/node";
import type { ZodTypeAny, z } from "zod";
import type { MessageKey, Translator } from "../domain/i18n";
import { deny } from "./http.server";

export type FieldErrors = Record<string, string>;

/** What an action returns when the form must be shown again: messages per field and what was typed. */
export type FormFailure = { errors: FieldErrors; values: Record<string, string> };

export function formFailure(status: 400 | 401 | 409 | 429, errors: FieldErrors, values: Record<string, string>) {
  return json<FormFailure>({ errors, values }, { status });
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: Record<string, string> };

/** Text values of a form, to re-render what the user typed (passwords and the CSRF token left out). */
export function echoValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form) {
    if (typeof value === "string" && !/password|^_csrf$/i.test(key)) values[key] = value;
  }
  return values;
}

/** A form as an object for zod: one value per field, or the list when the field is repeated. */
function formFields(form: FormData): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key);
    raw[key] = all.length > 1 ? all : all[0];
  }
  return raw;
}

/**
 * Validates a form with a zod schema and turns every issue into a message that names the field
 * in the user's language ("Email must be a valid email address.").
 */
export function validateForm<S extends ZodTypeAny>(
  schema: S,
  form: FormData,
  t: Translator,
  labels: Record<string, MessageKey>,
): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(formFields(form));
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    if (errors[field]) continue;
    const label = labels[field] ? t(labels[field]) : field;
    errors[field] = messageFor(issue, label, t);
  }
  return { ok: false, errors, values: echoValues(form) };
}

function messageFor(issue: z.ZodIssue, field: string, t: Translator): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.received === "undefined" ? t("field.required", { field }) : t("field.invalid", { field });
    case "too_small":
      if (issue.type === "number") {
        return t("field.tooSmall", { field, min: Number(issue.minimum) + (issue.inclusive ? 0 : 1) });
      }
      if (issue.type === "string" && Number(issue.minimum) <= 1) return t("field.required", { field });
      return t("field.tooShort", { field, min: Number(issue.minimum) });
    case "too_big":
      if (issue.type === "number") return t("field.tooLarge", { field, max: Number(issue.maximum) });
      return t("field.tooLong", { field, max: Number(issue.maximum) });
    case "invalid_string":
      if (issue.validation === "email") return t("field.email", { field });
      if (issue.validation === "regex" && issue.message === "slug") return t("field.slug", { field });
      return t("field.invalid", { field });
    case "custom":
      if (issue.message === "name_characters") return t("field.nameCharacters", { field });
      return t("field.invalid", { field });
    default:
      return t("field.invalid", { field });
  }
}

/**
 * For the few forms that have no page to show again (a button, a language switch): the parsed data,
 * or a 400 naming the first field that does not fit.
 */
export function parseFormOr400<S extends ZodTypeAny>(schema: S, form: FormData): z.infer<S> {
  // The first value of a repeated field, as these forms always read them.
  const raw: Record<string, unknown> = {};
  for (const key of new Set(form.keys())) raw[key] = form.get(key);
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = String(issue?.path[0] ?? "form");
  const problem = issue?.code === "invalid_type" && issue.received === "undefined" ? "is required" : issue?.message;
  throw deny(400, "bad_request", `${field} ${problem ?? "is not valid"}.`);
}
