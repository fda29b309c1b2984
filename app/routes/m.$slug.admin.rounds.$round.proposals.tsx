import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { ProposalFieldsView, SelectField, TextArea } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { formatMoney, formatNumber, pickText, translator, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { type FieldErrors, formFailure, validateForm } from "../web/forms.server";
import { requireStaff } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { parseProposalForm } from "../web/round-forms.server";
import {
  createStaffProposal,
  postOfficialResponse,
  reviewProposal,
  roundForStaff,
} from "../services/rounds/rounds-admin.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";
import { proposalStatusLabel } from "../components/labels";
import { optionalWholeNumber, wholeNumber } from "../domain/i18n/numbers";
import { mergeProposals, setSupportRules, supportsForReview } from "../services/proposals/supports.server";
import { supportRefusal } from "../web/refusal-messages/supports";
import { themesOf } from "../services/rounds/themes.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.proposals"), data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const found = await roundForStaff(context.db, scope, { slug: params.round ?? "" });
  if (!found) throw notFound("round");
  const [districtRows, themeRows] = await Promise.all([
    districtsOf(context.db, scope),
    themesOf(context.db, { roundId: found.round.id }),
  ]);
  const supports = await supportsForReview(context.db, scope, { roundSlug: found.round.slug });
  const envelopeName = new Map(found.envelopes.map((e) => [e.id, { slug: e.slug, name: e.name, amount: e.amount }]));
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title, kind: found.round.kind },
    frozen: found.frozen,
    supports: { open: supports.open, threshold: supports.threshold },
    envelopes: found.envelopes.map((e) => ({ slug: e.slug, name: e.name })),
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    themes: themeRows.map((th) => ({ id: th.id, name: th.name })),
    proposals: found.proposals.map((p) => ({
      id: p.id,
      title: p.title,
      body: p.body,
      cost: p.cost,
      status: p.status,
      themeId: p.themeId,
      envelope: envelopeName.get(p.envelopeId),
      // Costs more than its envelope holds: it can never be funded (a warning, not a refusal).
      overEnvelope: p.cost > (envelopeName.get(p.envelopeId)?.amount ?? Number.POSITIVE_INFINITY),
      rejectionReason: p.rejectionReason,
      feasibilityNote: p.feasibilityNote,
      officialResponse: p.officialResponse,
      byStaff: p.reviewedBy !== null && p.reviewedBy === p.authorId,
      supports: supports.counts[p.id] ?? 0,
      mergedInto: p.mergedIntoId,
    })),
  });
}

