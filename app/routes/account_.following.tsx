import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { Notice, PostForm } from "../components/forms";
import { TableScroll } from "../components/TableScroll";
import { useLocale, useT } from "../components/i18n";
import { proposalStatusLabel } from "../components/labels";
import { pageTitle } from "../components/page-title";
import { formatDay, pickText, translator } from "../domain/i18n";
import { followedBy, unfollow } from "../services/following/following.server";
import { readForm } from "../web/csrf.server";
import { parseFormOr400 } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("following.title"));

/** The proposals the logged-in person follows (ADR 0033), in every municipality, each with Unfollow. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const rows = await followedBy(context.db, { userId: user.id });
  return json({
    pageStrings: await pageStringsFor(context, request, ["following.", "notifications.title"]),
    followed: rows.map((r) => ({ ...r, since: r.since.toISOString() })),
  });
}

const unfollowSchema = z.object({ intent: z.literal("unfollow"), proposalId: z.string().min(1).max(100) });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const { proposalId } = parseFormOr400(unfollowSchema, form);
  const t = translator(requestLocale(request));
  // Only the person's own following rows can be removed: an id they do not follow changes nothing.
  const done = await unfollow(context.db, { userId: user.id, proposalId });
  return json(
    { notice: done ? t("following.unfollowed") : null, errors: done ? null : { proposalId: t("following.unknown") } },
    { status: done ? 200 : 404 },
  );
}

export default function Following() {
  const t = useT();
  const locale = useLocale();
  const { followed } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
      <h1>{t("following.title")}</h1>
      <p>{t("following.intro")}</p>
      <p>
        <Link to="/account/notifications">{t("notifications.title")}</Link>
      </p>
      <Notice text={result?.notice ?? undefined} />
      {result?.errors ? <p role="alert">{result.errors.proposalId}</p> : null}
      {followed.length === 0 ? (
        <p>{t("following.none")}</p>
      ) : (
        <TableScroll>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("following.proposal")}</th>
                <th scope="col">{t("following.round")}</th>
                <th scope="col">{t("following.status")}</th>
                <th scope="col">{t("following.since")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("following.unfollow")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {followed.map((f) => {
                const base = `/m/${f.municipalitySlug}/rounds/${f.roundSlug}`;
                return (
                  <tr key={f.proposalId}>
                    <td>
                      <Link to={`${base}/proposals/${f.proposalId}`}>{pickText(f.title, locale)}</Link>
                    </td>
                    <td>
                      <Link to={base}>{pickText(f.roundTitle, locale)}</Link> · {pickText(f.municipalityName, locale)}
                    </td>
                    <td>{t(proposalStatusLabel[f.status])}</td>
                    <td>{formatDay(locale, f.since.slice(0, 10))}</td>
                    <td>
                      <PostForm className="inline-form">
                        <input type="hidden" name="intent" value="unfollow" />
                        <input type="hidden" name="proposalId" value={f.proposalId} />
                        <button type="submit">{t("following.unfollow")}</button>
                      </PostForm>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </>
  );
}
