import { z } from "zod";
import type { LocalizedText } from "../i18n";
import { type DatedPhase, phaseKinds } from "./phases";
import type { RuleViolation } from "./rules";
import { optionalWholeNumber, wholeNumber } from "../i18n/numbers";
import { parseTypedDay } from "../i18n/days";

const optionalText = (max: number) => z.string().trim().max(max).optional().default("");

/** Localized text from `<name>En` / `<name>Fa` form fields (at least one language given). */
export function localized(en: string, fa: string): LocalizedText {
  return { ...(en ? { en } : {}), ...(fa ? { fa } : {}) };
}

export const roundTextsSchema = z.object({
  titleEn: optionalText(200),
  titleFa: optionalText(200),
  descriptionEn: optionalText(5000),
  descriptionFa: optionalText(5000),
});

export const newRoundSchema = roundTextsSchema.extend({
  slug: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "slug"),
  kind: z.enum(["budgeting", "consultation"]),
});

/**
 * Reads `<phase>.startsOn` / `<phase>.endsOn` fields; a phase with both empty is skipped. A day may be
 * typed in either calendar (Solar Hijri on Persian pages) and is stored as a Gregorian ISO day; what
 * cannot be read is kept as typed, for the rules to name (ADR 0029).
 */
export function phasesFromForm(form: FormData): { phases: DatedPhase[]; violations: RuleViolation[] } {
  const phases: DatedPhase[] = [];
  const violations: RuleViolation[] = [];
  for (const kind of phaseKinds) {
    const startsOn = String(form.get(`${kind}.startsOn`) ?? "").trim();
    const endsOn = String(form.get(`${kind}.endsOn`) ?? "").trim();
    if (!startsOn && !endsOn) continue;
    if (!startsOn || !endsOn) {
      violations.push({
        code: "phase_half",
        field: `${kind}.${startsOn ? "endsOn" : "startsOn"}`,
        params: { phase: kind },
      });
      continue;
    }
    phases.push({ kind, startsOn: parseTypedDay(startsOn) ?? startsOn, endsOn: parseTypedDay(endsOn) ?? endsOn });
  }
  return { phases, violations };
}

const optionalCount = optionalWholeNumber(z.number().int().min(0).max(1_000_000));

export const envelopeSchema = z.object({
  slug: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "slug"),
  nameEn: optionalText(200),
  nameFa: optionalText(200),
  amount: wholeNumber(z.number().int().max(Number.MAX_SAFE_INTEGER)),
  districtId: z.string().trim().optional().default(""),
  ballotType: z.enum(["approval", "k-approval", "cumulative"]),
  minProjects: optionalCount,
  maxProjects: optionalCount,
  minSpendShare: optionalCount,
  minPoints: optionalCount,
  maxPoints: optionalCount,
  tallyRule: z.enum(["greedy", "mes"]),
  tallyCompletion: z.preprocess((v) => v === "on" || v === "true", z.boolean()),
});

export const proposalSchema = z.object({
  envelopeSlug: z.string().trim().min(1),
  titleEn: optionalText(200),
  titleFa: optionalText(200),
  bodyEn: optionalText(10_000),
  bodyFa: optionalText(10_000),
  cost: wholeNumber(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
  districtId: z.string().trim().optional().default(""),
  themeId: z.string().trim().max(100).optional().default(""),
  location: optionalText(300),
});
