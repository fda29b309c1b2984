/**
 * HTML pages are compressed whole (Brotli or gzip, as the browser accepts), with their length;
 * pages written in many chunks (as Remix streams them) come out the same; tiny pages, other types
 * and clients that accept no compression get the bytes as written.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import zlib from "node:zlib";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import compression from "compression";
import { compressPages } from "../../app/server/compress-pages";

const page = `<!DOCTYPE html><html><body>${"<p>شورا — participatory budgeting</p>".repeat(200)}</body></html>`;
let server: http.Server;
let dataServer: http.Server;
let port = 0;

beforeAll(async () => {
  const app = express();
  app.use(compressPages());
  app.get("/page", (_req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(page);
  });
  app.get("/chunks", (_req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    const bytes = Buffer.from(page);
    for (let at = 0; at < bytes.length; at += 700) res.write(bytes.subarray(at, at + 700));
    res.end();
  });
  app.get("/tiny", (_req, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end("<p>hi</p>");
  });
  app.get("/json", (_req, res) => {
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ page }));
  });
  server = app.listen(0);
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
  // The server's order: the compression middleware outside, whole-page compression inside.
  const withMiddleware = express();
  withMiddleware.use(compression());
  withMiddleware.use(compressPages());
  // Remix's data answers: JSON written as a stream, without a length.
  withMiddleware.post("/vote", (req, res) => {
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    const body = req.query.big
      ? JSON.stringify({ page })
      : JSON.stringify({ receipt: { ballotId: "b1", leafIndex: 7 } });
    res.write(body.slice(0, 10));
    res.end(body.slice(10));
  });
  dataServer = withMiddleware.listen(0);
  await new Promise((resolve) => dataServer.once("listening", resolve));
});

afterAll(() => {
  server.close();
  dataServer.close();
});

function get(path: string, acceptEncoding?: string, method = "GET", to = port) {
  return new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(
      { port: to, path, method, headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

const dataPort = () => (dataServer.address() as AddressInfo).port;

describe("whole-page compression", () => {
  it("sends a page as one Brotli body with its length, or gzip when only gzip is accepted", async () => {
    const br = await get("/page", "gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(Number(br.headers["content-length"])).toBe(br.body.length);
    expect(br.body.length).toBeLessThan(Buffer.byteLength(page) / 10);
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(page);
    expect(br.headers.vary).toBe("Accept-Encoding");
    const gzip = await get("/page", "gzip");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gzip.body).toString()).toBe(page);
  });

  it("gathers a page written in chunks into the same body", async () => {
    const chunks = await get("/chunks", "br");
    expect(chunks.headers["content-encoding"]).toBe("br");
    expect(zlib.brotliDecompressSync(chunks.body).toString()).toBe(page);
  });

  it("leaves tiny pages, other types and clients without compression alone", async () => {
    const tiny = await get("/tiny", "br");
    expect([tiny.headers["content-encoding"], tiny.body.toString()]).toEqual([undefined, "<p>hi</p>"]);
    const json = await get("/json", "br");
    expect(json.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(json.body.toString()).page).toBe(page);
    const plain = await get("/page");
    expect([plain.headers["content-encoding"], plain.body.toString()]).toEqual([undefined, page]);
  });

  it("sends a small Remix data answer plain with its length, and a large one whole", async () => {
    const small = await get("/vote?_data=routes%2Fvote", "gzip, deflate, br", "POST", dataPort());
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(Number(small.headers["content-length"])).toBe(small.body.length);
    expect(JSON.parse(small.body.toString()).receipt.leafIndex).toBe(7);
    const big = await get("/vote?_data=routes%2Fvote&big=1", "br", "POST", dataPort());
    expect(big.headers["content-encoding"]).toBe("br");
    expect(Number(big.headers["content-length"])).toBe(big.body.length);
    expect(JSON.parse(zlib.brotliDecompressSync(big.body).toString()).page).toBe(page);
  });
});
