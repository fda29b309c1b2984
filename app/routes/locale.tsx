import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { userActor } from "../services/scope";
import { z } from "zod";
import { locales } from "../domain/i18n/locales";
import { parseFormOr400 } from "../web/forms.server";
import { setUserLocale } from "../services/accounts/auth.server";
import { readForm } from "../web/csrf.server";
import { notFound } from "../web/http.server";
import { localeCookie } from "../web/locale.server";
import { safeRedirect } from "../web/redirects.server";
import { getSession } from "../web/session.server";

export async function loader() {
  throw notFound();
}

/** The language switcher: remembered in a cookie, and on the account when logged in. */
/** The language switch: a locale and the page to go back to (checked by safeRedirect). */
const localeForm = z.object({
  locale: z.enum(locales, { errorMap: () => ({ message: `must be one of: ${locales.join(", ")}` }) }),
  redirectTo: z.string().optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const back = safeRedirect(form.get("redirectTo"), "redirectTo");
  const { locale } = parseFormOr400(localeForm, form);
  const current = await getSession(context.db, request);
  if (current) await setUserLocale(context.db, { actor: userActor(current.user) }, { locale });
  return redirect(back, {
    headers: { "Set-Cookie": localeCookie(request, locale) },
  });
}
