/**
 * A municipality's e-ID settings (ADR 0038), for its administrators: whether the e-ID verifies
 * residents (and a live census service), and the municipality's own identity provider (its client
 * secret kept in the key store, never shown back).
 */
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { type TextKey, isolated, pickText, translator } from "../domain/i18n";
import { eidSettingsOf, saveEidSettings } from "../services/eid/eid-verification.server";
import {
  eidProviderSettingsOf,
  removeEidProvider,
  saveEidProvider,
} from "../services/eid/municipality-provider.server";
import { callbackUrl, eidProvider } from "../services/eid/provider.server";
import { RefusedError } from "../services/errors.server";
import { scopeOf, userActor } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { type FormFailure, parseFormOr400 } from "../web/forms.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { eidProviderMessages, eidVerificationMessages } from "../web/refusal-messages/eid";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("eid.admin.title"));

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  return json({
    slug: municipality.slug,
    name: municipality.name,
    installationIssuer: eidProvider()?.issuer ?? null,
    callback: callbackUrl(),
    settings: await eidSettingsOf(context.db, scope),
    own: await eidProviderSettingsOf(context.db, scope),
  });
}

const text = (max: number) =>
  z
    .string()
    .default("")
    .transform((value) => value.slice(0, max));
const checkbox = z
  .string()
  .optional()
  .transform((value) => value === "on");

const actionSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("trust"),
    trust: z.enum(["off", "census", "direct"]),
    defaultVoterClass: text(100),
    defaultDistrictCode: text(100),
    censusServiceUrl: text(600),
    censusServiceTimeoutMs: text(12),
    credential: text(600),
    clearCredential: checkbox,
  }),
  z.object({
    intent: z.literal("provider"),
    issuer: text(600),
    clientId: text(300),
    clientSecret: text(600),
    clearSecret: checkbox,
    scopes: text(600),
    idClaim: text(200),
    birthDateClaim: text(200),
    labelEn: text(200),
    labelFa: text(200),
  }),
  z.object({ intent: z.literal("removeProvider") }),
]);

const SECRET_FIELDS = new Set(["_csrf", "clientSecret", "credential"]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { municipality, user } = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(municipality, userActor(user));
  const form = await readForm(request);
  const input = parseFormOr400(actionSchema, form);
  const t = translator(requestLocale(request));
  try {
    if (input.intent === "trust") {
      const timeout = input.censusServiceTimeoutMs.trim() === "" ? 5000 : Number(input.censusServiceTimeoutMs);
      await saveEidSettings(context.db, scope, {
        trust: input.trust,
        defaultVoterClass: input.defaultVoterClass.trim() || null,
        defaultDistrictCode: input.defaultDistrictCode.trim() || null,
        censusServiceUrl: input.censusServiceUrl.trim() || null,
        censusServiceTimeoutMs: Number.isFinite(timeout) ? timeout : Number.NaN,
        credential: input.credential || null,
        clearCredential: input.clearCredential,
      });
      return json({ intent: input.intent, notice: t("eid.admin.saved"), errors: null, values: {} });
    }
    if (input.intent === "provider") {
      await saveEidProvider(context.db, scope, input);
      return json({ intent: input.intent, notice: t("eid.admin.saved"), errors: null, values: {} });
    }
    const { changed } = await removeEidProvider(context.db, scope);
    return json({ intent: input.intent, notice: t("eid.admin.own.removed"), errors: null, values: {}, changed });
  } catch (error) {
    if (!(error instanceof RefusedError)) throw error;
    const messages: Record<string, TextKey> = { ...eidVerificationMessages, ...eidProviderMessages };
    const key = Object.hasOwn(messages, error.code) ? messages[error.code] : undefined;
    if (!key) throw error;
    const values = Object.fromEntries(
      [...form.entries()].filter(([k, v]) => typeof v === "string" && !SECRET_FIELDS.has(k)) as [string, string][],
    );
    return json<FormFailure & { intent: string; notice: null }>(
      { intent: input.intent, notice: null, errors: { [error.field ?? "intent"]: t(key) }, values },
      { status: error.status },
    );
  }
}

