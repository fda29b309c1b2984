import type { EnvelopeBallotRules } from "../ballots/rules";
import { ballotType } from "../ballots/types";
import { type DatedPhase, type PhaseKind, currentPhase, phaseOrder } from "./phases";

/** A rule broken by a round, its phases or an envelope: a code, the field it concerns, and values for the message. */
export interface RuleViolation {
  code:
    | "phase_dates_reversed"
    | "phase_overlap"
    | "phase_duplicate"
    | "phase_bad_date"
    | "phase_half"
    | "no_phases"
    | "amount_not_positive"
    | "min_over_max"
    | "points_only_cumulative"
    | "points_required"
    | "k_required"
    | "k_over_proposals"
    | "share_out_of_range"
    | "count_negative";
  field: string;
  params?: Record<string, string | number>;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isRealDay(day: string): boolean {
  if (!ISO_DAY.test(day)) return false;
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * Phases must each end on or after their start, come in the canonical order
 * (information → … → implementation; any may be skipped) and not overlap (whole days, both ends inclusive).
 */
export function checkPhases(phases: readonly DatedPhase[]): RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (phases.length === 0) return [{ code: "no_phases", field: "phases" }];
  const seen = new Set<PhaseKind>();
  for (const p of phases) {
    if (seen.has(p.kind))
      problems.push({ code: "phase_duplicate", field: `${p.kind}.startsOn`, params: { phase: p.kind } });
    seen.add(p.kind);
    for (const end of ["startsOn", "endsOn"] as const) {
      if (!isRealDay(p[end]))
        problems.push({ code: "phase_bad_date", field: `${p.kind}.${end}`, params: { phase: p.kind } });
    }
    if (isRealDay(p.startsOn) && isRealDay(p.endsOn) && p.endsOn < p.startsOn) {
      problems.push({ code: "phase_dates_reversed", field: `${p.kind}.endsOn`, params: { phase: p.kind } });
    }
  }
  if (problems.length) return problems;
  const ordered = [...phases].sort((a, b) => phaseOrder.indexOf(a.kind) - phaseOrder.indexOf(b.kind));
  for (let i = 1; i < ordered.length; i++) {
    const before = ordered[i - 1];
    const after = ordered[i];
    // A phase staff closed early shares its last day with the next one (ADR 0028).
    const sharedDay = Boolean(before.closedAt) && after.startsOn === before.endsOn;
    if (after.startsOn <= before.endsOn && !sharedDay) {
      problems.push({
        code: "phase_overlap",
        field: `${after.kind}.startsOn`,
        params: { phase: after.kind, previous: before.kind },
      });
    }
  }
  return problems;
}

export function addDays(day: string, n: number): string {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d) + n * 86_400_000).toISOString().slice(0, 10);
}

export type AdvanceOutcome =
  | { ok: true; phases: DatedPhase[]; from: PhaseKind | null; to: PhaseKind }
  | { ok: false; code: "no_next_phase" | "phase_started_today" };

/**
 * "Advance to the next phase now": the next phase (in order, after the current one or, between
 * phases, the next one to come) starts today and the current one ends yesterday. Phases are whole
 * days, so a phase that began today cannot be cut short.
 */
export function advancePhases(phases: readonly DatedPhase[], today: string): AdvanceOutcome {
  const ordered = [...phases].sort((a, b) => phaseOrder.indexOf(a.kind) - phaseOrder.indexOf(b.kind));
  const currentIndex = ordered.findIndex((p) => p.startsOn <= today && today <= p.endsOn);
  const nextIndex = currentIndex >= 0 ? currentIndex + 1 : ordered.findIndex((p) => p.startsOn > today);
  if (nextIndex < 0 || nextIndex >= ordered.length) return { ok: false, code: "no_next_phase" };
  const current = currentIndex >= 0 ? ordered[currentIndex] : null;
  if (current && current.startsOn === today) return { ok: false, code: "phase_started_today" };
  const next = ordered[nextIndex];
  const updated = ordered.map((p) => {
    if (p === current) return { ...p, endsOn: addDays(today, -1) };
    if (p === next) return { ...p, startsOn: today, endsOn: p.endsOn < today ? today : p.endsOn };
    return { ...p };
  });
  // Phases between a gap and the next one do not exist; later phases keep their dates when they still fit.
  for (let i = nextIndex + 1; i < updated.length; i++) {
    if (updated[i].startsOn <= updated[i - 1].endsOn) {
      const length = Math.max(0, dayDiff(updated[i].startsOn, updated[i].endsOn));
      updated[i].startsOn = addDays(updated[i - 1].endsOn, 1);
      updated[i].endsOn = addDays(updated[i].startsOn, length);
    }
  }
  return { ok: true, phases: updated, from: current?.kind ?? null, to: next.kind };
}

