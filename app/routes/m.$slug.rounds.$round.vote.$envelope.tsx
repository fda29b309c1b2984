import { type ImageShown, MediaImage } from "../components/media";
import { CARD_IMAGE_SIZES } from "../domain/media/media";
import { mediaOf } from "../services/media/media.server";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { type ChangeEvent, type FormEvent, useEffect, useState } from "react";
import { z } from "zod";
import { ErrorSummary, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import type { BallotBody } from "../domain/ballots/rules";
import { checkBallot } from "../domain/ballots/rules";
import { hintText, violationText } from "../domain/ballots/messages";
import { type BallotTypeModule, ballotType } from "../domain/ballots/types";
import {
  type LocalizedText,
  formatDay,
  formatMoney,
  formatNumber,
  pickText,
  translator,
  isolated,
} from "../domain/i18n";
import { type BallotChanges, budgetGauge, orderProposals } from "../domain/ballots/basket";
import { currentPhase, dayIn } from "../domain/rounds/phases";
import {
  BallotRefused,
  ballotOrderKey,
  ballotSheetOf,
  castBallot,
  myCurrentBallots,
  RevoteNotConfirmed,
  saveBasket,
} from "../services/ballots/ballots.server";
import { districtsOf } from "../services/tenancy/municipality.server";
import { scopeOf, userActor } from "../services/scope";
import { validateForm } from "../web/forms.server";
import { ballotMessages } from "../web/refusal-messages/ballots";
import { readForm } from "../web/csrf.server";
import { requireVoterPath } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { voterStanding } from "../services/verification/eligibility.server";
import { parseWholeNumber } from "../domain/i18n/numbers";
import { pageTitle } from "../components/page-title";
import { themesOf } from "../services/rounds/themes.server";
import { matchesFilter } from "../domain/ballots/basket";
import { pageLocale, pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction<typeof loader> = ({ data, matches }) =>
  pageTitle(matches, (t, locale) => [data && t("vote.title", { envelope: pickText(data.envelope.name, locale) })]);

/** The address, the logged-in voter and their standing in the round: what the page and the cast both need. */
async function voterContext(args: LoaderFunctionArgs, options: { mine: boolean } = { mine: true }) {
  const { municipality, user, round, envelope } = await requireVoterPath(args.request, args.context, args.params);
  const scope = scopeOf(municipality, userActor(user));
  const { rules, standing } = await voterStanding(args.context.db, scope, {
    roundId: round.id,
    envelopeDistrictId: envelope.districtId,
  });
  // The voter's own current ballot in this envelope, found by their voter key (ADR 0027).
  const mine =
    standing && options.mine
      ? (
          await myCurrentBallots(args.context.db, scope, {
            roundId: round.id,
            voter: standing,
          })
        ).find((b) => b.envelopeId === envelope.id)
      : undefined;
  return {
    municipality,
    user,
    round,
    envelope,
    phases: rules.phases,
    standing,
    scope,
    mine: mine ?? null,
  };
}

/**
 * The buttons of the ballot form: keep the basket as a draft (also without an intent; `view` then
 * opens a proposal's page), or cast it (`replace=yes` once the voter confirmed a revote).
 */
const ballotFields = {
  approved: z.union([z.string(), z.array(z.string())]).optional(),
};
const voteSchema = z.discriminatedUnion("intent", [
  z
    .object({
      intent: z.undefined(),
      ...ballotFields,
      view: z.string().max(100).optional(),
    })
    .passthrough(),
  z
    .object({
      intent: z.literal("save"),
      ...ballotFields,
      view: z.string().max(100).optional(),
    })
    .passthrough(),
  z
    .object({
      intent: z.literal("cast"),
      ...ballotFields,
      replace: z.literal("yes").optional(),
    })
    .passthrough(),
]);

/** The basket a form describes, read by the envelope's ballot type: checked proposals, or `points.<id>` fields. */
function bodyFromForm(data: z.infer<typeof voteSchema>, type: BallotTypeModule): BallotBody {
  const points: Record<string, number> = {};
  for (const [key, raw] of Object.entries(data)) {
    if (!key.startsWith("points.")) continue;
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      if (typeof value !== "string" || value.trim() === "") continue;
      points[key.slice(7)] = parseWholeNumber(value) ?? Number.NaN;
    }
  }
  const approved = data.approved === undefined ? [] : Array.isArray(data.approved) ? data.approved : [data.approved];
  return type.fromForm({ approved, points });
}

/** The envelope's rules as the page checks them live (the same `checkBallot` as the server). */
function rulesOf(envelope: {
  amount: number;
  ballotType: "approval" | "k-approval" | "cumulative";
  minProjects: number | null;
  maxProjects: number | null;
  minSpendShare: number | null;
  minPoints: number | null;
  maxPoints: number | null;
}) {
  const { amount, ballotType, minProjects, maxProjects, minSpendShare, minPoints, maxPoints } = envelope;
  return {
    amount,
    ballotType,
    minProjects,
    maxProjects,
    minSpendShare,
    minPoints,
    maxPoints,
  };
}

/** A proposal's summary on its card: the first lines of its description. */
function summaryOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 180 ? `${flat.slice(0, 177).trimEnd()}…` : flat;
}

