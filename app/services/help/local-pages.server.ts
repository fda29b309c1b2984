/**
 * A municipality's own help pages (ADR 0037): its staff write them in English and Persian; residents
 * read them beside the platform's guides. Every change is recorded in the municipality's action log.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { helpPages } from "../../../db/schema";
import { isHelpSlug } from "../../domain/help/catalogue";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import type { Scope } from "../scope";
import { roleIn } from "../tenancy/municipality.server";

export type HelpRefusal =
  | "help_staff_only"
  | "help_slug"
  | "help_slug_taken"
  | "help_title"
  | "help_body"
  | "help_not_found";

export const HELP_TITLE_MAX = 120;
export const HELP_BODY_MAX = 20_000;

export interface LocalHelpPage {
  id: string;
  slug: string;
  title: { en: string; fa: string };
  body: { en: string; fa: string };
  updatedAt: Date;
}

function toPage(row: typeof helpPages.$inferSelect): LocalHelpPage {
  return {
    id: row.id,
    slug: row.slug,
    title: { en: row.title.en ?? "", fa: row.title.fa ?? "" },
    body: { en: row.body.en ?? "", fa: row.body.fa ?? "" },
    updatedAt: row.updatedAt,
  };
}

export async function listLocalHelpPages(db: Db, scope: Scope): Promise<LocalHelpPage[]> {
  const rows = await db
    .select()
    .from(helpPages)
    .where(eq(helpPages.municipalityId, scope.municipality.id))
    .orderBy(asc(helpPages.slug));
  return rows.map(toPage);
}

export async function localHelpPage(db: Db, scope: Scope, input: { slug: string }): Promise<LocalHelpPage | null> {
  const [row] = await db
    .select()
    .from(helpPages)
    .where(and(eq(helpPages.municipalityId, scope.municipality.id), eq(helpPages.slug, input.slug)));
  return row ? toPage(row) : null;
}

export interface LocalHelpInput {
  /** The page to change; none adds a page. */
  id?: string;
  slug: string;
  titleEn: string;
  titleFa: string;
  bodyEn: string;
  bodyFa: string;
}

async function requireStaffRole(db: Db | Tx, scope: Scope) {
  if (!(await roleIn(db as Db, scope))) throw new RefusedError<HelpRefusal>("help_staff_only", null, {}, 403);
}

function checked(input: LocalHelpInput) {
  const slug = input.slug.trim().toLowerCase();
  if (!/^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$/.test(slug) || isHelpSlug(slug))
    throw new RefusedError<HelpRefusal>("help_slug", "slug");
  const text = (value: string, field: string, code: "help_title" | "help_body", max: number) => {
    const v = value.replace(/\r\n?/g, "\n").trim();
    if (v.length === 0 || v.length > max) throw new RefusedError<HelpRefusal>(code, field, { max });
    return v;
  };
  return {
    slug,
    title: {
      en: text(input.titleEn, "titleEn", "help_title", HELP_TITLE_MAX),
      fa: text(input.titleFa, "titleFa", "help_title", HELP_TITLE_MAX),
    },
    body: {
      en: text(input.bodyEn, "bodyEn", "help_body", HELP_BODY_MAX),
      fa: text(input.bodyFa, "bodyFa", "help_body", HELP_BODY_MAX),
    },
  };
}

/** Adds a page, or changes one of this municipality's (its address too). */
export async function saveLocalHelpPage(db: Db, scope: Scope, input: LocalHelpInput): Promise<LocalHelpPage> {
  await requireStaffRole(db, scope);
  const page = checked(input);
  return db.transaction(async (tx) => {
    const municipalityId = scope.municipality.id;
    await tx
      .select({ id: helpPages.id })
      .from(helpPages)
      .where(eq(helpPages.municipalityId, municipalityId))
      .for("update");
    const [same] = await tx
      .select({ id: helpPages.id })
      .from(helpPages)
      .where(and(eq(helpPages.municipalityId, municipalityId), eq(helpPages.slug, page.slug)));
    if (same && same.id !== input.id)
      throw new RefusedError<HelpRefusal>("help_slug_taken", "slug", { slug: page.slug }, 409);
    const now = new Date();
    let before: typeof helpPages.$inferSelect | undefined;
    let row: typeof helpPages.$inferSelect;
    if (input.id) {
      [before] = await tx
        .select()
        .from(helpPages)
        .where(and(eq(helpPages.municipalityId, municipalityId), eq(helpPages.id, input.id)));
      if (!before) throw new RefusedError<HelpRefusal>("help_not_found", "id", {}, 404);
      [row] = await tx
        .update(helpPages)
        .set({ ...page, updatedAt: now })
        .where(eq(helpPages.id, input.id))
        .returning();
    } else {
      [row] = await tx
        .insert(helpPages)
        .values({ id: randomUUID(), municipalityId, ...page, createdAt: now, updatedAt: now })
        .returning();
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: before ? "help.update" : "help.create",
      target: `help:${page.slug}`,
      before: before ? { slug: before.slug, title: before.title } : null,
      after: { slug: page.slug, title: page.title },
      at: now,
    });
    return toPage(row);
  });
}

export async function deleteLocalHelpPage(db: Db, scope: Scope, input: { id: string }): Promise<void> {
  await requireStaffRole(db, scope);
  await db.transaction(async (tx) => {
    const [gone] = await tx
      .delete(helpPages)
      .where(and(eq(helpPages.municipalityId, scope.municipality.id), eq(helpPages.id, input.id)))
      .returning();
    if (!gone) throw new RefusedError<HelpRefusal>("help_not_found", "id", {}, 404);
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "help.delete",
      target: `help:${gone.slug}`,
      before: { slug: gone.slug, title: gone.title },
      after: null,
    });
  });
}
