/**
 * Surveys of consultation rounds: staff write questions (single or multiple choice, a 1–5 scale, free
 * text; required or optional; ordered); residents answer once and may change their answers while the
 * round is open; staff see counts, percentages and the free-text answers, and export them as CSV.
 */
import { randomUUID } from "node:crypto";
import { and, asc, count, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { phases, rounds, surveyQuestions, surveyResponses } from "../../../db/schema";
import { csvLine } from "../../domain/csv";
import type { LocalizedText } from "../../domain/i18n";
import { currentPhase, dayIn } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { findRound } from "../rounds/rounds-admin.server";
import { type Scope, actorUserId } from "../scope";
import { mayParticipate } from "../verification/eligibility.server";

import { QUESTION_KINDS, type QuestionKind } from "../../domain/rounds/survey";
const MAX_OPTIONS = 20;
const MAX_TEXT_ANSWER = 2000;
/** Phases in which a round's survey takes answers. */
const OPEN_PHASES = new Set(["information", "proposals", "review", "voting"]);

type Answer = number[] | number | string;

/** Why a survey question or a set of answers is refused. */
export type SurveyRefusal =
  | "round_not_found"
  | "survey_kind"
  | "survey_prompt"
  | "survey_options"
  | "survey_answered"
  | "survey_question_unknown"
  | "survey_closed"
  | "survey_verified_only"
  | "survey_required"
  | "survey_text_long"
  | "survey_scale"
  | "survey_option";

interface SurveyProblem {
  field: string;
  code: SurveyRefusal;
  params?: Record<string, string | number>;
}

/** Problems with a question or a set of answers, each named by its field (the first is the refusal's own). */
export class SurveyProblems extends RefusedError<SurveyRefusal> {
  constructor(readonly problems: SurveyProblem[]) {
    super(problems[0].code, problems[0].field, problems[0].params ?? {}, 400);
  }
}

/** The questions of a round of the scope's municipality, in order. */
export async function surveyQuestionsOf(db: Db, scope: Scope, input: { roundId: string }) {
  return db
    .select({ question: surveyQuestions })
    .from(surveyQuestions)
    .innerJoin(rounds, eq(rounds.id, surveyQuestions.roundId))
    .where(and(eq(surveyQuestions.roundId, input.roundId), eq(rounds.municipalityId, scope.municipality.id)))
    .orderBy(asc(surveyQuestions.position), asc(surveyQuestions.id))
    .then((rows) => rows.map((r) => r.question));
}

/** The answers of a round of the scope's municipality, oldest first. */
function responsesOf(db: Db, scope: Scope, roundId: string) {
  return db
    .select({ answers: surveyResponses.answers })
    .from(surveyResponses)
    .innerJoin(rounds, eq(rounds.id, surveyResponses.roundId))
    .where(and(eq(surveyResponses.roundId, roundId), eq(rounds.municipalityId, scope.municipality.id)))
    .orderBy(asc(surveyResponses.updatedAt));
}

async function roundOf(db: Db, scope: Scope, slug: string) {
  const round = await findRound(db, scope, { slug });
  if (!round) throw new RefusedError<SurveyRefusal>("round_not_found", "form", {}, 404);
  return round;
}

async function answered(db: Db, roundId: string): Promise<number> {
  const [{ n }] = await db.select({ n: count() }).from(surveyResponses).where(eq(surveyResponses.roundId, roundId));
  return n;
}

export interface QuestionInput {
  kind: string;
  promptEn: string;
  promptFa: string;
  /** One option per line (each line "English | فارسی", or one language). */
  options: string;
  required: boolean;
}

/** Adds a question at the end of the round's survey. */
export async function addQuestion(
  db: Db,
  scope: Scope,
  { roundSlug, question: input }: { roundSlug: string; question: QuestionInput },
) {
  const round = await roundOf(db, scope, roundSlug);
  const violations: SurveyProblem[] = [];
  const kind = QUESTION_KINDS.find((k) => k === input.kind);
  if (!kind) violations.push({ field: "kind", code: "survey_kind" });
  const prompt: LocalizedText = {};
  if (input.promptEn.trim()) prompt.en = input.promptEn.trim().slice(0, 500);
  if (input.promptFa.trim()) prompt.fa = input.promptFa.trim().slice(0, 500);
  if (!prompt.en && !prompt.fa) violations.push({ field: "promptEn", code: "survey_prompt" });
  const options: LocalizedText[] = input.options
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [a, b] = l.split("|").map((x) => x.trim());
      return b !== undefined
        ? { en: a.slice(0, 200), fa: b.slice(0, 200) }
        : { en: a.slice(0, 200), fa: a.slice(0, 200) };
    });
  if ((kind === "single" || kind === "multiple") && (options.length < 2 || options.length > MAX_OPTIONS)) {
    violations.push({ field: "options", code: "survey_options", params: { max: MAX_OPTIONS } });
  }
  if (violations.length) throw new SurveyProblems(violations);
  const [{ n }] = await db.select({ n: count() }).from(surveyQuestions).where(eq(surveyQuestions.roundId, round.id));
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(surveyQuestions).values({
      id,
      roundId: round.id,
      position: n,
      kind: kind as QuestionKind,
      prompt,
      options: kind === "single" || kind === "multiple" ? options : [],
      required: input.required,
    });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "survey.question.add",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: null,
      after: { id, kind, prompt, required: input.required },
    });
  });
  return id;
}

