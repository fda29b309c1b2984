import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { type MessageKey, formatDay, formatMoney, formatNumber, pickText } from "../domain/i18n";
import { readForm } from "../services/csrf.server";
import { optionalUser, requireMunicipality, requireUser } from "../services/guards.server";
import { notFound } from "../services/http.server";
import { fundedProposal, isSubscribed, setSubscription } from "../services/implementation.server";

export const meta: MetaFunction = () => [{ title: "Shora — project timeline" }];

/** Public timeline of one funded proposal; logged-in residents can subscribe to its updates. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const found = await fundedProposal(context.db, municipality.id, params.round ?? "", params.proposal ?? "");
  if (!found) throw notFound("proposal");
  const current = await optionalUser(request, context);
  return json({
    slug: municipality.slug,
    currency: municipality.currency,
    round: { slug: found.round.slug, title: found.round.title },
    item: found.item,
    updates: found.updates.map((u) => ({
      id: u.id,
      status: u.status,
      progress: u.progress,
      spent: u.spent,
      note: u.note,
      photoUrl: u.photoUrl,
      postedOn: u.postedOn,
    })),
    loggedIn: current !== null,
    subscribed: current ? await isSubscribed(context.db, current.user.id, found.item.id) : false,
  });
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const found = await fundedProposal(context.db, municipality.id, params.round ?? "", params.proposal ?? "");
  if (!found) throw notFound("proposal");
  await setSubscription(context.db, user.id, found.item.id, form.get("subscribe") === "yes");
  return redirect(`/m/${municipality.slug}/rounds/${found.round.slug}/implementation/${found.item.id}`);
}

export default function ImplementationTimeline() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const { item } = data;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}/implementation`}>{t("accountability.impl.board")}</Link>
      </p>
      <h1>{pickText(item.title, locale)}</h1>
      <dl>
        <dt>{t("accountability.impl.status")}</dt>
        <dd>{t(`accountability.impl.status.${item.status}` as MessageKey)}</dd>
        {item.cancelReason ? <dd>{t("accountability.impl.cancelledBecause", { reason: item.cancelReason })}</dd> : null}
        <dt>{t("accountability.impl.progress")}</dt>
        <dd>
          <progress className="progress" max={100} value={item.progress} aria-label={t("accountability.impl.progress")} />{" "}
          {formatNumber(locale, item.progress)}
          {locale === "fa" ? "٪" : "%"}
        </dd>
        <dt>{t("accountability.impl.allocated")}</dt>
        <dd className="num">{formatMoney(locale, item.allocated, data.currency)}</dd>
        <dt>{t("accountability.impl.spent")}</dt>
        <dd className="num">{formatMoney(locale, item.spent, data.currency)}</dd>
        {item.expectedCompletion ? (
          <>
            <dt>{t("accountability.impl.expected")}</dt>
            <dd>{formatDay(locale, item.expectedCompletion)}</dd>
          </>
        ) : null}
      </dl>
      {data.loggedIn ? (
        <PostForm>
          <input type="hidden" name="subscribe" value={data.subscribed ? "no" : "yes"} />
          {data.subscribed ? <p>{t("accountability.impl.subscribed")}</p> : null}
          <button type="submit" className="secondary">
            {data.subscribed ? t("accountability.impl.unsubscribe") : t("accountability.impl.subscribe")}
          </button>
        </PostForm>
      ) : (
        <p>
          <Link to={`/login?next=${encodeURIComponent(`/m/${data.slug}/rounds/${data.round.slug}/implementation/${item.id}`)}`}>
            {t("accountability.impl.loginToSubscribe")}
          </Link>
        </p>
      )}
      <h2>{t("accountability.impl.timeline")}</h2>
      {data.updates.length === 0 ? (
        <p>{t("accountability.impl.noUpdates")}</p>
      ) : (
        <ol className="card-list">
          {data.updates.map((u) => (
            <li key={u.id}>
              <p>
                <strong>{formatDay(locale, u.postedOn)}</strong> — {t(`accountability.impl.status.${u.status}` as MessageKey)} —{" "}
                {formatNumber(locale, u.progress)}
                {locale === "fa" ? "٪" : "%"} — {formatMoney(locale, u.spent, data.currency)}
              </p>
              <p>{u.note}</p>
              {u.photoUrl ? (
                <p>
                  <a href={u.photoUrl} rel="noopener noreferrer nofollow">
                    {t("accountability.impl.photo")}
                  </a>
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
