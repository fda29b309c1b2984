import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { reportStatusLabel } from "../components/reports";
import { TableScroll } from "../components/TableScroll";
import { formatNumber, pickText, translator } from "../domain/i18n";
import { workingDaysBetween } from "../domain/reports/figures";
import { REPORT_STATUSES, type ReportStatus } from "../domain/reports/reports";
import { isRealDay } from "../domain/rounds/rules";
import { issueOpen311Key, open311KeysOf, revokeOpen311Key } from "../services/reports/open311.server";
import {
  deskQueue,
  districtsOf,
  reportCalendar,
  reportCategoriesOf,
  saveReportCategory,
  saveReportSettings,
} from "../services/reports/reports.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";

export const meta: MetaFunction<typeof loader> = ({ matches }) => pageTitle(matches, (t) => [t("reports.desk")]);

const filterSchema = z.object({
  category: z.string().max(64).catch(""),
  district: z.string().max(64).catch(""),
  status: z.enum(["active", "all", ...REPORT_STATUSES]).catch("active"),
});

/** The council's queue of reports by category, district and status, with its age in working days. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const url = new URL(request.url);
  const filters = filterSchema.parse(Object.fromEntries(url.searchParams));
  const calendar = await reportCalendar(context.db, scope);
  const now = new Date();
  const queue = await deskQueue(context.db, scope, {
    category: filters.category || null,
    district: filters.district || null,
    status: filters.status as ReportStatus | "active" | "all",
  });
  return json({
    slug: municipality.slug,
    filters,
    categories: await reportCategoriesOf(context.db, scope),
    districts: await districtsOf(context.db, scope),
    keys: (await open311KeysOf(context.db, scope)).map((k) => ({
      id: k.id,
      label: k.label,
      revoked: k.revokedAt !== null,
    })),
    settings: {
      weekend: calendar.weekend.join(","),
      holidays: calendar.holidays.join("\n"),
      bounds:
        calendar.bounds?.minLat != null
          ? [calendar.bounds.minLat, calendar.bounds.maxLat, calendar.bounds.minLon, calendar.bounds.maxLon].join(",")
          : "",
    },
    queue: queue.map((r) => ({
      number: r.number,
      category: r.categoryName,
      district: r.districtName,
      status: r.status,
      assignedTo: r.assignedTo,
      age: workingDaysBetween(calendar, r.createdAt, now),
    })),
  });
}

const categorySchema = z.object({
  code: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9_-]*$/),
  nameEn: z.string().trim().min(1).max(200),
  nameFa: z.string().trim().max(200).optional().default(""),
  descriptionEn: z.string().trim().max(1000).optional().default(""),
  descriptionFa: z.string().trim().max(1000).optional().default(""),
  targetDays: z.coerce.number().int().min(1).max(365),
  allowAnonymous: z.string().optional().default(""),
  aboutProjects: z.string().optional().default(""),
});
const settingsSchema = z.object({
  weekend: z
    .string()
    .trim()
    .max(20)
    .regex(/^([0-6](\s*,\s*[0-6])*)?$/)
    .transform((v) => (v ? [...new Set(v.split(",").map((d) => Number(d.trim())))] : [])),
  holidays: z
    .string()
    .max(20_000)
    .transform((v) => v.split(/\s+/).filter(Boolean))
    .refine((days) => days.every((d) => isRealDay(d))),
  bounds: z
    .string()
    .trim()
    .max(200)
    .transform((v) => (v ? v.split(",").map((n) => Number(n.trim())) : null))
    .refine((b) => b === null || (b.length === 4 && b.every(Number.isFinite) && b[0] < b[1] && b[2] < b[3])),
});
const keySchema = z.object({ label: z.string().trim().min(1).max(200) });
const revokeSchema = z.object({ keyId: z.string().min(1).max(64) });
const intentSchema = z.object({ intent: z.enum(["category", "settings", "issueKey", "revokeKey"]) });

type Outcome = { errors: FieldErrors | null; values: Record<string, string>; notice: string | null };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const scope = scopeOf(access.municipality, userActor(access.user));
  const intent = validateForm(intentSchema, form, t, {});
  if (!intent.ok) return formFailure(400, intent.errors, intent.values);
  if (intent.data.intent === "category") {
    const parsed = validateForm(categorySchema, form, t, {
      code: "reports.code",
      nameEn: "reports.nameEn",
      nameFa: "reports.nameFa",
      descriptionEn: "reports.descriptionEn",
      descriptionFa: "reports.descriptionFa",
      targetDays: "reports.target",
    });
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    const d = parsed.data;
    await saveReportCategory(context.db, scope, {
      code: d.code,
      name: { en: d.nameEn, ...(d.nameFa ? { fa: d.nameFa } : {}) },
      description: { en: d.descriptionEn, ...(d.descriptionFa ? { fa: d.descriptionFa } : {}) },
      targetDays: d.targetDays,
      allowAnonymous: d.allowAnonymous === "yes",
      aboutProjects: d.aboutProjects === "yes",
    });
  } else if (intent.data.intent === "settings") {
    const parsed = validateForm(settingsSchema, form, t, {
      weekend: "reports.weekend",
      holidays: "reports.holidays",
      bounds: "reports.bounds",
    });
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    const b = parsed.data.bounds;
    await saveReportSettings(context.db, scope, {
      weekend: parsed.data.weekend,
      holidays: parsed.data.holidays,
      bounds: b ? { minLat: b[0], maxLat: b[1], minLon: b[2], maxLon: b[3] } : null,
    });
  } else if (intent.data.intent === "issueKey") {
    const parsed = validateForm(keySchema, form, t, { label: "reports.keyLabel" });
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    const { key } = await issueOpen311Key(context.db, scope, { label: parsed.data.label });
    return json<Outcome>({ errors: null, values: {}, notice: t("reports.keyIssued", { key }) });
  } else {
    const parsed = validateForm(revokeSchema, form, t, {});
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    await revokeOpen311Key(context.db, scope, { id: parsed.data.keyId });
  }
  return json<Outcome>({ errors: null, values: {}, notice: t("reports.changed") });
}

export default function Desk() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const errors = result?.errors ?? {};
  return (
    <>
      <h1>{t("reports.desk")}</h1>
      <p>{t("reports.deskIntro")}</p>
      <p>
        <Link to={`/m/${data.slug}/reports/figures`}>{t("reports.figures")}</Link>
      </p>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      <Form method="get" className="inline-form">
        <label>
          {t("reports.category")}{" "}
          <select name="category" defaultValue={data.filters.category}>
            <option value="">{t("reports.filterAll")}</option>
            {data.categories.map((c) => (
              <option key={c.code} value={c.code}>
                {pickText(c.name, locale)}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          {t("reports.district")}{" "}
          <select name="district" defaultValue={data.filters.district}>
            <option value="">{t("reports.filterAll")}</option>
            {data.districts.map((d) => (
              <option key={d.code} value={d.code}>
                {pickText(d.name, locale)}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          {t("reports.status")}{" "}
          <select name="status" defaultValue={data.filters.status}>
            <option value="active">{t("reports.filterActive")}</option>
            <option value="all">{t("reports.filterAll")}</option>
            {REPORT_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(reportStatusLabel[s])}
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit" className="secondary">
          {t("reports.filter")}
        </button>
      </Form>
      {data.queue.length === 0 ? (
        <p>{t("reports.none")}</p>
      ) : (
        <TableScroll>
          <table>
            <caption>{t("reports.desk")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("reports.numberColumn")}</th>
                <th scope="col">{t("reports.category")}</th>
                <th scope="col">{t("reports.district")}</th>
                <th scope="col">{t("reports.status")}</th>
                <th scope="col">{t("reports.age")}</th>
                <th scope="col">{t("reports.assigned")}</th>
              </tr>
            </thead>
            <tbody>
              {data.queue.map((r) => (
                <tr key={r.number}>
                  <th scope="row">
                    <Link to={`/m/${data.slug}/admin/reports/${r.number}`}>
                      {t("reports.number", { number: r.number })}
                    </Link>
                  </th>
                  <td>{pickText(r.category, locale)}</td>
                  <td>{r.district ? pickText(r.district, locale) : "—"}</td>
                  <td>{t(reportStatusLabel[r.status])}</td>
                  <td className="num">{formatNumber(locale, r.age)}</td>
                  <td>{r.assignedTo ? <bdi>{r.assignedTo}</bdi> : t("reports.nobody")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h2>{t("reports.settings")}</h2>
      <details className="panel">
        <summary>{t("reports.categoryAdd")}</summary>
        <PostForm noValidate>
          <input type="hidden" name="intent" value="category" />
          <Field name="code" label={t("reports.code")} error={errors.code} dir="ltr" />
          <Field name="nameEn" label={t("reports.nameEn")} error={errors.nameEn} dir="ltr" />
          <Field name="nameFa" label={t("reports.nameFa")} error={errors.nameFa} dir="rtl" />
          <Field name="descriptionEn" label={t("reports.descriptionEn")} error={errors.descriptionEn} dir="ltr" />
          <Field name="descriptionFa" label={t("reports.descriptionFa")} error={errors.descriptionFa} dir="rtl" />
          <Field
            name="targetDays"
            label={t("reports.target")}
            error={errors.targetDays}
            inputMode="numeric"
            dir="ltr"
          />
          <label>
            <input type="checkbox" name="allowAnonymous" value="yes" /> {t("reports.allowAnonymous")}
          </label>{" "}
          <label>
            <input type="checkbox" name="aboutProjects" value="yes" /> {t("reports.aboutProjects")}
          </label>
          <button type="submit">{t("reports.save")}</button>
        </PostForm>
      </details>
      <details className="panel">
        <summary>{t("reports.week")}</summary>
        <PostForm noValidate>
          <input type="hidden" name="intent" value="settings" />
          <Field
            name="weekend"
            label={t("reports.weekend")}
            defaultValue={data.settings.weekend}
            error={errors.weekend}
            dir="ltr"
          />
          <label htmlFor="field-holidays">{t("reports.holidays")}</label>
          <textarea id="field-holidays" name="holidays" defaultValue={data.settings.holidays} dir="ltr" />
          <Field
            name="bounds"
            label={t("reports.bounds")}
            defaultValue={data.settings.bounds}
            error={errors.bounds}
            dir="ltr"
          />
          <button type="submit">{t("reports.save")}</button>
        </PostForm>
      </details>
      <h2>{t("reports.keys")}</h2>
      {data.keys.length === 0 ? <p>{t("reports.noKeys")}</p> : null}
      <ul>
        {data.keys.map((k) => (
          <li key={k.id}>
            <bdi>{k.label}</bdi>{" "}
            {k.revoked ? (
              `(${t("reports.keyRevoked")})`
            ) : (
              <PostForm className="inline-form">
                <input type="hidden" name="intent" value="revokeKey" />
                <input type="hidden" name="keyId" value={k.id} />
                <button type="submit" className="secondary">
                  {t("reports.keyRevoke")}
                </button>
              </PostForm>
            )}
          </li>
        ))}
      </ul>
      <PostForm noValidate>
        <input type="hidden" name="intent" value="issueKey" />
        <Field name="label" label={t("reports.keyLabel")} error={errors.label} />
        <button type="submit">{t("reports.keyIssue")}</button>
      </PostForm>
    </>
  );
}
