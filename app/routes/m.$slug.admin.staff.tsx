import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ErrorSummary, Field, Notice, PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { SelectField } from "../components/rounds";
import { formatDateTime, pickText, translator, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { requireMunicipalityAdmin } from "../web/guards.server";
import { requestLocale } from "../web/locale.server";
import { addMember, changeMemberRole, membersOf, removeMember } from "../services/accounts/memberships.server";
import { scopeOf, userActor } from "../services/scope";
import { membershipMessages } from "../web/refusal-messages/accounts";
import { refusalResponseFrom } from "../web/refusals.server";
import { pageTitle } from "../components/page-title";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("members.title"));

/** Administrators only (ADR 0019): the council members of this municipality and their roles. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { municipality, user } = await requireMunicipalityAdmin(request, context, params.slug);
  const members = await membersOf(context.db, scopeOf(municipality, userActor(user)));
  return json({
    slug: municipality.slug,
    name: municipality.name,
    timeZone: municipality.timeZone,
    me: user.id,
    members: members.map((m) => ({ ...m, since: m.since.toISOString() })),
  });
}

type Outcome = {
  errors: Record<string, string> | null;
  values: Record<string, string>;
  notice?: string;
  changed?: boolean;
};

/** Text cut to `max` characters (the service checks the content and names the field). */
const cut = (max = 200) =>
  z
    .string()
    .catch("")
    .default("")
    .transform((value) => value.slice(0, max));

/** Any intent but `remove` and `role` adds a member (the add form is the page's first). */
const staffSchema = z.object({ intent: cut(), email: cut(320), role: cut(), userId: cut() });

export async function action({ request, params, context }: ActionFunctionArgs) {
  const access = await requireMunicipalityAdmin(request, context, params.slug);
  const scope = scopeOf(access.municipality, userActor(access.user));
  const form = await readForm(request);
  const t = translator(requestLocale(request));
  const values = staffSchema.parse(Object.fromEntries(form));
  const nameOf = async (userId: string) =>
    (await membersOf(context.db, scope)).find((m) => m.userId === userId)?.displayName ?? "";
  try {
    if (values.intent === "remove") {
      const name = await nameOf(values.userId);
      await removeMember(context.db, scope, { userId: values.userId });
      return json<Outcome>({ errors: null, values: {}, notice: t("members.removed", { name: isolated(name) }) });
    }
    if (values.intent === "role") {
      const changed = await changeMemberRole(context.db, scope, { userId: values.userId, role: values.role });
      const name = await nameOf(values.userId);
      return json<Outcome>({
        errors: null,
        values: {},
        notice: t(changed ? "members.changed" : "members.unchanged", { name }),
        changed,
      });
    }
    const { userId } = await addMember(context.db, scope, { email: values.email, role: values.role });
    return json<Outcome>({
      errors: null,
      values: {},
      notice: t("members.added", { name: isolated(await nameOf(userId)) }),
    });
  } catch (error) {
    return refusalResponseFrom(error, t, values, membershipMessages);
  }
}

export default function StaffMembers() {
  const t = useT();
  const locale = useLocale();
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as Outcome | undefined;
  const adding = !result?.values?.intent || result.values.intent === "add";
  return (
    <>
      <p>
        <Link to={`/m/${data.slug}/admin`}>{t("nav.admin")}</Link>
      </p>
      <h1>{t("members.title")}</h1>
      <p>{t("members.intro", { municipality: isolated(pickText(data.name, locale)) })}</p>
      <Notice text={result?.notice} />
      {adding ? null : <ErrorSummary errors={result?.errors} />}
      <table>
        <thead>
          <tr>
            <th scope="col">{t("members.name")}</th>
            <th scope="col">{t("members.email")}</th>
            <th scope="col">{t("members.role")}</th>
            <th scope="col">{t("members.since")}</th>
            <th scope="col">{t("members.manage")}</th>
          </tr>
        </thead>
        <tbody>
          {data.members.map((m) => (
            <tr key={m.userId}>
              <td>
                <span dir="auto">{m.displayName}</span> {m.userId === data.me ? t("members.you") : null}
              </td>
              <td dir="ltr">{m.email}</td>
              <td>{t(`role.${m.role}`)}</td>
              <td>{formatDateTime(locale, new Date(m.since), data.timeZone)}</td>
              <td>
                {m.userId === data.me ? null : (
                  <>
                    <PostForm className="inline-form">
                      <input type="hidden" name="intent" value="role" />
                      <input type="hidden" name="userId" value={m.userId} />
                      <input type="hidden" name="role" value={m.role === "admin" ? "staff" : "admin"} />
                      <button type="submit" className="link-button">
                        {t(m.role === "admin" ? "members.makeStaff" : "members.makeAdmin", {
                          name: isolated(m.displayName),
                        })}
                      </button>
                    </PostForm>{" "}
                    <PostForm className="inline-form">
                      <input type="hidden" name="intent" value="remove" />
                      <input type="hidden" name="userId" value={m.userId} />
                      <button type="submit" className="link-button">
                        {t("members.remove", { name: isolated(m.displayName) })}
                      </button>
                    </PostForm>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>

      <h2 id="add">{t("members.add.title")}</h2>
      <p>{t("members.add.help")}</p>
      {adding ? <ErrorSummary errors={result?.errors} /> : null}
      <PostForm noValidate aria-labelledby="add">
        <input type="hidden" name="intent" value="add" />
        <Field
          name="email"
          type="email"
          label={t("members.email")}
          autoComplete="off"
          dir="ltr"
          required
          defaultValue={adding ? result?.values?.email : undefined}
          error={adding ? result?.errors?.email : undefined}
        />
        <SelectField
          name="role"
          label={t("members.role")}
          defaultValue={(adding ? result?.values?.role : undefined) || "staff"}
          error={adding ? result?.errors?.role : undefined}
          options={(["staff", "admin"] as const).map((r) => ({ value: r, label: t(`role.${r}`) }))}
        />
        <button type="submit">{t("members.add.submit")}</button>
      </PostForm>
    </>
  );
}
