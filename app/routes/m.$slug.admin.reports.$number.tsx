import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { reportNumberParam, reportStatusLabel } from "../components/reports";
import { SelectField, TextArea } from "../components/rounds";
import { formatDateTime, pickText, translator } from "../domain/i18n";
import { REPORT_REPLY_MAX, REPORT_STATUSES } from "../domain/reports/reports";
import { changeReport, deskReport } from "../services/reports/reports.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, echoValues, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { reportMessages } from "../web/refusal-messages/reports";
import { refusalResponseFrom } from "../web/refusals.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t) => [data && t("reports.number", { number: data.report.number }), t("reports.desk")]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const number = reportNumberParam(params.number);
  if (number === null) throw notFound("report");
  const found = await deskReport(context.db, scopeOf(municipality, userActor(user)), { number });
  if (!found) throw notFound("report");
  const done = new URL(request.url).searchParams.get("done");
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    done: done !== null && Object.hasOwn(doneMessage, done) ? (done as keyof typeof doneMessage) : null,
    report: {
      number: found.report.number,
      status: found.report.status,
      category: found.report.categoryName,
      description: found.report.description,
      createdAt: found.report.createdAt.toISOString(),
      resolution: found.report.resolution,
    },
    reporter: found.reporter,
    assignedTo: found.assignedTo,
    staff: found.staff,
    photos: found.photos,
    events: found.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
  });
}

const optionalNumber = z
  .string()
  .trim()
  .optional()
  .default("")
  .refine((v) => v === "" || /^[1-9]\d{0,8}$/.test(v))
  .transform((v) => (v === "" ? null : Number(v)));

