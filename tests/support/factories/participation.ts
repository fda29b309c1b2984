/** Survey questions and implementation updates (with residents' comments), through the staff services. */
import type { Db } from "../../../db/client";
import { scopeOf, userActor } from "../../../app/services/scope";
import type { ImplementationStatus } from "../../../app/domain/implementation/implementation";
import { commentOnUpdate, postImplementationUpdate } from "../../../app/services/implementation/implementation.server";
import { addQuestion } from "../../../app/services/participation/surveys.server";
import type { Member } from "./accounts";
import type { Round } from "./rounds";

export interface Question {
  kind: "single" | "multiple" | "scale" | "text";
  prompt: string;
  /** Choices of a single or multiple choice question (the same text in English and Persian). */
  options?: string[];
  required?: boolean;
}

/** The round's survey questions, appended in order; returns their ids. */
export async function makeSurvey(
  db: Db,
  input: { by: Member; round: Round; questions: Question[] },
): Promise<string[]> {
  const ids: string[] = [];
  for (const q of input.questions)
    ids.push(
      await addQuestion(db, input.by, {
        roundSlug: input.round.slug,
        question: {
          kind: q.kind,
          promptEn: q.prompt,
          promptFa: q.prompt,
          options: (q.options ?? []).map((o) => `${o} | ${o}`).join("\n"),
          required: q.required ?? false,
        },
      }),
    );
  return ids;
}

/** Staff post an update on a funded proposal at `at` (its posting day). Returns the update's id. */
export async function makeUpdate(
  db: Db,
  input: {
    by: Member;
    round: Round;
    proposalId: string;
    status?: ImplementationStatus;
    progress?: number;
    spent?: number;
    note: string;
    at?: Date;
  },
): Promise<string> {
  const { updateId } = await postImplementationUpdate(db, input.by, {
    roundSlug: input.round.slug,
    proposalId: input.proposalId,
    update: {
      status: input.status ?? "in_progress",
      progress: input.progress ?? 0,
      spent: input.spent ?? 0,
      note: input.note,
      cancelReason: null,
      expectedCompletion: null,
      photoUrl: null,
    },
    now: input.at,
  });
  return updateId;
}

/** A resident's comment on an update. */
export async function makeUpdateComment(
  db: Db,
  input: { municipality: Member["municipality"]; proposalId: string; updateId: string; userId: string; body: string },
): Promise<string> {
  const { id } = await commentOnUpdate(db, scopeOf(input.municipality, userActor({ id: input.userId })), {
    proposalId: input.proposalId,
    updateId: input.updateId,
    body: input.body,
  });
  return id;
}