/** Removes a question (refused once anyone has answered: the answers would lose their meaning). */
export async function deleteQuestion(
  db: Db,
  scope: Scope,
  { roundSlug, questionId }: { roundSlug: string; questionId: string },
) {
  const round = await roundOf(db, scope, roundSlug);
  if ((await answered(db, round.id)) > 0) throw new RefusedError<SurveyRefusal>("survey_answered", "form", {}, 409);
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(surveyQuestions)
      .where(and(eq(surveyQuestions.id, questionId), eq(surveyQuestions.roundId, round.id)))
      .returning();
    if (!gone) throw new RefusedError<SurveyRefusal>("survey_question_unknown", "form", {}, 404);
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "survey.question.delete",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: { id: gone.id, prompt: gone.prompt },
      after: null,
    });
  });
}

/** Moves a question one place up or down. */
export async function moveQuestion(
  db: Db,
  scope: Scope,
  { roundSlug, questionId, direction }: { roundSlug: string; questionId: string; direction: "up" | "down" },
) {
  const round = await roundOf(db, scope, roundSlug);
  await db.transaction(async (tx) => {
    const list = await tx
      .select()
      .from(surveyQuestions)
      .where(eq(surveyQuestions.roundId, round.id))
      .orderBy(asc(surveyQuestions.position), asc(surveyQuestions.id));
    const i = list.findIndex((q) => q.id === questionId);
    if (i < 0) throw new RefusedError<SurveyRefusal>("survey_question_unknown", "form", {}, 404);
    const j = direction === "up" ? i - 1 : i + 1;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    for (let k = 0; k < list.length; k++)
      await tx.update(surveyQuestions).set({ position: k }).where(eq(surveyQuestions.id, list[k].id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "survey.question.move",
      target: `round:${round.slug}`,
      roundId: round.id,
      before: { position: i },
      after: { id: questionId, position: j },
    });
  });
}

/** Whether the round's survey takes answers today. */
export async function surveyOpen(db: Db, scope: Scope, input: { roundId: string; now?: Date }): Promise<boolean> {
  const rows = await db
    .select({ phase: phases })
    .from(phases)
    .innerJoin(rounds, eq(rounds.id, phases.roundId))
    .where(and(eq(phases.roundId, input.roundId), eq(rounds.municipalityId, scope.municipality.id)));
  const phase = currentPhase(
    rows.map((r) => r.phase),
    dayIn(scope.municipality.timeZone, input.now ?? new Date()),
  )?.kind;
  return phase !== undefined && OPEN_PHASES.has(phase);
}

/** The acting person's answers in a round of the scope's municipality, or null. */
export async function ownAnswers(
  db: Db,
  scope: Scope,
  input: { roundId: string },
): Promise<Record<string, Answer> | null> {
  const [row] = await db
    .select({ answers: surveyResponses.answers })
    .from(surveyResponses)
    .innerJoin(rounds, eq(rounds.id, surveyResponses.roundId))
    .where(
      and(
        eq(surveyResponses.roundId, input.roundId),
        eq(rounds.municipalityId, scope.municipality.id),
        eq(surveyResponses.userId, actorUserId(scope)),
      ),
    );
  return row?.answers ?? null;
}

/**
 * Stores a person's answers (replacing earlier ones). `raw` maps `q-<id>` to the submitted values.
 * Every problem is named by its question; nothing is stored then.
 */
