import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { asc, eq } from "drizzle-orm";
import { rounds } from "../../db/schema";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { type MessageKey, formatDateTime, formatNumber, pickText, translator } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { requireMunicipality, requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import {
  VerificationRefused,
  eligibilityFor,
  verificationFailure,
  verificationStatus,
  verifyByCensus,
  verifyByLetter,
} from "../services/verification/verification.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("verification.title"));

/** A resident's verification: status, census match and letter code (plain forms, no JavaScript needed). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const status = await verificationStatus(context.db, municipality.id, user.id);
  const roundRows = await context.db
    .select({ slug: rounds.slug })
    .from(rounds)
    .where(eq(rounds.municipalityId, municipality.id))
    .orderBy(asc(rounds.createdAt));
  const standings = [];
  if (status.verified) {
    for (const r of roundRows) {
      const found = await eligibilityFor(context.db, { municipality, roundSlug: r.slug, userId: user.id });
      if (found) standings.push({ slug: r.slug, title: found.round.title, weight: found.verdict.weight });
    }
  }
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    status,
    standings,
  });
}

function text(form: FormData, name: string, max: number): string {
  const value = form.get(name);
  return typeof value === "string" ? value.slice(0, max) : "";
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const intent = form.get("intent");
  try {
    if (intent === "letter") {
      await verifyByLetter(context.db, { municipality, user, code: text(form, "code", 64) });
    } else if (intent === "census") {
      const nationalId = text(form, "nationalId", 65);
      if (nationalId.length > 64) throw new VerificationRefused("id_format", "nationalId");
      await verifyByCensus(context.db, {
        municipality,
        user,
        ip: context.clientIp,
        nationalId,
        birthDate: text(form, "birthDate", 40),
      });
    } else {
      throw new VerificationRefused("id_missing", "nationalId");
    }
  } catch (error) {
    return verificationFailure(error, t, { intent: String(intent ?? ""), code: text(form, "code", 64) });
  }
  return redirect(`/m/${municipality.slug}/verify?done=1`);
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
      {search.get("done") && v ? (
        <p className="notice" role="status">
          {t("verification.done")}
        </p>
      ) : null}
      {v ? (
        <>
          <p data-testid="verification-status">
            {t("verification.status.verified", {
              district: v.district ? pickText(v.district.name, locale) : "",
              voterClass: v.voterClass,
            })}
          </p>
          <p>
            {t("verification.status.method", {
              method: t(`verification.method.${v.method}` as MessageKey),
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
                reason: data.status.revoked.reason,
              })}
            </p>
          ) : null}
          <h2 id="census">{t("verification.match.title")}</h2>
          <p>{t("verification.match.help")}</p>
          {intent !== "letter" ? <ErrorSummary errors={errors} /> : null}
          <PostForm noValidate aria-labelledby="census">
            <input type="hidden" name="intent" value="census" />
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
