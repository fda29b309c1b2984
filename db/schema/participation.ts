import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { users } from "./accounts";
import { proposals, rounds } from "./rounds";
import type { LocalizedText } from "./tenancy";

export const commentStances = ["for", "neutral", "against"] as const;

/** A resident's comment on a proposal; replies point at their parent. Deleting and hiding keep the row. */
export const comments = pgTable(
  "comments",
  {
    id: text("id").primaryKey(),
    proposalId: text("proposal_id")
      .notNull()
      .references(() => proposals.id, { onDelete: "cascade" }),
    parentId: text("parent_id"),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    body: text("body").notNull(),
    /** Only on top-level comments. */
    stance: text("stance", { enum: commentStances }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    editedAt: timestamp("edited_at", { withTimezone: true, mode: "date" }),
    deletedAt: timestamp("deleted_at", { withTimezone: true, mode: "date" }),
    hiddenAt: timestamp("hidden_at", { withTimezone: true, mode: "date" }),
    hiddenBy: text("hidden_by").references(() => users.id, { onDelete: "set null" }),
    hiddenReason: text("hidden_reason"),
    /** The author's role in the municipality when writing ("staff", "admin"), null for residents (ADR 0015). */
    authorRole: text("author_role"),
  },
  (t) => [index("comments_proposal_idx").on(t.proposalId, t.createdAt), index("comments_parent_idx").on(t.parentId)],
);

/** A flag raised on a comment: once per person; open until staff hide or restore the comment. */
export const commentFlags = pgTable(
  "comment_flags",
  {
    commentId: text("comment_id")
      .notNull()
      .references(() => comments.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    reason: text("reason"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [primaryKey({ columns: [t.commentId, t.userId] }), index("comment_flags_open_idx").on(t.commentId).where(sql`${t.resolvedAt} is null`)],
);

export const surveyQuestionKinds = ["single", "multiple", "scale", "text"] as const;

/** A question of a round's survey (consultation rounds). Options only for single and multiple choice. */
export const surveyQuestions = pgTable(
  "survey_questions",
  {
    id: text("id").primaryKey(),
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    position: integer("position").notNull().default(0),
    kind: text("kind", { enum: surveyQuestionKinds }).notNull(),
    prompt: jsonb("prompt").$type<LocalizedText>().notNull(),
    options: jsonb("options").$type<LocalizedText[]>().notNull().default([]),
    required: boolean("required").notNull().default(false),
  },
  (t) => [index("survey_questions_round_idx").on(t.roundId, t.position)],
);

/** One person's answers to a round's survey: question id → option indexes, a 1–5 value or text. */
export const surveyResponses = pgTable(
  "survey_responses",
  {
    roundId: text("round_id")
      .notNull()
      .references(() => rounds.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    answers: jsonb("answers").$type<Record<string, number[] | number | string>>().notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.roundId, t.userId] })],
);
