import { type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Field } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatDateTime, formatNumber, pickText } from "../domain/i18n";
import { checkpointSchedule } from "../services/ballots/checkpoints.server";
import { requireRoundPath } from "../web/guards.server";
import { receiptStatus } from "../services/ballots/receipts.server";
import { observer, scopeOf } from "../services/scope";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("rounds.receipt.title"));

/**
 * Public "check my receipt" by ballot id (GET, no login; the JSON receipt is receipt[.json]): the
 * ballot's place in the ledger and its checkpoint; what became of it only once the results are
 * published (ADR 0017).
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, round } = await requireRoundPath(context, params);
  const url = new URL(request.url);
  const ballotId = (url.searchParams.get("ballot") ?? "").trim().slice(0, 100);
  const view = ballotId
    ? await receiptStatus(context.db, scopeOf(municipality, observer), { roundId: round.id, ballotId })
    : null;
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    round: { slug: round.slug, title: round.title },
    ballotId,
    checkpointMinutes: Math.max(1, Math.round(checkpointSchedule().intervalMs / 60_000)),
    // Only what the page shows: the choices stay in the downloadable receipt.
    receipt: view ? { ballotId, leafIndex: view.leafIndex, checkpoint: view.checkpoint } : null,
    published: view?.published ?? false,
    fate: view?.fate ?? null,
  });
}

export default function ReceiptCheck() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const r = data.receipt;
  const fate = data.fate;
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
              : t("rounds.receipt.pending", {
                  index: formatNumber(locale, r.leafIndex),
                  minutes: formatNumber(locale, data.checkpointMinutes),
                })}
          </p>
          <p>
            {!fate
              ? t("rounds.receipt.statusLater")
              : fate.kind === "counted"
                ? t("rounds.receipt.current")
                : fate.kind === "withdrawn"
                  ? t("rounds.receipt.withdrawn")
                  : t("rounds.receipt.superseded", {
                      ballot: fate.last.ballotId,
                      index: formatNumber(locale, fate.last.leafIndex),
                    })}
          </p>
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
