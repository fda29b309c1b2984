/**
 * Residents' reports and the council's desk (ADR 0039): filing (web and Open311), the public view,
 * the staff queue and changes, and the response-time figures. Every desk change is logged and tells
 * the reporter through the outbox, in the same transaction.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import {
  districts,
  envelopes,
  memberships,
  proposals,
  reportCategories,
  reportEvents,
  reportSettings,
  reports,
  rounds,
  users,
} from "../../../db/schema";
import type { LocalizedText } from "../../domain/i18n";
import { type Figures, type MonthCalendar, type WorkCalendar, computeFigures } from "../../domain/reports/figures";
import {
  type ReportChangeProblem,
  type ReportStatus,
  checkStatusChange,
  insideBounds,
  isClosedStatus,
} from "../../domain/reports/reports";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { enqueueMessage } from "../mail/outbox.server";
import { type PreparedMedia, attachMedia, mediaOf } from "../media/media.server";
import { type Scope, actorUserId } from "../scope";
import { activeVerification } from "../verification/verifications.server";

export type ReportRefusal =
  | ReportChangeProblem["code"]
  | "report_category_unknown"
  | "report_login_required"
  | "report_not_resident"
  | "report_location_outside"
  | "report_location_half"
  | "report_district_unknown"
  | "report_project_unknown"
  | "report_project_required"
  | "report_not_found"
  | "report_duplicate_unknown"
  | "report_assignee_unknown"
  | "report_photo_invalid"
  | "report_photo_too_large"
  | "report_category_code_taken";

const refuse = (code: ReportRefusal, field: string | null = null, status: 400 | 403 | 404 | 409 | 413 = 400) =>
  new RefusedError<ReportRefusal>(code, field, {}, status);

/** Iran's working week (Friday off) unless the municipality set its own. */
export const DEFAULT_WEEKEND = [5];

export async function reportCalendar(
  db: Db | Tx,
  scope: Scope,
): Promise<WorkCalendar & { bounds: typeof reportSettings.$inferSelect | null }> {
  const [row] = await db.select().from(reportSettings).where(eq(reportSettings.municipalityId, scope.municipality.id));
  return {
    timeZone: scope.municipality.timeZone,
    weekend: row?.weekend ?? DEFAULT_WEEKEND,
    holidays: row?.holidays ?? [],
    bounds: row ?? null,
  };
}

export async function saveReportSettings(
  db: Db,
  scope: Scope,
  input: {
    weekend: number[];
    holidays: string[];
    bounds: { minLat: number; maxLat: number; minLon: number; maxLon: number } | null;
  },
) {
  return db.transaction(async (tx) => {
    const before = await reportCalendar(tx, scope);
    const values = {
      weekend: input.weekend,
      holidays: input.holidays,
      minLat: input.bounds?.minLat ?? null,
      maxLat: input.bounds?.maxLat ?? null,
      minLon: input.bounds?.minLon ?? null,
      maxLon: input.bounds?.maxLon ?? null,
    };
    await tx
      .insert(reportSettings)
      .values({ municipalityId: scope.municipality.id, ...values })
      .onConflictDoUpdate({ target: reportSettings.municipalityId, set: values });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "report.settings",
      target: `municipality:${scope.municipality.slug}`,
      before: { weekend: before.weekend, holidays: before.holidays },
      after: values,
    });
  });
}

export type ReportCategory = typeof reportCategories.$inferSelect;

export async function reportCategoriesOf(db: Db | Tx, scope: Scope): Promise<ReportCategory[]> {
  return db
    .select()
    .from(reportCategories)
    .where(eq(reportCategories.municipalityId, scope.municipality.id))
    .orderBy(asc(reportCategories.position), asc(reportCategories.code));
}

export interface CategoryInput {
  code: string;
  name: LocalizedText;
  description: LocalizedText;
  targetDays: number;
  allowAnonymous: boolean;
  aboutProjects: boolean;
}

