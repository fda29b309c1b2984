import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { readForm } from "../web/csrf.server";
import { notFound } from "../web/http.server";
import { endSession } from "../web/session.server";

/** GET never changes state: logging out is a POST with the CSRF token. */
export async function loader() {
  throw notFound();
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request);
  const cookie = await endSession(context.db, request);
  return redirect("/", { headers: { "Set-Cookie": cookie } });
}
