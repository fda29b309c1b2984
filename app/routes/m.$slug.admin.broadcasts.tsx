import { randomUUID } from "node:crypto";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Notice, PostForm, useClearedFormKey } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { LocalizedFields, SelectField } from "../components/rounds";
import { type MessageKey, formatDateTime, formatNumber, isolated, pickText, translator } from "../domain/i18n";
import {
  type BroadcastAudience,
  type BroadcastRefusal,
  audienceSize,
  broadcastHistory,
  sendBroadcast,
} from "../services/mail/broadcasts.server";
import { roundsOf } from "../services/rounds/rounds.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { echoValues, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { type RefusalMessages, refusalResponseFrom } from "../web/refusals.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("broadcast.title"));

const refusals: RefusalMessages<BroadcastRefusal> = {
  round_unknown: "broadcast.error.round_unknown",
  already_sent: "broadcast.error.already_sent",
};

/** Staff write to residents (ADR 0041): the audiences (every verified resident, or a round's voters) and what was sent. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const [rounds, history] = await Promise.all([roundsOf(context.db, scope), broadcastHistory(context.db, scope)]);
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    // A new id per page: the same form sent twice is one broadcast.
    broadcastId: randomUUID(),
    rounds: rounds.map((r) => ({ slug: r.slug, title: r.title })),
    history: history.map((h) => ({ ...h, at: h.at.toISOString() })),
  });
}

const text = (max: number) => z.string().trim().max(max).default("");
const broadcastForm = z
  .object({
    intent: z.enum(["check", "send"]).default("check"),
    broadcastId: z.string().uuid(),
    audience: z
      .string()
      .max(200)
      .regex(/^(verified|round:[a-z0-9-]+)$/),
    subjectEn: text(200),
    subjectFa: text(200),
    bodyEn: text(5_000),
    bodyFa: text(5_000),
  })
  .superRefine((v, ctx) => {
    if (!v.subjectEn && !v.subjectFa && !v.bodyEn && !v.bodyFa)
      ctx.addIssue({ code: "custom", path: ["subjectEn"], message: "empty" });
    for (const lang of ["En", "Fa"] as const) {
      const subject = v[`subject${lang}`];
      const body = v[`body${lang}`];
      if (body && !subject) ctx.addIssue({ code: "custom", path: [`subject${lang}`], message: "subject" });
      if (subject && !body) ctx.addIssue({ code: "custom", path: [`body${lang}`], message: "body" });
    }
  });
const labels = {
  audience: "broadcast.audience",
  subjectEn: "broadcast.subjectEn",
  subjectFa: "broadcast.subjectFa",
  bodyEn: "broadcast.bodyEn",
  bodyFa: "broadcast.bodyFa",
  broadcastId: "broadcast.title",
} as const satisfies Record<string, MessageKey>;
const pairMessages: Record<string, MessageKey> = {
  empty: "broadcast.error.empty",
  subject: "broadcast.error.subject",
  body: "broadcast.error.body",
};

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  ready?: number;
  notice?: string;
};

function audienceOf(value: string): BroadcastAudience {
  return value.startsWith("round:") ? { kind: "round", roundSlug: value.slice("round:".length) } : { kind: "verified" };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(broadcastForm, form, t, labels);
  if (!parsed.ok) {
    // The rules across fields say what is missing in words of their own.
    const issues = broadcastForm.safeParse(Object.fromEntries(form)).error?.issues ?? [];
    const errors = { ...parsed.errors };
    for (const issue of issues) {
      const field = String(issue.path[0]);
      if (issue.code === "custom" && pairMessages[issue.message]) errors[field] = t(pairMessages[issue.message]);
    }
    return formFailure(400, errors, parsed.values);
  }
  const input = parsed.data;
  const values = echoValues(form);
  const audience = audienceOf(input.audience);
  try {
    if (input.intent === "check") {
      const ready = await audienceSize(context.db, scope, { audience });
      return json<Outcome>({ errors: null, values, ready });
    }
    const { queued } = await sendBroadcast(context.db, scope, {
      id: input.broadcastId,
      audience,
      subject: { en: input.subjectEn, fa: input.subjectFa },
      body: { en: input.bodyEn, fa: input.bodyFa },
    });
    return json<Outcome>({ errors: null, values: {}, notice: t("broadcast.sent", { count: queued }) });
  } catch (error) {
    return refusalResponseFrom(error, t, values, refusals);
  }
}

export default function Broadcasts() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const formKey = useClearedFormKey(result?.notice ? result : undefined);
  const values = result?.values ?? {};
  const audiences = [
    { value: "verified", label: t("broadcast.audience.verified") },
    ...data.rounds.map((r) => ({
      value: `round:${r.slug}`,
      label: t("broadcast.audience.round", { round: isolated(pickText(r.title, locale)) }),
    })),
  ];
  const audienceLabel = (value: string) => audiences.find((a) => a.value === value)?.label ?? value;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
      </p>
      <h1>{t("broadcast.title")}</h1>
      <p>{t("broadcast.intro")}</p>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      <PostForm key={formKey} noValidate aria-labelledby="broadcast-form">
        <h2 id="broadcast-form" className="visually-hidden">
          {t("broadcast.title")}
        </h2>
        <input type="hidden" name="broadcastId" value={values.broadcastId ?? data.broadcastId} />
        <SelectField
          name="audience"
          label={t("broadcast.audience")}
          options={audiences}
          defaultValue={values.audience}
          error={result?.errors?.audience}
        />
        <LocalizedFields
          name="subject"
          labelEn="broadcast.subjectEn"
          labelFa="broadcast.subjectFa"
          values={values}
          errors={result?.errors}
        />
        <p className="hint">{t("broadcast.body.hint")}</p>
        <LocalizedFields
          name="body"
          labelEn="broadcast.bodyEn"
          labelFa="broadcast.bodyFa"
          values={values}
          errors={result?.errors}
          multiline
        />
        {result?.ready !== undefined ? <p role="status">{t("broadcast.ready", { count: result.ready })}</p> : null}
        <button type="submit" name="intent" value="check">
          {t("broadcast.check")}
        </button>{" "}
        {result?.ready !== undefined && result.ready > 0 ? (
          <button type="submit" name="intent" value="send">
            {t("broadcast.send", { count: result.ready })}
          </button>
        ) : null}
      </PostForm>

      <h2>{t("broadcast.history")}</h2>
      {data.history.length === 0 ? (
        <p>{t("broadcast.none")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("broadcast.at")}</th>
              <th scope="col">{t("broadcast.by")}</th>
              <th scope="col">{t("broadcast.to")}</th>
              <th scope="col">{t("broadcast.subject")}</th>
              <th scope="col">{t("broadcast.queued")}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((h) => (
              <tr key={h.at}>
                <td>{formatDateTime(locale, new Date(h.at), data.timeZone)}</td>
                <td>
                  <bdi>{h.by}</bdi>
                </td>
                <td>{audienceLabel(h.audience)}</td>
                <td>
                  <bdi>{pickText(h.subject, locale)}</bdi>
                </td>
                <td>{formatNumber(locale, h.queued)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
