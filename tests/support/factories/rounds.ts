/**
 * Rounds at a chosen phase, their envelopes, voter classes and eligibility, through the staff services.
 * Rule changes are refused once voting has opened (ADR 0018), so envelopes, classes and eligibility are
 * saved as of the day before the round's voting starts, as staff would have.
 */
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases } from "../../../db/schema";
import type { LocalizedText } from "../../../app/domain/i18n";
import { type PhaseKind, dayIn } from "../../../app/domain/rounds/phases";
import { addDays } from "../../../app/domain/rounds/rules";
import { createRound, findRound, saveEnvelope } from "../../../app/services/rounds/rounds-admin.server";
import { saveEligibility, saveVoterClass } from "../../../app/services/verification/eligibility.server";
import { unique } from "../unique";
import type { Member } from "./accounts";

/** A phase as first and last day counted from today (both inclusive). */
export type Span = [kind: PhaseKind, from: number, to: number];

const BUDGETING: PhaseKind[] = ["proposals", "review", "voting", "tallying", "published", "implementation"];
const CONSULTATION: PhaseKind[] = ["information", "proposals"];

/** The round's phases, ten days each, placed so that today is the first day of `phase`. */
export function phasesAt(kind: "budgeting" | "consultation", phase: PhaseKind): Span[] {
  const order = kind === "budgeting" ? BUDGETING : CONSULTATION;
  const at = order.indexOf(phase);
  if (at < 0) throw new Error(`a ${kind} round has no ${phase} phase`);
  return order.map((k, i) => [k, (i - at) * 10, (i - at) * 10 + 9]);
}

export type Round = Awaited<ReturnType<typeof findRound>> & {};

/**
 * A round through the staff service: its phases either `spans` or those of `phase` (today its first
 * day; default: voting). Day numbers count from today in the municipality's time zone.
 */
export async function makeRound(
  db: Db,
  input: {
    by: Member;
    slug?: string;
    kind?: "budgeting" | "consultation";
    title?: LocalizedText;
    description?: LocalizedText;
    phase?: PhaseKind;
    spans?: Span[];
  },
): Promise<Round> {
  const kind = input.kind ?? "budgeting";
  const today = dayIn(input.by.municipality.timeZone);
  const spans = input.spans ?? phasesAt(kind, input.phase ?? (kind === "budgeting" ? "voting" : "proposals"));
  const slug = input.slug ?? unique("round");
  const title = input.title ?? { en: `Round ${slug}` };
  await createRound(db, input.by, {
    slug,
    kind,
    title,
    description: input.description ?? title,
    phases: spans.map(([k, a, b]) => ({ kind: k, startsOn: addDays(today, a), endsOn: addDays(today, b) })),
  });
  return (await findRound(db, input.by, { slug })) as Round;
}

/** Noon of the day before the round's voting opens (today when it has no voting phase). */
export async function beforeVoting(db: Db, round: { id: string }): Promise<Date> {
  const [voting] = (await db.select().from(phases).where(eq(phases.roundId, round.id))).filter(
    (p) => p.kind === "voting",
  );
  return voting ? new Date(`${addDays(voting.startsOn, -1)}T12:00:00Z`) : new Date();
}

export type Envelope = typeof envelopes.$inferSelect;

/** An envelope through the staff service. Default: "city", approval, 10,000, greedy, no district. */
export async function makeEnvelope(
  db: Db,
  input: {
    by: Member;
    round: Round;
    slug?: string;
    name?: LocalizedText;
    amount?: number;
    districtId?: string | null;
    ballotType?: "approval" | "k-approval" | "cumulative";
    minProjects?: number | null;
    maxProjects?: number | null;
    minSpendShare?: number | null;
    minPoints?: number | null;
    maxPoints?: number | null;
    tallyRule?: "greedy" | "mes";
    tallyCompletion?: boolean;
    /** Display order among the round's envelopes (no staff form sets it; it defaults to 0). */
    position?: number;
  },
): Promise<Envelope> {
  const slug = input.slug ?? "city";
  await saveEnvelope(db, input.by, {
    roundSlug: input.round.slug,
    envelope: {
      slug,
      name: input.name ?? { en: slug },
      amount: input.amount ?? 10_000,
      districtId: input.districtId ?? null,
      ballotType: input.ballotType ?? "approval",
      minProjects: input.minProjects ?? null,
      maxProjects: input.maxProjects ?? null,
      minSpendShare: input.minSpendShare ?? null,
      minPoints: input.minPoints ?? null,
      maxPoints: input.maxPoints ?? null,
      tallyRule: input.tallyRule ?? "greedy",
      tallyCompletion: input.tallyCompletion ?? false,
    },
    existingSlug: null,
    now: await beforeVoting(db, input.round),
  });
  const where = and(eq(envelopes.roundId, input.round.id), eq(envelopes.slug, slug));
  if (input.position !== undefined) await db.update(envelopes).set({ position: input.position }).where(where);
  const [envelope] = await db.select().from(envelopes).where(where);
  return envelope;
}

/** Voter classes of the round (code, name, weight), in the order given. */
export async function makeVoterClasses(
  db: Db,
  input: { by: Member; round: Round; classes: { code: string; name?: LocalizedText; weight: number }[] },
): Promise<void> {
  const now = await beforeVoting(db, input.round);
  for (const [position, c] of input.classes.entries())
    await saveVoterClass(db, input.by, {
      roundSlug: input.round.slug,
      code: c.code,
      name: c.name ?? { en: c.code },
      weight: c.weight,
      position,
      now,
    });
}

/** Who may take part in the round. Defaults: every district, no age rule, no verification asked. */
export async function makeEligibility(
  db: Db,
  input: {
    by: Member;
    round: Round;
    districtIds?: string[] | null;
    minAge?: number | null;
    verifiedToPropose?: boolean;
    verifiedToComment?: boolean;
  },
): Promise<void> {
  await saveEligibility(db, input.by, {
    roundSlug: input.round.slug,
    districtIds: input.districtIds ?? null,
    minAge: input.minAge ?? null,
    verifiedToPropose: input.verifiedToPropose ?? false,
    verifiedToComment: input.verifiedToComment ?? false,
    now: await beforeVoting(db, input.round),
  });
}
