/**
 * Starts a sign-in with the installation's identity provider (ADR 0038): a POST with the CSRF token
 * (from the sign-in page, or a municipality's verify page to be verified on the way back).
 */
import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { z } from "zod";
import { beginEidLogin } from "../services/eid/eid-login.server";
import { observer } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { EID_COOKIE, EID_COOKIE_SECONDS, eidRefusalMessage } from "../web/eid.server";
import { parseFormOr400 } from "../web/forms.server";
import { notFound } from "../web/http.server";
import { optionalUser } from "../web/guards.server";
import { findMunicipality } from "../services/tenancy/municipality.server";
import { requestLocale } from "../web/locale.server";
import { safeRedirect } from "../web/redirects.server";
import { serializeCookie } from "../web/session.server";

/** GET never starts a sign-in: it changes state (a pending row and a cookie). */
export async function loader() {
  throw notFound();
}

const startForm = z.object({
  next: z.string().max(2000).optional(),
  municipality: z.string().max(100).optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await readForm(request);
  const input = parseFormOr400(startForm, form);
  const next = safeRedirect(input.next ?? null);
  // The municipality to be verified in on the way back (an unknown one: none).
  const municipality = input.municipality ? await findMunicipality(context.db, input.municipality) : null;
  const locale = requestLocale(request);
  const current = await optionalUser(request, context);
  try {
    const started = await beginEidLogin(
      context.db,
      { actor: observer },
      { next, municipalityId: municipality?.id ?? null, sessionUserId: current?.user.id ?? null, locale },
    );
    return redirect(started.url, {
      headers: {
        "Set-Cookie": serializeCookie(request, EID_COOKIE, started.browserToken, { maxAge: EID_COOKIE_SECONDS }),
      },
    });
  } catch (error) {
    const refused = eidRefusalMessage(error, locale);
    return redirect(`/auth/eid/callback?shora_error=${refused.status === 404 ? "not_configured" : "unavailable"}`);
  }
}
