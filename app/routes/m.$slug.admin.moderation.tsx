import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatDateTime, pickText, translator, isolated } from "../domain/i18n";
import { hideComment, moderationQueue, restoreComment } from "../services/proposals/comments.server";
import { readForm } from "../web/csrf.server";
import { requireStaff } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { pageTitle } from "../components/page-title";
import { scopeOf, userActor } from "../services/scope";
import { moderationMessages } from "../web/refusal-messages/rounds";
import { z } from "zod";
import { formFailure, validateForm } from "../web/forms.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("moderation.title"));

/** Staff: the queue of reported comments, and the recently hidden ones. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireStaff(request, context, params.slug);
  const queue = await moderationQueue(context.db, scopeOf(municipality, userActor(user)));
  const shape = (r: (typeof queue.hidden)[number]) => ({
    id: r.comment.id,
    body: r.comment.deletedAt ? "" : r.comment.body,
    author: r.author,
    createdAt: r.comment.createdAt.toISOString(),
    hiddenReason: r.comment.hiddenReason,
    proposal: { id: r.comment.proposalId, title: r.proposalTitle },
    round: r.roundSlug,
  });
  return json({
    slug: municipality.slug,
    timeZone: municipality.timeZone,
    flagged: queue.flagged.map((r) => ({
      ...shape(r),
      reports: r.flags,
      reasons: r.reasons,
      hidden: r.comment.hiddenAt !== null,
    })),
    hidden: queue.hidden.map(shape),
  });
}

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; notice?: string };

// The reason's length and the comment are checked by the use case, which names the field.
const commentId = z.string().default("");
// Any intent but `hide` restores (or dismisses the flags of) the comment.
const moderationSchema = z.preprocess(
  (raw) => ({ ...(raw as object), intent: (raw as { intent?: unknown }).intent === "hide" ? "hide" : "restore" }),
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("hide"), commentId, reason: z.string().default("") }),
    z.object({ intent: z.literal("restore"), commentId }),
  ]),
);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireStaff(request, context, params.slug);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const parsed = validateForm(moderationSchema, form, t, { reason: "moderation.reason" });
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  const values = {
    commentId: input.commentId,
    reason: input.intent === "hide" ? input.reason.slice(0, 1000) : "",
  };
  const scope = scopeOf(access.municipality, userActor(access.user));
  try {
    if (input.intent === "hide") {
      await hideComment(context.db, scope, { commentId: input.commentId, reason: input.reason });
      return json<Outcome>({ errors: null, values: {}, notice: t("moderation.hiddenDone") });
    }
    await restoreComment(context.db, scope, { commentId: input.commentId });
    return json<Outcome>({ errors: null, values: {}, notice: t("moderation.restoredDone") });
  } catch (error) {
    return refusalResponseFrom(error, t, values, moderationMessages);
  }
}

export default function Moderation() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("municipality.staffArea")}</Link>
      </p>
      <h1>{t("moderation.title")}</h1>
      <p>{t("moderation.intro")}</p>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      {data.flagged.length === 0 ? <p>{t("moderation.none")}</p> : null}
      {data.flagged.map((c) => (
        <article key={c.id} className="panel" aria-labelledby={`flagged-${c.id}`}>
          <h2 id={`flagged-${c.id}`}>
            {t("moderation.on", {
              proposal: pickText(c.proposal.title, locale),
              author: c.author ? isolated(c.author) : "—",
            })}{" "}
            ({t("moderation.reports", { count: c.reports })})
          </h2>
          <blockquote dir="auto" style={{ whiteSpace: "pre-line" }}>
            {c.body}
          </blockquote>
          <p className="hint">
            <Link to={`/m/${data.slug}/rounds/${c.round}/proposals/${c.proposal.id}#comment-${c.id}`}>
              <time dateTime={c.createdAt}>{formatDateTime(locale, new Date(c.createdAt), data.timeZone)}</time>
            </Link>
            {c.reasons.length ? ` · ${t("moderation.reasons", { reasons: isolated(c.reasons.join(" / ")) })}` : null}
          </p>
          <PostForm>
            <input type="hidden" name="intent" value="hide" />
            <input type="hidden" name="commentId" value={c.id} />
            <div
              className={result?.errors?.reason && result.values.commentId === c.id ? "field field-invalid" : "field"}
            >
              <label htmlFor={`field-reason-${c.id}`}>{t("moderation.reason")}</label>
              {result?.errors?.reason && result.values.commentId === c.id ? (
                <p className="field-error" id={`field-reason-${c.id}-error`}>
                  {result.errors.reason}
                </p>
              ) : null}
              <input id={`field-reason-${c.id}`} name="reason" maxLength={500} required />
            </div>
            <button type="submit">{t("moderation.hide")}</button>
          </PostForm>
          <PostForm>
            <input type="hidden" name="intent" value="restore" />
            <input type="hidden" name="commentId" value={c.id} />
            <button type="submit">{t("moderation.keep")}</button>
          </PostForm>
        </article>
      ))}
      <h2>{t("moderation.hiddenList")}</h2>
      <ul>
        {data.hidden.map((c) => (
          <li key={c.id}>
            <span dir="auto">{c.body}</span> — {t("comments.hidden", { reason: isolated(c.hiddenReason ?? "") })}
            <PostForm className="inline-form">
              <input type="hidden" name="intent" value="restore" />
              <input type="hidden" name="commentId" value={c.id} />{" "}
              <button type="submit" className="link-button">
                {t("moderation.restore")}
              </button>
            </PostForm>
          </li>
        ))}
      </ul>
    </>
  );
}
