/**
 * Serves the built client assets (build/client/assets) from memory in the compressed form the
 * build wrote beside them — Brotli at its highest quality, else gzip level 9 — instead of
 * compressing each response on the fly: smaller downloads for residents on slow phone connections
 * and no compression work per request for the server. Browsers that accept neither get the plain
 * file from `express.static` further down.
 */
import fs from "node:fs";
import path from "node:path";
import type { RequestHandler } from "express";
import { preferredEncoding } from "./http-bodies.ts";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
};

interface Variant {
  body: Buffer;
  etag: string;
}

export interface PrecompressedAsset {
  type: string;
  br?: Variant;
  gzip?: Variant;
}

/** The assets under `dir` that have a `.br` or `.gz` twin, by URL path under `prefix`. */
export function loadPrecompressed(dir: string, prefix: string): Map<string, PrecompressedAsset> {
  const assets = new Map<string, PrecompressedAsset>();
  if (!fs.existsSync(dir)) return assets;
  for (const name of fs.readdirSync(dir)) {
    const type = TYPES[path.extname(name)];
    if (!type) continue;
    const full = path.join(dir, name);
    const stat = fs.statSync(full);
    const tag = `${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}`;
    const asset: PrecompressedAsset = { type };
    for (const [encoding, suffix] of [
      ["br", ".br"],
      ["gzip", ".gz"],
    ] as const) {
      if (fs.existsSync(full + suffix))
        asset[encoding] = { body: fs.readFileSync(full + suffix), etag: `W/"${tag}-${encoding}"` };
    }
    if (asset.br || asset.gzip) assets.set(`${prefix}/${name}`, asset);
  }
  return assets;
}

export function precompressedAssets(assets: Map<string, PrecompressedAsset>): RequestHandler {
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const asset = assets.get(req.path);
    if (!asset) return next();
    const encoding = preferredEncoding(req.headers["accept-encoding"], { br: !!asset.br, gzip: !!asset.gzip });
    const variant = encoding ? asset[encoding] : undefined;
    res.vary("Accept-Encoding");
    if (!encoding || !variant) return next();
    res.setHeader("Cache-Control", "public, max-age=31536000, immutable");
    res.setHeader("ETag", variant.etag);
    if (req.headers["if-none-match"] === variant.etag) {
      res.status(304).end();
      return;
    }
    res.setHeader("Content-Type", asset.type);
    res.setHeader("Content-Encoding", encoding);
    res.setHeader("Content-Length", variant.body.length);
    if (req.method === "HEAD") res.end();
    else res.end(variant.body);
  };
}
