import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Field } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatDateTime, formatNumber, pickText } from "../domain/i18n";
import { receiptFor } from "../services/checkpoints.server";
import { requireRoundPath } from "../services/guards.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.receipt.title"));

/** Public "check my receipt": by ballot id, is the ballot in the latest signed checkpoint? (GET, no login; the JSON receipt is receipt[.json].) */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, round } = await requireRoundPath(context, params);
  const url = new URL(request.url);
  const ballotId = (url.searchParams.get("ballot") ?? "").trim().slice(0, 100);
  const receipt = ballotId ? await receiptFor(context.db, round.id, ballotId, round) : null;
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    round: { slug: round.slug, title: round.title },
    ballotId,
    receipt,
  });
}

export default function ReceiptCheck() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const r = data.receipt;
  return (
    <>
      <p>
        <Link to={base}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("rounds.receipt.title")}</h1>
      <p>{t("rounds.receipt.intro")}</p>
      <Form method="get">
        <Field name="ballot" label={t("rounds.receipt.ballotId")} defaultValue={data.ballotId} dir="ltr" />
        <button type="submit">{t("rounds.receipt.check")}</button>
      </Form>
      {data.ballotId && !r ? (
        <p className="notice" role="status">
          {t("rounds.receipt.notFound")}
        </p>
      ) : null}
      {r ? (
        <section className="notice" role="status">
          <p>
            {r.checkpoint
              ? t("rounds.receipt.included", {
                  index: formatNumber(locale, r.leafIndex),
                  size: formatNumber(locale, r.checkpoint.treeSize),
                  date: formatDateTime(locale, new Date(r.checkpoint.signedAt), data.timeZone),
                })
              : t("rounds.receipt.pending", { index: formatNumber(locale, r.leafIndex) })}
          </p>
          <p>{r.status === "current" ? t("rounds.receipt.current") : t("rounds.receipt.superseded")}</p>
          <p>
            <a href={`${base}/receipt.json?ballot=${encodeURIComponent(r.ballotId)}`} download>
              {t("rounds.receipt.download")}
            </a>
          </p>
        </section>
      ) : null}
      <p>
        <a href={`${base}/checkpoints.json`}>{t("rounds.receipt.checkpoints")}</a> — {t("rounds.receipt.verify")}
      </p>
    </>
  );
}
