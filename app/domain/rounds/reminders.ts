/**
 * When a round's voters are reminded (ADR 0041): "voting is open" on its first two days (so a server
 * that was down, or voting opened by staff mid-day, still sends it), and "last 48 hours" on its last
 * two days, when voting lasts at least four days (a shorter vote gets only the first).
 */
import type { DatedPhase } from "./phases";
import { addDays } from "./rules";

export type ReminderKind = "opens" | "closing";

export function remindersDue(voting: DatedPhase | undefined, today: string): ReminderKind[] {
  if (!voting || voting.closedAt) return [];
  if (today < voting.startsOn || today > voting.endsOn) return [];
  const due: ReminderKind[] = [];
  if (today <= addDays(voting.startsOn, 1)) due.push("opens");
  if (today >= addDays(voting.endsOn, -1) && addDays(voting.startsOn, 3) <= voting.endsOn) due.push("closing");
  return due;
}
