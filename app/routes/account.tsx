import { createHash } from "node:crypto";
import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { PostForm } from "../components/forms";
import { useLocale, useT } from "../components/i18n";
import { formatDateTime, pickText, isolated } from "../domain/i18n";
import { readForm } from "../web/csrf.server";
import { z } from "zod";
import { parseFormOr400 } from "../web/forms.server";
import { requireUser } from "../web/guards.server";
import { membershipsOf } from "../services/tenancy/municipality.server";
import { endAllSessions, listSessions } from "../web/session.server";
import { pageTitle } from "../components/page-title";
import { userActor } from "../services/scope";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("account.title"));

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const [sessions, roles] = await Promise.all([
    listSessions(context.db, user.id),
    membershipsOf(context.db, { actor: userActor(user) }),
  ]);
  return json({
    pageStrings: await pageStringsFor(context, request, [
      "following.link",
      "myballot.participation",
      "notifications.link",
      "phone.link",
      "security.link",
    ]),
    user: { displayName: user.displayName, email: user.email },
    // Session ids are bearer secrets: the page shows only a short fingerprint of each.
    sessions: sessions.map((s) => ({
      fingerprint: createHash("sha256").update(s.id).digest("hex").slice(0, 8),
      expiresAt: s.expiresAt.toISOString(),
    })),
    roles,
  });
}

/** The page's one button: log out on every device. */
const accountForm = z.object({
  intent: z.literal("logout-everywhere", { errorMap: () => ({ message: "must be logout-everywhere" }) }),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const form = await readForm(request);
  parseFormOr400(accountForm, form);
  const cookie = await endAllSessions(context.db, request, user.id);
  return redirect("/login", { headers: { "Set-Cookie": cookie } });
}

export default function Account() {
  const t = useT();
  const locale = useLocale();
  const { user, sessions, roles } = useLoaderData<typeof loader>();
  // Sessions belong to no municipality: shown in the zone of the person's first council, else UTC.
  const sessionZone = roles[0]?.timeZone ?? "UTC";
  return (
    <>
      <h1>{t("account.title")}</h1>
      <p>{t("account.signedInAs", { name: isolated(user.displayName) })}</p>
      <p>
        <Link to="/account/participation">{t("myballot.participation.link")}</Link>
      </p>
      <p dir="ltr">{user.email}</p>
      <p>
        <Link to="/account/notifications">{t("notifications.link")}</Link>
      </p>
      <p>
        <Link to="/account/phone">{t("phone.link")}</Link>
      </p>
      <p>
        <Link to="/account/following">{t("following.link")}</Link>
      </p>
      <h2>{t("account.memberships")}</h2>
      {roles.length === 0 ? (
        <p>{t("account.noMemberships")}</p>
      ) : (
        <ul>
          {roles.map((r) => (
            <li key={r.slug}>
              <Link to={`/m/${r.slug}/admin`}>{pickText(r.name, locale)}</Link> — {t(`role.${r.role}`)}
            </li>
          ))}
        </ul>
      )}
      <p>
        <Link to="/account/security">{t("security.link")}</Link> ·{" "}
        <Link to="/account/privacy">{t("privacy.link")}</Link>
      </p>
      <h2>{t("account.sessions")}</h2>
      <ul>
        {sessions.map((s) => (
          <li key={s.fingerprint}>
            <code>{s.fingerprint}</code> —{" "}
            {t("account.sessionExpires", { date: formatDateTime(locale, new Date(s.expiresAt), sessionZone) })}
          </li>
        ))}
      </ul>
      <PostForm>
        <input type="hidden" name="intent" value="logout-everywhere" />
        <p className="hint">{t("auth.logoutEverywhere.help")}</p>
        <button type="submit" className="secondary">
          {t("auth.logoutEverywhere.submit")}
        </button>
      </PostForm>
    </>
  );
}
