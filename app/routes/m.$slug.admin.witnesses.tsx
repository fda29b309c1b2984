import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { z } from "zod";
import { type MessageKey, translator, isolated } from "../domain/i18n";
import { echoValues, formFailure, validateForm } from "../web/forms.server";
import { readForm } from "../web/csrf.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { type RefusalMessages, refusalResponseFrom } from "../web/refusals.server";
import { scopeOf, userActor } from "../services/scope";
import {
  type WitnessRefusal,
  addWitness,
  removeWitness,
  setWitnessActive,
  setWitnessQuorum,
  witnessesOf,
} from "../services/witnesses/witnesses.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("witnesses.title"));

const refusals: RefusalMessages<WitnessRefusal> = {
  witness_vkey: "witnesses.error.witness_vkey",
  witness_url: "witnesses.error.witness_url",
  witness_duplicate: "witnesses.error.witness_duplicate",
  witness_not_found: "witnesses.error.witness_not_found",
  witness_quorum: "witnesses.error.witness_quorum",
};

/** Administrators only (ADR 0022): the witnesses that cosign this municipality's checkpoints, and the quorum. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const settings = await witnessesOf(context.db, scopeOf(access.municipality, userActor(access.user)));
  return json({ slug: access.municipality.slug, ...settings });
}

const id = z.string().max(64);
/** The page's forms: add a witness (also without an intent), set the quorum, pause, resume or remove one. */
const witnessForm = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add"), vkey: z.string().max(600).default(""), url: z.string().max(600).default("") }),
  z.object({ intent: z.literal("quorum"), quorum: z.string().max(10).default("") }),
  z.object({ intent: z.literal("pause"), id }),
  z.object({ intent: z.literal("resume"), id }),
  z.object({ intent: z.literal("remove"), id }),
]);
const labels = {
  vkey: "witnesses.vkey",
  url: "witnesses.url",
  quorum: "witnesses.quorum",
} as const satisfies Record<string, MessageKey>;

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  notice?: string;
  changed?: boolean;
};

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  if (!form.has("intent")) form.set("intent", "add");
  const parsed = validateForm(witnessForm, form, t, labels);
  if (!parsed.ok) return formFailure(400, parsed.errors, parsed.values);
  const input = parsed.data;
  const intent = input.intent;
  const values = echoValues(form);
  try {
    if (intent === "quorum") {
      const { quorum } = await setWitnessQuorum(context.db, scope, { quorum: input.quorum });
      return json<Outcome>({ errors: null, values: {}, notice: t("witnesses.quorumSaved", { quorum }) });
    }
    if (intent === "pause" || intent === "resume") {
      const { name, changed } = await setWitnessActive(context.db, scope, {
        id: input.id,
        active: intent === "resume",
      });
      return json<Outcome>({
        errors: null,
        values: {},
        notice: t(changed ? "witnesses.changed" : "witnesses.unchanged", { name }),
        changed,
      });
    }
    if (intent === "remove") {
      const { name } = await removeWitness(context.db, scope, { id: input.id });
      return json<Outcome>({ errors: null, values: {}, notice: t("witnesses.removed", { name: isolated(name) }) });
    }
    const { name } = await addWitness(context.db, scope, { vkey: input.vkey, url: input.url });
    return json<Outcome>({ errors: null, values: {}, notice: t("witnesses.added", { name: isolated(name) }) });
  } catch (error) {
    return refusalResponseFrom(error, t, values, refusals);
  }
}

export default function Witnesses() {
  const t = useT();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const intent = result?.values?.intent ?? "";
  const active = data.witnesses.filter((w) => w.active).length;
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
      </p>
      <h1>{t("witnesses.title")}</h1>
      <p>{t("witnesses.intro")}</p>
      <Notice text={result?.notice} />
      {intent === "pause" || intent === "resume" || intent === "remove" ? (
        <ErrorSummary errors={result?.errors} />
      ) : null}
      {data.witnesses.length === 0 ? (
        <p>{t("witnesses.none")}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t("witnesses.name")}</th>
              <th scope="col">{t("witnesses.url")}</th>
              <th scope="col">{t("witnesses.vkey")}</th>
              <th scope="col">{t("witnesses.status")}</th>
              <th scope="col">{t("witnesses.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {data.witnesses.map((w) => (
              <tr key={w.id}>
                <td dir="ltr">{w.name}</td>
                <td dir="ltr">{w.url}</td>
                <td dir="ltr">
                  <code className="break-all">{w.vkey}</code>
                </td>
                <td>{t(w.active ? "witnesses.active" : "witnesses.paused")}</td>
                <td>
                  <PostForm className="inline-form">
                    <input type="hidden" name="intent" value={w.active ? "pause" : "resume"} />
                    <input type="hidden" name="id" value={w.id} />
                    <button type="submit" className="link-button">
                      {t(w.active ? "witnesses.pause" : "witnesses.resume", { name: w.name })}
                    </button>
                  </PostForm>{" "}
                  <PostForm className="inline-form">
                    <input type="hidden" name="intent" value="remove" />
                    <input type="hidden" name="id" value={w.id} />
                    <button type="submit" className="link-button">
                      {t("witnesses.remove", { name: isolated(w.name) })}
                    </button>
                  </PostForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2 id="quorum">{t("witnesses.quorum")}</h2>
      {intent === "quorum" ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm noValidate aria-labelledby="quorum">
        <input type="hidden" name="intent" value="quorum" />
        <Field
          name="quorum"
          inputMode="numeric"
          label={t("witnesses.quorum")}
          hint={t("witnesses.quorum.help", { max: active })}
          dir="ltr"
          required
          defaultValue={intent === "quorum" ? result?.values?.quorum : String(data.quorum)}
          error={intent === "quorum" ? result?.errors?.quorum : undefined}
        />
        <button type="submit">{t("witnesses.quorum.submit")}</button>
      </PostForm>

      <h2 id="add">{t("witnesses.add.title")}</h2>
      <p>{t("witnesses.add.help")}</p>
      {intent === "add" || intent === "" ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm noValidate aria-labelledby="add">
        <input type="hidden" name="intent" value="add" />
        <Field
          name="vkey"
          label={t("witnesses.vkey")}
          autoComplete="off"
          dir="ltr"
          required
          defaultValue={intent === "add" ? result?.values?.vkey : undefined}
          error={intent === "add" ? result?.errors?.vkey : undefined}
        />
        <Field
          name="url"
          type="url"
          label={t("witnesses.url")}
          autoComplete="off"
          dir="ltr"
          required
          defaultValue={intent === "add" ? result?.values?.url : undefined}
          error={intent === "add" ? result?.errors?.url : undefined}
        />
        <button type="submit">{t("witnesses.add.submit")}</button>
      </PostForm>
    </>
  );
}
