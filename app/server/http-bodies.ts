/** Small pieces the server's own middlewares share: content negotiation and collecting a body. */

/** Accept-Encoding as coding → quality (`*` gives its quality to codings not named). */
export function acceptedEncodings(header: string | undefined): Map<string, number> {
  const named = new Map<string, number>();
  let star: number | undefined;
  for (const part of (header ?? "").split(",")) {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (!coding) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find(Boolean);
    const quality = q ? Math.min(1, Number(q[1]) || 0) : 1;
    if (coding === "*") star = quality;
    else named.set(coding, quality);
  }
  if (star !== undefined) for (const coding of ["br", "gzip"]) if (!named.has(coding)) named.set(coding, star);
  return named;
}

/**
 * The encoding to send among those on offer: Brotli (smaller) whenever the browser takes it at
 * least as willingly as gzip, else gzip, else none.
 */
export function preferredEncoding(header: string | undefined, offered: { br: boolean; gzip: boolean }) {
  const accepted = acceptedEncodings(header);
  const br = offered.br ? (accepted.get("br") ?? 0) : 0;
  const gzip = offered.gzip ? (accepted.get("gzip") ?? 0) : 0;
  return br > 0 && br >= gzip ? ("br" as const) : gzip > 0 ? ("gzip" as const) : null;
}

/** One chunk given to `res.write`/`res.end`, as bytes (nothing for a missing chunk or a callback). */
export function chunkBytes(chunk: unknown, encoding?: unknown): Buffer | null {
  if (chunk === undefined || chunk === null || typeof chunk === "function") return null;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8");
}
