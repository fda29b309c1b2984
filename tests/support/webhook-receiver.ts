/**
 * A receiving system for webhook tests (ADR 0040): a local HTTP server that checks every delivery's
 * signature with `verifyWebhookSignature` (401 when it fails) and then answers each path with the
 * statuses queued for it (200 when none is).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "../../app/domain/webhooks/signature";

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
  check: ReturnType<typeof verifyWebhookSignature>;
}

export interface WebhookReceiver {
  url: (path: string) => string;
  /** The secret the receiving system was given for a path. */
  secrets: Map<string, string>;
  /** Statuses to answer a path with, in order (after the signature check passes). */
  answers: Map<string, number[]>;
  received: Received[];
  /** The receiver's clock (tests that move the worker's clock move this one too). */
  now: () => Date;
  close: () => Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const secrets = new Map<string, string>();
  const answers = new Map<string, number[]>();
  const received: Received[] = [];
  const receiver: { now: () => Date } = { now: () => new Date() };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const body = Buffer.concat(chunks).toString("utf8");
      const header = req.headers["shora-signature"];
      const check = verifyWebhookSignature({
        secret: secrets.get(path) ?? "",
        header: Array.isArray(header) ? header[0] : header,
        body,
        now: receiver.now(),
      });
      const status = check.ok ? (answers.get(path)?.shift() ?? 200) : 401;
      received.push({ path, headers: req.headers, body, status, check });
      res.writeHead(status, { "content-type": "text/plain" });
      res.end(check.ok ? "ok" : check.reason);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    secrets,
    answers,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
