import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import * as requests from "./m.$slug.open311.v2.requests[.json]";

/** Open311 GET `requests.xml`: the JSON route's loader answers in the format the address ends with. */
export async function loader(args: LoaderFunctionArgs) {
  return requests.loader(args);
}

/** Open311 POST `requests.xml`: the JSON route's action, answering in XML. */
export async function action(args: ActionFunctionArgs) {
  return requests.action(args);
}
