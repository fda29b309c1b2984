/**
 * Themes of a round (ADR 0032): a short list staff define, each proposal carrying at most one, so a
 * long ballot can be filtered by what proposals are about. Themes describe proposals and count for
 * nothing, so staff may change them at any time before publication.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, ne } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { type LocalizedText, proposals, roundThemes } from "../../../db/schema";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { type RoundRefusal, findRound } from "./rounds-admin.server";

export interface ThemeRow {
  id: string;
  slug: string;
  name: LocalizedText;
}

/** The themes of a round, in the staff's order. */
export async function themesOf(db: Db | Tx, input: { roundId: string }): Promise<ThemeRow[]> {
  return db
    .select({ id: roundThemes.id, slug: roundThemes.slug, name: roundThemes.name })
    .from(roundThemes)
    .where(eq(roundThemes.roundId, input.roundId))
    .orderBy(asc(roundThemes.position), asc(roundThemes.slug));
}

/** Checks that a theme id given in a form is one of the round's themes (null: no theme). */
export async function checkThemeOf(tx: Db | Tx, input: { roundId: string; themeId: string | null }) {
  if (!input.themeId) return null;
  const [row] = await tx
    .select({ id: roundThemes.id })
    .from(roundThemes)
    .where(and(eq(roundThemes.roundId, input.roundId), eq(roundThemes.id, input.themeId)));
  if (!row) throw new RefusedError<RoundRefusal>("theme_unknown", "themeId");
  return row.id;
}

async function roundOrThrow(db: Db | Tx, scope: Scope, slug: string) {
  const round = await findRound(db, scope, { slug });
  if (!round) throw new RefusedError<RoundRefusal>("round_not_found", null, {}, 404);
  return round;
}

/** Creates a theme, or renames the one named `existingSlug`. */
export async function saveTheme(
  db: Db,
  scope: Scope,
  input: { roundSlug: string; slug: string; name: LocalizedText; existingSlug: string | null },
) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, input.roundSlug);
    const [existing] = input.existingSlug
      ? await tx
          .select()
          .from(roundThemes)
          .where(and(eq(roundThemes.roundId, round.id), eq(roundThemes.slug, input.existingSlug)))
      : [];
    if (input.existingSlug && !existing) throw new RefusedError<RoundRefusal>("theme_not_found", null, {}, 404);
    const [clash] = await tx
      .select({ id: roundThemes.id })
      .from(roundThemes)
      .where(
        and(
          eq(roundThemes.roundId, round.id),
          eq(roundThemes.slug, input.slug),
          existing ? ne(roundThemes.id, existing.id) : undefined,
        ),
      );
    if (clash) throw new RefusedError<RoundRefusal>("slug_taken", "themeSlug");
    if (existing) {
      await tx.update(roundThemes).set({ slug: input.slug, name: input.name }).where(eq(roundThemes.id, existing.id));
    } else {
      const count = (await themesOf(tx, { roundId: round.id })).length;
      await tx
        .insert(roundThemes)
        .values({ id: randomUUID(), roundId: round.id, slug: input.slug, name: input.name, position: count });
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: existing ? "theme.update" : "theme.create",
      target: `theme:${input.roundSlug}/${input.slug}`,
      roundId: round.id,
      before: existing ? { slug: existing.slug, name: existing.name } : undefined,
      after: { slug: input.slug, name: input.name },
    });
  });
}

/** Deletes a theme; its proposals keep no theme. */
export async function deleteTheme(db: Db, scope: Scope, input: { roundSlug: string; slug: string }) {
  return db.transaction(async (tx) => {
    const round = await roundOrThrow(tx, scope, input.roundSlug);
    const [existing] = await tx
      .select()
      .from(roundThemes)
      .where(and(eq(roundThemes.roundId, round.id), eq(roundThemes.slug, input.slug)));
    if (!existing) throw new RefusedError<RoundRefusal>("theme_not_found", null, {}, 404);
    await tx.update(proposals).set({ themeId: null }).where(eq(proposals.themeId, existing.id));
    await tx.delete(roundThemes).where(eq(roundThemes.id, existing.id));
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "theme.delete",
      target: `theme:${input.roundSlug}/${input.slug}`,
      roundId: round.id,
      before: { slug: existing.slug, name: existing.name },
    });
  });
}
