/**
 * Web glue of sign-in with the e-ID (ADR 0038): the browser's cookie for a sign-in in progress, the
 * session begun from the provider's answer (through the same second-factor step as a password), and
 * verification in the municipality the sign-in was started from.
 */
import { type AppLoadContext, redirect } from "@remix-run/node";
import { type Locale, type TextKey, translator } from "../domain/i18n";
import { RefusedError } from "../services/errors.server";
import { rememberEidSession } from "../services/eid/eid-login.server";
import type { ProviderClaims } from "../services/eid/provider.server";
import { eidMunicipality, eidTrusted, verifyByEid } from "../services/eid/eid-verification.server";
import { isEnrolled } from "../services/accounts/two-factor.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { eidLoginMessages, eidVerificationMessages } from "./refusal-messages/eid";
import { afterPassword } from "./second-factor.server";
import { SESSION_COOKIE, cookieIn, readCookie, serializeCookie } from "./session.server";

export const EID_COOKIE = "shora_eid";
export const EID_COOKIE_SECONDS = 15 * 60;

export const eidBrowserToken = (request: Request) => readCookie(request, EID_COOKIE);
export const clearEidCookie = (request: Request) => serializeCookie(request, EID_COOKIE, "", { maxAge: 0 });

/** The message of a refused e-ID sign-in or verification, in the visitor's language; other errors re-thrown. */
export function eidRefusalMessage(error: unknown, locale: Locale): { status: number; message: string } {
  if (!(error instanceof RefusedError)) throw error;
  const t = translator(locale);
  const key: TextKey | undefined = Object.hasOwn(eidLoginMessages, error.code)
    ? eidLoginMessages[error.code as keyof typeof eidLoginMessages]
    : Object.hasOwn(eidVerificationMessages, error.code)
      ? eidVerificationMessages[error.code as keyof typeof eidVerificationMessages]
      : undefined;
  if (!key) throw error;
  return { status: error.status, message: t(key, error.params) };
}

/** Codes of a verification outcome the verify page may be sent (`?eid=`), nothing else is shown. */
export const EID_OUTCOMES = new Set(["done", ...Object.keys(eidVerificationMessages)]);

/**
 * After the provider's answer passed every check: the session (or the code step for an enrolled
 * account), then verification where the sign-in began on a municipality's verify page.
 */
export async function signInFromEid(
  context: AppLoadContext,
  request: Request,
  input: {
    userId: string;
    next: string;
    municipalityId: string | null;
    claims: ProviderClaims | null;
    idToken: string;
    issuer: string;
  },
): Promise<Response> {
  const { db } = context;
  let next = input.next;
  if (input.municipalityId && input.claims) {
    const municipality = await eidMunicipality(db, { actor: observer }, { municipalityId: input.municipalityId });
    const scope = municipality ? scopeOf(municipality, userActor({ id: input.userId })) : null;
    // Only where the municipality trusts the e-ID; a resident verified already just goes on.
    if (municipality && scope && (await eidTrusted(db, scope))) {
      let outcome = "done";
      try {
        await verifyByEid(db, scope, { nationalId: input.claims.nationalId, birthDate: input.claims.birthDate });
      } catch (error) {
        if (!(error instanceof RefusedError) || !EID_OUTCOMES.has(error.code)) throw error;
        outcome = error.code;
      }
      if (outcome !== "already_verified") next = `/m/${municipality.slug}/verify?eid=${outcome}`;
    }
  }
  const enrolled = await isEnrolled(db, { userId: input.userId });
  const response = await afterPassword(context, request, { userId: input.userId, next });
  const headers = new Headers(response.headers);
  headers.append("Set-Cookie", clearEidCookie(request));
  if (!enrolled) {
    const sessionCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    const sessionId = sessionCookie ? cookieIn(sessionCookie.split(";")[0], SESSION_COOKIE) : null;
    if (sessionId)
      await rememberEidSession(db, { actor: observer }, { sessionId, issuer: input.issuer, idToken: input.idToken });
  }
  return redirect(response.headers.get("Location") ?? "/", { headers });
}

/** The verify page's line about a sign-in that verified (or could not verify) the resident. */
export function eidOutcomeMessage(code: string, locale: Locale): { ok: boolean; text: string } {
  const t = translator(locale);
  if (code === "done") return { ok: true, text: t("eid.verify.done") };
  const key = eidVerificationMessages[code as keyof typeof eidVerificationMessages];
  return { ok: false, text: key ? t(key) : "" };
}