/** Staff add a category, or change the one with this code. */
export async function saveReportCategory(db: Db, scope: Scope, input: CategoryInput) {
  return db.transaction(async (tx) => {
    const [existing] = await tx
      .select()
      .from(reportCategories)
      .where(and(eq(reportCategories.municipalityId, scope.municipality.id), eq(reportCategories.code, input.code)));
    const values = {
      name: input.name,
      description: input.description,
      targetDays: input.targetDays,
      allowAnonymous: input.allowAnonymous,
      aboutProjects: input.aboutProjects,
    };
    if (existing) {
      await tx.update(reportCategories).set(values).where(eq(reportCategories.id, existing.id));
    } else {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(reportCategories)
        .where(eq(reportCategories.municipalityId, scope.municipality.id));
      await tx.insert(reportCategories).values({
        id: randomUUID(),
        municipalityId: scope.municipality.id,
        code: input.code,
        position: n,
        ...values,
      });
    }
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "report.category",
      target: `report_category:${input.code}`,
      before: existing
        ? { targetDays: existing.targetDays, allowAnonymous: existing.allowAnonymous, name: existing.name }
        : null,
      after: { targetDays: input.targetDays, allowAnonymous: input.allowAnonymous, name: input.name },
    });
  });
}

/** A report's photos are media of this owner kind (ADR 0034; who sees them: owners.server.ts). */
export const REPORT_MEDIA = "report";

export interface FileReportInput {
  categoryCode: string;
  description: string;
  lat?: number | null;
  lon?: number | null;
  districtCode?: string | null;
  address?: string | null;
  proposalId?: string | null;
  /** A logged-in resident who files without their account attached (where the category allows it). */
  anonymous?: boolean;
  /** Pictures prepared by `prepareReportPhotos` (photos.server.ts), stored with the report. */
  photos?: PreparedMedia[];
  locale?: string;
  contactEmail?: string | null;
  source?: "web" | "open311";
  apiKeyId?: string | null;
  now?: Date;
}

/**
 * Files a report: a verified or e-mail-confirmed resident of any category, anyone (and any Open311
 * client) in a category that allows anonymous reports. Returns its public number and token.
 */
