import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { ProposalFieldsView } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import { readUploadForm } from "../web/csrf.server";
import { MediaFieldset } from "../components/media-fields";
import { PlaceFieldset } from "../components/place-fields";
import { isPointRefusal, placeOptions } from "../services/geo/maps.server";
import { readPlaceFields } from "../web/place-forms.server";
import { pointRefusalResponse } from "../web/refusal-messages/maps";
import {
  MEDIA_FORM_MAX_BYTES,
  isMediaRefusal,
  mediaFormTooLarge,
  mediaRefusalResponse,
  readMediaFields,
} from "../web/media-forms.server";
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
import { SimilarList, type SimilarView, useSimilarWhileTyping } from "../components/similar";
import { similarProposals } from "../services/proposals/supports.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.proposal.submitTitle"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const found = await proposalFormData(context.db, scopeOf(municipality, userActor(user)), {
    roundSlug: params.round ?? "",
  });
  if (found?.round.kind !== "budgeting") throw notFound("round");
  // Asked while the resident types (ADR 0036): proposals of the round like the draft.
  const url = new URL(request.url);
  const similarTitle = url.searchParams.get("similarTitle");
  const similar =
    similarTitle !== null
      ? await similarProposals(context.db, scopeOf(municipality, userActor(user)), {
          roundSlug: found.round.slug,
          title: similarTitle,
          body: url.searchParams.get("similarBody") ?? "",
        })
      : null;
  const place = await placeOptions(context.db, scopeOf(municipality, userActor(user)));
  return json({
    place,
    pageStrings: await pageStringsFor(context, request, [
      "media.legend",
      "media.hint",
      "media.image",
      "media.imageAlt",
      "media.document",
      "media.documentTitle",
      "media.attached",
      "media.remove",
      "media.documents",
      "media.pdf",
      "similar.title",
      "similar.intro",
      "similar.check",
      "similar.none",
      "similar.support",
      "map.point",
    ]),
    similar,
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title },
    open: found.phase === "proposals",
    envelopes: found.envelopes.map(({ slug, name }) => ({ slug, name })),
    districts: found.districts,
    themes: found.themes,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const t = translator(requestLocale(request));
  // Photos and PDFs come with the form: a body over every file's limit is refused before it is read.
  const form = await readUploadForm(request, MEDIA_FORM_MAX_BYTES);
  if (!form) return json({ errors: mediaFormTooLarge(t), values: {} as Record<string, string> }, { status: 413 });
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalFormData(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  if (form.get("intent") === "similar") {
    // Without JavaScript: the form comes back as typed, with the similar proposals under it.
    const values: Record<string, string> = {};
    for (const [k, v] of form.entries())
      if (k !== "_csrf" && k !== "intent" && typeof v === "string") values[k] = v.slice(0, 5000);
    const similar = await similarProposals(context.db, scope, {
      roundSlug: found.round.slug,
      title: `${values.titleEn ?? ""} ${values.titleFa ?? ""}`,
      body: `${values.bodyEn ?? ""} ${values.bodyFa ?? ""}`,
    });
    return json({ errors: null, values, similar });
  }
  const parsed = parseProposalForm(
    form,
    t,
    found.districts.map((d) => d.id),
  );
  const media = await readMediaFields(form, t);
  const place = readPlaceFields(form, t);
  const values = { ...parsed.values, ...place.values };
  if (!parsed.ok || Object.keys(media.errors).length || !place.ok)
    return formFailure(
      400,
      { ...(parsed.ok ? {} : parsed.errors), ...media.errors, ...(place.ok ? {} : place.errors) },
      values,
    );
  try {
    const { id } = await submitProposal(context.db, scope, {
      roundSlug: found.round.slug,
      input: parsed.data,
      media: { add: media.add },
      point: place.point,
    });
    return redirect(`/m/${municipality.slug}/rounds/${found.round.slug}/proposals/${id}`);
  } catch (error) {
    if (isMediaRefusal(error)) return mediaRefusalResponse(error, t, values);
    if (isPointRefusal(error)) {
      const field = place.point?.kind === "address" ? "pointAddress" : "pointLat";
      return pointRefusalResponse(error, t, requestLocale(request), found.districts, values, field);
    }
    return roundRefusalResponse(error, t, values);
  }
}

export default function Propose() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const typed = useSimilarWhileTyping("propose-form");
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const posted = result && "similar" in result ? (result.similar as SimilarView[]) : null;
  const similar = typed ?? posted;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("rounds.proposal.submitTitle")}</h1>
      {data.open ? (
        <>
          <ErrorSummary errors={result?.errors ?? undefined} />
          <PostForm noValidate id="propose-form" encType="multipart/form-data">
            <ProposalFieldsView
              values={result?.values ?? {}}
              errors={result?.errors}
              envelopes={data.envelopes}
              districts={data.districts}
              themes={data.themes}
              currency={data.currency}
            />
            <PlaceFieldset place={data.place} values={result?.values ?? {}} errors={result?.errors} />
            <MediaFieldset values={result?.values ?? {}} errors={result?.errors} />
            <button type="submit">{t("rounds.proposal.submit")}</button>
            <button type="submit" name="intent" value="similar" className="secondary">
              {t("similar.check")}
            </button>
          </PostForm>
          {/* Outside the form: each similar proposal has its own support form. */}
          <section className="similar" aria-labelledby="similar" aria-live="polite">
            <h2 id="similar">{t("similar.title")}</h2>
            {similar ? <SimilarList items={similar} base={base} /> : <p className="hint">{t("similar.intro")}</p>}
          </section>
        </>
      ) : (
        <p className="notice">{t("rounds.error.not_proposals_phase")}</p>
      )}
    </>
  );
}
