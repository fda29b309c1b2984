/**
 * Who may take part in a round, and with which ballot weight — with the reasons a resident is shown
 * ("you are verified in district North; this envelope is for district South").
 */
import { ageOn } from "./dates";

export interface Standing {
  districtId: string;
  voterClass: string;
  birthDate: string;
}

export interface VoterClassRule {
  code: string;
  weight: number;
}

export interface EligibilityRules {
  /** Allowed districts; null = all. */
  districtIds: readonly string[] | null;
  minAge: number | null;
  /** The round's voter classes; none defined = every class, weight 1. */
  classes: readonly VoterClassRule[];
  /** The day ages are taken on: the first day of voting (today when the round has no voting phase). */
  ageDay: string;
}

export type Ineligibility =
  | { code: "not_verified" }
  | { code: "district"; districtId: string; allowed: readonly string[] }
  | { code: "age"; minAge: number; age: number; on: string }
  | { code: "class"; voterClass: string; allowed: readonly string[] };

export interface Verdict {
  eligible: boolean;
  reasons: Ineligibility[];
  /** The ballot weight when eligible. */
  weight: number | null;
}

export const DEFAULT_WEIGHT = 1;

export function roundVerdict(standing: Standing | null, rules: EligibilityRules): Verdict {
  if (!standing) return { eligible: false, reasons: [{ code: "not_verified" }], weight: null };
  const reasons: Ineligibility[] = [];
  if (rules.districtIds && !rules.districtIds.includes(standing.districtId)) {
    reasons.push({ code: "district", districtId: standing.districtId, allowed: rules.districtIds });
  }
  if (rules.minAge !== null) {
    const age = ageOn(standing.birthDate, rules.ageDay);
    if (age < rules.minAge) reasons.push({ code: "age", minAge: rules.minAge, age, on: rules.ageDay });
  }
  let weight = DEFAULT_WEIGHT;
  if (rules.classes.length) {
    const own = rules.classes.find((c) => c.code === standing.voterClass);
    if (!own)
      reasons.push({ code: "class", voterClass: standing.voterClass, allowed: rules.classes.map((c) => c.code) });
    else weight = own.weight;
  }
  return reasons.length ? { eligible: false, reasons, weight: null } : { eligible: true, reasons, weight };
}

/** An envelope tied to a district is only for voters verified in that district. */
export function envelopeOpenTo(standing: Standing | null, envelopeDistrictId: string | null): boolean {
  return envelopeDistrictId === null || standing?.districtId === envelopeDistrictId;
}

export const MAX_WEIGHT = 1000;
export const VOTER_CLASS_CODE = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export interface VoterClassDraft {
  code: string;
  weight: number;
}

/** Problems of a voter class definition (the form also checks types and lengths). */
export function checkVoterClass(draft: VoterClassDraft): ("code" | "weight")[] {
  const problems: ("code" | "weight")[] = [];
  if (!VOTER_CLASS_CODE.test(draft.code)) problems.push("code");
  if (!Number.isSafeInteger(draft.weight) || draft.weight < 1 || draft.weight > MAX_WEIGHT) problems.push("weight");
  return problems;
}
