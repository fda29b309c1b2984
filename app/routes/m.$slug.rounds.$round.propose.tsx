import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { ProposalFieldsView } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { formFailure } from "../web/forms.server";
import { requireMunicipality, requireUser } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { submitProposal } from "../services/proposals/proposals.server";
import { proposalFormData } from "../services/rounds/resident-rounds.server";
import { parseProposalForm } from "../web/round-forms.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.proposal.submitTitle"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const found = await proposalFormData(context.db, scopeOf(municipality, userActor(user)), {
    roundSlug: params.round ?? "",
  });
  if (found?.round.kind !== "budgeting") throw notFound("round");
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title },
    open: found.phase === "proposals",
    envelopes: found.envelopes.map(({ slug, name }) => ({ slug, name })),
    districts: found.districts,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalFormData(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  const parsed = parseProposalForm(
    form,
    t,
    found.districts.map((d) => d.id),
  );
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  try {
    const { id } = await submitProposal(context.db, scope, {
      roundSlug: found.round.slug,
      input: parsed.data,
    });
    return redirect(`/m/${municipality.slug}/rounds/${found.round.slug}/proposals/${id}`);
  } catch (error) {
    return roundRefusalResponse(error, t, parsed.values);
  }
}

export default function Propose() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("rounds.proposal.submitTitle")}</h1>
      {data.open ? (
        <>
          <ErrorSummary errors={result?.errors} />
          <PostForm noValidate>
            <ProposalFieldsView
              values={result?.values ?? {}}
              errors={result?.errors}
              envelopes={data.envelopes}
              districts={data.districts}
              currency={data.currency}
            />
            <button type="submit">{t("rounds.proposal.submit")}</button>
          </PostForm>
        </>
      ) : (
        <p className="notice">{t("rounds.error.not_proposals_phase")}</p>
      )}
    </>
  );
}