export default function EidAdmin() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const trustErrors = result?.intent === "trust" ? result.errors : null;
  const ownErrors = result?.intent === "provider" ? result.errors : null;
  const values: Record<string, string> = result?.errors ? result.values : {};
  const own = data.own;
  const value = (field: string, stored: string | null | undefined) => values[field] ?? stored ?? "";
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{pickText(data.name, locale)}</Link>
      </p>
      <h1>{t("eid.admin.title")}</h1>
      <p>{t("eid.admin.intro")}</p>
      <Notice text={result?.notice} />
      <p>
        {data.installationIssuer
          ? t("eid.admin.provider", { issuer: isolated(data.installationIssuer) })
          : t("eid.admin.noProvider")}
      </p>
      <h2 id="trust">{t("eid.admin.trust")}</h2>
      <ErrorSummary errors={trustErrors} />
      <PostForm noValidate aria-labelledby="trust">
        <input type="hidden" name="intent" value="trust" />
        <fieldset>
          <legend>{t("eid.admin.trust")}</legend>
          {(["off", "census", "direct"] as const).map((trust) => (
            <label key={trust} className="choice">
              <input
                type="radio"
                name="trust"
                value={trust}
                defaultChecked={(values.trust ?? data.settings.trust) === trust}
              />{" "}
              {t(`eid.admin.trust.${trust}`)}
            </label>
          ))}
        </fieldset>
        <Field
          name="defaultVoterClass"
          label={t("eid.admin.defaultClass")}
          defaultValue={value("defaultVoterClass", data.settings.defaultVoterClass)}
          error={trustErrors?.defaultVoterClass}
          dir="ltr"
        />
        <Field
          name="defaultDistrictCode"
          label={t("eid.admin.defaultDistrict")}
          defaultValue={value("defaultDistrictCode", data.settings.defaultDistrictCode)}
          error={trustErrors?.defaultDistrictCode}
          dir="ltr"
        />
        <Field
          name="censusServiceUrl"
          label={t("eid.admin.serviceUrl")}
          defaultValue={value("censusServiceUrl", data.settings.censusServiceUrl)}
          error={trustErrors?.censusServiceUrl}
          dir="ltr"
        />
        <Field
          name="censusServiceTimeoutMs"
          label={t("eid.admin.timeout")}
          defaultValue={value("censusServiceTimeoutMs", String(data.settings.censusServiceTimeoutMs))}
          error={trustErrors?.censusServiceTimeoutMs}
          dir="ltr"
        />
        <p>{data.settings.hasCredential ? t("eid.admin.credentialSet") : t("eid.admin.credentialNone")}</p>
        <Field name="credential" type="password" label={t("eid.admin.credential")} autoComplete="off" dir="ltr" />
        <label className="choice">
          <input type="checkbox" name="clearCredential" /> {t("eid.admin.clearCredential")}
        </label>
        <button type="submit">{t("eid.admin.save")}</button>
      </PostForm>

      <h2 id="own">{t("eid.admin.own.title")}</h2>
      <p>{t("eid.admin.own.intro", { callback: isolated(data.callback) })}</p>
      {own ? null : <p>{t("eid.admin.own.none")}</p>}
      <ErrorSummary errors={ownErrors} />
      <PostForm noValidate aria-labelledby="own">
        <input type="hidden" name="intent" value="provider" />
        <Field
          name="issuer"
          label={t("eid.admin.own.issuer")}
          defaultValue={value("issuer", own?.issuer)}
          error={ownErrors?.issuer}
          dir="ltr"
        />
        <Field
          name="clientId"
          label={t("eid.admin.own.clientId")}
          defaultValue={value("clientId", own?.clientId)}
          error={ownErrors?.clientId}
          dir="ltr"
        />
        <p>{own?.hasSecret ? t("eid.admin.own.secretSet") : t("eid.admin.own.secretNone")}</p>
        <Field
          name="clientSecret"
          type="password"
          label={t("eid.admin.own.clientSecret")}
          error={ownErrors?.clientSecret}
          autoComplete="off"
          dir="ltr"
        />
        <label className="choice">
          <input type="checkbox" name="clearSecret" /> {t("eid.admin.own.clearSecret")}
        </label>
        <Field
          name="scopes"
          label={t("eid.admin.own.scopes")}
          defaultValue={value("scopes", own?.scopes ?? "openid email profile")}
          error={ownErrors?.scopes}
          dir="ltr"
        />
        <Field
          name="idClaim"
          label={t("eid.admin.own.idClaim")}
          defaultValue={value("idClaim", own?.idClaim ?? "national_id")}
          error={ownErrors?.idClaim}
          dir="ltr"
        />
        <Field
          name="birthDateClaim"
          label={t("eid.admin.own.birthDateClaim")}
          defaultValue={value("birthDateClaim", own?.birthDateClaim ?? "birthdate")}
          error={ownErrors?.birthDateClaim}
          dir="ltr"
        />
        <Field
          name="labelEn"
          label={t("eid.admin.own.labelEn")}
          defaultValue={value("labelEn", own?.labelEn)}
          error={ownErrors?.labelEn}
          dir="ltr"
        />
        <Field
          name="labelFa"
          label={t("eid.admin.own.labelFa")}
          defaultValue={value("labelFa", own?.labelFa)}
          error={ownErrors?.labelFa}
          dir="rtl"
        />
        <button type="submit">{t("eid.admin.own.save")}</button>
      </PostForm>
      {own ? (
        <PostForm>
          <input type="hidden" name="intent" value="removeProvider" />
          <button type="submit">{t("eid.admin.own.remove")}</button>
        </PostForm>
      ) : null}
    </>
  );
}