export type StartOutcome =
  | { ok: true; phases: DatedPhase[]; closed: PhaseKind[]; from: PhaseKind | null; to: PhaseKind }
  | { ok: false; code: "no_such_phase" | "phase_passed" | "already_current" };

/**
 * "Open voting now", "close voting now" (start tallying now), "publish now" (ADR 0028): the phase
 * `target` starts today; every earlier phase not over yet ends today and is closed at this instant
 * (the service records the instant), so a phase that began today can still be ended, and every day a
 * phase was open stays inside its dates (the ballots cast today stay inside the voting window). A
 * phase already over (ended or closed) never reopens. Later phases keep their dates when they fit.
 */
export function startPhaseNow(phases: readonly DatedPhase[], target: PhaseKind, today: string): StartOutcome {
  const ordered = [...phases].sort((a, b) => phaseOrder.indexOf(a.kind) - phaseOrder.indexOf(b.kind));
  const targetIndex = ordered.findIndex((p) => p.kind === target);
  if (targetIndex < 0) return { ok: false, code: "no_such_phase" };
  const current = currentPhase(ordered, today);
  if (current?.kind === target) return { ok: false, code: "already_current" };
  const wanted = ordered[targetIndex];
  if (wanted.closedAt || wanted.endsOn < today || (current && ordered.indexOf(current) > targetIndex))
    return { ok: false, code: "phase_passed" };
  const closed: PhaseKind[] = [];
  const updated = ordered.map((p, i) => {
    if (i < targetIndex && !p.closedAt && p.endsOn >= today) {
      closed.push(p.kind);
      return { ...p, startsOn: p.startsOn < today ? p.startsOn : today, endsOn: today };
    }
    if (i === targetIndex) return { ...p, startsOn: today, endsOn: p.endsOn < today ? today : p.endsOn };
    return { ...p };
  });
  for (let i = targetIndex + 1; i < updated.length; i++) {
    if (updated[i].startsOn <= updated[i - 1].endsOn) {
      const length = Math.max(0, dayDiff(updated[i].startsOn, updated[i].endsOn));
      updated[i].startsOn = addDays(updated[i - 1].endsOn, 1);
      updated[i].endsOn = addDays(updated[i].startsOn, length);
    }
  }
  return { ok: true, phases: updated, closed, from: current?.kind ?? null, to: target };
}

function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** An envelope's ballot settings (the ballot type is declared with the ballot rules). */
export type EnvelopeRules = EnvelopeBallotRules;

/**
 * Impossible envelope settings. `proposalCount` is the number of proposals on the ballot
 * (null when not known yet): k-approval cannot ask for more picks than there are proposals.
 */
export function checkEnvelope(rules: EnvelopeRules, proposalCount: number | null = null): RuleViolation[] {
  const problems: RuleViolation[] = [];
  if (!(rules.amount > 0)) problems.push({ code: "amount_not_positive", field: "amount" });
  for (const field of ["minProjects", "maxProjects", "minPoints", "maxPoints"] as const) {
    const value = rules[field];
    if (value !== null && value < 0) problems.push({ code: "count_negative", field });
  }
  if (rules.minProjects !== null && rules.maxProjects !== null && rules.minProjects > rules.maxProjects) {
    problems.push({ code: "min_over_max", field: "minProjects" });
  }
  if (rules.minSpendShare !== null && (rules.minSpendShare < 0 || rules.minSpendShare > 100)) {
    problems.push({ code: "share_out_of_range", field: "minSpendShare" });
  }
  problems.push(...ballotType(rules.ballotType).checkSettings(rules, proposalCount));
  return problems;
}
