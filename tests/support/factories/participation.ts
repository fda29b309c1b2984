/** Survey questions and implementation updates (with residents' comments), through the staff services. */
import type { Db } from "../../../db/client";
import type { ImplementationStatus } from "../../../app/domain/accountability/implementation";
import { commentOnUpdate, postImplementationUpdate } from "../../../app/services/accountability/implementation.server";
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
      await addQuestion(db, input.by, input.round.slug, {
        kind: q.kind,
        promptEn: q.prompt,
        promptFa: q.prompt,
        options: (q.options ?? []).map((o) => `${o} | ${o}`).join("\n"),
        required: q.required ?? false,
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
  const { updateId } = await postImplementationUpdate(
    db,
    input.by,
    input.round.slug,
    input.proposalId,
    {
      status: input.status ?? "in_progress",
      progress: input.progress ?? 0,
      spent: input.spent ?? 0,
      note: input.note,
      cancelReason: null,
      expectedCompletion: null,
      photoUrl: null,
    },
    input.at,
  );
  return updateId;
}

/** A resident's comment on an update. */
export async function makeUpdateComment(
  db: Db,
  input: { municipality: Member["municipality"]; proposalId: string; updateId: string; userId: string; body: string },
): Promise<string> {
  const { id } = await commentOnUpdate(db, {
    municipalityId: input.municipality.id,
    proposalId: input.proposalId,
    updateId: input.updateId,
    userId: input.userId,
    body: input.body,
  });
  return id;
}
