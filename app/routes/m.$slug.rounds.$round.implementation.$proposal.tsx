import { MediaGallery } from "../components/media-gallery";
import { mediaOf } from "../services/media/media.server";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatDay, formatMoney, formatPercent, pickText, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { optionalUser, requireMunicipality, requireStaff, requireUser } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { z } from "zod";
import { TextArea } from "../components/rounds";
import { translator } from "../domain/i18n";
import { type FieldErrors, echoValues, formFailure, validateForm } from "../web/forms.server";
import { requestLocale } from "../web/locale.server";
import { roleIn } from "../services/tenancy/municipality.server";
import { refusalResponseFrom } from "../web/refusals.server";
import {
  UPDATE_COMMENT_MAX,
  commentOnUpdate,
  fundedProposal,
  hideUpdateComment,
  isSubscribed,
  setSubscription,
  updateCommentsOf,
} from "../services/implementation/implementation.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf, userActor } from "../services/scope";
import { implementationMessages } from "../web/refusal-messages/rounds";
import { implementationStatusLabel } from "../components/labels";
import { reportStatusLabel } from "../components/reports";
import { openReportsOfProject } from "../services/reports/reports.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (_t, locale) => [data && pickText(data.item.title, locale)]);

/** Public timeline of one funded proposal; logged-in residents can subscribe to its updates. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const found = await fundedProposal(context.db, scopeOf(municipality, observer), {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!found) throw notFound("proposal");
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const comments = await updateCommentsOf(context.db, scope, { updateIds: found.updates.map((u) => u.id) });
  const isStaff = (await roleIn(context.db, scope)) !== null;
  // The page is of a funded proposal: its updates' media are public (ADR 0034).
  const media = await mediaOf(context.db, scope, {
    ownerKind: "implementation_update",
    ownerIds: found.updates.map((u) => u.id),
  });
  // Residents' open reports about this project (ADR 0039): public, without their reporters.
  const reports = await openReportsOfProject(context.db, scope, { proposalId: found.item.id });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "media.documents",
      "media.pdf",
      "reports.number",
      "reports.status",
      "reports.projectReports",
      "reports.projectReportsNone",
      "reports.reportProblem",
      "reports.weekday",
    ]),
    media,
    isStaff,
    openReports: reports.map((r) => ({
      number: r.number,
      status: r.status,
      description: r.description,
      createdAt: r.createdAt.toISOString(),
    })),
    comments: comments.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })),
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
      // Only an https address becomes a link (the staff form takes no other; one stored before it checked is left out).
      photoUrl: u.photoUrl && /^https:\/\//i.test(u.photoUrl) ? u.photoUrl : null,
      postedOn: u.postedOn,
    })),
    loggedIn: current !== null,
    subscribed: current ? await isSubscribed(context.db, scope, { proposalId: found.item.id }) : false,
  });
}

const commentSchema = z.object({ updateId: z.string().min(1), body: z.string().trim().min(1).max(UPDATE_COMMENT_MAX) });
/** Commenting and hiding name their intent; the subscription form sends `subscribe` (yes or no) only. */
const intentSchema = z.object({
  intent: z.enum(["comment", "hide", "subscribe"]).catch("subscribe"),
  subscribe: z.string().catch(""),
});
const hideSchema = z.object({ commentId: z.string().min(1), reason: z.string().trim().min(1).max(500) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const scope = scopeOf(municipality, userActor(user));
  const found = await fundedProposal(context.db, scope, {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!found) throw notFound("proposal");
  const back = `/m/${municipality.slug}/rounds/${found.round.slug}/implementation/${found.item.id}`;
  const t = translator(requestLocale(request));
  const choice = validateForm(intentSchema, form, t, {});
  const intent = choice.ok ? choice.data.intent : "subscribe";
  if (intent === "comment") {
    const parsed = validateForm(commentSchema, form, t, { body: "implementation.comments.body" });
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    try {
      await commentOnUpdate(context.db, scope, {
        proposalId: found.item.id,
        ...parsed.data,
      });
    } catch (error) {
      return refusalResponseFrom(error, t, echoValues(form), implementationMessages);
    }
    return redirect(back);
  }
  if (intent === "hide") {
    const access = await requireStaff(request, context, params.slug);
    const parsed = validateForm(hideSchema, form, t, { reason: "implementation.comments.reason" });
    if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
    try {
      await hideUpdateComment(context.db, scopeOf(access.municipality, userActor(access.user)), {
        proposalId: found.item.id,
        roundId: found.round.id,
        ...parsed.data,
      });
    } catch (error) {
      return refusalResponseFrom(error, t, echoValues(form), implementationMessages);
    }
    return redirect(back);
  }
  await setSubscription(context.db, scope, {
    proposalId: found.item.id,
    subscribed: choice.ok && choice.data.subscribe === "yes",
  });
  return redirect(back);
}

export default function ImplementationTimeline() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const { item } = data;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/rounds/${data.round.slug}/implementation`}>{t("implementation.board")}</Link>
      </p>
      <h1>{pickText(item.title, locale)}</h1>
      <dl>
        <dt>{t("implementation.status")}</dt>
        <dd>{t(implementationStatusLabel[item.status])}</dd>
        {item.cancelReason ? (
          <dd>{t("implementation.cancelledBecause", { reason: isolated(item.cancelReason) })}</dd>
        ) : null}
        <dt>{t("implementation.progress")}</dt>
        <dd>
          <progress className="progress" max={100} value={item.progress} aria-label={t("implementation.progress")} />{" "}
          {formatPercent(locale, item.progress)}
        </dd>
        <dt>{t("implementation.allocated")}</dt>
        <dd className="num">{formatMoney(locale, item.allocated, data.currency)}</dd>
        <dt>{t("implementation.spent")}</dt>
        <dd className="num">{formatMoney(locale, item.spent, data.currency)}</dd>
        {item.expectedCompletion ? (
          <>
            <dt>{t("implementation.expected")}</dt>
            <dd>{formatDay(locale, item.expectedCompletion)}</dd>
          </>
        ) : null}
      </dl>
      {data.loggedIn ? (
        <PostForm>
          <input type="hidden" name="subscribe" value={data.subscribed ? "no" : "yes"} />
          {data.subscribed ? <p>{t("implementation.subscribed")}</p> : null}
          <button type="submit" className="secondary">
            {data.subscribed ? t("implementation.unsubscribe") : t("implementation.subscribe")}
          </button>
        </PostForm>
      ) : (
        <p>
          <Link
            to={`/login?next=${encodeURIComponent(`/m/${data.slug}/rounds/${data.round.slug}/implementation/${item.id}`)}`}
          >
            {t("implementation.loginToSubscribe")}
          </Link>
        </p>
      )}
      <section className="project-reports" aria-labelledby="project-reports">
        <h2 id="project-reports">{t("reports.projectReports")}</h2>
        {data.openReports.length === 0 ? (
          <p>{t("reports.projectReportsNone")}</p>
        ) : (
          <ul className="card-list">
            {data.openReports.map((r) => (
              <li key={r.number}>
                <Link to={`/m/${data.slug}/reports/${r.number}`}>{t("reports.number", { number: r.number })}</Link> —{" "}
                {t(reportStatusLabel[r.status])} — {formatDay(locale, r.createdAt.slice(0, 10))}
                <p className="report-excerpt">{r.description}</p>
              </li>
            ))}
          </ul>
        )}
        <p>
          <Link to={`/m/${data.slug}/reports/new?project=${encodeURIComponent(item.id)}`}>
            {t("reports.reportProblem")}
          </Link>
        </p>
      </section>
      <h2>{t("implementation.timeline")}</h2>
      {data.updates.length === 0 ? (
        <p>{t("implementation.noUpdates")}</p>
      ) : (
        <ol className="card-list">
          {data.updates.map((u) => (
            <li key={u.id}>
              <p>
                <strong>{formatDay(locale, u.postedOn)}</strong> — {t(implementationStatusLabel[u.status])} —{" "}
                {formatPercent(locale, u.progress)} — {formatMoney(locale, u.spent, data.currency)}
              </p>
              <p>{u.note}</p>
              <MediaGallery slug={data.slug} items={data.media.filter((m) => m.ownerId === u.id)} />
              {u.photoUrl ? (
                <p>
                  <a href={u.photoUrl} rel="noopener noreferrer nofollow">
                    {t("implementation.photo")}
                  </a>
                </p>
              ) : null}
              <UpdateComments updateId={u.id} />
            </li>
          ))}
        </ol>
      )}
    </>
  );
}

function UpdateComments({ updateId }: { updateId: string }) {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { errors?: FieldErrors; values?: Record<string, string> }
    | undefined;
  const mine = result?.values?.updateId === updateId || result?.values?.commentId !== undefined;
  const comments = data.comments.filter((c) => c.updateId === updateId);
  return (
    <div className="update-comments">
      {comments.length ? (
        <ul>
          {comments.map((c) => (
            <li key={c.id}>
              <strong>
                <bdi>{c.author ?? t("comments.anonymous")}</bdi>
              </strong>
              {c.official ? (
                <>
                  {" "}
                  <span className="badge-official" data-official={c.official}>
                    {t("implementation.comments.staff")}
                  </span>
                </>
              ) : null}{" "}
              — {formatDay(locale, c.createdAt.slice(0, 10))}:{" "}
              {c.body !== null ? (
                c.body
              ) : (
                <em>{t("implementation.comments.hidden", { reason: isolated(c.hiddenReason ?? "") })}</em>
              )}
              {data.isStaff && c.body !== null ? (
                <PostForm className="inline-form">
                  <input type="hidden" name="intent" value="hide" />
                  <input type="hidden" name="commentId" value={c.id} />
                  <label>
                    {t("implementation.comments.reason")} <input name="reason" required />
                  </label>{" "}
                  <button type="submit" className="secondary">
                    {t("implementation.comments.hide")}
                  </button>
                </PostForm>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {data.loggedIn ? (
        <PostForm noValidate>
          <input type="hidden" name="intent" value="comment" />
          <input type="hidden" name="updateId" value={updateId} />
          <TextArea
            id={`comment-${updateId}`}
            name="body"
            label={t("implementation.comments.add")}
            error={mine ? result?.errors?.body : undefined}
            defaultValue={mine ? result?.values?.body : undefined}
          />
          <button type="submit">{t("implementation.comments.post")}</button>
        </PostForm>
      ) : (
        <p className="hint">{t("implementation.comments.login")}</p>
      )}
    </div>
  );
}