export async function loader(args: LoaderFunctionArgs) {
  const c = await voterContext(args);
  const [sheet, districtRows, themeRows] = await Promise.all([
    ballotSheetOf(args.context.db, c.scope, { envelopeId: c.envelope.id }),
    districtsOf(args.context.db, c.scope),
    themesOf(args.context.db, { roundId: c.round.id }),
  ]);
  const districtName = new Map(districtRows.map((d) => [d.id, d.name]));
  const themeName = new Map(themeRows.map((th) => [th.id, th.name]));
  // A saved basket is newer than the cast ballot (casting clears it); else the ballot that counts.
  const basket = sheet.basket ?? c.mine?.body ?? ballotType(c.envelope.ballotType).empty();
  const search = new URL(args.request.url).searchParams;
  const district = search.get("district") || null;
  const theme = search.get("theme") || null;
  const ordered = orderProposals(
    sheet.proposals,
    c.envelope.ballotOrder,
    ballotOrderKey(c.scope, { envelopeId: c.envelope.id }),
  );
  const photos = await mediaOf(args.context.db, c.scope, {
    ownerKind: "proposal",
    ownerIds: ordered.map((p) => p.id),
  });
  const firstPhoto = new Map<string, ImageShown>();
  for (const m of photos)
    if (m.kind === "image" && !firstPhoto.has(m.ownerId))
      firstPhoto.set(m.ownerId, { id: m.id, alt: m.alt, width: m.width, height: m.height, widths: m.widths });
  const { timeZone } = c.municipality;
  const locale = await pageLocale(args.context, args.request);
  const votingPhase = c.phases.find((p) => p.kind === "voting");
  return json({
    pageStrings: await pageStringsFor(args.context, args.request, [
      "myballot.voted",
      "myballot.basketDiffers",
      "myballot.receipt",
      "myballot.confirm",
      "myballot.gauge",
      "myballot.card",
      "myballot.filter",
      "myballot.order",
    ]),
    slug: c.municipality.slug,
    currency: c.municipality.currency,
    round: { slug: c.round.slug, title: c.round.title },
    envelope: {
      slug: c.envelope.slug,
      name: c.envelope.name,
      ...rulesOf(c.envelope),
      order: c.envelope.ballotOrder,
    },
    voting: currentPhase(c.phases, dayIn(timeZone))?.kind === "voting",
    votingEnds: votingPhase?.endsOn ?? null,
    weight: c.standing?.weight ?? null,
    proposals: ordered.map((p) => ({
      id: p.id,
      title: p.title,
      // In the page's language only (the other would double the cards' weight, ADR 0011).
      summary: { [locale]: summaryOf(pickText(p.body, locale)) } as LocalizedText,
      cost: p.cost,
      district: p.districtId ? (districtName.get(p.districtId) ?? null) : null,
      districtId: p.districtId,
      theme: p.themeId ? (themeName.get(p.themeId) ?? null) : null,
      themeId: p.themeId,
      location: p.location,
      // The proposal's first photo (ballot proposals are accepted: their media are public, ADR 0034).
      image: firstPhoto.get(p.id) ?? null,
    })),
    districts: districtRows
      .filter((d) => sheet.proposals.some((p) => p.districtId === d.id))
      .map((d) => ({ id: d.id, name: d.name })),
    // Themes that proposals of this envelope carry (ADR 0032).
    themes: themeRows
      .filter((th) => sheet.proposals.some((p) => p.themeId === th.id))
      .map((th) => ({ id: th.id, name: th.name })),
    filter: { district, theme },
    basket,
    basketIsDraft: sheet.basket !== null,
    mine: c.mine
      ? {
          ballotId: c.mine.ballotId,
          channel: c.mine.channel,
          day: dayIn(timeZone, c.mine.castAt),
          body: c.mine.body,
        }
      : null,
  });
}

