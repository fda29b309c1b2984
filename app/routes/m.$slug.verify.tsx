import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { type LocalizedText, formatDateTime, formatNumber, pickText, translator, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { validateForm } from "../web/forms.server";
import { safeRedirect } from "../web/redirects.server";
import { requireMunicipality, requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { verificationRefusal } from "../web/refusal-messages/verification";
import { scopeOf, userActor } from "../services/scope";
import { roundStandings, voterClassNames } from "../services/verification/eligibility.server";
import { verificationStatus, verifyByCensus, verifyByLetter } from "../services/verification/self-verification.server";
import { VerificationRefused } from "../services/verification/verifications.server";
import { pageTitle } from "../components/page-title";
import { eidProviderFor } from "../services/eid/municipality-provider.server";
import { eidTrusted } from "../services/eid/eid-verification.server";
import { EID_OUTCOMES, eidOutcomeMessage } from "../web/eid.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("verification.title"));

/** A resident's verification: status, census match and letter code (plain forms, no JavaScript needed). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const scope = scopeOf(municipality, userActor(user));
  const status = await verificationStatus(context.db, scope);
  const standings = status.verified ? await roundStandings(context.db, scope) : [];
  // Where the resident was going (a ballot): brought back there once verified; same-site paths only.
  const next = safeRedirect(new URL(request.url).searchParams.get("next"), "next", "");
  const classNames: Record<string, LocalizedText> = status.verified ? await voterClassNames(context.db, scope) : {};
  // Verification from the e-ID (ADR 0038): the button where the municipality trusts it, and the outcome
  // of a sign-in that came back here (a known code only, translated here).
  const provider = await eidProviderFor(context.db, { municipalityId: municipality.id });
  const locale = requestLocale(request);
  const eid =
    provider && !status.verified && (await eidTrusted(context.db, scope)) ? { label: provider.label[locale] } : null;
  const eidCode = new URL(request.url).searchParams.get("eid");
  const eidOutcome = eidCode && EID_OUTCOMES.has(eidCode) ? eidOutcomeMessage(eidCode, locale) : null;
  return json({
    pageStrings: await pageStringsFor(context, request, ["eid.verify"]),
    eid,
    eidOutcome,
    next,
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    status,
    standings,
    classNames,
  });
}

/** Text cut to `max` characters (the services check the content and name the field). */
const cut = (max: number) =>
  z
    .string()
    .default("")
    .transform((value) => value.slice(0, max));

const verifySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("letter"), code: cut(64) }),
  z.object({ intent: z.literal("census"), nationalId: cut(65), birthDate: cut(40) }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const scope = scopeOf(municipality, userActor(user));
  const parsed = validateForm(verifySchema, form, t, {});
  const intent = parsed.ok ? parsed.data.intent : "";
  const code = parsed.ok && parsed.data.intent === "letter" ? parsed.data.code : "";
  try {
    if (!parsed.ok) throw new VerificationRefused("id_missing", "nationalId");
    const input = parsed.data;
    if (input.intent === "letter") {
      await verifyByLetter(context.db, scope, { code: input.code });
    } else {
      if (input.nationalId.length > 64) throw new VerificationRefused("id_format", "nationalId");
      await verifyByCensus(context.db, scope, {
        ip: context.clientIp,
        nationalId: input.nationalId,
        birthDate: input.birthDate,
      });
    }
  } catch (error) {
    return verificationRefusal(error, t, { intent, code });
  }
  const next = safeRedirect(form.get("next"), "next", "");
  return redirect(next || `/m/${municipality.slug}/verify?done=1`);
}

