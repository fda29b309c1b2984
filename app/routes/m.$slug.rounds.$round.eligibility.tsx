import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useLocale, useT } from "../components/i18n";
import { formatDay, formatNumber, pickText, isolated } from "../domain/i18n";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { districtsOf } from "../services/tenancy/municipality.server";
import { eligibilityFor } from "../services/verification/eligibility.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [
    data && t("verification.mine.title", { round: isolated(pickText(data.round.title, locale)) }),
  ]);

/** Why a resident may or may not take part in a round, envelope by envelope. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const found = await eligibilityFor(context.db, scope, { roundSlug: params.round ?? "" });
  if (!found) throw notFound("round");
  const districtRows = await districtsOf(context.db, scope);
  return json({
    slug: municipality.slug,
    loggedIn: Boolean(current),
    round: { slug: found.round.slug, title: found.round.title },
    verification: found.verification,
    verdict: found.verdict,
    classes: found.rules.classes.map((c) => ({ code: c.code, name: c.name, weight: c.weight })),
    verifiedToPropose: found.rules.verifiedToPropose,
    verifiedToComment: found.rules.verifiedToComment,
    envelopes: found.envelopes,
    districts: districtRows.map((d) => ({ id: d.id, name: d.name })),
  });
}

export default function MyEligibility() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const name = new Map(data.districts.map((d) => [d.id, pickText(d.name, locale)]));
  const own = data.verification ? (name.get(data.verification.districtId) ?? "") : "";
  const title = pickText(data.round.title, locale);
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}`}>{title}</Link>
      </p>
      <h1>{t("verification.mine.title", { round: isolated(title) })}</h1>
      {data.verification ? (
        <p>
          {t("verification.mine.you", { district: isolated(own), voterClass: isolated(data.verification.voterClass) })}
        </p>
      ) : null}
      {data.verdict.eligible ? (
        <p data-testid="eligibility-verdict">{t("verification.mine.yes", { weight: data.verdict.weight ?? 1 })}</p>
      ) : (
        <>
          <p data-testid="eligibility-verdict">{t("verification.mine.no")}</p>
          <ul>
            {data.verdict.reasons.map((r) => (
              <li key={r.code}>
                {r.code === "not_verified" ? (
                  <>
                    {t("verification.mine.not_verified")}{" "}
                    <Link to={data.loggedIn ? `/m/${data.slug}/verify` : "/login"}>
                      {t("verification.mine.verifyLink")}
                    </Link>
                  </>
                ) : r.code === "district" ? (
                  t("verification.mine.district", {
                    district: isolated(name.get(r.districtId) ?? ""),
                    allowed: r.allowed.map((id) => name.get(id) ?? "").join(", "),
                  })
                ) : r.code === "age" ? (
                  t("verification.mine.age", { minAge: r.minAge, date: formatDay(locale, r.on) })
                ) : (
                  t("verification.mine.class", { voterClass: isolated(r.voterClass), allowed: r.allowed.join(", ") })
                )}
              </li>
            ))}
          </ul>
        </>
      )}
      {data.envelopes.length ? (
        <>
          <h2>{t("verification.mine.envelopes")}</h2>
          <ul>
            {data.envelopes.map((e) => {
              const envelope = pickText(e.name, locale);
              return (
                <li key={e.slug} data-open={e.open}>
                  {e.open
                    ? t("verification.mine.envelopeOpen", { envelope: isolated(envelope) })
                    : data.verification && e.districtId && e.districtId !== data.verification.districtId
                      ? t("verification.mine.envelopeOther", {
                          envelope: isolated(envelope),
                          district: isolated(name.get(e.districtId) ?? ""),
                          own: isolated(own),
                        })
                      : e.districtId === null
                        ? t("verification.mine.envelopeAll", { envelope: isolated(envelope) })
                        : t("verification.mine.envelopeClosed", { envelope: isolated(envelope) })}
                </li>
              );
            })}
          </ul>
        </>
      ) : null}
      {data.classes.length ? (
        <>
          <h2>{t("verification.mine.weights")}</h2>
          <ul>
            {data.classes.map((c) => (
              <li key={c.code}>
                {pickText(c.name, locale) || c.code}: {formatNumber(locale, c.weight)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {data.verifiedToPropose ? <p>{t("verification.mine.propose")}</p> : null}
      {data.verifiedToComment ? <p>{t("verification.mine.comment")}</p> : null}
    </>
  );
}
