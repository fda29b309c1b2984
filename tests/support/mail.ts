/**
 * A real SMTP server and a local SMS gateway for tests (ADR 0025): messages Shora sends arrive here
 * and are parsed with mailparser, so tests read what a person would receive and follow its links.
 */
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  raw: ParsedMail;
}

export interface TestSmtp {
  url: string;
  mails: ReceivedMail[];
  /** While true, every message is refused with a 451 (a broken mail server). */
  broken: boolean;
  /** Mails to one address. */
  to(address: string): ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  const state = { broken: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      if (state.broken) {
        stream.resume();
        stream.on("end", () => callback(Object.assign(new Error("mailbox unavailable"), { responseCode: 451 })));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
          mails.push({
            to: to?.value[0]?.address ?? "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : "",
            messageId: mail.messageId ?? "",
            headers: mail.headers,
            raw: mail,
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A client that vanishes mid-message (an app killed with SIGKILL while sending) resets its
  // connection; a mail server carries on, so this one must not crash the test run over it.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    get broken() {
      return state.broken;
    },
    set broken(value: boolean) {
      state.broken = value;
    },
    to: (address) => mails.filter((m) => m.to === address.toLowerCase()),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface TestSmsGateway {
  url: string;
  messages: { to: string; text: string; id: string }[];
  close(): Promise<void>;
}

/** An HTTP server playing the SMS gateway: records each JSON POST. */
export async function startSmsGateway(): Promise<TestSmsGateway> {
  const messages: TestSmsGateway["messages"] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      messages.push(JSON.parse(body));
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/send`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link of a mail's text starting with the given address. */
export function linkIn(mail: ReceivedMail, base: string): string {
  const found = mail.text.match(new RegExp(`${base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\S+`));
  if (!found) throw new Error(`no link to ${base} in: ${mail.text}`);
  return found[0];
}

/** A header's raw value as sent (mailparser structures some, such as List-*, in `headers`). */
export function headerOf(mail: ReceivedMail, name: string): string | undefined {
  const line = mail.raw.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line?.slice(line.indexOf(":") + 1).trim();
}
