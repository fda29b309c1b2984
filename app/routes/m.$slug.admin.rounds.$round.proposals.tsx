import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { ProposalFieldsView, TextArea } from "../components/rounds";
import { RoundStaffNav } from "../components/staff-nav";
import { formatMoney, pickText, translator } from "../domain/i18n";
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
import { wholeNumber } from "../domain/i18n/numbers";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [t("rounds.proposals"), data && pickText(data.round.title, locale)]);

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const found = await roundForStaff(context.db, scope, { slug: params.round ?? "" });
  if (!found) throw notFound("round");
  const districtRows = await districtsOf(context.db, scope);
  const envelopeName = new Map(found.envelopes.map((e) => [e.id, { slug: e.slug, name: e.name, amount: e.amount }]));
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title, kind: found.round.kind },
    frozen: found.frozen,
    envelopes: found.envelopes.map((e) => ({ slug: e.slug, name: e.name })),
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
    proposals: found.proposals.map((p) => ({
      id: p.id,
      title: p.title,
      body: p.body,
      cost: p.cost,
      status: p.status,
      envelope: envelopeName.get(p.envelopeId),
      // Costs more than its envelope holds: it can never be funded (a warning, not a refusal).
      overEnvelope: p.cost > (envelopeName.get(p.envelopeId)?.amount ?? Number.POSITIVE_INFINITY),
      rejectionReason: p.rejectionReason,
      feasibilityNote: p.feasibilityNote,
      officialResponse: p.officialResponse,
      byStaff: p.reviewedBy !== null && p.reviewedBy === p.authorId,
    })),
  });
}

const reviewSchema = z.discriminatedUnion("intent", [
  // A proposal's own fields are read by parseProposalForm.
  z.object({ intent: z.literal("create") }),
  z.object({
    intent: z.literal("accept"),
    proposalId: z.string().min(1),
    cost: wholeNumber(z.number().int().positive().max(Number.MAX_SAFE_INTEGER)),
    feasibilityNote: z.string().trim().max(2000).optional().default(""),
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
    reason: "rounds.proposal.reason",
    response: "rounds.proposal.officialResponse",
  });
  if (!parsed.ok) {
    // An unknown intent is answered without echoing what was typed.
    const values = parsed.errors.intent ? {} : { ...parsed.values, intent };
    return formFailure(400, parsed.errors, values);
  }
  const input = parsed.data;
  let warning: string | undefined;
  try {
    if (input.intent === "create") {
      const districtIds = (await districtsOf(context.db, scope)).map((d) => d.id);
      const parsed = parseProposalForm(form, t, districtIds);
      if (!parsed.ok) return formFailure(400, parsed.errors, { ...parsed.values, intent });
      const created = await createStaffProposal(context.db, scope, { roundSlug, proposal: parsed.data });
      if (created.overEnvelope !== null)
        warning = t("staff.overEnvelope", { amount: formatMoney(requestLocale(request), created.overEnvelope, access.municipality.currency) });
    } else if (input.intent === "accept") {
      await reviewProposal(context.db, scope, {
        roundSlug,
        proposalId: input.proposalId,
        review: { decision: "accept", cost: input.cost, feasibilityNote: input.feasibilityNote || null },
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
      <table>
        <thead>
          <tr>
            <th scope="col">{t("rounds.proposal.title")}</th>
            <th scope="col">{t("rounds.proposal.envelope")}</th>
            <th scope="col">{t("round.cost")}</th>
            <th scope="col">{t("rounds.proposal.status")}</th>
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
              <td className="status">{t(proposalStatusLabel[p.status])}</td>
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
          {p.rejectionReason ? <p>{t("rounds.proposal.rejectedBecause", { reason: p.rejectionReason })}</p> : null}
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
      currency={data.currency}
    />
  );
}
