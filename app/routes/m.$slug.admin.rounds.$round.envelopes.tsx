import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { LocalizedFields, SelectField } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { type MessageKey, formatMoney, pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, echoValues, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { parseEnvelopeForm } from "../web/round-forms.server";
import { deleteEnvelope, roundForStaff, saveEnvelope } from "../services/rounds/rounds-admin.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { BALLOT_ORDERS } from "../domain/ballots/basket";
import { setBallotOrder } from "../services/rounds/ballot-order.server";
import { deleteTheme, saveTheme, themesOf } from "../services/rounds/themes.server";
import { localized } from "../domain/rounds/forms";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.envelopes"), data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const found = await roundForStaff(context.db, scope, { slug: params.round ?? "" });
  if (!found) throw notFound("round");
  const [districtRows, themeRows] = await Promise.all([
    districtsOf(context.db, scope),
    themesOf(context.db, { roundId: found.round.id }),
  ]);
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title },
    frozen: found.frozen,
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    themes: themeRows.map((th) => ({ slug: th.slug, name: th.name })),
    envelopes: found.envelopes.map((e) => ({
      ...e,
      proposalCount: found.proposals.filter((p) => p.envelopeId === e.id && p.status !== "withdrawn").length,
    })),
  });
}

/**
 * The delete button sends `delete`; anything else saves the envelope named `originalSlug` (or a new one)
 * from the fields parseEnvelopeForm reads.
 */
const intentSchema = z.object({
  intent: z.enum(["delete", "save", "order", "theme", "theme-delete"]).catch("save"),
  originalSlug: z.string().catch(""),
});
/** `order` sets the order of an envelope's proposals on the ballot page (ADR 0027). */
const orderSchema = z.object({ ballotOrder: z.enum(BALLOT_ORDERS) });
/** `theme` adds a theme or renames the one named `originalTheme`; `theme-delete` removes it (ADR 0032). */
const themeSchema = z.object({
  originalTheme: z.string().trim().max(64).optional().default(""),
  themeSlug: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, "slug"),
  themeNameEn: z.string().trim().max(100).optional().default(""),
  themeNameFa: z.string().trim().max(100).optional().default(""),
});
const themeLabels = {
  themeSlug: "themes.slug",
  themeNameEn: "themes.nameEn",
  themeNameFa: "themes.nameFa",
} as const;

type Outcome = { errors: FieldErrors | null; values: Record<string, string>; editing: string; notice?: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const roundSlug = params.round ?? "";
  const choice = validateForm(intentSchema, form, t, {});
  const original = choice.ok ? choice.data.originalSlug : "";
  const scope = scopeOf(access.municipality, userActor(access.user));
  if (choice.ok && choice.data.intent === "delete") {
    try {
      await deleteEnvelope(context.db, scope, { roundSlug, envelopeSlug: original });
    } catch (error) {
      return roundRefusalResponse(error, t, { originalSlug: original });
    }
    return json<Outcome>({ errors: null, values: {}, editing: "", notice: t("rounds.envelope.deleted") });
  }
  if (choice.ok && choice.data.intent === "theme-delete") {
    const slug = String(form.get("themeSlug") ?? "");
    try {
      await deleteTheme(context.db, scope, { roundSlug, slug });
    } catch (error) {
      return roundRefusalResponse(error, t, { originalSlug: "theme" });
    }
    return json<Outcome>({ errors: null, values: {}, editing: "", notice: t("themes.saved") });
  }
  if (choice.ok && choice.data.intent === "theme") {
    const theme = validateForm(themeSchema, form, t, themeLabels);
    const values = { ...echoValues(form), originalSlug: "theme" };
    if (!theme.ok) return formFailure(400, theme.errors, values);
    const { originalTheme, themeSlug, themeNameEn, themeNameFa } = theme.data;
    if (!themeNameEn && !themeNameFa) return formFailure(400, { themeNameEn: t("rounds.error.text_required") }, values);
    try {
      await saveTheme(context.db, scope, {
        roundSlug,
        slug: themeSlug,
        name: localized(themeNameEn, themeNameFa),
        existingSlug: originalTheme || null,
      });
    } catch (error) {
      return roundRefusalResponse(error, t, values);
    }
    return json<Outcome>({ errors: null, values: {}, editing: "", notice: t("themes.saved") });
  }
  if (choice.ok && choice.data.intent === "order") {
    const order = validateForm(orderSchema, form, t, { ballotOrder: "myballot.staff.order" });
    if (!order.ok) return formFailure(400, order.errors, { originalSlug: original });
    try {
      await setBallotOrder(context.db, scope, { roundSlug, envelopeSlug: original, order: order.data.ballotOrder });
    } catch (error) {
      return roundRefusalResponse(error, t, { originalSlug: original });
    }
    return json<Outcome>({ errors: null, values: {}, editing: "", notice: t("myballot.staff.order.saved") });
  }
  const districtIds = (await districtsOf(context.db, scope)).map((d) => d.id);
  const parsed = parseEnvelopeForm(form, t, districtIds);
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  try {
    await saveEnvelope(context.db, scope, { roundSlug, envelope: parsed.data, existingSlug: original || null });
  } catch (error) {
    return roundRefusalResponse(error, t, parsed.values);
  }
  return json<Outcome>({ errors: null, values: {}, editing: "" });
}

