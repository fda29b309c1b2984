/**
 * Open311 GeoReport v2 on the report desk (ADR 0039): API keys staff issue (only their SHA-256 is
 * stored; the key is shown once), and the spec's resources built from the desk's reports.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { open311Keys, reports } from "../../../db/schema";
import { type Locale, pickText } from "../../domain/i18n";
import {
  type Open311Attribute,
  type Open311Filters,
  type Open311Service,
  type Open311ServiceRequest,
  open311DateTime,
  open311Status,
} from "../../domain/reports/open311";
import { REPORT_STATUSES, type ReportStatus } from "../../domain/reports/reports";
import { actionBy, recordAction } from "../action-log/action-log.server";
import type { Scope } from "../scope";
import { type PublicReport, type ReportCategory, publicReports, reportCategoriesOf } from "./reports.server";

const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Issues a key for an Open311 client; the key itself is returned once and never stored. */
export async function issueOpen311Key(db: Db, scope: Scope, input: { label: string }) {
  const key = `o311_${randomBytes(24).toString("base64url")}`;
  const id = randomUUID();
  await db.transaction(async (tx) => {
    const by = await actionBy(tx, scope);
    await tx.insert(open311Keys).values({
      id,
      municipalityId: scope.municipality.id,
      label: input.label,
      keyHash: hashKey(key),
      createdBy: by.actor.id,
    });
    await recordAction(tx, {
      ...by,
      action: "open311.key_issue",
      target: `open311_key:${id}`,
      before: null,
      after: { label: input.label },
    });
  });
  return { id, key };
}

export async function revokeOpen311Key(db: Db, scope: Scope, input: { id: string }) {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(open311Keys)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(open311Keys.id, input.id),
          eq(open311Keys.municipalityId, scope.municipality.id),
          isNull(open311Keys.revokedAt),
        ),
      )
      .returning({ id: open311Keys.id, label: open311Keys.label });
    if (rows.length === 0) return false;
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "open311.key_revoke",
      target: `open311_key:${input.id}`,
      before: { label: rows[0].label },
      after: null,
    });
    return true;
  });
}

export async function open311KeysOf(db: Db, scope: Scope) {
  return db
    .select({
      id: open311Keys.id,
      label: open311Keys.label,
      createdAt: open311Keys.createdAt,
      revokedAt: open311Keys.revokedAt,
    })
    .from(open311Keys)
    .where(eq(open311Keys.municipalityId, scope.municipality.id))
    .orderBy(asc(open311Keys.createdAt));
}

/** The live key of this municipality with this value, or null (a forged, revoked or foreign key). */
export async function open311KeyFor(db: Db, scope: Scope, input: { key: string }) {
  if (!input.key || input.key.length > 200) return null;
  const [row] = await db
    .select({ id: open311Keys.id })
    .from(open311Keys)
    .where(
      and(
        eq(open311Keys.keyHash, hashKey(input.key)),
        eq(open311Keys.municipalityId, scope.municipality.id),
        isNull(open311Keys.revokedAt),
      ),
    );
  return row ?? null;
}

export function toOpen311Service(category: ReportCategory, locale: Locale): Open311Service {
  return {
    service_code: category.code,
    service_name: pickText(category.name, locale),
    description: pickText(category.description, locale),
    metadata: category.aboutProjects,
    type: "realtime",
    keywords: "",
    group: category.aboutProjects ? "projects" : "reports",
  };
}

export async function open311Services(db: Db, scope: Scope, input: { locale: Locale }) {
  return (await reportCategoriesOf(db, scope)).map((c) => toOpen311Service(c, input.locale));
}

/** A service's definition: its attributes (a funded project for the project categories); null when unknown. */
export async function open311ServiceDefinition(
  db: Db,
  scope: Scope,
  input: { code: string; locale: Locale; projects: { id: string; title: string }[] },
) {
  const category = (await reportCategoriesOf(db, scope)).find((c) => c.code === input.code);
  if (!category) return null;
  const attributes: Open311Attribute[] = category.aboutProjects
    ? [
        {
          variable: true,
          code: "project",
          datatype: "singlevaluelist",
          required: true,
          datatype_description: null,
          order: 1,
          description: input.locale === "fa" ? "کدام طرح؟" : "Which funded project?",
          values: input.projects.map((p) => ({ key: p.id, name: p.title })),
        },
      ]
    : [];
  return { service_code: category.code, attributes };
}

export function toOpen311Request(report: PublicReport, scope: Scope, locale: Locale): Open311ServiceRequest {
  const tz = scope.municipality.timeZone;
  return {
    service_request_id: String(report.number),
    status: open311Status(report.status),
    status_notes:
      report.status === "duplicate"
        ? `Duplicate of ${report.duplicateOf}`
        : report.status === "closed"
          ? report.resolution
          : null,
    service_name: pickText(report.categoryName, locale),
    service_code: report.categoryCode,
    description: report.description,
    agency_responsible: pickText(scope.municipality.name, locale),
    service_notice: null,
    requested_datetime: open311DateTime(report.createdAt, tz),
    updated_datetime: open311DateTime(report.updatedAt, tz),
    expected_datetime: null,
    address: report.address ?? (report.districtName ? pickText(report.districtName, locale) : null),
    address_id: null,
    zipcode: null,
    lat: report.lat,
    long: report.lon,
    media_url: null,
  };
}

/** GET requests.json: the spec's filters; by default the last 90 days, 1000 requests at most. */
export async function open311Requests(
  db: Db,
  scope: Scope,
  input: { filters: Open311Filters; locale: Locale; now?: Date },
) {
  const { filters } = input;
  const statuses: ReportStatus[] | null = filters.status
    ? REPORT_STATUSES.filter((s) => filters.status?.includes(open311Status(s)))
    : null;
  const now = input.now ?? new Date();
  const from = filters.start ?? (filters.ids ? null : new Date((filters.end ?? now).getTime() - 90 * 86_400_000));
  const rows = await publicReports(db, scope, {
    numbers: filters.ids,
    categoryCodes: filters.serviceCodes,
    statuses,
    from,
    to: filters.end,
    limit: 1000,
  });
  return rows.map((r) => toOpen311Request(r, scope, input.locale));
}

export async function open311Request(db: Db, scope: Scope, input: { number: number; locale: Locale }) {
  const [row] = await publicReports(db, scope, { numbers: [input.number], limit: 1 });
  return row ? toOpen311Request(row, scope, input.locale) : null;
}

export async function open311Token(db: Db, scope: Scope, input: { token: string }) {
  const [row] = await db
    .select({ number: reports.number, token: reports.token })
    .from(reports)
    .where(and(eq(reports.municipalityId, scope.municipality.id), eq(reports.token, input.token)));
  return row ? { service_request_id: String(row.number), token: row.token } : null;
}
