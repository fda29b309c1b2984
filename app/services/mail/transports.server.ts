/**
 * Where messages go (ADR 0025): e-mail over SMTP with nodemailer when SMTP_URL is set, SMS to an HTTP
 * gateway when SHORA_SMS_URL is an http(s) URL (or printed with `log`); otherwise a message is kept
 * for the local mail viewer, which is what `npm start` shows without any server installed.
 */
import nodemailer from "nodemailer";
import { config } from "../../config.server";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  locale: string;
  headers: Record<string, string>;
  /** Stable per outbox row, so a receiver can recognise a message sent again after a crash. */
  messageId: string;
}

export interface OutgoingSms {
  to: string;
  text: string;
  id: string;
}

/** A transport sends one message or throws with the reason; `name` is recorded on the row. */
export interface MailTransport {
  name: string;
  send(message: OutgoingEmail): Promise<void>;
}

export interface SmsGateway {
  name: string;
  send(message: OutgoingSms): Promise<void>;
}

/** Keeps the message: the mail viewer renders it from the row. */
export const viewerTransport: MailTransport & SmsGateway = { name: "viewer", send: async () => {} };

export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport(url);
  return {
    name: "smtp",
    async send(message) {
      await transporter.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { ...message.headers, "Content-Language": message.locale },
        messageId: message.messageId,
      });
    },
  };
}

/** An HTTP gateway: one JSON POST `{ to, text, id }` per SMS; any status but 2xx is a failure. */
export function httpSmsGateway(url: string): SmsGateway {
  return {
    name: "http",
    async send(message) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": message.id },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(15_000),
      });
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}

export const logSmsGateway: SmsGateway = {
  name: "log",
  async send(message) {
    process.stdout.write(`SMS to ${message.to}: ${message.text}\n`);
  },
};

/** The transports the configuration names. */
export function configuredTransports(): { mail: MailTransport; sms: SmsGateway; publicUrl: string } {
  const c = config();
  const mail = c.smtpUrl ? smtpTransport(c.smtpUrl, c.mailFrom) : viewerTransport;
  const sms = !c.smsUrl ? viewerTransport : c.smsUrl === "log" ? logSmsGateway : httpSmsGateway(c.smsUrl);
  return { mail, sms, publicUrl: c.publicUrl };
}
