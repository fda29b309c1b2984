/**
 * Built assets go out in the compressed form written at build time: Brotli when the browser takes
 * it, else gzip, else the plain file (left to the next handler); 304 for a known ETag.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptedEncodings } from "../../app/server/http-bodies";
import { loadPrecompressed, precompressedAssets } from "../../app/server/precompressed";

let server: http.Server;
let port = 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-assets-"));

beforeAll(async () => {
  fs.writeFileSync(path.join(dir, "app-1.js"), "plain");
  fs.writeFileSync(path.join(dir, "app-1.js.br"), "BROTLI");
  fs.writeFileSync(path.join(dir, "app-1.js.gz"), "GZIP");
  fs.writeFileSync(path.join(dir, "only-gzip.css"), "plain css");
  fs.writeFileSync(path.join(dir, "only-gzip.css.gz"), "GZIP CSS");
  fs.writeFileSync(path.join(dir, "raw.js"), "no twins");
  const app = express();
  app.use(precompressedAssets(loadPrecompressed(dir, "/assets")));
  app.use("/assets", express.static(dir));
  server = app.listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function get(file: string, headers: Record<string, string>, method = "GET") {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request({ port, path: `/assets/${file}`, headers, method }, (res) => {
      let body = "";
      res.on("data", (c) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("precompressed assets", () => {
  it("reads Accept-Encoding with qualities and *", () => {
    expect(Object.fromEntries(acceptedEncodings("gzip, deflate, br, zstd"))).toMatchObject({ gzip: 1, br: 1 });
    expect(Object.fromEntries(acceptedEncodings("gzip;q=1, br;q=0.5"))).toMatchObject({ gzip: 1, br: 0.5 });
    expect(Object.fromEntries(acceptedEncodings("*;q=0.3, gzip;q=0"))).toMatchObject({ gzip: 0, br: 0.3 });
    expect(acceptedEncodings(undefined).size).toBe(0);
  });

  it("sends Brotli when accepted at least as well as gzip, gzip otherwise, and the plain file to others", async () => {
    const br = await get("app-1.js", { "accept-encoding": "gzip, deflate, br" });
    expect([br.status, br.headers["content-encoding"], br.body]).toEqual([200, "br", "BROTLI"]);
    expect(br.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(br.headers.vary).toBe("Accept-Encoding");
    expect(br.headers["cache-control"]).toContain("immutable");
    const gzip = await get("app-1.js", { "accept-encoding": "gzip;q=1, br;q=0.5" });
    expect([gzip.headers["content-encoding"], gzip.body]).toEqual(["gzip", "GZIP"]);
    const cssGzip = await get("only-gzip.css", { "accept-encoding": "br, gzip" });
    expect([cssGzip.headers["content-encoding"], cssGzip.body]).toEqual(["gzip", "GZIP CSS"]);
    const plain = await get("app-1.js", { "accept-encoding": "identity" });
    expect([plain.status, plain.headers["content-encoding"], plain.body]).toEqual([200, undefined, "plain"]);
    const noTwins = await get("raw.js", { "accept-encoding": "br" });
    expect([noTwins.status, noTwins.body]).toEqual([200, "no twins"]);
  });

  it("answers 304 to a known ETag and HEAD without a body", async () => {
    const first = await get("app-1.js", { "accept-encoding": "br" });
    const again = await get("app-1.js", { "accept-encoding": "br", "if-none-match": String(first.headers.etag) });
    expect([again.status, again.body]).toEqual([304, ""]);
    const head = await get("app-1.js", { "accept-encoding": "br" }, "HEAD");
    expect([head.status, head.headers["content-length"], head.body]).toEqual([200, "6", ""]);
  });
});