const schemas = {
  status: z.object({
    status: z.enum(REPORT_STATUSES),
    resolution: z.string().trim().max(REPORT_REPLY_MAX).optional().default(""),
    note: z.string().trim().max(REPORT_REPLY_MAX).optional().default(""),
    duplicateOf: optionalNumber,
  }),
  reply: z.object({ body: z.string().trim().min(1).max(REPORT_REPLY_MAX), visibility: z.enum(["public", "private"]) }),
  assign: z.object({ assignee: z.string().trim().max(64).optional().default("") }),
};
const intentSchema = z.object({ intent: z.enum(["status", "reply", "assign"]) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const number = reportNumberParam(params.number);
  if (number === null) throw notFound("report");
  const t = translator(requestLocale(request));
  const intent = validateForm(intentSchema, form, t, {});
  if (!intent.ok) return formFailure(400, intent.errors, intent.values);
  const labels = {
    status: "reports.status",
    resolution: "reports.resolution",
    note: "reports.note",
    duplicateOf: "reports.duplicateNumber",
    body: "reports.replyBody",
    visibility: "reports.reply",
    assignee: "reports.assign",
  } as const;
  const scope = scopeOf(access.municipality, userActor(access.user));
  try {
    if (intent.data.intent === "status") {
      const parsed = validateForm(schemas.status, form, t, labels);
      if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
      await changeReport(context.db, scope, {
        number,
        change: {
          intent: "status",
          status: parsed.data.status,
          resolution: parsed.data.resolution || null,
          note: parsed.data.note || null,
          duplicateOf: parsed.data.duplicateOf,
        },
      });
    } else if (intent.data.intent === "reply") {
      const parsed = validateForm(schemas.reply, form, t, labels);
      if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
      await changeReport(context.db, scope, {
        number,
        change: { intent: "reply", body: parsed.data.body, public: parsed.data.visibility === "public" },
      });
    } else {
      const parsed = validateForm(schemas.assign, form, t, labels);
      if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
      await changeReport(context.db, scope, {
        number,
        change: { intent: "assign", assignee: parsed.data.assignee || null },
      });
    }
  } catch (error) {
    return refusalResponseFrom(error, t, echoValues(form), reportMessages);
  }
  return redirect(`/m/${access.municipality.slug}/admin/reports/${number}?done=${intent.data.intent}`);
}

const doneMessage = {
  status: "reports.done.status",
  reply: "reports.done.reply",
  assign: "reports.done.assign",
} as const;

export default function DeskReport() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { errors?: FieldErrors; values?: Record<string, string> }
    | undefined;
  const errors = result?.errors ?? {};
  const values = result?.values ?? {};
  const when = (iso: string) => formatDateTime(locale, new Date(iso), data.timeZone);
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin/reports`}>{t("reports.desk")}</Link> ·{" "}
        <Link to={`/m/${data.slug}/reports/${data.report.number}`}>
          {t("reports.number", { number: data.report.number })}
        </Link>
      </p>
      <h1>{t("reports.number", { number: data.report.number })}</h1>
      {data.done && !result ? (
        <p className="notice" role="status">
          {t(doneMessage[data.done])}
        </p>
      ) : null}
      <ErrorSummary errors={result?.errors} />
      <dl>
        <dt>{t("reports.status")}</dt>
        <dd data-status={data.report.status}>{t(reportStatusLabel[data.report.status])}</dd>
        <dt>{t("reports.category")}</dt>
        <dd>{pickText(data.report.category, locale)}</dd>
        <dt>{t("reports.reporter")}</dt>
        <dd>
          <bdi>{data.reporter ?? t("reports.anonymousReporter")}</bdi>
        </dd>
        <dt>{t("reports.filedOn")}</dt>
        <dd>{when(data.report.createdAt)}</dd>
      </dl>
      <p className="report-description">{data.report.description}</p>
      <h2>{t("reports.history")}</h2>
      <ol className="card-list">
        {data.events.map((e) => (
          <li key={e.id}>
            <strong>{when(e.createdAt)}</strong> — <bdi>{e.author}</bdi> —{" "}
            {e.kind === "status" && e.status
              ? t("reports.event.status", { status: t(reportStatusLabel[e.status]) })
              : e.kind === "assign"
                ? t("reports.assign")
                : t("reports.event.reply")}
            {e.public ? null : ` (${t("reports.private")})`}
            {e.body ? <p>{e.body}</p> : null}
          </li>
        ))}
      </ol>
      <h2>{t("reports.changeStatus")}</h2>
      <PostForm noValidate>
        <input type="hidden" name="intent" value="status" />
        <SelectField
          name="status"
          label={t("reports.status")}
          defaultValue={values.status ?? data.report.status}
          error={errors.status}
          options={REPORT_STATUSES.map((s) => ({ value: s, label: t(reportStatusLabel[s]) }))}
        />
        <TextArea
          name="resolution"
          label={t("reports.resolution")}
          defaultValue={values.resolution}
          error={errors.resolution}
        />
        <TextArea name="note" label={t("reports.note")} defaultValue={values.note} error={errors.note} />
        <Field
          name="duplicateOf"
          label={t("reports.duplicateNumber")}
          defaultValue={values.duplicateOf}
          error={errors.duplicateOf}
          inputMode="numeric"
          dir="ltr"
        />
        <button type="submit">{t("reports.save")}</button>
      </PostForm>
      <h2>{t("reports.reply")}</h2>
      <PostForm noValidate>
        <input type="hidden" name="intent" value="reply" />
        <TextArea name="body" label={t("reports.replyBody")} defaultValue={values.body} error={errors.body} required />
        <fieldset>
          <legend>{t("reports.reply")}</legend>
          <label>
            <input type="radio" name="visibility" value="public" defaultChecked /> {t("reports.replyPublic")}
          </label>{" "}
          <label>
            <input type="radio" name="visibility" value="private" /> {t("reports.replyPrivate")}
          </label>
        </fieldset>
        <button type="submit">{t("reports.reply")}</button>
      </PostForm>
      <h2>{t("reports.assign")}</h2>
      <PostForm noValidate>
        <input type="hidden" name="intent" value="assign" />
        <SelectField
          name="assignee"
          label={t("reports.assigned")}
          defaultValue={data.assignedTo ?? ""}
          error={errors.assignee}
          options={[
            { value: "", label: t("reports.nobody") },
            ...data.staff.map((s) => ({ value: s.id, label: s.name })),
          ]}
        />
        <button type="submit">{t("reports.assign")}</button>
      </PostForm>
    </>
  );
}
