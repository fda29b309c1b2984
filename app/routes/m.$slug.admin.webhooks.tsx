import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { formatDateTime, formatNumber, isolated, pickText, translator } from "../domain/i18n";
import { webhookEvents } from "../domain/webhooks/events";
import { scopeOf, userActor } from "../services/scope";
import {
  createWebhookEndpoint,
  removeWebhookEndpoint,
  retryWebhookFailures,
  updateWebhookEndpoint,
  webhookEndpointsOf,
} from "../services/webhooks/webhooks.server";
import { readForm } from "../web/csrf.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { webhookMessages } from "../web/refusal-messages/webhooks";
import { refusalResponseFrom } from "../web/refusals.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("webhooks.title"));

/** Administrators only (ADR 0040): the municipality's webhook endpoints, their last status and deliveries. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireMunicipalityAdmin(request, context, params.slug);
  const endpoints = await webhookEndpointsOf(context.db, scopeOf(municipality, userActor(user)));
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    endpoints: endpoints.map((e) => ({
      id: e.id,
      url: e.url,
      events: e.events,
      active: e.active,
      lastAttemptAt: e.lastAttemptAt?.toISOString() ?? null,
      lastStatus: e.lastStatus,
      lastError: e.lastError,
      failed: e.failed,
      deliveries: e.deliveries.map((d) => ({
        id: d.id,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        error: d.lastError,
        createdAt: d.createdAt.toISOString(),
      })),
    })),
  });
}

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  notice?: string;
  secret?: string;
};

const text = (max: number) =>
  z
    .string()
    .catch("")
    .default("")
    .transform((value) => value.slice(0, max));

const webhookSchema = z.object({ intent: text(20), url: text(4000), endpoint: text(100), active: text(10) });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const values = webhookSchema.parse(Object.fromEntries(form));
  const events = form.getAll("events").filter((v): v is string => typeof v === "string");
  try {
    if (values.intent === "remove") {
      await removeWebhookEndpoint(context.db, scope, { id: values.endpoint });
      return json<Outcome>({ errors: null, values: {}, notice: t("webhooks.removed") });
    }
    if (values.intent === "update") {
      await updateWebhookEndpoint(context.db, scope, { id: values.endpoint, events, active: values.active === "on" });
      return json<Outcome>({ errors: null, values: {}, notice: t("webhooks.updated") });
    }
    if (values.intent === "retry") {
      const count = await retryWebhookFailures(context.db, scope, { id: values.endpoint });
      return json<Outcome>({ errors: null, values: {}, notice: t("webhooks.retried", { count }) });
    }
    const created = await createWebhookEndpoint(context.db, scope, { url: values.url, events });
    return json<Outcome>({ errors: null, values: {}, notice: t("webhooks.created"), secret: created.secret });
  } catch (error) {
    return refusalResponseFrom(error, t, { ...values, events: events.join(",") }, webhookMessages);
  }
}

export default function Webhooks() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const adding = !result?.values?.intent || result.values.intent === "add";
  const chosen = (result?.values?.events ?? "").split(",");
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("webhooks.title")}</h1>
      <p>{t("webhooks.intro")}</p>
      <p>{t("webhooks.verifyHelp")}</p>
      <p>
        <a href="/api/openapi.json">{t("webhooks.apiDocument")}</a>
      </p>
      <Notice text={result?.notice} />
      {result?.secret ? (
        <p>
          <code dir="ltr" className="secret">
            {result.secret}
          </code>
        </p>
      ) : null}
      {adding ? null : <ErrorSummary errors={result?.errors} />}
      {data.endpoints.length === 0 ? <p>{t("webhooks.none")}</p> : null}
      {data.endpoints.map((e) => (
        <section key={e.id} aria-labelledby={`endpoint-${e.id}`}>
          <h2 id={`endpoint-${e.id}`} dir="ltr">
            {e.url}
          </h2>
          <p>
            {e.active ? t("webhooks.active") : t("webhooks.paused")} · {t("webhooks.lastStatus")}:{" "}
            {e.lastAttemptAt
              ? `${e.lastStatus !== null ? t("webhooks.httpStatus", { status: e.lastStatus }) : t("webhooks.noAnswer")}${
                  e.lastError ? ` (${isolated(e.lastError)})` : ""
                } — ${formatDateTime(locale, new Date(e.lastAttemptAt), data.timeZone)}`
              : t("webhooks.never")}
          </p>
          <PostForm>
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="endpoint" value={e.id} />
            <fieldset>
              <legend>{t("webhooks.events")}</legend>
              {webhookEvents.map((event) => (
                <div key={event}>
                  <input
                    type="checkbox"
                    id={`events-${e.id}-${event}`}
                    name="events"
                    value={event}
                    defaultChecked={e.events.includes(event)}
                  />{" "}
                  <label htmlFor={`events-${e.id}-${event}`}>{t(`webhooks.event.${event}`)}</label>
                </div>
              ))}
              <div>
                <input type="checkbox" id={`active-${e.id}`} name="active" defaultChecked={e.active} />{" "}
                <label htmlFor={`active-${e.id}`}>{t("webhooks.active")}</label>
              </div>
            </fieldset>
            <button type="submit">{t("webhooks.save")}</button>
          </PostForm>
          {e.failed > 0 ? (
            <PostForm>
              <input type="hidden" name="intent" value="retry" />
              <input type="hidden" name="endpoint" value={e.id} />
              <button type="submit">{t("webhooks.retry")}</button>
            </PostForm>
          ) : null}
          <PostForm>
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="endpoint" value={e.id} />
            <button type="submit">{t("webhooks.remove", { url: isolated(e.url) })}</button>
          </PostForm>
          {e.deliveries.length ? (
            <table>
              <caption>{t("webhooks.deliveries")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("webhooks.delivery.event")}</th>
                  <th scope="col">{t("webhooks.delivery.status")}</th>
                  <th scope="col">{t("webhooks.delivery.attempts")}</th>
                  <th scope="col">{t("webhooks.delivery.error")}</th>
                  <th scope="col">{t("webhooks.delivery.created")}</th>
                </tr>
              </thead>
              <tbody>
                {e.deliveries.map((d) => (
                  <tr key={d.id}>
                    <td dir="ltr">
                      <code>{d.event}</code>
                    </td>
                    <td>{t(`webhooks.status.${d.status}`)}</td>
                    <td>{formatNumber(locale, d.attempts)}</td>
                    <td dir="ltr">{d.error ?? ""}</td>
                    <td>{formatDateTime(locale, new Date(d.createdAt), data.timeZone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ))}
      <h2>{t("webhooks.add")}</h2>
      {adding ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm>
        <input type="hidden" name="intent" value="add" />
        <Field
          name="url"
          type="url"
          label={t("webhooks.url")}
          hint={t("webhooks.url.hint")}
          dir="ltr"
          required
          defaultValue={adding ? result?.values?.url : undefined}
          error={adding ? (result?.errors?.url ?? undefined) : undefined}
        />
        <fieldset id="field-events">
          <legend>{t("webhooks.events")}</legend>
          {adding && result?.errors?.events ? <p className="field-error">{result.errors.events}</p> : null}
          {webhookEvents.map((event) => (
            <div key={event}>
              <input
                type="checkbox"
                id={`events-new-${event}`}
                name="events"
                value={event}
                defaultChecked={adding && result?.errors ? chosen.includes(event) : true}
              />{" "}
              <label htmlFor={`events-new-${event}`}>{t(`webhooks.event.${event}`)}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">{t("webhooks.add")}</button>
      </PostForm>
    </>
  );
}
