import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator, isolated } from "../domain/i18n";
import { NOTIFICATION_TOPICS, isTopic } from "../domain/mail/render";
import { changeEmail, isAddressConfirmed, resendConfirmation } from "../services/accounts/tokens.server";
import { phoneOf } from "../services/accounts/phones.server";
import { optedOut, saveNotificationChoices, smsTopics } from "../services/mail/outbox.server";
import { userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { formFailure, parseFormOr400, validateForm } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("notifications.title"));

/** The person's messages (ADR 0025): the address and its confirmation, and the topics switched on. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [off, confirmed, sms, phone] = await Promise.all([
    optedOut(context.db, { userId: user.id }),
    isAddressConfirmed(context.db, { userId: user.id }),
    smsTopics(context.db, { userId: user.id }),
    phoneOf(context.db, { actor: userActor(user) }),
  ]);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "notifications.title",
      "notifications.intro",
      "notifications.save",
      "notifications.saved",
      "notifications.changeEmail",
      "confirm.pending",
      "confirm.resend",
      "confirm.sent",
      "notifications.topic",
      "notifications.sms",
    ]),
    email: user.email,
    confirmed,
    topics: NOTIFICATION_TOPICS.map((topic) => ({ topic, on: !off.includes(topic), sms: sms.includes(topic) })),
    // Text messages go only to a confirmed phone, shown masked.
    phone: phone.confirmed ? phone.phone : null,
  });
}

const intentSchema = z.object({ intent: z.enum(["save", "resend", "email"]) });
const emailSchema = z.object({ email: z.string().trim().min(1).max(320).email() });

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const scope = { actor: userActor(user) };
  const { intent } = parseFormOr400(intentSchema, form);
  if (intent === "resend") {
    const sent = await resendConfirmation(context.db, scope);
    return json({
      errors: null,
      values: {},
      notice: sent.sent ? t("confirm.sent", { email: isolated(sent.email) }) : null,
    });
  }
  if (intent === "email") {
    const result = validateForm(emailSchema, form, t, { email: "auth.email" });
    if (!result.ok) return formFailure(400, result.errors, result.values);
    await changeEmail(context.db, scope, { email: result.data.email });
    return json({ errors: null, values: {}, notice: t("confirm.sent", { email: isolated(result.data.email) }) });
  }
  const enabled = form.getAll("topic").filter(isTopic);
  // The text-message choices are saved only from a form that showed them (a confirmed phone).
  const sms = form.get("smsShown") === "1" ? form.getAll("sms").filter(isTopic) : undefined;
  await saveNotificationChoices(context.db, scope, { userId: user.id, enabled, all: NOTIFICATION_TOPICS, sms });
  return json({ errors: null, values: {}, notice: t("notifications.saved") });
}

export default function Notifications() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as
    | { errors: Record<string, string> | null; values?: Record<string, string>; notice?: string | null }
    | undefined;
  return (
    <>
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
      <h1>{t("notifications.title")}</h1>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors ?? undefined} />
      <h2>{t("auth.email")}</h2>
      <p dir="ltr">{data.email}</p>
      {data.confirmed ? null : (
        <PostForm>
          <p>{t("confirm.pending")}</p>
          <input type="hidden" name="intent" value="resend" />
          <button type="submit">{t("confirm.resend")}</button>
        </PostForm>
      )}
      <PostForm noValidate>
        <input type="hidden" name="intent" value="email" />
        <Field
          name="email"
          type="email"
          label={t("auth.email")}
          defaultValue={result?.values?.email ?? data.email}
          error={result?.errors?.email}
          autoComplete="email"
          dir="ltr"
        />
        <button type="submit">{t("notifications.changeEmail")}</button>
      </PostForm>
      <h2>{t("notifications.title")}</h2>
      <p>{t("notifications.intro")}</p>
      <PostForm>
        <input type="hidden" name="intent" value="save" />
        <fieldset>
          <legend>{t("notifications.title")}</legend>
          {data.topics.map(({ topic, on }) => (
            <p key={topic}>
              <input type="checkbox" id={`topic-${topic}`} name="topic" value={topic} defaultChecked={on} />{" "}
              <label htmlFor={`topic-${topic}`}>{t(`notifications.topic.${topic}`)}</label>
            </p>
          ))}
        </fieldset>
        {data.phone ? (
          <fieldset>
            <legend>{t("notifications.sms.legend", { phone: isolated(data.phone) })}</legend>
            <input type="hidden" name="smsShown" value="1" />
            {data.topics.map(({ topic, sms }) => (
              <p key={topic}>
                <input type="checkbox" id={`sms-${topic}`} name="sms" value={topic} defaultChecked={sms} />{" "}
                <label htmlFor={`sms-${topic}`}>{t(`notifications.topic.${topic}`)}</label>
              </p>
            ))}
          </fieldset>
        ) : (
          <p>
            {t("notifications.sms.none")} <Link to="/account/phone">{t("notifications.sms.link")}</Link>
          </p>
        )}
        <button type="submit">{t("notifications.save")}</button>
      </PostForm>
    </>
  );
}
