import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Notice, PostForm, useClearedFormKey } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField, TextArea } from "../components/rounds";
import { backArrow, formatDateTime, formatMoney, formatNumber, pickText, translator, isolated } from "../domain/i18n";
import {
  type Stance,
  addComment,
  commentThread,
  deleteComment,
  editComment,
  flagComment,
  readableProposal,
} from "../services/proposals/comments.server";
import { readForm } from "../web/csrf.server";
import { optionalUser, requireMunicipality, requireUser } from "../web/guards.server";
import { notFound } from "../web/http.server";
import { requestLocale } from "../web/locale.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { pageTitle } from "../components/page-title";
import { observer, scopeOf, userActor } from "../services/scope";
import { commentMessages } from "../web/refusal-messages/rounds";
import { followerCount, isFollowing, setFollowing } from "../services/following/following.server";
import { z } from "zod";
import { validateForm } from "../web/forms.server";
import { proposalStatusLabel, stanceLabel } from "../components/labels";
import { MediaGallery } from "../components/media-gallery";
import { visibleMediaOf } from "../services/media/media.server";
import { MergedNotice, SupportBox } from "../components/supports";
import { supportState, supportProposal, withdrawSupport } from "../services/proposals/supports.server";
import { supportRefusal } from "../web/refusal-messages/supports";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (_t, locale) => [data && pickText(data.proposal.title, locale)]);