export async function answerSurvey(
  db: Db,
  scope: Scope,
  input: { roundId: string; raw: Map<string, string[]>; now?: Date },
) {
  const now = input.now ?? new Date();
  const userId = actorUserId(scope);
  if (!(await surveyOpen(db, scope, { roundId: input.roundId, now })))
    throw new RefusedError<SurveyRefusal>("survey_closed", "form", {}, 409);
  if (
    !(await mayParticipate(db, scope, {
      roundId: input.roundId,
      action: "comment",
    }))
  ) {
    throw new RefusedError<SurveyRefusal>("survey_verified_only", "form", {}, 403);
  }
  const questions = await surveyQuestionsOf(db, scope, input);
  const answers: Record<string, Answer> = {};
  const violations: SurveyProblem[] = [];
  for (const q of questions) {
    const field = `q-${q.id}`;
    const values = (input.raw.get(field) ?? []).map((v) => v.trim()).filter((v) => v !== "");
    if (values.length === 0) {
      if (q.required) violations.push({ field, code: "survey_required" });
      continue;
    }
    if (q.kind === "text") {
      const text = values.join("\n");
      if (text.length > MAX_TEXT_ANSWER)
        violations.push({ field, code: "survey_text_long", params: { max: MAX_TEXT_ANSWER } });
      else answers[q.id] = text;
    } else if (q.kind === "scale") {
      const n = Number(values[0]);
      if (values.length !== 1 || !Number.isInteger(n) || n < 1 || n > 5)
        violations.push({ field, code: "survey_scale" });
      else answers[q.id] = n;
    } else {
      const picks = values.map(Number);
      const valid =
        picks.every((p) => Number.isInteger(p) && p >= 0 && p < q.options.length) &&
        new Set(picks).size === picks.length;
      if (!valid || (q.kind === "single" && picks.length !== 1)) violations.push({ field, code: "survey_option" });
      else answers[q.id] = [...picks].sort((a, b) => a - b);
    }
  }
  if (violations.length) throw new SurveyProblems(violations);
  await db
    .insert(surveyResponses)
    .values({ roundId: input.roundId, userId, answers, updatedAt: now })
    .onConflictDoUpdate({
      target: [surveyResponses.roundId, surveyResponses.userId],
      set: { answers, updatedAt: now },
    });
}

/** Counts and percentages per option, the scale's distribution and mean, and the free-text answers. */
export async function surveyResults(db: Db, scope: Scope, input: { roundId: string }) {
  const [questions, responses] = await Promise.all([
    surveyQuestionsOf(db, scope, input),
    responsesOf(db, scope, input.roundId),
  ]);
  const respondents = responses.length;
  const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);
  return {
    respondents,
    questions: questions.map((q) => {
      const given = responses.map((r) => r.answers[q.id]).filter((a) => a !== undefined);
      if (q.kind === "text")
        return { question: q, answered: given.length, options: [], texts: given.map(String), mean: null };
      const labels =
        q.kind === "scale"
          ? ["1", "2", "3", "4", "5"].map((x) => ({ en: x, fa: String.fromCharCode(0x06f0 + Number(x)) }))
          : q.options;
      const counts = labels.map(() => 0);
      for (const a of given) {
        if (q.kind === "scale" && typeof a === "number") counts[a - 1] += 1;
        if (Array.isArray(a)) for (const i of a) if (i >= 0 && i < counts.length) counts[i] += 1;
      }
      const mean =
        q.kind === "scale" && given.length
          ? Math.round((given.reduce<number>((s, a) => s + Number(a), 0) / given.length) * 100) / 100
          : null;
      return {
        question: q,
        answered: given.length,
        options: labels.map((label, i) => ({ label, count: counts[i], percent: pct(counts[i], given.length) })),
        texts: [],
        mean,
      };
    }),
  };
}

/** One row per respondent (numbered, anonymous), one column per question; choices by their label. */
export async function surveyCsv(
  db: Db,
  scope: Scope,
  input: { roundId: string; locale: "en" | "fa" },
): Promise<string> {
  const { locale } = input;
  const [questions, responses] = await Promise.all([
    surveyQuestionsOf(db, scope, input),
    responsesOf(db, scope, input.roundId),
  ]);
  const text = (t: LocalizedText) => t[locale] ?? t.en ?? t.fa ?? "";
  const rows = [csvLine(["respondent", ...questions.map((q) => text(q.prompt))])];
  responses.forEach((r, i) => {
    const cells: (string | number)[] = [i + 1];
    for (const q of questions) {
      const a = r.answers[q.id];
      if (a === undefined) cells.push("");
      else if (Array.isArray(a)) cells.push(a.map((x) => text(q.options[x] ?? {})).join("; "));
      else cells.push(a);
    }
    rows.push(csvLine(cells));
  });
  return `${rows.join("\n")}\n`;
}
