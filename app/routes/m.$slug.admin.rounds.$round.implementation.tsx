import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm, useClearedFormKey } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField, TextArea } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { IMPLEMENTATION_STATUSES } from "../domain/implementation/implementation";
import { isRealDay } from "../domain/rounds/rules";
import { formatMoney, formatPercent, pickText, translator } from "../domain/i18n";
import { readUploadForm } from "../web/csrf.server";
import { PhotoAndDocumentFields } from "../components/media-fields";
import {
  MEDIA_FORM_MAX_BYTES,
  isMediaRefusal,
  mediaFormTooLarge,
  mediaRefusalResponse,
  readMediaFields,
} from "../web/media-forms.server";
import { type FieldErrors, echoValues, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { fundedBoard, postImplementationUpdate } from "../services/implementation/implementation.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { implementationMessages } from "../web/refusal-messages/rounds";
import { implementationStatusLabel } from "../components/labels";
import { wholeNumber } from "../domain/i18n/numbers";
import { parseTypedDay, typedDay } from "../domain/i18n/days";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("implementation.manage"), data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const board = await fundedBoard(context.db, scopeOf(municipality, userActor(user)), {
    roundSlug: params.round ?? "",
  });
  if (!board) throw notFound("round");
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: board.round.slug, title: board.round.title },
    items: board.items,
  });
}

const schema = z.object({
  proposalId: z.string().min(1),
  status: z.enum(IMPLEMENTATION_STATUSES),
  progress: wholeNumber(z.number().int().min(0).max(100)),
  spent: wholeNumber(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
  // Typed in either calendar (Solar Hijri on Persian pages), stored as an ISO day (ADR 0029).
  expectedCompletion: z
    .string()
    .trim()
    .transform((v) => (v === "" ? v : (parseTypedDay(v) ?? v)))
    .refine((v) => v === "" || isRealDay(v))
    .optional()
    .default(""),
  note: z.string().trim().min(1).max(5000),
  cancelReason: z.string().trim().max(2000).optional().default(""),
  photoUrl: z
    .string()
    .trim()
    .max(500)
    .refine((v) => v === "" || /^https:\/\/[^\s"'<>]+$/.test(v))
    .optional()
    .default(""),
});

type Outcome = { errors: FieldErrors | null; values: Record<string, string>; notice: string | null };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const t = translator(requestLocale(request));
  // A photo and a PDF may come with the update (ADR 0034): the body's limit is every file's.
  const form = await readUploadForm(request, MEDIA_FORM_MAX_BYTES);
  if (!form) return json<Outcome>({ errors: mediaFormTooLarge(t), values: {}, notice: null }, { status: 413 });
  const parsed = validateForm(schema, form, t, {
    status: "implementation.status",
    progress: "implementation.progress",
    spent: "implementation.spent",
    expectedCompletion: "implementation.expected",
    note: "implementation.note",
    cancelReason: "implementation.cancelReason",
    photoUrl: "implementation.photoUrl",
  });
  const media = await readMediaFields(form, t);
  if (!parsed.ok || Object.keys(media.errors).length)
    return formFailure(400, { ...(parsed.ok ? {} : parsed.errors), ...media.errors }, echoValues(form));
  const d = parsed.data;
  try {
    const { notified } = await postImplementationUpdate(
      context.db,
      scopeOf(access.municipality, userActor(access.user)),
      {
        roundSlug: params.round ?? "",
        proposalId: d.proposalId,
        update: {
          status: d.status,
          progress: d.progress,
          spent: d.spent,
          note: d.note,
          cancelReason: d.cancelReason || null,
          expectedCompletion: d.expectedCompletion || null,
          photoUrl: d.photoUrl || null,
        },
        media: media.add,
      },
    );
    return json<Outcome>({ errors: null, values: {}, notice: t("implementation.posted", { count: notified }) });
  } catch (error) {
    if (isMediaRefusal(error)) return mediaRefusalResponse(error, t, { proposalId: d.proposalId });
    return refusalResponseFrom(error, t, { proposalId: d.proposalId }, implementationMessages);
  }
}

export default function StaffImplementation() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const cleared = useClearedFormKey(result);
  const failed = result?.errors ? result.values : {};
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("implementation.manage")} — {pickText(data.round.title, locale)}
      </h1>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}/implementation`}>{t("implementation.board")}</Link> ·{" "}
        <Link to={`/m/${data.slug}/admin/outbox`}>{t("implementation.outbox.title")}</Link>
      </p>
      {result && "notice" in result && result.notice ? (
        <p className="notice" role="status">
          {result.notice}
        </p>
      ) : null}
      <ErrorSummary errors={result?.errors} />
      {data.items.length === 0 ? <p>{t("implementation.none")}</p> : null}
      {data.items.map((i) => {
        const mine = failed.proposalId === i.id;
        const errors = mine ? result?.errors : null;
        return (
          <details key={i.id} className="panel" open={mine}>
            <summary>
              {pickText(i.title, locale)} — {t(implementationStatusLabel[i.status])} —{" "}
              {formatPercent(locale, i.progress)} — {formatMoney(locale, i.spent, data.currency)} /{" "}
              {formatMoney(locale, i.allocated, data.currency)}
            </summary>
            <PostForm key={cleared} noValidate encType="multipart/form-data">
              <input type="hidden" name="proposalId" value={i.id} />
              <SelectField
                id={`status-${i.id}`}
                name="status"
                label={t("implementation.status")}
                defaultValue={mine ? failed.status : i.status}
                error={errors?.status}
                options={IMPLEMENTATION_STATUSES.map((s) => ({
                  value: s,
                  label: t(implementationStatusLabel[s]),
                }))}
              />
              <Field
                id={`progress-${i.id}`}
                name="progress"
                inputMode="numeric"
                label={t("implementation.progress")}
                defaultValue={mine ? failed.progress : String(i.progress)}
                error={errors?.progress}
                dir="ltr"
              />
              <Field
                id={`spent-${i.id}`}
                name="spent"
                inputMode="numeric"
                label={t("implementation.spent")}
                defaultValue={mine ? failed.spent : String(i.spent)}
                error={errors?.spent}
                dir="ltr"
              />
              <Field
                id={`expectedCompletion-${i.id}`}
                name="expectedCompletion"
                type={locale === "fa" ? "text" : "date"}
                label={t("implementation.expected")}
                defaultValue={mine ? failed.expectedCompletion : typedDay(locale, i.expectedCompletion ?? "")}
                error={errors?.expectedCompletion}
                dir="ltr"
              />
              <TextArea
                id={`note-${i.id}`}
                name="note"
                label={t("implementation.note")}
                defaultValue={mine ? failed.note : ""}
                error={errors?.note}
                required
              />
              <TextArea
                id={`cancelReason-${i.id}`}
                name="cancelReason"
                label={t("implementation.cancelReason")}
                defaultValue={mine ? failed.cancelReason : ""}
                error={errors?.cancelReason}
              />
              <Field
                id={`photoUrl-${i.id}`}
                name="photoUrl"
                type="url"
                label={t("implementation.photoUrl")}
                defaultValue={mine ? failed.photoUrl : ""}
                error={errors?.photoUrl}
                dir="ltr"
              />
              <PhotoAndDocumentFields suffix={i.id} values={mine ? failed : {}} errors={errors} />
              <button type="submit">{t("implementation.post")}</button>
            </PostForm>
          </details>
        );
      })}
    </>
  );
}
