import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "./components/nonce";
import { SECURITY_HEADERS, pagePolicy } from "./server/security-policy.server";
import { eidFormTargets } from "./services/eid/municipality-provider.server";
import { tileImageSourceOf } from "./services/geo/maps.server";

const ABORT_DELAY = 5_000;

/** Security headers on every page, with a policy allowing scripts from this site or with this response's nonce. */
function secure(headers: Headers, nonce: string, formTargets: readonly string[], imageSources: readonly string[]) {
  for (const [name, value] of SECURITY_HEADERS) headers.set(name, value);
  headers.set("Content-Security-Policy", pagePolicy(nonce, formTargets, imageSources));
}

/** The municipality a page belongs to, by its address (/m/<slug>/…), or null. */
function municipalitySlug(url: string): string | null {
  const match = /^\/m\/([^/]+)(\/|$)/.exec(new URL(url).pathname);
  return match ? decodeURIComponent(match[1]) : null;
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const formTargets = await eidFormTargets(loadContext.db);
  // Its street map's tiles: only on that municipality's pages (ADR 0035).
  const tileSource = await tileImageSourceOf(loadContext.db, municipalitySlug(request.url));
  const imageSources = tileSource ? [tileSource] : [];
  const waitForAll = isbot(request.headers.get("user-agent") || "");
  const nonce = randomBytes(16).toString("base64");
  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} />
      </NonceContext.Provider>,
      {
        nonce,
        [waitForAll ? "onAllReady" : "onShellReady"]() {
          shellRendered = true;
          const body = new PassThrough();
          const stream = createReadableStreamFromReadable(body);
          responseHeaders.set("Content-Type", "text/html; charset=utf-8");
          secure(responseHeaders, nonce, formTargets, imageSources);
          resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
          pipe(body);
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
    setTimeout(abort, ABORT_DELAY);
  });
}

export function handleError(error: unknown, { request }: { request: Request }) {
  if (!request.signal.aborted) console.error(error);
}