export default function Verify() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [search] = useSearchParams();
  const errors = result?.errors;
  const intent = result?.values?.intent;
  const v = data.status.verified;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("verification.title")}</h1>
      <p>{t("verification.intro")}</p>
      <h2>{t("verification.status.title")}</h2>
      {data.eidOutcome?.text ? (
        <p className={data.eidOutcome.ok ? "notice" : "eid-message"} role={data.eidOutcome.ok ? "status" : "alert"}>
          {data.eidOutcome.text}
        </p>
      ) : null}
      {search.get("done") && v ? (
        <p className="notice" role="status">
          {t("verification.done")}
        </p>
      ) : null}
      {v ? (
        <>
          <p data-testid="verification-status">
            {t("verification.status.verified", {
              district: isolated(v.district ? pickText(v.district.name, locale) : ""),
              voterClass: isolated(pickText(data.classNames[v.voterClass], locale) || v.voterClass),
            })}
          </p>
          <p>
            {t("verification.status.method", {
              method: t(`verification.method.${v.method}`),
              date: formatDateTime(locale, new Date(v.verifiedAt), data.timeZone),
            })}
          </p>
          {data.standings.length ? (
            <>
              <h2>{t("verification.rounds.title")}</h2>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t("verification.rounds.round")}</th>
                    <th scope="col">{t("verification.rounds.weight")}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.standings.map((s) => (
                    <tr key={s.slug}>
                      <td>{pickText(s.title, locale)}</td>
                      <td>
                        {s.weight === null ? t("verification.rounds.notEligible") : formatNumber(locale, s.weight)}{" "}
                        <Link to={`/m/${data.slug}/rounds/${s.slug}/eligibility`}>{t("verification.rounds.why")}</Link>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </>
      ) : (
        <>
          <p data-testid="verification-status">{t("verification.status.not")}</p>
          {data.status.revoked ? (
            <p>
              {t("verification.status.revoked", {
                date: formatDateTime(locale, new Date(data.status.revoked.at), data.timeZone),
                reason: isolated(data.status.revoked.reason),
              })}
            </p>
          ) : null}
          {data.eid ? (
            <>
              <h2 id="eid">{t("eid.verify.title")}</h2>
              <p>{t("eid.verify.intro")}</p>
              <PostForm action="/auth/eid" reloadDocument aria-labelledby="eid">
                <input type="hidden" name="municipality" value={data.slug} />
                <input type="hidden" name="next" value={data.next || `/m/${data.slug}/verify`} />
                <button type="submit" className="eid-button">
                  {data.eid.label}
                </button>
              </PostForm>
            </>
          ) : null}
          <h2 id="census">{t("verification.match.title")}</h2>
          <p>{t("verification.match.help")}</p>
          {intent !== "letter" ? <ErrorSummary errors={errors} /> : null}
          <PostForm noValidate aria-labelledby="census">
            <input type="hidden" name="intent" value="census" />
            {data.next ? <input type="hidden" name="next" value={data.next} /> : null}
            <Field
              name="nationalId"
              label={t("verification.nationalId")}
              error={intent !== "letter" ? errors?.nationalId : undefined}
              autoComplete="off"
              required
              dir="ltr"
            />
            <Field
              name="birthDate"
              label={t("verification.birthDate")}
              hint={t("verification.birthDateHint")}
              error={intent !== "letter" ? errors?.birthDate : undefined}
              autoComplete="off"
              required
              dir="ltr"
            />
            <button type="submit">{t("verification.match.submit")}</button>
          </PostForm>
          <h2 id="letter">{t("verification.letter.title")}</h2>
          <p>{t("verification.letter.help")}</p>
          {intent === "letter" ? <ErrorSummary errors={errors} /> : null}
          <PostForm noValidate aria-labelledby="letter">
            <input type="hidden" name="intent" value="letter" />
            {data.next ? <input type="hidden" name="next" value={data.next} /> : null}
            <Field
              name="code"
              label={t("verification.code")}
              defaultValue={intent === "letter" ? result?.values?.code : undefined}
              error={intent === "letter" ? errors?.code : undefined}
              autoComplete="off"
              required
              dir="ltr"
            />
            <button type="submit">{t("verification.letter.submit")}</button>
          </PostForm>
        </>
      )}
    </>
  );
}