export async function fileReport(
  db: Db,
  scope: Scope,
  input: FileReportInput,
): Promise<{ number: number; token: string; id: string }> {
  const now = input.now ?? new Date();
  return db.transaction(async (tx) => {
    const [category] = await tx
      .select()
      .from(reportCategories)
      .where(
        and(eq(reportCategories.municipalityId, scope.municipality.id), eq(reportCategories.code, input.categoryCode)),
      );
    if (!category) throw refuse("report_category_unknown", "category", input.source === "open311" ? 404 : 400);
    const userId = scope.actor.kind === "user" ? scope.actor.userId : null;
    const anonymous = userId === null || input.anonymous === true;
    // A client holding a key staff issued answers for its reporters (ADR 0039).
    if (anonymous && !category.allowAnonymous && !input.apiKeyId) {
      throw refuse(
        userId === null ? "report_login_required" : "report_not_resident",
        userId === null ? null : "anonymous",
        403,
      );
    }
    if (userId) {
      const [user] = await tx.select({ confirmed: users.emailConfirmedAt }).from(users).where(eq(users.id, userId));
      const verified = await activeVerification(tx, { municipalityId: scope.municipality.id, userId });
      if (!user?.confirmed && !verified && !category.allowAnonymous) throw refuse("report_not_resident", null, 403);
    }
    const lat = input.lat ?? null;
    const lon = input.lon ?? null;
    if ((lat === null) !== (lon === null)) throw refuse("report_location_half", lat === null ? "lat" : "lon");
    if (lat !== null && lon !== null) {
      const calendar = await reportCalendar(tx, scope);
      if (!insideBounds(calendar.bounds, lat, lon)) throw refuse("report_location_outside", "lat");
    }
    let districtId: string | null = null;
    if (input.districtCode) {
      const [district] = await tx
        .select({ id: districts.id })
        .from(districts)
        .where(and(eq(districts.municipalityId, scope.municipality.id), eq(districts.code, input.districtCode)));
      if (!district) throw refuse("report_district_unknown", "district");
      districtId = district.id;
    }
    let proposalId: string | null = null;
    if (input.proposalId) {
      const [funded] = await tx
        .select({ id: proposals.id })
        .from(proposals)
        .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
        .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
        .where(
          and(
            eq(proposals.id, input.proposalId),
            eq(proposals.status, "funded"),
            eq(rounds.municipalityId, scope.municipality.id),
          ),
        );
      if (!funded) throw refuse("report_project_unknown", "project");
      proposalId = funded.id;
    } else if (category.aboutProjects) {
      throw refuse("report_project_required", "project");
    }
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`reports:${scope.municipality.id}`}))`);
    const [{ last }] = await tx
      .select({ last: sql<number>`coalesce(max(${reports.number}), 0)::int` })
      .from(reports)
      .where(eq(reports.municipalityId, scope.municipality.id));
    const number = last + 1;
    const id = randomUUID();
    const token = randomBytes(12).toString("base64url");
    const reporter = anonymous ? null : userId;
    await tx.insert(reports).values({
      id,
      municipalityId: scope.municipality.id,
      number,
      categoryId: category.id,
      userId: reporter,
      contactEmail: input.contactEmail ?? null,
      description: input.description,
      lat,
      lon,
      districtId,
      address: input.address ?? null,
      proposalId,
      locale: input.locale === "fa" ? "fa" : "en",
      token,
      source: input.source ?? "web",
      apiKeyId: input.apiKeyId ?? null,
      createdAt: now,
      updatedAt: now,
    });
    if (input.photos?.length) await attachMedia(tx, scope, { owner: { kind: REPORT_MEDIA, id }, add: input.photos });
    if (reporter) {
      await enqueueMessage(tx, {
        kind: "report.received",
        userId: reporter,
        municipalityId: scope.municipality.id,
        payload: { number, category: category.name, path: reportPath(scope, number) },
        idempotencyKey: `report.received:${id}`,
        now,
      });
    }
    return { number, token, id };
  });
}

export function reportPath(scope: Scope, number: number): string {
  return `/m/${scope.municipality.slug}/reports/${number}`;
}

const publicColumns = {
  id: reports.id,
  number: reports.number,
  status: reports.status,
  description: reports.description,
  lat: reports.lat,
  lon: reports.lon,
  address: reports.address,
  resolution: reports.resolution,
  duplicateOf: reports.duplicateOf,
  createdAt: reports.createdAt,
  updatedAt: reports.updatedAt,
  firstResponseAt: reports.firstResponseAt,
  closedAt: reports.closedAt,
  token: reports.token,
  categoryCode: reportCategories.code,
  categoryName: reportCategories.name,
  targetDays: reportCategories.targetDays,
  districtName: districts.name,
  districtCode: districts.code,
  proposalId: reports.proposalId,
  proposalTitle: proposals.title,
  roundSlug: rounds.slug,
};

function publicQuery(db: Db | Tx) {
  return db
    .select(publicColumns)
    .from(reports)
    .innerJoin(reportCategories, eq(reportCategories.id, reports.categoryId))
    .leftJoin(districts, eq(districts.id, reports.districtId))
    .leftJoin(proposals, eq(proposals.id, reports.proposalId))
    .leftJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .leftJoin(rounds, eq(rounds.id, envelopes.roundId))
    .$dynamic();
}

export type PublicReport = Awaited<ReturnType<typeof publicReports>>[number];

/** Reports as anyone may see them (no reporter, no private replies), newest first; `limit` 200 at most. */
export async function publicReports(
  db: Db | Tx,
  scope: Scope,
  input: {
    numbers?: number[] | null;
    categoryCodes?: string[] | null;
    statuses?: ReportStatus[] | null;
    from?: Date | null;
    to?: Date | null;
    proposalId?: string | null;
    limit?: number;
  } = {},
) {
  const conditions = [eq(reports.municipalityId, scope.municipality.id)];
  if (input.numbers) conditions.push(inArray(reports.number, input.numbers.length ? input.numbers : [-1]));
  if (input.categoryCodes)
    conditions.push(inArray(reportCategories.code, input.categoryCodes.length ? input.categoryCodes : [""]));
  if (input.statuses) conditions.push(inArray(reports.status, input.statuses.length ? input.statuses : ["open"]));
  if (input.from) conditions.push(sql`${reports.createdAt} >= ${input.from}`);
  if (input.to) conditions.push(sql`${reports.createdAt} <= ${input.to}`);
  if (input.proposalId) conditions.push(eq(reports.proposalId, input.proposalId));
  return publicQuery(db)
    .where(and(...conditions))
    .orderBy(desc(reports.createdAt))
    .limit(Math.min(input.limit ?? 200, 1000));
}

/** One report's public page: the report, its public history and its photos; null when there is none. */
export async function publicReport(db: Db, scope: Scope, input: { number: number }) {
  const [report] = await publicReports(db, scope, { numbers: [input.number], limit: 1 });
  if (!report) return null;
  const events = await db
    .select({
      id: reportEvents.id,
      kind: reportEvents.kind,
      status: reportEvents.status,
      body: reportEvents.body,
      createdAt: reportEvents.createdAt,
    })
    .from(reportEvents)
    .where(
      and(eq(reportEvents.reportId, report.id), eq(reportEvents.public, true), sql`${reportEvents.kind} <> 'assign'`),
    )
    .orderBy(asc(reportEvents.createdAt));
  // A report is public, and so are its photos (owners.server.ts).
  const photos = await mediaOf(db, scope, { ownerKind: REPORT_MEDIA, ownerIds: [report.id] });
  const mine =
    scope.actor.kind === "user"
      ? (
          await db
            .select({ id: reports.id })
            .from(reports)
            .where(and(eq(reports.id, report.id), eq(reports.userId, scope.actor.userId)))
        ).length > 0
      : false;
  return { report, events, photos, mine };
}

/** The acting resident's own reports, newest first. */
export async function myReports(db: Db, scope: Scope) {
  const userId = actorUserId(scope);
  return publicQuery(db)
    .where(and(eq(reports.municipalityId, scope.municipality.id), eq(reports.userId, userId)))
    .orderBy(desc(reports.createdAt));
}

/** Open reports about a funded project, for its implementation page. */
export async function openReportsOfProject(db: Db, scope: Scope, input: { proposalId: string }) {
  return publicReports(db, scope, {
    proposalId: input.proposalId,
    statuses: ["open", "acknowledged", "in_progress"],
    limit: 50,
  });
}

// ---- the desk ----

/** The staff queue: filtered by category, district and status, oldest first (the age is what matters). */
export async function deskQueue(
  db: Db,
  scope: Scope,
  input: { category?: string | null; district?: string | null; status?: ReportStatus | "active" | "all" | null },
) {
  const conditions = [eq(reports.municipalityId, scope.municipality.id)];
  if (input.category) conditions.push(eq(reportCategories.code, input.category));
  if (input.district) conditions.push(eq(districts.code, input.district));
  const status = input.status ?? "active";
  if (status === "active") conditions.push(inArray(reports.status, ["open", "acknowledged", "in_progress"]));
  else if (status !== "all") conditions.push(eq(reports.status, status));
  return db
    .select({ ...publicColumns, assignedTo: users.displayName })
    .from(reports)
    .innerJoin(reportCategories, eq(reportCategories.id, reports.categoryId))
    .leftJoin(districts, eq(districts.id, reports.districtId))
    .leftJoin(proposals, eq(proposals.id, reports.proposalId))
    .leftJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .leftJoin(rounds, eq(rounds.id, envelopes.roundId))
    .leftJoin(users, eq(users.id, reports.assignedTo))
    .where(and(...conditions))
    .orderBy(asc(reports.createdAt))
    .limit(500);
}

/** One report as staff see it: with the reporter's name, every reply and the council members to assign. */
export async function deskReport(db: Db, scope: Scope, input: { number: number }) {
  const found = await publicReport(db, scope, input);
  if (!found) return null;
  const [extra] = await db
    .select({ reporter: users.displayName, assignedTo: reports.assignedTo, contactEmail: reports.contactEmail })
    .from(reports)
    .leftJoin(users, eq(users.id, reports.userId))
    .where(eq(reports.id, found.report.id));
  const events = await db
    .select({
      id: reportEvents.id,
      kind: reportEvents.kind,
      status: reportEvents.status,
      body: reportEvents.body,
      public: reportEvents.public,
      createdAt: reportEvents.createdAt,
      author: users.displayName,
    })
    .from(reportEvents)
    .leftJoin(users, eq(users.id, reportEvents.authorId))
    .where(eq(reportEvents.reportId, found.report.id))
    .orderBy(asc(reportEvents.createdAt));
  const staff = await db
    .select({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.municipalityId, scope.municipality.id))
    .orderBy(asc(users.displayName));
  return {
    ...found,
    reporter: extra?.reporter ?? null,
    contactEmail: extra?.contactEmail ?? null,
    assignedTo: extra?.assignedTo ?? null,
    events,
    staff,
  };
}

export type DeskChange =
  | {
      intent: "status";
      status: ReportStatus;
      resolution?: string | null;
      duplicateOf?: number | null;
      note?: string | null;
    }
  | { intent: "reply"; body: string; public: boolean }
  | { intent: "assign"; assignee: string | null };

/**
 * A desk change: status (closing needs a resolution, merging another report), a public or private
 * reply, an assignment. The first status change or public reply is the council's first response.
 * Logged; the reporter hears of status changes and public replies through the outbox.
 */
export async function changeReport(db: Db, scope: Scope, input: { number: number; change: DeskChange; now?: Date }) {
  const now = input.now ?? new Date();
  const authorId = actorUserId(scope);
  return db.transaction(async (tx) => {
    const [report] = await tx
      .select()
      .from(reports)
      .where(and(eq(reports.municipalityId, scope.municipality.id), eq(reports.number, input.number)))
      .for("update");
    if (!report) throw refuse("report_not_found", null, 404);
    const [category] = await tx.select().from(reportCategories).where(eq(reportCategories.id, report.categoryId));
    const change = input.change;
    const eventId = randomUUID();
    let notify: Record<string, unknown> | null = null;
    if (change.intent === "status") {
      const problem = checkStatusChange({
        number: report.number,
        from: report.status,
        to: change.status,
        resolution: change.resolution ?? null,
        duplicateOf: change.duplicateOf ?? null,
      });
      if (problem) throw refuse(problem.code, problem.field, problem.code === "report_same_status" ? 409 : 400);
      if (change.status === "duplicate") {
        const [other] = await tx
          .select({ id: reports.id })
          .from(reports)
          .where(and(eq(reports.municipalityId, scope.municipality.id), eq(reports.number, change.duplicateOf ?? -1)));
        if (!other) throw refuse("report_duplicate_unknown", "duplicateOf");
      }
      const closing = isClosedStatus(change.status);
      await tx
        .update(reports)
        .set({
          status: change.status,
          resolution:
            change.status === "closed" ? (change.resolution?.trim() ?? null) : closing ? report.resolution : null,
          duplicateOf: change.status === "duplicate" ? (change.duplicateOf ?? null) : null,
          closedAt: closing ? now : null,
          firstResponseAt: report.firstResponseAt ?? now,
          updatedAt: now,
        })
        .where(eq(reports.id, report.id));
      const body = change.status === "closed" ? (change.resolution?.trim() ?? null) : change.note?.trim() || null;
      await tx.insert(reportEvents).values({
        id: eventId,
        reportId: report.id,
        kind: "status",
        status: change.status,
        body,
        public: true,
        authorId,
        createdAt: now,
      });
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "report.status",
        target: `report:${report.number}`,
        before: { status: report.status },
        after: { status: change.status, ...(change.status === "duplicate" ? { duplicateOf: change.duplicateOf } : {}) },
        at: now,
      });
      notify = {
        status: change.status,
        note: body,
        duplicateOf: change.status === "duplicate" ? change.duplicateOf : null,
      };
    } else if (change.intent === "reply") {
      await tx.insert(reportEvents).values({
        id: eventId,
        reportId: report.id,
        kind: "reply",
        body: change.body,
        public: change.public,
        authorId,
        createdAt: now,
      });
      await tx
        .update(reports)
        .set({ updatedAt: now, ...(change.public && !report.firstResponseAt ? { firstResponseAt: now } : {}) })
        .where(eq(reports.id, report.id));
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: change.public ? "report.reply" : "report.note",
        target: `report:${report.number}`,
        before: null,
        after: { public: change.public },
        at: now,
      });
      if (change.public) notify = { reply: change.body };
    } else {
      if (change.assignee) {
        const [member] = await tx
          .select({ userId: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.municipalityId, scope.municipality.id), eq(memberships.userId, change.assignee)));
        if (!member) throw refuse("report_assignee_unknown", "assignee");
      }
      await tx.update(reports).set({ assignedTo: change.assignee, updatedAt: now }).where(eq(reports.id, report.id));
      await tx.insert(reportEvents).values({
        id: eventId,
        reportId: report.id,
        kind: "assign",
        body: null,
        public: false,
        authorId,
        createdAt: now,
      });
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "report.assign",
        target: `report:${report.number}`,
        before: { assigned: report.assignedTo !== null },
        after: { assigned: change.assignee !== null },
        at: now,
      });
    }
    if (notify && (report.userId || report.contactEmail)) {
      await enqueueMessage(tx, {
        kind: "report.update",
        userId: report.userId,
        toAddress: report.userId ? null : report.contactEmail,
        locale: report.userId ? undefined : report.locale,
        municipalityId: scope.municipality.id,
        payload: {
          number: report.number,
          category: category?.name ?? null,
          ...notify,
          path: reportPath(scope, report.number),
        },
        idempotencyKey: `report.update:${eventId}`,
        now,
      });
    }
    return { eventId };
  });
}

// ---- figures ----

/** The response-time figures of the municipality (months in the calendar asked for). */
export async function reportFigures(
  db: Db,
  scope: Scope,
  input: { months?: MonthCalendar; now?: Date } = {},
): Promise<{ figures: Figures; categories: ReportCategory[]; calendar: WorkCalendar }> {
  const categories = await reportCategoriesOf(db, scope);
  const { bounds: _bounds, ...calendar } = await reportCalendar(db, scope);
  const rows = await db
    .select({
      category: reportCategories.code,
      filedAt: reports.createdAt,
      firstResponseAt: reports.firstResponseAt,
      closedAt: reports.closedAt,
    })
    .from(reports)
    .innerJoin(reportCategories, eq(reportCategories.id, reports.categoryId))
    .where(eq(reports.municipalityId, scope.municipality.id));
  const figures = computeFigures({
    reports: rows,
    categories: categories.map((c) => ({ code: c.code, targetDays: c.targetDays })),
    calendar,
    now: input.now ?? new Date(),
    months: input.months,
  });
  return { figures, categories, calendar };
}

/** Funded projects of the municipality a report may name (for the filing form). */
export async function fundedProjects(db: Db, scope: Scope) {
  return db
    .select({ id: proposals.id, title: proposals.title, round: rounds.slug })
    .from(proposals)
    .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
    .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
    .where(and(eq(rounds.municipalityId, scope.municipality.id), eq(proposals.status, "funded")))
    .orderBy(asc(rounds.slug), asc(proposals.createdAt));
}

export async function districtsOf(db: Db, scope: Scope) {
  return db
    .select({ code: districts.code, name: districts.name })
    .from(districts)
    .where(eq(districts.municipalityId, scope.municipality.id))
    .orderBy(asc(districts.position));
}