type Outcome = {
  errors: Record<string, string> | null;
  notice: string | null;
  receipt: { ballotId: string; leafIndex: number } | null;
  /** The choices sent, shown again as sent (a refused basket is never replaced by an empty one). */
  submitted?: BallotBody;
  /** A revote waiting for the voter's confirmation: what it changes. */
  confirm?: BallotChanges | null;
};

export async function action(args: ActionFunctionArgs) {
  // The cast finds the voter's current ballot itself, under the ledger lock.
  const c = await voterContext(args, { mine: false });
  const form = await readForm(args.request);
  const locale = requestLocale(args.request);
  const t = translator(locale);
  const parsed = validateForm(voteSchema, form, t, {
    approved: "round.proposals",
  });
  if (!parsed.ok) return json<Outcome>({ errors: parsed.errors, notice: null, receipt: null }, { status: 400 });
  const money = (n: number) => formatMoney(locale, n, c.municipality.currency);
  const body = bodyFromForm(parsed.data, ballotType(c.envelope.ballotType));
  const { scope } = c;
  try {
    if (parsed.data.intent === "cast") {
      if (!c.standing)
        return json<Outcome>(
          {
            errors: { form: t("vote.notEligible") },
            notice: null,
            receipt: null,
            submitted: body,
          },
          { status: 403 },
        );
      const receipt = await castBallot(args.context.db, scope, {
        roundId: c.round.id,
        roundSlug: c.round.slug,
        roundTitle: c.round.title,
        envelope: c.envelope,
        voter: c.standing,
        body,
        channel: "online",
        // A revote replaces nothing before the voter has seen what it changes (ADR 0027).
        askBeforeReplacing: parsed.data.replace !== "yes",
      });
      return json<Outcome>({
        errors: null,
        notice: t("vote.cast.done"),
        receipt: { ballotId: receipt.ballotId, leafIndex: receipt.leafIndex },
        submitted: body,
      });
    }
    await saveBasket(args.context.db, scope, { envelope: c.envelope, body });
    // "Details" on a card: the basket is saved, then the proposal's page opens.
    const { view } = parsed.data;
    if (view && /^[\w-]+$/.test(view))
      return redirect(`/m/${c.municipality.slug}/rounds/${c.round.slug}/proposals/${encodeURIComponent(view)}`);
    return json<Outcome>({
      errors: null,
      notice: t("vote.saved"),
      receipt: null,
      submitted: body,
    });
  } catch (error) {
    if (error instanceof RevoteNotConfirmed)
      return json<Outcome>({ errors: null, notice: null, receipt: null, submitted: body, confirm: error.changes });
    if (!(error instanceof BallotRefused)) throw error;
    // Every broken envelope rule gets its own message.
    const messages = error.violations.length
      ? error.violations.map((v) => violationText(t, v, money))
      : [t(ballotMessages[error.code])];
    return json<Outcome>(
      {
        errors: Object.fromEntries(messages.map((m, i) => [i === 0 ? "form" : `rule${i}`, m])),
        notice: null,
        receipt: null,
        submitted: body,
      },
      { status: error.status === 409 ? 409 : 400 },
    );
  }
}

