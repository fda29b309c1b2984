/** The phases of a round, in the order they happen. */
export const phaseKinds = [
  "information",
  "proposals",
  "review",
  "voting",
  "tallying",
  "published",
  "implementation",
] as const;
export type PhaseKind = (typeof phaseKinds)[number];
export const phaseOrder: readonly PhaseKind[] = phaseKinds;

export interface DatedPhase {
  kind: PhaseKind;
  /** Calendar days (YYYY-MM-DD) in the municipality's time zone; both ends inclusive. */
  startsOn: string;
  endsOn: string;
  /**
   * When staff ended the phase on a day its dates still include ("close voting now"): from then on it
   * is over and the next phase, dated from the same day, is the current one (ADR 0028).
   */
  closedAt?: Date | string | null;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's calendar day in a time zone, as YYYY-MM-DD (one formatter per time zone: building one costs more than using it). */
export function dayIn(timeZone: string, now: Date = new Date()): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dayFormats.set(timeZone, format);
  }
  return format.format(now);
}

/**
 * Stored times next to a ballot are kept to the hour (ADR 0016), never moved to another day of the
 * round's time zone: where the offset is not whole hours (Asia/Tehran, +03:30) a cast just after local
 * midnight keeps the first quarter hour of its own day instead of the previous evening's hour.
 */
export function hourOf(at: Date, timeZone = "UTC"): Date {
  let floored = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
  const day = dayIn(timeZone, at);
  while (dayIn(timeZone, new Date(floored)) !== day) floored += 900_000;
  return new Date(floored);
}

/**
 * The phase whose dates include `today` and that staff have not closed, or null between or outside
 * phases. Two phases share a day only when the earlier one was closed that day (ADR 0028).
 */
export function currentPhase<P extends DatedPhase>(phases: readonly P[], today: string): P | null {
  return phases.find((p) => p.startsOn <= today && today <= p.endsOn && !p.closedAt) ?? null;
}

export function sortPhases<P extends DatedPhase>(phases: readonly P[]): P[] {
  return [...phases].sort((a, b) => phaseOrder.indexOf(a.kind) - phaseOrder.indexOf(b.kind));
}

/**
 * From the first day of voting on, a round's envelopes, ballot rules, eligibility and voter classes
 * are frozen (no rule changes mid-vote). A round without a voting phase never freezes this way.
 */
export function rulesFrozen(phases: readonly DatedPhase[], today: string): boolean {
  const voting = phases.find((p) => p.kind === "voting");
  return voting !== undefined && today >= voting.startsOn;
}
