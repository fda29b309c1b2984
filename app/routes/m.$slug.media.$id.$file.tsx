import type { LoaderFunctionArgs } from "@remix-run/node";
import { contentDisposition } from "../domain/media/media";
import { readMediaFile } from "../services/media/media.server";
import { observer, scopeOf, userActor } from "../services/scope";
import { optionalUser, requireMunicipality } from "../web/guards.server";
import { notFound } from "../web/http.server";

/**
 * One stored file of a photo or document (ADR 0034): /m/<slug>/media/<id>/<640.webp | document.pdf>.
 * The URL never changes content, so public files are cached for a year; files of proposals the
 * public does not see are served only to their author and staff, privately. Images are our own
 * re-encoded WebP; documents are always downloads, in a sandbox, never rendered by this origin.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const municipality = await requireMunicipality(context, params.slug);
  const name = params.file ?? "";
  const id = params.id ?? "";
  if (!/^(\d{1,5}\.webp|document\.pdf)$/.test(name) || !/^[0-9a-f-]{36}$/.test(id)) throw notFound("media");
  const current = await optionalUser(request, context);
  const scope = scopeOf(municipality, current ? userActor(current.user) : observer);
  const file = await readMediaFile(context.db, scope, { mediaId: id, name });
  if (!file) throw notFound("media");
  const headers = new Headers({
    "Content-Type": file.contentType,
    "Content-Length": String(file.bytes.byteLength),
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": file.public ? "public, max-age=31536000, immutable" : "private, max-age=300",
  });
  if (file.kind === "document") headers.set("Content-Disposition", contentDisposition(file.fileName));
  else headers.set("Content-Disposition", "inline");
  return new Response(file.bytes as unknown as BodyInit, { headers });
}
