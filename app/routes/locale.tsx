import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { userActor } from "../services/scope";
import { isLocale } from "../domain/i18n";
import { setUserLocale } from "../services/accounts/auth.server";
import { readForm } from "../web/csrf.server";
import { deny, notFound } from "../web/http.server";
import { localeCookie } from "../web/locale.server";
import { safeRedirect } from "../web/redirects.server";
import { getSession } from "../web/session.server";

export async function loader() {
  throw notFound();
}

/** The language switcher: remembered in a cookie, and on the account when logged in. */
export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const back = safeRedirect(form.get("redirectTo"), "redirectTo");
  const locale = form.get("locale");
  if (!isLocale(locale)) throw deny(400, "bad_request", "locale must be one of: en, fa.");
  const current = await getSession(context.db, request);
  if (current) await setUserLocale(context.db, { actor: userActor(current.user) }, { locale });
  return redirect(back, {
    headers: { "Set-Cookie": localeCookie(request, locale) },
  });
}