/** The basket the form holds right now (the browser's live total reads it on every change). */
function bodyOfForm(form: HTMLFormElement, type: BallotTypeModule): BallotBody {
  const data = new FormData(form);
  const points: Record<string, number> = {};
  for (const [key, value] of data.entries()) {
    if (!key.startsWith("points.") || typeof value !== "string" || value.trim() === "") continue;
    points[key.slice(7)] = parseWholeNumber(value) ?? 0;
  }
  const approved = data.getAll("approved").filter((v): v is string => typeof v === "string");
  return type.fromForm({ approved, points });
}

/** The budget bar: a meter of what the basket uses of the envelope's limit, and what is left. */
function BudgetBar({ gauge, money }: { gauge: ReturnType<typeof budgetGauge>; money: (n: number) => string }) {
  const t = useT();
  const locale = useLocale();
  const show = (n: number) => (gauge.unit === "money" ? money(n) : formatNumber(locale, n));
  return (
    <div className={gauge.over ? "budget-bar over" : "budget-bar"} data-testid="budget-bar">
      <label htmlFor="budget-meter">{t("myballot.gauge.label")}</label>{" "}
      <meter id="budget-meter" min={0} max={Math.max(gauge.limit, 1)} value={Math.min(gauge.used, gauge.limit)}>
        {show(gauge.used)}
      </meter>{" "}
      <span className="budget-left">
        {gauge.over
          ? t("myballot.gauge.over", {
              used: show(gauge.used),
              limit: show(gauge.limit),
            })
          : t(`myballot.gauge.${gauge.unit}`, {
              left: show(gauge.left),
              limit: show(gauge.limit),
            })}
      </span>
    </div>
  );
}