const ballotTypes = ["approval", "k-approval", "cumulative"] as const;
const ballotLabel: Record<(typeof ballotTypes)[number], MessageKey> = {
  approval: "rounds.envelope.ballot.approval",
  "k-approval": "rounds.envelope.ballot.k-approval",
  cumulative: "rounds.envelope.ballot.cumulative",
};
const tallyRules = ["greedy", "mes"] as const;
const ruleLabel: Record<(typeof tallyRules)[number], MessageKey> = {
  greedy: "rounds.envelope.rule.greedy",
  mes: "rounds.envelope.rule.mes",
};
const limits = ["minProjects", "maxProjects", "minSpendShare", "minPoints", "maxPoints"] as const;
const limitLabel: Record<(typeof limits)[number], MessageKey> = {
  minProjects: "rounds.envelope.minProjects",
  maxProjects: "rounds.envelope.maxProjects",
  minSpendShare: "rounds.envelope.minSpendShare",
  minPoints: "rounds.envelope.minPoints",
  maxPoints: "rounds.envelope.maxPoints",
};

type EnvelopeRow = ReturnType<typeof useLoaderData<typeof loader>>["envelopes"][number];

function EnvelopeForm({
  envelope,
  values,
  errors,
}: {
  envelope: EnvelopeRow | null;
  values: Record<string, string>;
  errors: FieldErrors | null | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const idOf = (name: string) => `${name}-${envelope?.slug ?? "new"}`;
  const v = (name: string, fallback: unknown) =>
    values[name] ?? (fallback === null || fallback === undefined ? "" : String(fallback));
  const merged: Record<string, string> = {
    nameEn: v("nameEn", envelope?.name.en),
    nameFa: v("nameFa", envelope?.name.fa),
  };
  return (
    <PostForm noValidate>
      <input type="hidden" name="originalSlug" value={envelope?.slug ?? ""} />
      <Field
        id={idOf("slug")}
        name="slug"
        label={t("rounds.envelope.slug")}
        defaultValue={v("slug", envelope?.slug)}
        error={errors?.slug}
        dir="ltr"
      />
      <LocalizedFields
        idSuffix={envelope?.slug ?? "new"}
        name="name"
        labelEn="rounds.envelope.nameEn"
        labelFa="rounds.envelope.nameFa"
        values={merged}
        errors={errors}
      />
      <Field
        id={idOf("amount")}
        name="amount"
        inputMode="numeric"
        label={t("rounds.envelope.amount", { currency: data.currency })}
        defaultValue={v("amount", envelope?.amount)}
        error={errors?.amount}
        dir="ltr"
      />
      <SelectField
        id={idOf("districtId")}
        name="districtId"
        label={t("rounds.envelope.district")}
        defaultValue={v("districtId", envelope?.districtId)}
        error={errors?.districtId}
        options={[
          { value: "", label: t("rounds.envelope.allDistricts") },
          ...data.districts.map((d) => ({ value: d.id, label: pickText(d.name, locale) })),
        ]}
      />
      <SelectField
        id={idOf("ballotType")}
        name="ballotType"
        label={t("rounds.envelope.ballotType")}
        defaultValue={v("ballotType", envelope?.ballotType ?? "approval")}
        error={errors?.ballotType}
        options={ballotTypes.map((b) => ({ value: b, label: t(ballotLabel[b]) }))}
      />
      {limits.map((name) => (
        <Field
          key={name}
          id={idOf(name)}
          name={name}
          inputMode="numeric"
          label={t(limitLabel[name])}
          hint={t("rounds.envelope.optional")}
          defaultValue={v(name, envelope?.[name])}
          error={errors?.[name]}
          dir="ltr"
        />
      ))}
      <SelectField
        id={idOf("tallyRule")}
        name="tallyRule"
        label={t("rounds.envelope.tallyRule")}
        defaultValue={v("tallyRule", envelope?.tallyRule ?? "greedy")}
        error={errors?.tallyRule}
        options={tallyRules.map((r) => ({ value: r, label: t(ruleLabel[r]) }))}
      />
      <div className="field">
        <label>
          <input type="checkbox" name="tallyCompletion" defaultChecked={envelope ? envelope.tallyCompletion : true} />{" "}
          {t("rounds.envelope.completion")}
        </label>
      </div>
      <button type="submit">{envelope ? t("rounds.envelope.save") : t("rounds.envelope.create")}</button>
    </PostForm>
  );
}

export default function StaffEnvelopes() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors;
  const failedSlug = errors ? (result?.values.originalSlug ?? "") : null;
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("rounds.envelopes")} — {pickText(data.round.title, locale)}
      </h1>
      {data.frozen ? <p className="notice">{t("rounds.frozenNotice")}</p> : null}
      <ErrorSummary errors={errors} />
      <Notice text={result && "notice" in result ? result.notice : null} />
      {data.envelopes.map((e) => (
        <details key={e.id} className="panel" open={failedSlug === e.slug}>
          <summary>
            {pickText(e.name, locale)} — <span className="num">{formatMoney(locale, e.amount, data.currency)}</span> —{" "}
            {t(ballotLabel[e.ballotType])} — {t(ruleLabel[e.tallyRule])} —{" "}
            {t("rounds.filter.results", { count: e.proposalCount })}
          </summary>
          {data.frozen ? null : (
            <>
              <EnvelopeForm
                envelope={e}
                values={failedSlug === e.slug ? (result?.values ?? {}) : {}}
                errors={failedSlug === e.slug ? errors : null}
              />
              <PostForm>
                <input type="hidden" name="intent" value="order" />
                <input type="hidden" name="originalSlug" value={e.slug} />
                <label htmlFor={`ballotOrder-${e.slug}`}>{t("myballot.staff.order")}</label>{" "}
                <select id={`ballotOrder-${e.slug}`} name="ballotOrder" defaultValue={e.ballotOrder}>
                  {BALLOT_ORDERS.map((o) => (
                    <option key={o} value={o}>
                      {t(`myballot.staff.order.${o}`)}
                    </option>
                  ))}
                </select>{" "}
                <button type="submit" className="secondary">
                  {t("myballot.staff.order.save")}
                </button>
              </PostForm>
              <PostForm>
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="originalSlug" value={e.slug} />
                <button type="submit" className="secondary">
                  {t("rounds.envelope.delete")}
                </button>
              </PostForm>
            </>
          )}
        </details>
      ))}
      <Themes failed={failedSlug === "theme"} values={result?.values ?? {}} errors={errors} />
      {data.frozen ? null : (
        <>
          <h2>{t("rounds.envelope.create")}</h2>
          <EnvelopeForm
            envelope={null}
            values={failedSlug === "" ? (result?.values ?? {}) : {}}
            errors={failedSlug === "" ? errors : null}
          />
        </>
      )}
    </>
  );
}

