import type { LoaderFunctionArgs } from "@remix-run/node";
import { openApiDocument } from "../domain/api/openapi";
import { config } from "../config.server";

/** Public: the API document (OpenAPI 3.1, ADR 0040) at a stable address, /api/openapi.json. */
export async function loader(_args: LoaderFunctionArgs) {
  return new Response(JSON.stringify(openApiDocument(config().publicUrl), null, 2), {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "public, max-age=300",
      "Access-Control-Allow-Origin": "*",
    },
  });
}
