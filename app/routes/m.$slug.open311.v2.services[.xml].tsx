import type { LoaderFunctionArgs } from "@remix-run/node";
import * as services from "./m.$slug.open311.v2.services[.json]";

/** Open311 GET `services.xml`: the JSON route's loader answers in the format the address ends with. */
export async function loader(args: LoaderFunctionArgs) {
  return services.loader(args);
}