const reviewSchema = z.discriminatedUnion("intent", [
  // Supports and merges (ADR 0036).
  z.object({
    intent: z.literal("supports"),
    open: z.literal("on").optional(),
    threshold: optionalWholeNumber(z.number().int().min(1).max(1_000_000)),
  }),
  z.object({ intent: z.literal("merge"), proposalId: z.string().min(1), intoProposalId: z.string().min(1) }),
  // A proposal's own fields are read by parseProposalForm.
  z.object({ intent: z.literal("create") }),
  z.object({
    intent: z.literal("accept"),
    proposalId: z.string().min(1),
    cost: wholeNumber(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
    feasibilityNote: z.string().trim().max(2000).optional().default(""),
    // Absent when the round has no themes: the proposal's theme stays as it is.
    themeId: z.string().trim().max(100).optional(),
  }),
  z.object({ intent: z.literal("reject"), proposalId: z.string().min(1), reason: z.string().trim().min(1).max(2000) }),
  z.object({
    intent: z.literal("respond"),
    proposalId: z.string().min(1),
    response: z.string().trim().min(1).max(5000),
  }),
]);

type Outcome = {
  errors: FieldErrors | null;
  values: Record<string, string>;
  done: string | null;
  notice?: string;
  warning?: string;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const roundSlug = params.round ?? "";
  const intent = String(form.get("intent") ?? "");
  const scope = scopeOf(access.municipality, userActor(access.user));
  const parsed = validateForm(reviewSchema, form, t, {
    cost: "round.cost",
    feasibilityNote: "rounds.proposal.feasibility",
    themeId: "themes.field",
    reason: "rounds.proposal.reason",
    response: "rounds.proposal.officialResponse",
    threshold: "supports.settings.threshold",
    intoProposalId: "merge.into",
  });
  if (!parsed.ok) {
    // An unknown intent is answered without echoing what was typed.
    const values = parsed.errors.intent ? {} : { ...parsed.values, intent };
    return formFailure(400, parsed.errors, values);
  }
  const input = parsed.data;
  let warning: string | undefined;
  if (input.intent === "supports" || input.intent === "merge") {
    try {
      if (input.intent === "supports")
        await setSupportRules(context.db, scope, {
          roundSlug,
          open: input.open === "on",
          threshold: input.threshold ?? null,
        });
      else
        await mergeProposals(context.db, scope, {
          roundSlug,
          fromProposalId: input.proposalId,
          intoProposalId: input.intoProposalId,
        });
    } catch (error) {
      const refused = supportRefusal(error, t);
      const field = input.intent === "supports" ? "threshold" : "form";
      return json<Outcome>(
        {
          errors: { [field]: refused.message },
          values: { intent, proposalId: String(form.get("proposalId") ?? "") },
          done: null,
        },
        { status: refused.status },
      );
    }
    const notice = t(input.intent === "supports" ? "supports.settings.saved" : "merge.done");
    return json<Outcome>({ errors: null, values: {}, done: intent, notice });
  }
  try {
    if (input.intent === "create") {
      const districtIds = (await districtsOf(context.db, scope)).map((d) => d.id);
      const parsed = parseProposalForm(form, t, districtIds);
      if (!parsed.ok) return formFailure(400, parsed.errors, { ...parsed.values, intent });
      const created = await createStaffProposal(context.db, scope, { roundSlug, proposal: parsed.data });
      if (created.overEnvelope !== null)
        warning = t("staff.overEnvelope", {
          amount: formatMoney(requestLocale(request), created.overEnvelope, access.municipality.currency),
        });
    } else if (input.intent === "accept") {
      await reviewProposal(context.db, scope, {
        roundSlug,
        proposalId: input.proposalId,
        review: {
          decision: "accept",
          cost: input.cost,
          feasibilityNote: input.feasibilityNote || null,
          themeId: input.themeId === undefined ? undefined : input.themeId || null,
        },
      });
    } else if (input.intent === "reject") {
      await reviewProposal(context.db, scope, {
        roundSlug,
        proposalId: input.proposalId,
        review: { decision: "reject", reason: input.reason },
      });
    } else {
      await postOfficialResponse(context.db, scope, {
        roundSlug,
        proposalId: input.proposalId,
        text: input.response,
      });
    }
  } catch (error) {
    return roundRefusalResponse(error, t, { intent, proposalId: String(form.get("proposalId") ?? "") });
  }
  const notice = intent === "accept" || intent === "reject" ? t("staff.reviewed") : t("rounds.saved");
  return json<Outcome>({ errors: null, values: {}, done: intent, notice, warning });
}

export default function StaffProposals() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors = result?.errors ?? null;
  const failed = errors ? (result?.values ?? {}) : {};
  const errorsFor = (id: string) => (failed.proposalId === id ? errors : null);
  return (
    <>
      <RoundStaffNav slug={data.slug} round={data.round.slug} />
      <h1>
        {t("rounds.proposals")} — {pickText(data.round.title, locale)}
      </h1>
      {data.frozen ? <p className="notice">{t("rounds.frozenNotice")}</p> : null}
      <Notice text={result && "notice" in result ? result.notice : null} />
      {result && "warning" in result && result.warning ? <p className="notice warning">{result.warning}</p> : null}
      <ErrorSummary errors={errors} />
      <section className="panel" aria-labelledby="supports-settings">
        <h2 id="supports-settings">{t("supports.settings")}</h2>
        <PostForm noValidate>
          <input type="hidden" name="intent" value="supports" />
          <div className="field">
            <label>
              <input type="checkbox" name="open" defaultChecked={data.supports.open} /> {t("supports.settings.open")}
            </label>
          </div>
          <Field
            name="threshold"
            inputMode="numeric"
            label={t("supports.settings.threshold")}
            defaultValue={data.supports.threshold === null ? "" : String(data.supports.threshold)}
            error={failed.intent === "supports" ? (errors?.threshold ?? undefined) : undefined}
            dir="ltr"
          />
          <button type="submit">{t("supports.settings.save")}</button>
        </PostForm>
      </section>
      <table>
        <thead>
          <tr>
            <th scope="col">{t("rounds.proposal.title")}</th>
            <th scope="col">{t("rounds.proposal.envelope")}</th>
            <th scope="col">{t("round.cost")}</th>
            <th scope="col">{t("rounds.proposal.status")}</th>
            <th scope="col">{t("list.supports")}</th>
          </tr>
        </thead>
        <tbody>
          {data.proposals.map((p) => (
            <tr key={p.id}>
              <td>
                <Link to={`/m/${data.slug}/rounds/${data.round.slug}/proposals/${p.id}`}>
                  {pickText(p.title, locale)}
                </Link>
              </td>
              <td>{p.envelope ? pickText(p.envelope.name, locale) : ""}</td>
              <td className="num">
                {formatMoney(locale, p.cost, data.currency)}
                {p.overEnvelope ? <strong className="warning"> {t("staff.overEnvelopeShort")}</strong> : null}
              </td>
              <td className="status">
                {t(proposalStatusLabel[p.status])}
                {p.mergedInto ? <> ({t("merge.mergedShort")})</> : null}
              </td>
              <td className="num">
                {formatNumber(locale, p.supports)}
                {data.supports.threshold !== null && !p.mergedInto ? (
                  <span className={p.supports >= data.supports.threshold ? "reached" : "hint"}>
                    {" "}
                    {p.supports >= data.supports.threshold ? t("supports.reachedShort") : t("supports.belowShort")}
                  </span>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.proposals.map((p) => (
        <details key={p.id} className="panel" open={failed.proposalId === p.id}>
          <summary>
            {t("rounds.proposal.review")}: {pickText(p.title, locale)} ({t(proposalStatusLabel[p.status])})
          </summary>
          <p>{pickText(p.body, locale)}</p>
          {p.rejectionReason ? (
            <p>{t("rounds.proposal.rejectedBecause", { reason: isolated(p.rejectionReason) })}</p>
          ) : null}
          {p.overEnvelope && p.envelope ? (
            <p className="notice warning">
              {t("staff.overEnvelope", { amount: formatMoney(locale, p.envelope.amount, data.currency) })}
            </p>
          ) : null}
          {p.feasibilityNote ? (
            <p>
              <strong>{t("rounds.proposal.feasibility")}</strong>: {p.feasibilityNote}
            </p>
          ) : null}
          {!data.frozen && ["submitted", "accepted", "rejected"].includes(p.status) ? (
            <>
              <PostForm noValidate>
                <input type="hidden" name="intent" value="accept" />
                <input type="hidden" name="proposalId" value={p.id} />
                <Field
                  id={`cost-${p.id}`}
                  name="cost"
                  inputMode="numeric"
                  label={t("rounds.proposal.finalCost", { currency: data.currency })}
                  defaultValue={String(p.cost)}
                  error={errorsFor(p.id)?.cost}
                  dir="ltr"
                />
                <TextArea
                  id={`feasibilityNote-${p.id}`}
                  name="feasibilityNote"
                  label={t("rounds.proposal.feasibility")}
                  defaultValue={p.feasibilityNote ?? ""}
                  error={errorsFor(p.id)?.feasibilityNote}
                />
                {data.themes.length ? (
                  <SelectField
                    id={`themeId-${p.id}`}
                    name="themeId"
                    label={t("themes.field")}
                    defaultValue={p.themeId ?? ""}
                    error={errorsFor(p.id)?.themeId}
                    options={[
                      { value: "", label: t("themes.noTheme") },
                      ...data.themes.map((th) => ({ value: th.id, label: pickText(th.name, locale) })),
                    ]}
                  />
                ) : null}
                <button type="submit">{t("rounds.proposal.accept")}</button>
              </PostForm>
              <PostForm noValidate>
                <input type="hidden" name="intent" value="reject" />
                <input type="hidden" name="proposalId" value={p.id} />
                <TextArea
                  id={`reason-${p.id}`}
                  name="reason"
                  label={t("rounds.proposal.reason")}
                  error={errorsFor(p.id)?.reason}
                  required
                />
                <button type="submit" className="secondary">
                  {t("rounds.proposal.reject")}
                </button>
              </PostForm>
            </>
          ) : null}
          {!data.frozen && !p.mergedInto && ["submitted", "accepted", "rejected"].includes(p.status) ? (
            <PostForm noValidate aria-label={t("merge.title")}>
              <h3>{t("merge.title")}</h3>
              <input type="hidden" name="intent" value="merge" />
              <input type="hidden" name="proposalId" value={p.id} />
              <SelectField
                id={`into-${p.id}`}
                name="intoProposalId"
                label={t("merge.into")}
                options={data.proposals
                  .filter(
                    (o) => o.id !== p.id && !o.mergedInto && ["submitted", "accepted", "rejected"].includes(o.status),
                  )
                  .map((o) => ({ value: o.id, label: pickText(o.title, locale) }))}
              />
              <button type="submit" className="secondary">
                {t("merge.submit")}
              </button>
            </PostForm>
          ) : null}
          <PostForm noValidate>
            <input type="hidden" name="intent" value="respond" />
            <input type="hidden" name="proposalId" value={p.id} />
            <TextArea
              id={`response-${p.id}`}
              name="response"
              label={t("rounds.proposal.officialResponse")}
              defaultValue={p.officialResponse ?? ""}
              error={errorsFor(p.id)?.response}
            />
            <button type="submit">{t("rounds.proposal.postResponse")}</button>
          </PostForm>
        </details>
      ))}
      {data.frozen || data.envelopes.length === 0 ? null : (
        <section aria-labelledby="create-proposal">
          <h2 id="create-proposal">{t("rounds.proposal.create")}</h2>
          <PostForm noValidate>
            <input type="hidden" name="intent" value="create" />
            <ProposalFields
              values={failed.intent === "create" ? failed : {}}
              errors={failed.intent === "create" ? errors : null}
            />
            <button type="submit">{t("rounds.proposal.create")}</button>
          </PostForm>
        </section>
      )}
    </>
  );
}

function ProposalFields({ values, errors }: { values: Record<string, string>; errors: FieldErrors | null }) {
  const data = useLoaderData<typeof loader>();
  return (
    <ProposalFieldsView
      values={values}
      errors={errors}
      envelopes={data.envelopes}
      districts={data.districts}
      themes={data.themes}
      currency={data.currency}
    />
  );
}