/** The round's themes (ADR 0032): each renamed or deleted in place, and a form to add one. */
function Themes({
  failed,
  values,
  errors,
}: {
  failed: boolean;
  values: Record<string, string>;
  errors: FieldErrors | null | undefined;
}) {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const v = (name: string) => (failed && !values.originalTheme ? (values[name] ?? "") : "");
  return (
    <section aria-labelledby="themes-title" className="themes-admin">
      <h2 id="themes-title">{t("themes.title")}</h2>
      <p className="hint">{t("themes.intro")}</p>
      {data.themes.length ? null : <p>{t("themes.none")}</p>}
      {data.themes.map((th) => (
        <details key={th.slug} className="panel" open={failed && values.originalTheme === th.slug}>
          <summary>
            <bdi>{pickText(th.name, locale)}</bdi>
          </summary>
          <PostForm noValidate>
            <input type="hidden" name="intent" value="theme" />
            <input type="hidden" name="originalTheme" value={th.slug} />
            <Field
              id={`themeSlug-${th.slug}`}
              name="themeSlug"
              label={t("themes.slug")}
              defaultValue={th.slug}
              dir="ltr"
            />
            <Field
              id={`themeNameEn-${th.slug}`}
              name="themeNameEn"
              label={t("themes.nameEn")}
              defaultValue={th.name.en ?? ""}
              dir="ltr"
            />
            <Field
              id={`themeNameFa-${th.slug}`}
              name="themeNameFa"
              label={t("themes.nameFa")}
              defaultValue={th.name.fa ?? ""}
              dir="rtl"
            />
            <button type="submit">{t("themes.save")}</button>
          </PostForm>
          <PostForm>
            <input type="hidden" name="intent" value="theme-delete" />
            <input type="hidden" name="themeSlug" value={th.slug} />
            <button type="submit" className="secondary">
              {t("themes.delete")}
            </button>
          </PostForm>
        </details>
      ))}
      <PostForm noValidate>
        <input type="hidden" name="intent" value="theme" />
        <Field
          id="themeSlug-new"
          name="themeSlug"
          label={t("themes.slug")}
          defaultValue={v("themeSlug")}
          error={failed ? errors?.themeSlug : undefined}
          dir="ltr"
        />
        <Field
          id="themeNameEn-new"
          name="themeNameEn"
          label={t("themes.nameEn")}
          defaultValue={v("themeNameEn")}
          error={failed ? errors?.themeNameEn : undefined}
          dir="ltr"
        />
        <Field
          id="themeNameFa-new"
          name="themeNameFa"
          label={t("themes.nameFa")}
          defaultValue={v("themeNameFa")}
          error={failed ? errors?.themeNameFa : undefined}
          dir="rtl"
        />
        <button type="submit">{t("themes.add")}</button>
      </PostForm>
    </section>
  );
}
