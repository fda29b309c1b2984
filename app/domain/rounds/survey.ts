/** Kinds of survey questions (shared by the staff form and the survey service). */
export type QuestionKind = "single" | "multiple" | "scale" | "text";
export const QUESTION_KINDS: readonly QuestionKind[] = ["single", "multiple", "scale", "text"];