/** Public page of a proposal: its description, the council's official response, and the comments. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const current = await optionalUser(request, context);
  // The author also sees their own proposal while it awaits review (without comments until it is public).
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const found = await readableProposal(context.db, scope, {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!found) throw notFound("proposal");
  const page = Number(new URL(request.url).searchParams.get("page") ?? "1") || 1;
  const thread = await commentThread(context.db, scope, { proposalId: found.proposal.id, page });
  const p = found.proposal;
  const supports = await supportState(context.db, scope, { roundSlug: found.round.slug, proposalId: p.id });
  const [following, followers] = await Promise.all([
    current ? isFollowing(context.db, { proposalId: p.id, userId: current.user.id }) : false,
    followerCount(context.db, { proposalId: p.id }),
  ]);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "media.documents",
      "media.pdf",
      "supports.title",
      "supports.count",
      "supports.threshold",
      "supports.reached",
      "supports.support",
      "supports.withdraw",
      "supports.yours",
      "supports.login",
      "supports.verifyFirst",
      "supports.verifyLink",
      "supports.closed",
      "supports.given",
      "supports.withdrawn",
      "supports.mergedInto",
      "following.follow",
      "following.unfollow",
      "following.hint",
      "following.yes",
      "following.followed",
      "following.unfollowed",
      "following.count",
      "following.login",
    ]),
    supports,
    slug: municipality.slug,
    currency: municipality.currency,
    timeZone: municipality.timeZone,
    round: { slug: found.round.slug, title: found.round.title },
    envelope: { name: found.envelope.name, amount: found.envelope.amount },
    proposal: {
      id: p.id,
      title: p.title,
      body: p.body,
      cost: p.cost,
      status: p.status,
      location: p.location,
      theme: found.theme?.name ?? null,
      rejectionReason: p.rejectionReason,
      officialResponse: p.officialResponse,
      officialResponseAt: p.officialResponseAt?.toISOString() ?? null,
    },
    media: await visibleMediaOf(context.db, scope, { owner: { kind: "proposal", id: p.id } }),
    loggedIn: current !== null,
    public: found.public,
    following,
    followers,
    thread,
  });
}

// Lengths and emptiness are checked by the use cases, which name the field; a stance outside the
// three is no stance.
const text = z.string().default("");
const stance = text.transform(
  (s): Stance | null => (["for", "neutral", "against"] as const).find((x) => x === s) ?? null,
);
const commentSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("comment"), body: text, stance, commentId: text }),
  z.object({ intent: z.literal("reply"), body: text, stance, commentId: text }),
  z.object({ intent: z.literal("edit"), body: text, commentId: text }),
  z.object({ intent: z.literal("delete"), commentId: text }),
  z.object({ intent: z.literal("flag"), commentId: text, reason: text }),
  // Following the proposal (ADR 0033).
  z.object({ intent: z.literal("follow") }),
  z.object({ intent: z.literal("unfollow") }),
]);

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  notice?: string;
  supportNotice?: string;
  supportError?: string;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  // Supports reach proposals open for them (ADR 0036), comments only public ones.
  const readable = await readableProposal(context.db, scopeOf(municipality, observer), {
    roundSlug: params.round ?? "",
    proposalId: params.proposal ?? "",
  });
  if (!readable) throw notFound("proposal");
  const user = await requireUser(request, context);
  const scope = scopeOf(municipality, userActor(user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const intent = form.get("intent");
  if (intent === "support" || intent === "unsupport") {
    const input = { roundSlug: readable.round.slug, proposalId: readable.proposal.id };
    try {
      if (intent === "support") await supportProposal(context.db, scope, input);
      else await withdrawSupport(context.db, scope, input);
      return json<Outcome>({
        errors: null,
        values: {},
        supportNotice: t(intent === "support" ? "supports.given" : "supports.withdrawn"),
      });
    } catch (error) {
      const refused = supportRefusal(error, t);
      // The message in the usual place too (errors.form), for clients that read refusals there.
      return json<Outcome>(
        { errors: { form: refused.message }, values: { intent }, supportError: refused.message },
        { status: refused.status },
      );
    }
  }
  const found = readable.public ? readable : null;
  if (!found) throw notFound("proposal");
  const parsed = validateForm(commentSchema, form, t, { body: "comments.body", reason: "comments.flagReason" });
  if (!parsed.ok) {
    // An unknown intent names no comment this page can act on.
    const errors = parsed.errors.intent ? { form: t(commentMessages.comment_unknown) } : parsed.errors;
    return json<Outcome>({ errors, values: parsed.values }, { status: 400 });
  }
  const input = parsed.data;
  const values = {
    body: "body" in input ? input.body.slice(0, 5000) : "",
    stance: "stance" in input ? (input.stance ?? "") : "",
    commentId: "commentId" in input ? input.commentId : "",
    intent: input.intent,
  };
  // Comments are addressed by id; only those of this page's proposal can be changed or flagged here.
  const proposalId = found.proposal.id;
  try {
    if (input.intent === "follow" || input.intent === "unfollow") {
      const follow = input.intent === "follow";
      await setFollowing(context.db, scope, { roundSlug: found.round.slug, proposalId, follow });
      return json<Outcome>({
        errors: null,
        values: {},
        notice: t(follow ? "following.followed" : "following.unfollowed"),
      });
    }
    if (input.intent === "comment" || input.intent === "reply") {
      await addComment(context.db, scope, {
        roundId: found.round.id,
        proposalId: found.proposal.id,
        body: input.body,
        stance: input.intent === "comment" ? input.stance : null,
        parentId: input.intent === "reply" ? input.commentId : null,
      });
      return json<Outcome>({ errors: null, values: {}, notice: t("comments.posted") });
    }
    if (input.intent === "edit") {
      await editComment(context.db, scope, { commentId: input.commentId, proposalId, body: input.body });
      return json<Outcome>({ errors: null, values: {}, notice: t("comments.saved") });
    }
    if (input.intent === "delete") {
      await deleteComment(context.db, scope, { commentId: input.commentId, proposalId });
      return json<Outcome>({ errors: null, values: {}, notice: t("comments.removed") });
    }
    if (input.intent !== "flag") throw new Error("unreachable");
    await flagComment(context.db, scope, { commentId: input.commentId, proposalId, reason: input.reason });
    return json<Outcome>({ errors: null, values: {}, notice: t("comments.flagDone") });
  } catch (error) {
    return refusalResponseFrom(error, t, values, commentMessages);
  }
}

export default function ProposalPage() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const p = data.proposal;
  const errors = result?.errors ?? {};
  const failedOn = result?.errors ? result.values.commentId : null;
  const cleared = useClearedFormKey(result);
  return (
    <>
      <p>
        <Link to={base}>
          {backArrow(locale)} {t("proposal.back")}
        </Link>
      </p>
      <h1>{pickText(p.title, locale)}</h1>
      <p>
        {pickText(data.envelope.name, locale)} ·{" "}
        {t("proposal.cost", { cost: formatMoney(locale, p.cost, data.currency) })} ·{" "}
        <span className="status">{t(proposalStatusLabel[p.status])}</span>
        {p.theme ? <> · {t("themes.card", { name: isolated(pickText(p.theme, locale)) })}</> : null}
      </p>
      {p.cost > data.envelope.amount ? (
        <p className="notice warning">
          {t("staff.overEnvelope", { amount: formatMoney(locale, data.envelope.amount, data.currency) })}
        </p>
      ) : null}
      <MergedNotice base={base} supports={data.supports} />
      {p.location ? <p>{p.location}</p> : null}
      <MediaGallery slug={data.slug} items={data.media} />
      <div className="prose" style={{ whiteSpace: "pre-line" }}>
        {pickText(p.body, locale)}
      </div>
      {p.status === "rejected" && p.rejectionReason ? (
        <p className="notice">{t("proposal.rejected", { reason: isolated(p.rejectionReason) })}</p>
      ) : null}
      {p.officialResponse ? (
        <aside className="official-response" aria-labelledby="official">
          <h2 id="official">{t("proposal.officialResponse")}</h2>
          <p style={{ whiteSpace: "pre-line" }}>{p.officialResponse}</p>
          {p.officialResponseAt ? (
            <p className="hint">{formatDateTime(locale, new Date(p.officialResponseAt), data.timeZone)}</p>
          ) : null}
        </aside>
      ) : null}

      <SupportBox
        supports={data.supports}
        loggedIn={data.loggedIn}
        verifyUrl={`/m/${data.slug}/verify`}
        loginUrl={`/login?next=${encodeURIComponent(`${base}/proposals/${p.id}`)}`}
        outcome={result}
      />
      {data.public ? (
        <section className="follow-proposal" aria-labelledby="follow-heading">
          <h2 id="follow-heading" className="visually-hidden">
            {t("following.follow")}
          </h2>
          <p>{t("following.count", { count: data.followers })}</p>
          {!data.loggedIn ? (
            <p>
              <Link to="/login">{t("following.login")}</Link>
            </p>
          ) : data.following ? (
            <PostForm className="inline-form">
              <p>{t("following.yes")}</p>
              <input type="hidden" name="intent" value="unfollow" />
              <button type="submit">{t("following.unfollow")}</button>
            </PostForm>
          ) : (
            <PostForm className="inline-form">
              <p className="hint">{t("following.hint")}</p>
              <input type="hidden" name="intent" value="follow" />
              <button type="submit">{t("following.follow")}</button>
            </PostForm>
          )}
        </section>
      ) : null}
      {data.public ? (
        <section aria-labelledby="comments">
          <h2 id="comments">{t("comments.title", { count: formatNumber(locale, data.thread.total) })}</h2>
          <p>
            {t("comments.stances", {
              for: formatNumber(locale, data.thread.stances.for),
              neutral: formatNumber(locale, data.thread.stances.neutral),
              against: formatNumber(locale, data.thread.stances.against),
            })}
          </p>
          <Notice text={result?.notice} />
          <ErrorSummary errors={result?.supportError ? null : result?.errors} />
          {data.loggedIn ? (
            <PostForm key={cleared} aria-labelledby="add-comment">
              <h3 id="add-comment">{t("comments.add")}</h3>
              <input type="hidden" name="intent" value="comment" />
              <TextArea
                name="body"
                label={t("comments.body")}
                defaultValue={failedOn ? "" : result?.values.body}
                error={failedOn ? undefined : errors.body}
                required
              />
              <SelectField
                name="stance"
                label={t("comments.stance")}
                defaultValue={result?.values.stance ?? ""}
                options={[
                  { value: "", label: t("comments.stance.none") },
                  { value: "for", label: t("comments.stance.for") },
                  { value: "neutral", label: t("comments.stance.neutral") },
                  { value: "against", label: t("comments.stance.against") },
                ]}
              />
              <button type="submit">{t("comments.submit")}</button>
            </PostForm>
          ) : (
            <p>
              <Link to="/login">{t("comments.login")}</Link>
            </p>
          )}
          {data.thread.comments.length === 0 ? <p>{t("comments.none")}</p> : null}
          <ol className="comments">
            {data.thread.comments.map((c) => (
              <li
                key={c.id}
                id={`comment-${c.id}`}
                className={`comment depth-${c.depth}`}
                style={{ marginInlineStart: `${(c.depth - 1) * 1.5}rem` }}
              >
                <p className="comment-meta">
                  <strong>
                    <bdi>{c.author ?? t("comments.anonymous")}</bdi>
                  </strong>
                  {c.official ? (
                    <>
                      {" "}
                      <span className="badge-official" data-official={c.official}>
                        {t("comments.badge.staff")}
                      </span>
                    </>
                  ) : null}
                  {c.stance ? <span className={`stance stance-${c.stance}`}> · {t(stanceLabel[c.stance])}</span> : null}{" "}
                  · <time dateTime={c.createdAt}>{formatDateTime(locale, new Date(c.createdAt), data.timeZone)}</time>
                  {c.edited ? ` ${t("comments.edited")}` : null}
                </p>
                {c.deleted ? (
                  <p className="hint">{t("comments.deleted")}</p>
                ) : c.hiddenReason !== null ? (
                  <p className="hint">{t("comments.hidden", { reason: isolated(c.hiddenReason) })}</p>
                ) : (
                  <p style={{ whiteSpace: "pre-line" }} dir="auto">
                    {c.body}
                  </p>
                )}
                {data.loggedIn && !c.deleted && c.hiddenReason === null ? (
                  <div className="comment-actions">
                    <details open={failedOn === c.id && result?.values.intent === "reply"}>
                      <summary>{t("comments.reply")}</summary>
                      <PostForm key={cleared}>
                        <input type="hidden" name="intent" value="reply" />
                        <input type="hidden" name="commentId" value={c.id} />
                        <TextArea
                          id={`reply-${c.id}`}
                          name="body"
                          label={t("comments.replyLabel", { author: isolated(c.author ?? t("comments.anonymous")) })}
                          error={failedOn === c.id && result?.values.intent === "reply" ? errors.body : undefined}
                          required
                        />
                        <button type="submit">{t("comments.replySubmit")}</button>
                      </PostForm>
                    </details>
                    {c.editable ? (
                      <details open={failedOn === c.id && result?.values.intent === "edit"}>
                        <summary>{t("comments.edit")}</summary>
                        <PostForm>
                          <input type="hidden" name="intent" value="edit" />
                          <input type="hidden" name="commentId" value={c.id} />
                          <TextArea
                            id={`edit-${c.id}`}
                            name="body"
                            label={t("comments.editLabel")}
                            defaultValue={c.body ?? ""}
                            required
                          />
                          <button type="submit">{t("comments.editSubmit")}</button>
                        </PostForm>
                      </details>
                    ) : null}
                    {c.mine ? (
                      <PostForm className="inline-form">
                        <input type="hidden" name="intent" value="delete" />
                        <input type="hidden" name="commentId" value={c.id} />
                        <button type="submit" className="link-button">
                          {t("comments.delete")}
                        </button>
                      </PostForm>
                    ) : c.flaggedByMe ? (
                      <p className="hint">{t("comments.flagged")}</p>
                    ) : (
                      <details>
                        <summary>{t("comments.flag")}</summary>
                        <PostForm>
                          <input type="hidden" name="intent" value="flag" />
                          <input type="hidden" name="commentId" value={c.id} />
                          <div className="field">
                            <label htmlFor={`flag-${c.id}`}>{t("comments.flagReason")}</label>
                            <input id={`flag-${c.id}`} name="reason" maxLength={500} />
                          </div>
                          <button type="submit">{t("comments.flag")}</button>
                        </PostForm>
                      </details>
                    )}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
          {data.thread.pages > 1 ? (
            <nav
              aria-label={t("comments.page", {
                page: formatNumber(locale, data.thread.page),
                pages: formatNumber(locale, data.thread.pages),
              })}
            >
              {data.thread.page > 1 ? (
                <Link to={`?page=${data.thread.page - 1}#comments`}>{t("comments.newer")}</Link>
              ) : null}{" "}
              {t("comments.page", {
                page: formatNumber(locale, data.thread.page),
                pages: formatNumber(locale, data.thread.pages),
              })}{" "}
              {data.thread.page < data.thread.pages ? (
                <Link to={`?page=${data.thread.page + 1}#comments`}>{t("comments.older")}</Link>
              ) : null}
            </nav>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
