/**
 * The sign-in's second step (ADR 0026): after the password, an enrolled account gets a pending
 * sign-in (a short-lived cookie) and a code form; staff without an authenticator are signed in and
 * sent to enrolment, which every staff page requires anyway (`requireStaff`).
 */
import { type AppLoadContext, json, redirect } from "@remix-run/node";
import { z } from "zod";
import type { Translator } from "../domain/i18n";
import {
  beginPendingSignIn,
  checkSecondFactor,
  endPendingSignIn,
  isEnrolled,
  pendingSignInUser,
  secondFactorRequired,
} from "../services/accounts/two-factor.server";
import { userActor } from "../services/scope";
import { type FormFailure, echoValues } from "./forms.server";
import { refusalResponseFrom } from "./refusals.server";
import { twoFactorMessages } from "./refusal-messages/two-factor";
import { readCookie, serializeCookie, startSession } from "./session.server";

export const PENDING_COOKIE = "shora_pending";
const PENDING_SECONDS = 600;

/** After a correct password: the session, or the code step, or the session and then enrolment. */
export async function afterPassword(
  context: AppLoadContext,
  request: Request,
  input: { userId: string; next: string },
): Promise<Response> {
  const { db } = context;
  if (await isEnrolled(db, { userId: input.userId })) {
    const token = await beginPendingSignIn(db, { userId: input.userId });
    const cookie = serializeCookie(request, PENDING_COOKIE, token, { maxAge: PENDING_SECONDS });
    return redirect(`/login?step=code&next=${encodeURIComponent(input.next)}`, { headers: { "Set-Cookie": cookie } });
  }
  const cookie = await startSession(db, request, input.userId);
  const target = (await secondFactorRequired(db, { userId: input.userId }))
    ? `/account/security?next=${encodeURIComponent(input.next)}`
    : input.next;
  return redirect(target, { headers: { "Set-Cookie": cookie } });
}

/** Whether this browser is between its password and its code (the login page shows the code form). */
export async function hasPendingSignIn(context: AppLoadContext, request: Request): Promise<boolean> {
  const token = readCookie(request, PENDING_COOKIE);
  return Boolean(token && (await pendingSignInUser(context.db, { token })));
}

const codeForm = z.object({ code: z.string().trim().min(1).max(64) });

/** The code step's POST: a code of the authenticator or a recovery code finishes the sign-in. */
export async function finishSignIn(
  context: AppLoadContext,
  request: Request,
  input: { form: FormData; next: string; t: Translator },
): Promise<Response> {
  const { db } = context;
  const { form, t } = input;
  const values = { ...echoValues(form), code: "" };
  const token = readCookie(request, PENDING_COOKIE);
  const userId = token ? await pendingSignInUser(db, { token }) : null;
  if (!token || !userId)
    return json<FormFailure>({ errors: { form: t("security.error.expired") }, values: {} }, { status: 400 });
  const parsed = codeForm.safeParse({ code: form.get("code") ?? "" });
  if (!parsed.success)
    return json<FormFailure>({ errors: { code: t("security.error.bad_code") }, values }, { status: 400 });
  try {
    await checkSecondFactor(db, { actor: userActor({ id: userId }) }, { code: parsed.data.code });
  } catch (error) {
    return refusalResponseFrom(error, t, values, twoFactorMessages);
  }
  await endPendingSignIn(db, { token });
  const headers = new Headers();
  headers.append("Set-Cookie", await startSession(db, request, userId, { secondFactor: true }));
  headers.append("Set-Cookie", serializeCookie(request, PENDING_COOKIE, "", { maxAge: 0 }));
  return redirect(input.next, { headers });
}
