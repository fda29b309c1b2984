/**
 * Compresses HTML pages whole, in one call on libuv's thread pool, instead of as a stream: a page is
 * rendered at once and is tens of kilobytes, and a zlib stream per response — flushed after every
 * chunk Remix writes — cost the server about three times the compression itself under the load
 * bench, and compressed worse (6.8 KB instead of 5.7 KB for a round page). Whole, the page also
 * affords Brotli quality 5 instead of the middleware's 4.
 * Remix's data responses (`?_data=`: an action's answer, a loader's JSON) are small and written as a
 * stream without a length, which the `compression` middleware would compress whatever their size (its
 * threshold needs a length): a zlib stream set up for 200 bytes cost a cast more CPU than its JSON. They
 * are gathered here too, so a small one goes out plain with its length and a large one whole.
 * Other responses (exports, large files) are left to the `compression` middleware.
 */
import { brotliCompress, constants, gzip } from "node:zlib";
import type { RequestHandler } from "express";
import { chunkBytes, preferredEncoding } from "./http-bodies.ts";

/** Pages smaller than this go out as they are (compression would not pay for its headers). */
const MIN_BYTES = 1024;

export function compressPages(): RequestHandler {
  return (req, res, next) => {
    if (req.method === "HEAD") return next();
    const encoding = preferredEncoding(req.headers["accept-encoding"], { br: true, gzip: true });
    if (!encoding) return next();
    const remixData = /[?&]_data=/.test(req.url);
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => typeof res;
    let decided: boolean | null = null;
    const chunks: Buffer[] = [];
    /** Whole-page compression applies: an HTML body (or Remix data) not encoded yet. */
    const applies = () => {
      if (decided === null) {
        const type = String(res.getHeader("Content-Type") ?? "");
        decided =
          (type.startsWith("text/html") || (remixData && type.startsWith("application/json"))) &&
          !res.hasHeader("Content-Encoding") &&
          res.statusCode !== 204 &&
          res.statusCode !== 304 &&
          !res.headersSent;
      }
      return decided;
    };
    const keep = (chunk: unknown, encodingArg?: unknown) => {
      const bytes = chunkBytes(chunk, encodingArg);
      if (bytes) chunks.push(bytes);
    };
    res.write = ((chunk: unknown, encodingArg?: unknown, callback?: unknown) => {
      if (!applies()) return write(chunk, encodingArg, callback);
      keep(chunk, encodingArg);
      const done = typeof encodingArg === "function" ? encodingArg : callback;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown, encodingArg?: unknown, callback?: unknown) => {
      if (typeof chunk === "function") return end(chunk);
      if (!applies()) return end(chunk, encodingArg, callback);
      keep(chunk, encodingArg);
      const body = Buffer.concat(chunks);
      const done = typeof encodingArg === "function" ? encodingArg : callback;
      res.vary("Accept-Encoding");
      if (body.length < MIN_BYTES) {
        res.setHeader("Content-Length", body.length);
        return end(body, done);
      }
      const sent = (error: Error | null, packed: Buffer) => {
        if (error) {
          res.setHeader("Content-Length", body.length);
          end(body, done);
          return;
        }
        res.setHeader("Content-Encoding", encoding);
        res.setHeader("Content-Length", packed.length);
        end(packed, done);
      };
      if (encoding === "br")
        brotliCompress(
          body,
          {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 5,
              [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
              [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
            },
          },
          sent,
        );
      else gzip(body, { level: 6 }, sent);
      return res;
    }) as typeof res.end;
    next();
  };
}
