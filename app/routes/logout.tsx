import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { eidLogoutUrl } from "../services/eid/eid-login.server";
import { observer } from "../services/scope";
import { readForm } from "../web/csrf.server";
import { notFound } from "../web/http.server";
import { SESSION_COOKIE, endSession, readCookie } from "../web/session.server";

/** GET never changes state: logging out is a POST with the CSRF token. */
export async function loader() {
  throw notFound();
}

/** Ends Shora's session; a session begun at an identity provider that offers logout ends there too (ADR 0038). */
export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request);
  const atProvider = await eidLogoutUrl(
    context.db,
    { actor: observer },
    { sessionId: readCookie(request, SESSION_COOKIE) },
  );
  const cookie = await endSession(context.db, request);
  return redirect(atProvider ?? "/", { headers: { "Set-Cookie": cookie } });
}
