import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { ProposalFieldsView } from "../components/rounds";
import { pickText, translator } from "../domain/i18n";
import { readUploadForm } from "../web/csrf.server";
import { MediaFieldset } from "../components/media-fields";
import { mediaOf } from "../services/media/media.server";
import {
  MEDIA_FORM_MAX_BYTES,
  isMediaRefusal,
  mediaFormTooLarge,
  mediaRefusalResponse,
  readMediaFields,
} from "../web/media-forms.server";
import { formFailure, validateForm } from "../web/forms.server";
import { requireMunicipality, requireUser } from "../web/guards.server";
import { deny, notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { editOwnProposal, withdrawProposal } from "../services/proposals/proposals.server";
import { proposalFormData } from "../services/rounds/resident-rounds.server";
import { parseProposalForm } from "../web/round-forms.server";
import { proposalInRound } from "../services/rounds/rounds-admin.server";
import { RefusedError } from "../services/errors.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { roundRefusalResponse } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.proposal.editTitle"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalFormData(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  let proposal: Awaited<ReturnType<typeof proposalInRound>>;
  try {
    proposal = await proposalInRound(context.db, scope, { roundId: found.round.id, proposalId: params.proposal ?? "" });
  } catch (error) {
    if (error instanceof RefusedError) throw notFound("proposal");
    throw error;
  }
  if (proposal.authorId !== user.id) throw deny(403, "bad_request", "Only the author may edit this proposal.");
  const envelopeSlug = found.envelopes.find((e) => e.id === proposal.envelopeId)?.slug ?? "";
  return json({
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
    ]),
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title },
    editable: proposal.status === "submitted" && found.phase === "proposals",
    withdrawable: ["submitted", "accepted"].includes(proposal.status),
    status: proposal.status,
    envelopes: found.envelopes.map(({ slug, name }) => ({ slug, name })),
    districts: found.districts,
    media: await mediaOf(context.db, scope, { ownerKind: "proposal", ownerIds: [proposal.id] }),
    themes: found.themes,
    values: {
      envelopeSlug,
      titleEn: proposal.title.en ?? "",
      titleFa: proposal.title.fa ?? "",
      bodyEn: proposal.body.en ?? "",
      bodyFa: proposal.body.fa ?? "",
      cost: String(proposal.cost),
      districtId: proposal.districtId ?? "",
      themeId: proposal.themeId ?? "",
      location: proposal.location ?? "",
    } as Record<string, string>,
  });
}

/** The withdraw button sends `withdraw`; anything else is the proposal's form, which parseProposalForm reads. */
const intentSchema = z.object({ intent: z.enum(["withdraw", "save"]).catch("save") });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const t = translator(requestLocale(request));
  const form = await readUploadForm(request, MEDIA_FORM_MAX_BYTES);
  if (!form) return json({ errors: mediaFormTooLarge(t), values: {} as Record<string, string> }, { status: 413 });
  const scope = scopeOf(municipality, userActor(user));
  const found = await proposalFormData(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  const target = { roundSlug: found.round.slug, proposalId: params.proposal ?? "" };
  // Authorization before validation: only the author gets as far as reading the form.
  const proposal = await proposalInRound(context.db, scope, {
    roundId: found.round.id,
    proposalId: target.proposalId,
  }).catch((error) => {
    if (error instanceof RefusedError) throw notFound("proposal");
    throw error;
  });
  if (proposal.authorId !== user.id) throw deny(403, "bad_request", "Only the author may change this proposal.");
  const back = `/m/${municipality.slug}/rounds/${found.round.slug}`;
  const choice = validateForm(intentSchema, form, t, {});
  if (choice.ok && choice.data.intent === "withdraw") {
    try {
      await withdrawProposal(context.db, scope, target);
      return redirect(back);
    } catch (error) {
      return roundRefusalResponse(error, t, {});
    }
  }
  const parsed = parseProposalForm(
    form,
    t,
    found.districts.map((d) => d.id),
  );
  const media = await readMediaFields(form, t);
  if (!parsed.ok || Object.keys(media.errors).length)
    return formFailure(400, { ...(parsed.ok ? {} : parsed.errors), ...media.errors }, parsed.values);
  try {
    await editOwnProposal(context.db, scope, { ...target, input: parsed.data, media });
    return redirect(`${back}/proposals/${target.proposalId}`);
  } catch (error) {
    if (isMediaRefusal(error)) return mediaRefusalResponse(error, t, parsed.values);
    return roundRefusalResponse(error, t, parsed.values);
  }
}

export default function EditProposal() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("rounds.proposal.editTitle")}</h1>
      <ErrorSummary errors={result?.errors} />
      {data.editable ? (
        <PostForm noValidate encType="multipart/form-data">
          <input type="hidden" name="intent" value="save" />
          <ProposalFieldsView
            values={result?.errors ? result.values : data.values}
            errors={result?.errors}
            envelopes={data.envelopes}
            districts={data.districts}
            themes={data.themes}
            currency={data.currency}
          />
          <MediaFieldset
            values={result?.errors ? result.values : data.values}
            errors={result?.errors}
            attached={data.media}
          />
          <button type="submit">{t("rounds.proposal.save")}</button>
        </PostForm>
      ) : (
        <p className="notice">{t("rounds.error.not_editable")}</p>
      )}
      {data.withdrawable ? (
        <PostForm>
          <input type="hidden" name="intent" value="withdraw" />
          <p className="hint">{t("rounds.proposal.withdrawHelp")}</p>
          <button type="submit" className="secondary">
            {t("rounds.proposal.withdraw")}
          </button>
        </PostForm>
      ) : null}
    </>
  );
}
