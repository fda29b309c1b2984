/** Reading the staff and resident forms of rounds, envelopes and proposals into use-case input. */
import type { Translator, MessageKey } from "../domain/i18n";
import {
  envelopeSchema,
  localized,
  newRoundSchema,
  phasesFromForm,
  proposalSchema,
  roundTextsSchema,
} from "../domain/rounds/forms";
import type { DatedPhase } from "../domain/rounds/phases";
import { type FieldErrors, echoValues, validateForm } from "./forms.server";
import type { EnvelopeInput, ProposalInput, RoundInput } from "../services/rounds/rounds-admin.server";
import { ruleViolationMessages, violationParams } from "./refusal-messages/rounds";

type Parsed<T> =
  | { ok: true; data: T; values: Record<string, string> }
  | { ok: false; errors: FieldErrors; values: Record<string, string> };

const roundLabels: Record<string, MessageKey> = {
  slug: "rounds.slug",
  kind: "rounds.kind",
  titleEn: "rounds.titleEn",
  titleFa: "rounds.titleFa",
  descriptionEn: "rounds.descriptionEn",
  descriptionFa: "rounds.descriptionFa",
};

function phaseErrors(form: FormData, t: Translator): { phases: DatedPhase[]; errors: FieldErrors } {
  const { phases, violations } = phasesFromForm(form);
  const errors: FieldErrors = {};
  for (const v of violations) errors[v.field] = t(ruleViolationMessages[v.code], violationParams(v.params ?? {}, t));
  return { phases, errors };
}

/** Reads a round form (create: with slug and kind). Phase order/overlap is checked by the service. */
export function parseRoundForm(form: FormData, t: Translator, withIdentity: true): Parsed<RoundInput>;
export function parseRoundForm(
  form: FormData,
  t: Translator,
  withIdentity: false,
): Parsed<Omit<RoundInput, "slug" | "kind">>;
export function parseRoundForm(
  form: FormData,
  t: Translator,
  withIdentity: boolean,
): Parsed<RoundInput> | Parsed<Omit<RoundInput, "slug" | "kind">> {
  const values = echoValues(form);
  const result = validateForm(withIdentity ? newRoundSchema : roundTextsSchema, form, t, roundLabels);
  const { phases, errors } = phaseErrors(form, t);
  const allErrors: FieldErrors = { ...(result.ok ? {} : result.errors), ...errors };
  if (result.ok && !result.data.titleEn && !result.data.titleFa) allErrors.titleEn = t("rounds.error.text_required");
  if (!result.ok || Object.keys(allErrors).length) return { ok: false, errors: allErrors, values };
  const d = result.data as {
    slug?: string;
    kind?: "budgeting" | "consultation";
    titleEn: string;
    titleFa: string;
    descriptionEn: string;
    descriptionFa: string;
  };
  const texts = {
    title: localized(d.titleEn, d.titleFa),
    description: localized(d.descriptionEn, d.descriptionFa),
    phases,
  };
  return withIdentity
    ? { ok: true, values, data: { slug: d.slug ?? "", kind: d.kind ?? "budgeting", ...texts } }
    : { ok: true, values, data: texts };
}

const envelopeLabels: Record<string, MessageKey> = {
  slug: "rounds.envelope.slug",
  nameEn: "rounds.envelope.nameEn",
  nameFa: "rounds.envelope.nameFa",
  amount: "round.amount",
  districtId: "rounds.envelope.district",
  ballotType: "rounds.envelope.ballotType",
  minProjects: "rounds.envelope.minProjects",
  maxProjects: "rounds.envelope.maxProjects",
  minSpendShare: "rounds.envelope.minSpendShare",
  minPoints: "rounds.envelope.minPoints",
  maxPoints: "rounds.envelope.maxPoints",
  tallyRule: "rounds.envelope.tallyRule",
};

export function parseEnvelopeForm(form: FormData, t: Translator, districtIds: string[]): Parsed<EnvelopeInput> {
  const values = echoValues(form);
  const result = validateForm(envelopeSchema, form, t, envelopeLabels);
  if (!result.ok) return { ok: false, errors: result.errors, values };
  const d = result.data;
  const errors: FieldErrors = {};
  if (!d.nameEn && !d.nameFa) errors.nameEn = t("rounds.error.text_required");
  if (d.districtId && !districtIds.includes(d.districtId))
    errors.districtId = t("field.invalid", { field: t("rounds.envelope.district") });
  if (Object.keys(errors).length) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    data: {
      slug: d.slug,
      name: localized(d.nameEn, d.nameFa),
      amount: d.amount,
      districtId: d.districtId || null,
      ballotType: d.ballotType,
      minProjects: d.minProjects,
      maxProjects: d.maxProjects,
      minSpendShare: d.minSpendShare,
      minPoints: d.minPoints,
      maxPoints: d.maxPoints,
      tallyRule: d.tallyRule,
      tallyCompletion: d.tallyCompletion,
    },
  };
}

const proposalLabels: Record<string, MessageKey> = {
  envelopeSlug: "rounds.proposal.envelope",
  titleEn: "rounds.proposal.titleEn",
  titleFa: "rounds.proposal.titleFa",
  bodyEn: "rounds.proposal.bodyEn",
  bodyFa: "rounds.proposal.bodyFa",
  cost: "round.cost",
  districtId: "rounds.proposal.district",
  themeId: "themes.field",
  location: "rounds.proposal.location",
};

export function parseProposalForm(form: FormData, t: Translator, districtIds: string[]): Parsed<ProposalInput> {
  const values = echoValues(form);
  const result = validateForm(proposalSchema, form, t, proposalLabels);
  if (!result.ok) return { ok: false, errors: result.errors, values };
  const d = result.data;
  const errors: FieldErrors = {};
  if (!d.titleEn && !d.titleFa) errors.titleEn = t("rounds.error.text_required");
  if (!d.bodyEn && !d.bodyFa) errors.bodyEn = t("rounds.error.text_required");
  if (d.districtId && !districtIds.includes(d.districtId))
    errors.districtId = t("field.invalid", { field: t("rounds.proposal.district") });
  if (Object.keys(errors).length) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    data: {
      envelopeSlug: d.envelopeSlug,
      title: localized(d.titleEn, d.titleFa),
      body: localized(d.bodyEn, d.bodyFa),
      cost: d.cost,
      districtId: d.districtId || null,
      themeId: d.themeId || null,
      location: d.location || null,
    },
  };
}