export default function Vote() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const base = `/m/${data.slug}/rounds/${data.round.slug}`;
  const type = ballotType(data.envelope.ballotType);
  const money = (n: number) => formatMoney(locale, n, data.currency);
  // What the form shows: the choices just sent (refused or awaiting confirmation), else the saved
  // basket or the cast ballot.
  const shown: BallotBody = (result?.submitted as BallotBody | undefined) ?? (data.basket as BallotBody);
  // With JavaScript the total follows every change; without it, the server's page says the same.
  const [live, setLive] = useState<{ from: BallotBody; body: BallotBody } | null>(null);
  // A new page (loader or action data) starts again from what the server sent.
  const body = live && live.from === shown ? live.body : shown;
  const rules = rulesOf(data.envelope);
  const summary = checkBallot(rules, data.proposals, body, { final: false });
  const gauge = budgetGauge(rules, summary);
  const approved = new Set("approved" in shown ? shown.approved : []);
  const points: Record<string, number> = "points" in shown ? shown.points : {};
  // The filter (GET fields; with JavaScript it applies at once). A card it hides stays in the form,
  // so choices among hidden proposals are still sent; the order is never changed (ADR 0032).
  const [filter, setFilter] = useState(data.filter);
  useEffect(() => setFilter(data.filter), [data.filter]);
  const onFilter = (event: ChangeEvent<HTMLSelectElement>) => {
    const next = { ...filter, [event.currentTarget.name]: event.currentTarget.value || null };
    setFilter(next);
    const url = new URL(window.location.href);
    for (const [key, value] of Object.entries(next))
      value ? url.searchParams.set(key, value) : url.searchParams.delete(key);
    window.history.replaceState(window.history.state, "", url);
  };
  const hidden = data.proposals.filter((p) => !matchesFilter(p, filter));
  const titleOf = new Map(data.proposals.map((p) => [p.id, pickText(p.title, locale)]));
  const onChange = (event: FormEvent<HTMLFormElement>) =>
    setLive({ from: shown, body: bodyOfForm(event.currentTarget, type) });
  const confirm = result?.confirm ?? null;
  const mine = data.mine;
  return (
    <>
      <p>
        <Link to={base}>{pickText(data.round.title, locale)}</Link>
      </p>
      <h1>{t("vote.title", { envelope: pickText(data.envelope.name, locale) })}</h1>
      {!data.voting ? <p className="notice">{t("vote.notVoting")}</p> : null}
      {mine ? (
        <div className="my-ballot" data-testid="my-ballot">
          <p>
            {mine.channel === "paper"
              ? t("myballot.votedPaper", { date: formatDay(locale, mine.day) })
              : data.voting && data.votingEnds
                ? t("myballot.voted", {
                    date: formatDay(locale, mine.day),
                    end: formatDay(locale, data.votingEnds),
                  })
                : t("myballot.votedClosed", {
                    date: formatDay(locale, mine.day),
                  })}
          </p>
          {data.basketIsDraft ? (
            <p>
              {t("myballot.basketDiffers", {
                date: formatDay(locale, mine.day),
              })}
            </p>
          ) : null}
          <p>
            <a href={`${base}/receipt.json?ballot=${mine.ballotId}`} download>
              {t("myballot.receipt")}
            </a>
          </p>
        </div>
      ) : null}
      {data.weight === null ? (
        <p className="notice">
          {t("vote.notEligible")} <Link to={`${base}/eligibility`}>{t("vote.whyLink")}</Link> ·{" "}
          <Link to={`/m/${data.slug}/verify?next=${encodeURIComponent(`${base}/vote/${data.envelope.slug}`)}`}>
            {t("verification.title")}
          </Link>
        </p>
      ) : (
        <p>{t("vote.weight", { weight: data.weight })}</p>
      )}
      <p>{hintText(t, type.rulesHint(data.envelope), money)}</p>
      <ErrorSummary errors={result?.errors} />
      {confirm ? (
        <section className="notice confirm-revote" aria-labelledby="confirm-title" data-testid="confirm-revote">
          <h2 id="confirm-title">{t("myballot.confirm.title")}</h2>
          <p>
            {t("myballot.confirm.intro", {
              date: mine ? formatDay(locale, mine.day) : "",
            })}
          </p>
          {confirm.added.length ? (
            <p>
              <strong>{t("myballot.confirm.added")}:</strong>{" "}
              {confirm.added.map((id) => titleOf.get(id) ?? id).join(locale === "fa" ? "، " : ", ")}
            </p>
          ) : null}
          {confirm.removed.length ? (
            <p>
              <strong>{t("myballot.confirm.removed")}:</strong>{" "}
              {confirm.removed.map((id) => titleOf.get(id) ?? id).join(locale === "fa" ? "، " : ", ")}
            </p>
          ) : null}
          {confirm.changed.map((c) => (
            <p key={c.id}>
              {t("myballot.confirm.changed", {
                title: titleOf.get(c.id) ?? c.id,
                before: c.before,
                after: c.after,
              })}
            </p>
          ))}
          <PostForm>
            {"approved" in shown
              ? shown.approved.map((id) => <input key={id} type="hidden" name="approved" value={id} />)
              : Object.entries(shown.points).map(([id, n]) => (
                  <input key={id} type="hidden" name={`points.${id}`} value={String(n)} />
                ))}
            <input type="hidden" name="replace" value="yes" />
            <button type="submit" name="intent" value="cast">
              {t("myballot.confirm.submit")}
            </button>{" "}
            <Link to={base + `/vote/${data.envelope.slug}`}>{t("myballot.confirm.keep")}</Link>
          </PostForm>
        </section>
      ) : null}
      {result?.notice ? (
        <div className="notice" role="status">
          <p>{result.notice}</p>
          {result.receipt ? (
            <>
              <p>
                {t("vote.receipt.ballot")}: <code dir="ltr">{result.receipt.ballotId}</code> — {t("vote.receipt.leaf")}:{" "}
                {formatNumber(locale, result.receipt.leafIndex)}
              </p>
              <p>{t("vote.receipt.keep")}</p>
              <p>
                <Link to={`${base}/receipt?ballot=${result.receipt.ballotId}`}>{t("vote.receipt.check")}</Link>
              </p>
              <p className="hint">{t("vote.revote")}</p>
            </>
          ) : null}
        </div>
      ) : null}
      {data.districts.length > 1 || data.themes.length > 1 ? (
        <Form method="get" className="ballot-filter" data-testid="ballot-filter">
          <fieldset>
            <legend>{t("myballot.filter.title")}</legend>
            {data.districts.length > 1 ? (
              <>
                <label htmlFor="filter-district">{t("myballot.filter.district")}</label>{" "}
                <select id="filter-district" name="district" value={filter.district ?? ""} onChange={onFilter}>
                  <option value="">{t("myballot.filter.all")}</option>
                  {data.districts.map((d) => (
                    <option key={d.id} value={d.id}>
                      {pickText(d.name, locale)}
                    </option>
                  ))}
                </select>{" "}
              </>
            ) : filter.district ? (
              <input type="hidden" name="district" value={filter.district} />
            ) : null}
            {data.themes.length > 1 ? (
              <>
                <label htmlFor="filter-theme">{t("themes.field")}</label>{" "}
                <select id="filter-theme" name="theme" value={filter.theme ?? ""} onChange={onFilter}>
                  <option value="">{t("themes.filter.all")}</option>
                  {data.themes.map((th) => (
                    <option key={th.id} value={th.id}>
                      {pickText(th.name, locale)}
                    </option>
                  ))}
                </select>{" "}
              </>
            ) : filter.theme ? (
              <input type="hidden" name="theme" value={filter.theme} />
            ) : null}
            <button type="submit" className="secondary">
              {t("myballot.filter.submit")}
            </button>
          </fieldset>
        </Form>
      ) : null}
      <p className="hint">{t(`myballot.order.${data.envelope.order}`)}</p>
      <PostForm onChange={onChange} className="ballot-form">
        {/* Enter in a field saves the basket, as before the cards' own buttons came first in the form. */}
        <button type="submit" name="intent" value="save" hidden tabIndex={-1} />
        <fieldset>
          <legend>{t("round.proposals")}</legend>
          {hidden.length ? (
            <p className="hint" data-testid="filter-hidden">
              {t("myballot.filter.hidden", { count: hidden.length })}
            </p>
          ) : null}
          <ul className="ballot-cards">
            {data.proposals.map((p) => (
              // A card the filter hides stays in the form: its choice is still sent.
              <li
                key={p.id}
                className="ballot-card"
                data-testid="ballot-card"
                data-proposal={p.id}
                hidden={hidden.includes(p) || undefined}
              >
                {p.image ? (
                  <div className="ballot-card-image">
                    <MediaImage slug={data.slug} image={p.image} sizes={CARD_IMAGE_SIZES} />
                  </div>
                ) : null}
                {type.body === "points" ? (
                  <div className="field">
                    <label htmlFor={`points-${p.id}`}>
                      {t("vote.pointsFor", {
                        title: pickText(p.title, locale),
                      })}{" "}
                      ({money(p.cost)})
                    </label>
                    <input
                      id={`points-${p.id}`}
                      name={`points.${p.id}`}
                      inputMode="numeric"
                      defaultValue={points[p.id] ?? ""}
                      dir="ltr"
                    />
                  </div>
                ) : (
                  <div className="field">
                    <label>
                      <input type="checkbox" name="approved" value={p.id} defaultChecked={approved.has(p.id)} />{" "}
                      {pickText(p.title, locale)} — <span className="num">{money(p.cost)}</span>
                    </label>
                  </div>
                )}
                {p.summary[locale] || p.summary.en || p.summary.fa ? (
                  <p className="ballot-card-summary">{pickText(p.summary, locale)}</p>
                ) : null}
                <p className="ballot-card-meta">
                  {p.district
                    ? t("myballot.card.district", {
                        name: pickText(p.district, locale),
                      })
                    : t("myballot.card.citywide")}
                  {p.theme ? <> · {t("themes.card", { name: isolated(pickText(p.theme, locale)) })}</> : null}
                  {p.location ? <> · {p.location}</> : null}
                </p>
                <button type="submit" name="view" value={p.id} className="link-button" formNoValidate>
                  {t("myballot.card.details")}
                </button>
              </li>
            ))}
          </ul>
        </fieldset>
        <p role="status" data-testid="ballot-total">
          {hintText(t, type.totalHint(summary, data.envelope), money)}
        </p>
        <BudgetBar gauge={gauge} money={money} />
        <button type="submit" name="intent" value="save" className="secondary">
          {t("vote.save")}
        </button>{" "}
        <button type="submit" name="intent" value="cast" disabled={!data.voting || data.weight === null}>
          {t("vote.cast")}
        </button>
      </PostForm>
    </>
  );
}
