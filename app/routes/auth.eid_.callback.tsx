/**
 * Where the identity provider sends the browser back (ADR 0038): the code is exchanged and every check
 * made (state, PKCE, nonce, the ID token's signature, issuer, audience, expiry); then the session, a
 * link to an existing account, or a page that says plainly what went wrong (a cancelled sign-in too).
 */
import { type LoaderFunctionArgs, type MetaFunction, json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useT } from "../components/i18n";
import { pageTitle } from "../components/page-title";
import { completeEidLogin } from "../services/eid/eid-login.server";
import { observer } from "../services/scope";
import { clearEidCookie, eidBrowserToken, eidRefusalMessage, signInFromEid } from "../web/eid.server";
import { requestLocale } from "../web/locale.server";
import { EidRefused } from "../services/eid/eid-login.server";
import { pageStringsFor } from "../web/page-strings.server";

export const meta: MetaFunction = ({ matches }) => pageTitle(matches, (t) => t("eid.error.title"));

/** Failures of the start (before the provider was reached) shown by this page. */
const START_FAILURES = new Set(["not_configured", "unavailable"]);

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  const locale = requestLocale(request);
  const startFailure = url.searchParams.get("shora_error");
  if (startFailure !== null) {
    const code = START_FAILURES.has(startFailure) ? startFailure : "no_login";
    // Shown after the redirect from the start: the page itself is a plain refusal (400).
    const refused = eidRefusalMessage(new EidRefused(code as "unavailable"), locale);
    return json(
      { pageStrings: await pageStringsFor(context, request, ["eid.error"]), message: refused.message },
      { status: refused.status },
    );
  }
  try {
    const outcome = await completeEidLogin(
      context.db,
      { actor: observer },
      { browserToken: eidBrowserToken(request), query: url.search },
    );
    if (outcome.kind === "link") return redirect("/auth/eid/link");
    return signInFromEid(context, request, {
      userId: outcome.userId,
      next: outcome.next,
      municipalityId: outcome.municipalityId,
      claims: outcome.claims,
      idToken: outcome.claims.idToken,
      issuer: outcome.claims.issuer,
    });
  } catch (error) {
    const refused = eidRefusalMessage(error, locale);
    return json(
      { pageStrings: await pageStringsFor(context, request, ["eid.error"]), message: refused.message },
      { status: refused.status, headers: { "Set-Cookie": clearEidCookie(request) } },
    );
  }
}

export default function EidFailure() {
  const t = useT();
  const { message } = useLoaderData<typeof loader>();
  return (
    <section className="auth-page">
      <h1>{t("eid.error.title")}</h1>
      <p role="alert" className="eid-message">
        {message}
      </p>
      <p>
        <Link to="/login">{t("eid.error.back")}</Link>
      </p>
    </section>
  );
}
