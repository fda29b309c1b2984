import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { readForm } from "../services/csrf.server";
import { notFound } from "../services/http.server";
import { endSession } from "../services/session.server";

/** GET never changes state: logging out is a POST with the CSRF token. */
export async function loader() {
  throw notFound();
}

export async function action({ request, context }: ActionFunctionArgs) {
  await readForm(request);
  const cookie = await endSession(context.db, request);
  return redirect("/", { headers: { "Set-Cookie": cookie } });
}
