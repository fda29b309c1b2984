import { redirect } from "@remix-run/node";

/** The usual address of a FAQ: the help centre's page of questions (ADR 0037). */
export async function loader() {
  return redirect("/help/faq", 301);
}
