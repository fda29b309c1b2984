/**
 * Paper ballots entered by staff at a polling place, one by one or as a CSV. The voter is identified
 * by national ID against the active census (their district, class and so weight come from there),
 * so a person who voted online cannot also vote on paper, nor twice on paper: the later is refused.
 * A batch is all or nothing: every ballot is checked and cast inside one transaction, and any
 * refused one rolls back the whole batch, with each problem named by its line.
 */
import { asc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { envelopes, phases } from "../../../db/schema";
import { type ChoiceProblem, parseChoices } from "../../domain/ballots/paper";
import type { BallotViolation } from "../../domain/ballots/rules";
import { ballotType } from "../../domain/ballots/types";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { parseBirthDate } from "../../domain/verification/dates";
import { type EligibilityRules, envelopeOpenTo, roundVerdict } from "../../domain/verification/eligibility";
import { type IdProblem, idChecker } from "../../domain/verification/ids";
import { recordAction, actionBy } from "../action-log/action-log.server";
import {
  type BallotRefusal,
  BallotRefused,
  type VoterStanding,
  castBallotIn,
  printedProposals,
} from "./ballots.server";
import { censusEntry, censusSecret, identityHash, idRulesOf } from "../verification/census.server";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { findRound } from "../rounds/rounds-admin.server";
import { roundRules } from "../verification/eligibility.server";

/** The most paper ballots one batch may carry (a polling place's day, with room to spare). */
export const MAX_PAPER_ROWS = 5_000;

/** A paper ballot as staff enter it: the voter's ID (and birth date, checked when given) and the choices. */
export interface PaperBallot {
  /** The CSV line (null for the one-by-one form). */
  line: number | null;
  nationalId: string;
  birthDate: string | null;
  envelope: string;
  /** Proposal numbers as printed on the paper ballot (or ids); for points ballots `number:points`. */
  choices: string;
}

/** Why a paper ballot (or the whole batch) is refused; the messages are in app/web/refusal-messages/paper.ts. */
export type PaperRefusal =
  | "round_unknown"
  | "empty"
  | "too_many"
  | "envelope_unknown"
  | IdProblem
  | "not_in_census"
  | "birth_date_invalid"
  | "birth_date_mismatch"
  | "not_eligible_district"
  | "not_eligible_age"
  | "not_eligible_class"
  | "not_eligible_other"
  | "wrong_district"
  | ChoiceProblem["code"]
  | BallotRefusal;

export interface PaperProblem {
  line: number | null;
  code: PaperRefusal;
  field: "nationalId" | "birthDate" | "envelope" | "choices" | "form";
  params: Record<string, string | number>;
  violations: BallotViolation[];
}

/** A batch refused: every refused ballot named by its line, each with its own code (nothing stored). */
export class PaperBallotsRefused extends RefusedError<"paper_ballots_refused"> {
  constructor(readonly problems: PaperProblem[]) {
    super("paper_ballots_refused");
    this.message = `paper ballots refused: ${problems.map((p) => `${p.line ?? "form"}:${p.code}`).join(", ")}`;
  }
}

type EnvelopeRow = typeof envelopes.$inferSelect;

class Problem extends Error {
  constructor(
    readonly code: PaperRefusal,
    readonly field: PaperProblem["field"],
    readonly params: Record<string, string | number> = {},
  ) {
    super(code);
  }
}

/** The census standing is always known here, so "not verified" cannot be the reason. */
function ineligible(reason: string | undefined): PaperRefusal {
  return reason === "district" || reason === "age" || reason === "class"
    ? `not_eligible_${reason}`
    : "not_eligible_other";
}

function choiceProblem(p: ChoiceProblem): Problem {
  return new Problem(p.code, "choices", "token" in p ? { token: p.token } : {});
}

/**
 * Casts a batch of paper ballots for a round in one transaction. Throws PaperBallotsRefused listing
 * every refused ballot (nothing is stored then); returns how many were cast per envelope.
 */
export async function enterPaperBallots(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; ballots: PaperBallot[]; now?: Date },
) {
  const now = input.now ?? new Date();
  const municipality = scope.municipality;
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round)
    throw new PaperBallotsRefused([{ line: null, code: "round_unknown", field: "form", params: {}, violations: [] }]);
  if (input.ballots.length === 0)
    throw new PaperBallotsRefused([{ line: null, code: "empty", field: "form", params: {}, violations: [] }]);
  if (input.ballots.length > MAX_PAPER_ROWS) {
    throw new PaperBallotsRefused([
      { line: null, code: "too_many", field: "form", params: { max: MAX_PAPER_ROWS }, violations: [] },
    ]);
  }
  const check = idChecker(await idRulesOf(db, scope));
  const secret = await censusSecret(db, municipality.id);
  const counts = await db.transaction(async (tx) => {
    const rules = await roundRules(tx, scope, { round, now });
    const eligibility: EligibilityRules = {
      districtIds: rules.districtIds,
      minAge: rules.minAge,
      classes: rules.classes.map((c) => ({ code: c.code, weight: c.weight })),
      ageDay: rules.ageDay,
    };
    const envelopeRows = await tx.select().from(envelopes).where(eq(envelopes.roundId, round.id));
    const printed = new Map<string, { id: string }[]>();
    for (const e of envelopeRows) printed.set(e.id, await printedProposals(tx, scope, { envelopeId: e.id }));
    const problems: PaperProblem[] = [];
    const counts: Record<string, number> = {};

    const voterOf = async (ballot: PaperBallot, envelope: EnvelopeRow): Promise<VoterStanding> => {
      const id = check(ballot.nationalId);
      if (!id.ok) throw new Problem(id.problem, "nationalId");
      const hash = identityHash(secret, id.id);
      const entry = await censusEntry(tx, { municipalityId: municipality.id, identityHash: hash });
      if (!entry) throw new Problem("not_in_census", "nationalId");
      if (ballot.birthDate) {
        const birthDate = parseBirthDate(ballot.birthDate);
        if (!birthDate) throw new Problem("birth_date_invalid", "birthDate");
        if (birthDate !== entry.birthDate) throw new Problem("birth_date_mismatch", "birthDate");
      }
      const standing = { districtId: entry.districtId, voterClass: entry.voterClass, birthDate: entry.birthDate };
      const verdict = roundVerdict(standing, eligibility);
      if (!verdict.eligible || verdict.weight === null)
        throw new Problem(ineligible(verdict.reasons[0]?.code), "nationalId");
      if (!envelopeOpenTo(standing, envelope.districtId))
        throw new Problem("wrong_district", "envelope", { envelope: envelope.slug });
      return { identity: hash, weight: verdict.weight, district: entry.districtId, voterClass: entry.voterClass };
    };

    for (const ballot of input.ballots) {
      try {
        const envelope = envelopeRows.find((e) => e.slug === ballot.envelope.trim());
        if (!envelope) throw new Problem("envelope_unknown", "envelope", { envelope: ballot.envelope });
        const voter = await voterOf(ballot, envelope);
        const choices = parseChoices(ballot.choices, printed.get(envelope.id) ?? [], ballotType(envelope.ballotType));
        if (!choices.ok) throw choiceProblem(choices.problem);
        await castBallotIn(tx, scope, {
          roundId: round.id,
          roundSlug: round.slug,
          envelope,
          voter,
          body: choices.body,
          channel: "paper",
          final: true,
          now,
        });
        counts[envelope.slug] = (counts[envelope.slug] ?? 0) + 1;
      } catch (error) {
        if (error instanceof Problem) {
          problems.push({
            line: ballot.line,
            code: error.code,
            field: error.field,
            params: error.params,
            violations: [],
          });
        } else if (error instanceof BallotRefused) {
          const field = error.code.startsWith("already_voted")
            ? "nationalId"
            : error.code === "not_voting"
              ? "form"
              : "choices";
          problems.push({ line: ballot.line, code: error.code, field, params: {}, violations: error.violations });
          // Voting is over (or not open): every other ballot would say the same.
          if (error.code === "not_voting") break;
        } else throw error;
      }
      if (problems.length >= 100) break;
    }
    if (problems.length) throw new PaperBallotsRefused(problems);
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "ballot.paper",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: null,
      after: { ballots: input.ballots.length, perEnvelope: counts },
      at: now,
    });
    return counts;
  });
  return { cast: input.ballots.length, perEnvelope: counts };
}

/** What the paper-ballot page shows: envelopes with their numbered proposals, and whether voting is open. */
export async function paperBallotSheet(db: Db, scope: Scope, input: { roundSlug: string; now?: Date }) {
  const { municipality } = scope;
  const now = input.now ?? new Date();
  const round = await findRound(db, scope, { slug: input.roundSlug });
  if (!round) return null;
  const [envelopeRows, phaseRows] = await Promise.all([
    db
      .select()
      .from(envelopes)
      .where(eq(envelopes.roundId, round.id))
      .orderBy(asc(envelopes.position), asc(envelopes.slug)),
    db.select().from(phases).where(eq(phases.roundId, round.id)),
  ]);
  const sheets = [];
  for (const e of envelopeRows)
    sheets.push({ envelope: e, proposals: await printedProposals(db, scope, { envelopeId: e.id }) });
  return { round, voting: currentPhase(phaseRows, dayIn(municipality.timeZone, now))?.kind === "voting", sheets };
}
