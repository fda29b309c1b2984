import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { isolated, translator } from "../domain/i18n";
import { confirmPhoneCode, phoneOf, removePhone, sendPhoneCode } from "../services/accounts/phones.server";
import { userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { echoValues, formFailure, validateForm } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { pageStringsFor } from "../web/page-strings.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { phoneRefusals } from "../web/refusal-messages/phones";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("phone.title"));

/** The account's phone for text messages (ADR 0025): add one with a code sent by SMS, or remove it. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  return json({
    pageStrings: await pageStringsFor(context, request, ["phone."]),
    ...(await phoneOf(context.db, { actor: userActor(user) })),
  });
}

const phoneForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("send"), phone: z.string().trim().min(1).max(40) }),
  z.object({ intent: z.literal("confirm"), code: z.string().trim().min(1).max(20) }),
  z.object({ intent: z.literal("remove") }),
]);
const labels = { phone: "phone.number", code: "phone.code" } as const;

type Outcome = { errors: Record<string, string> | null; values: Record<string, string>; notice?: string };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const scope = { actor: userActor(user) };
  const parsed = validateForm(phoneForm, form, t, labels);
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  try {
    if (input.intent === "send") {
      const { phone } = await sendPhoneCode(context.db, scope, { phone: input.phone });
      return json<Outcome>({ errors: null, values: {}, notice: t("phone.sent", { phone: isolated(phone) }) });
    }
    if (input.intent === "confirm") {
      const { phone } = await confirmPhoneCode(context.db, scope, { code: input.code });
      return json<Outcome>({ errors: null, values: {}, notice: t("phone.confirmed", { phone: isolated(phone) }) });
    }
    await removePhone(context.db, scope);
    return json<Outcome>({ errors: null, values: {}, notice: t("phone.removed") });
  } catch (error) {
    return refusalResponseFrom(error, t, echoValues(form), phoneRefusals);
  }
}

export default function Phone() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const intent = result?.values?.intent;
  return (
    <>
      <p>
        <Link to="/account">{t("account.title")}</Link>
      </p>
      <h1>{t("phone.title")}</h1>
      <p>{t("phone.intro")}</p>
      <Notice text={result?.notice} />
      <ErrorSummary errors={result?.errors} />
      {data.confirmed && data.phone ? (
        <>
          <p>{t("phone.current", { phone: isolated(data.phone) })}</p>
          <PostForm>
            <input type="hidden" name="intent" value="remove" />
            <button type="submit">{t("phone.remove")}</button>
          </PostForm>
        </>
      ) : (
        <p>{t("phone.none")}</p>
      )}
      <PostForm noValidate>
        <input type="hidden" name="intent" value="send" />
        <Field
          name="phone"
          type="tel"
          label={t("phone.number")}
          hint={t("phone.number.hint")}
          autoComplete="tel"
          dir="ltr"
          required
          defaultValue={intent === "send" ? result?.values?.phone : undefined}
          error={intent === "send" ? result?.errors?.phone : undefined}
        />
        <button type="submit">{t("phone.send")}</button>
      </PostForm>
      {data.pending ? (
        <PostForm noValidate>
          <input type="hidden" name="intent" value="confirm" />
          <Field
            name="code"
            inputMode="numeric"
            label={t("phone.code")}
            autoComplete="one-time-code"
            dir="ltr"
            required
            defaultValue={intent === "confirm" ? result?.values?.code : undefined}
            error={intent === "confirm" ? result?.errors?.code : undefined}
          />
          <button type="submit">{t("phone.confirm")}</button>
        </PostForm>
      ) : null}
    </>
  );
}
