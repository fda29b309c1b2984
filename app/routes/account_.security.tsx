import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { translator } from "../domain/i18n";
import {
  checkSecondFactor,
  confirmTotpEnrolment,
  disableTotp,
  renewRecoveryCodes,
  startTotpEnrolment,
  twoFactorStatus,
} from "../services/accounts/two-factor.server";
import { userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { type FormFailure, parseFormOr400 } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { safeRedirect } from "../web/redirects.server";
import { refusalResponseFrom } from "../web/refusals.server";
import { twoFactorMessages } from "../web/refusal-messages/two-factor";
import { markSecondFactor, sessionOf } from "../web/session.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("security.title"));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const current = await sessionOf(context, request);
  const next = safeRedirect(new URL(request.url).searchParams.get("next"), "next", "/account");
  const status = await twoFactorStatus(context.db, { actor: userActor(user) });
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "security.title",
      "security.code",
      "security.requiredForStaff",
      "security.optionalForResidents",
      "security.enrolled",
      "security.enrol",
      "security.recovery",
      "security.continue",
      "security.verify",
      "security.renew",
      "security.disable",
    ]),
    status,
    sessionPassed: Boolean(current?.session.secondFactorAt),
    next,
  });
}

const securityForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("start"), next: z.string().optional() }),
  z.object({ intent: z.literal("confirm"), code: z.string().max(64), next: z.string().optional() }),
  z.object({ intent: z.literal("verify"), code: z.string().max(64), next: z.string().optional() }),
  z.object({ intent: z.literal("renew"), code: z.string().max(64), next: z.string().optional() }),
  z.object({ intent: z.literal("disable"), code: z.string().max(64), next: z.string().optional() }),
]);

type ActionData = FormFailure & { recoveryCodes?: string[] };

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  const input = parseFormOr400(securityForm, form);
  const next = safeRedirect(input.next, "next", "/account");
  const here = `/account/security?next=${encodeURIComponent(next)}`;
  const t = translator(requestLocale(request));
  const scope = { actor: userActor(user) };
  const { db } = context;
  try {
    switch (input.intent) {
      case "start":
        await startTotpEnrolment(db, scope);
        return redirect(here);
      case "confirm": {
        const { recoveryCodes } = await confirmTotpEnrolment(db, scope, { code: input.code });
        await markSecondFactor(db, request);
        return json<ActionData>({ errors: {}, values: {}, recoveryCodes });
      }
      case "verify":
        await checkSecondFactor(db, scope, { code: input.code });
        await markSecondFactor(db, request);
        return redirect(next);
      case "renew": {
        const { recoveryCodes } = await renewRecoveryCodes(db, scope, { code: input.code });
        return json<ActionData>({ errors: {}, values: {}, recoveryCodes });
      }
      case "disable":
        await disableTotp(db, scope, { code: input.code });
        return redirect(here);
    }
  } catch (error) {
    return refusalResponseFrom(error, t, { intent: input.intent }, twoFactorMessages);
  }
}

function CodeForm({
  intent,
  next,
  label,
  submit,
  error,
}: {
  intent: string;
  next: string;
  label: string;
  submit: string;
  error?: string;
}) {
  return (
    <PostForm noValidate>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="next" value={next} />
      <Field
        id={`field-code-${intent}`}
        name="code"
        label={label}
        error={error}
        autoComplete="one-time-code"
        required
        dir="ltr"
      />
      <button type="submit">{submit}</button>
    </PostForm>
  );
}

export default function Security() {
  const t = useT();
  const { status, sessionPassed, next } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>() as ActionData | undefined;
  const errorFor = (intent: string) =>
    data?.values?.intent === intent ? (data.errors?.code ?? data.errors?.form) : undefined;
  if (data?.recoveryCodes) {
    return (
      <>
        <h1>{t("security.title")}</h1>
        <p role="status">{t("security.recovery.shownOnce")}</p>
        <ul className="recovery-codes" dir="ltr" data-recovery-codes="">
          {data.recoveryCodes.map((code) => (
            <li key={code}>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <p>
          <Link to={next}>{t("security.continue")}</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <h1>{t("security.title")}</h1>
      <ErrorSummary errors={data?.errors} />
      <p>{t(status.required ? "security.requiredForStaff" : "security.optionalForResidents")}</p>
      {status.enrolled ? (
        <>
          <p>{t("security.enrolled", { left: status.recoveryCodesLeft })}</p>
          {!sessionPassed ? (
            <>
              <h2>{t("security.verify.title")}</h2>
              <CodeForm
                intent="verify"
                next={next}
                label={t("security.code")}
                submit={t("security.verify.submit")}
                error={errorFor("verify")}
              />
            </>
          ) : null}
          <h2>{t("security.renew.title")}</h2>
          <CodeForm
            intent="renew"
            next={next}
            label={t("security.code")}
            submit={t("security.renew.submit")}
            error={errorFor("renew")}
          />
          {!status.required ? (
            <>
              <h2>{t("security.disable.title")}</h2>
              <CodeForm
                intent="disable"
                next={next}
                label={t("security.code")}
                submit={t("security.disable.submit")}
                error={errorFor("disable")}
              />
            </>
          ) : null}
        </>
      ) : status.enrolling ? (
        <>
          <h2>{t("security.enrol.title")}</h2>
          <p>{t("security.enrol.help")}</p>
          <dl>
            <dt>{t("security.enrol.secret")}</dt>
            <dd>
              <code dir="ltr" data-totp-secret={status.enrolling.secret}>
                {status.enrolling.secret}
              </code>
            </dd>
            <dt>{t("security.enrol.uri")}</dt>
            <dd>
              <code dir="ltr" className="wrap">
                {status.enrolling.uri}
              </code>
            </dd>
          </dl>
          <CodeForm
            intent="confirm"
            next={next}
            label={t("security.code")}
            submit={t("security.enrol.confirm")}
            error={errorFor("confirm")}
          />
        </>
      ) : (
        <PostForm>
          <input type="hidden" name="intent" value="start" />
          <input type="hidden" name="next" value={next} />
          <button type="submit">{t("security.enrol.start")}</button>
        </PostForm>
      )}
    </>
  );
}
