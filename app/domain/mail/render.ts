/**
 * What a queued message says (ADR 0025): subject, plain text and HTML in the recipient's language,
 * right-to-left for Persian. Pure: the delivery worker renders a row when it sends it, links made
 * absolute with the public address. Choices of a ballot are never a parameter of any message.
 */
import { type Locale, type MessageKey, direction, isLocale, pickText, translate } from "../i18n";

/** Notification topics a person can switch off (account messages always go). */
export const NOTIFICATION_TOPICS = [
  "vote",
  "reminders",
  "proposals",
  "replies",
  "follows",
  "verification",
  "news",
] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

export function isTopic(value: unknown): value is NotificationTopic {
  return typeof value === "string" && (NOTIFICATION_TOPICS as readonly string[]).includes(value);
}

/** The topic of a message kind; null: an account message that cannot be switched off. */
export function topicOf(kind: string): NotificationTopic | null {
  if (kind === "vote.confirmation") return "vote";
  if (kind === "round.opens" || kind === "round.closing") return "reminders";
  if (kind.startsWith("proposal.")) return "proposals";
  if (kind === "comment.reply") return "replies";
  if (kind === "implementation.update" || kind === "follow.update") return "follows";
  if (kind.startsWith("verification.")) return "verification";
  if (kind === "municipality.message") return "news";
  // A reporter asked to hear back: news on their own report is an account message (ADR 0039).
  return null;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  /** The one link of the message (confirm, reset, receipt…), absolute. */
  link: string | null;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c);

function textOf(value: unknown, locale: Locale): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") return pickText(value as { en?: string; fa?: string }, locale);
  return "";
}

/** A rejection's reason, or the text of an official response under its heading. */
function reasonLine(
  t: (key: MessageKey, params?: Record<string, string | number>) => string,
  kind: string,
  text: string,
) {
  return kind === "proposal.response"
    ? `${t("proposal.officialResponse")}: ${text}`
    : t("mail.proposal.reason", { reason: text });
}

/** Subject and body keys plus parameters of a kind, from its payload. */
function contentOf(
  kind: string,
  p: Record<string, unknown>,
  locale: Locale,
  name: string,
): { subject: string; lines: string[]; link: string | null } {
  const t = (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
  const link = typeof p.path === "string" ? p.path : null;
  const round = textOf(p.round, locale);
  const title = textOf(p.title, locale);
  switch (kind) {
    case "account.confirm":
      return { subject: t("mail.confirm.subject"), lines: [t("mail.confirm.body", { name })], link };
    case "account.registered":
      return { subject: t("mail.registered.subject"), lines: [t("mail.registered.body", { name })], link };
    case "account.reset":
      return { subject: t("mail.reset.subject"), lines: [t("mail.reset.body", { name })], link };
    case "account.phone_code": {
      const line = t("mail.phoneCode", { code: String(p.code ?? "") });
      return { subject: line, lines: [line], link: null };
    }
    case "account.email_changed":
      return {
        subject: t("mail.emailChanged.subject"),
        lines: [t("mail.emailChanged.body", { name, email: String(p.email ?? "") })],
        link,
      };
    case "vote.confirmation":
      return {
        subject: t("mail.vote.subject", { round }),
        lines: [t("mail.vote.body", { name, round, envelope: textOf(p.envelope, locale), at: String(p.at ?? "") })],
        link,
      };
    case "round.opens":
      return { subject: t("mail.opens.subject", { round }), lines: [t("mail.opens.body", { name, round })], link };
    case "round.closing":
      return { subject: t("mail.closing.subject", { round }), lines: [t("mail.closing.body", { name, round })], link };
    case "proposal.accepted":
    case "proposal.rejected":
    case "proposal.funded":
    case "proposal.response": {
      const decision = t(`mail.${kind}` as MessageKey);
      const lines = [t("mail.proposal.body", { name, title, decision })];
      const reason = textOf(p.reason, locale);
      if (reason) lines.push(reasonLine(t, kind, reason));
      return { subject: t("mail.proposal.subject", { title, decision }), lines, link };
    }
    case "comment.reply":
      return { subject: t("mail.reply.subject", { title }), lines: [t("mail.reply.body", { name, title })], link };
    case "implementation.update":
    case "follow.update": {
      // A followed proposal's review, official response or funding (ADR 0033).
      const event = typeof p.event === "string" ? p.event : null;
      if (event && ["proposal.accepted", "proposal.rejected", "proposal.funded", "proposal.response"].includes(event)) {
        const decision = t(`mail.${event}` as MessageKey);
        const lines = [t("mail.follow.event", { name, title, decision })];
        const reason = textOf(p.reason, locale);
        if (reason) lines.push(reasonLine(t, event, reason));
        return { subject: t("mail.update.subject", { title }), lines, link };
      }
      const lines = [t("mail.update.body", { name, title })];
      if (typeof p.note === "string" && p.note) lines.push(p.note);
      return { subject: t("mail.update.subject", { title }), lines, link };
    }
    case "verification.verified":
    case "verification.revoked": {
      const municipality = textOf(p.municipality, locale);
      const key = kind === "verification.verified" ? "mail.verification.verified" : "mail.verification.revoked";
      return { subject: t("mail.verification.subject"), lines: [t(key, { name, municipality })], link };
    }
    case "municipality.message": {
      // Written by staff (ADR 0041): paragraphs as typed, signed with the municipality's name.
      const body = textOf(p.body, locale)
        .split(/\r?\n\s*\r?\n/)
        .map((paragraph) => paragraph.trim())
        .filter(Boolean);
      return {
        subject: textOf(p.subject, locale),
        lines: [...body, `— ${textOf(p.municipality, locale)}`],
        link,
      };
    }
    case "report.received":
    case "report.update": {
      const number = String(p.number ?? "");
      const category = textOf(p.category, locale);
      if (kind === "report.received")
        return {
          subject: t("reports.mail.received.subject", { number }),
          lines: [t("reports.mail.received.body", { name, number, category })],
          link,
        };
      const lines =
        typeof p.reply === "string"
          ? [t("reports.mail.update.reply", { number, name }), p.reply]
          : [
              t("reports.mail.update.status", {
                name,
                number,
                status: t(`reports.status.${String(p.status)}` as MessageKey),
              }),
            ];
      if (typeof p.note === "string" && p.note) lines.push(p.note);
      return { subject: t("reports.mail.update.subject", { number }), lines, link };
    }
    default:
      return { subject: kind, lines: [JSON.stringify(p)], link };
  }
}

/**
 * Renders a message. `baseUrl` makes paths absolute; `unsubscribeUrl` (for topic messages) is added
 * as a footer line; the caller adds the List-Unsubscribe headers with the same address.
 */
export function renderMessage(input: {
  kind: string;
  payload: Record<string, unknown>;
  locale: string;
  name: string;
  baseUrl: string;
  unsubscribeUrl?: string | null;
}): RenderedMessage {
  const locale: Locale = isLocale(input.locale) ? input.locale : "en";
  const content = contentOf(input.kind, input.payload, locale, input.name);
  const link = content.link ? new URL(content.link, input.baseUrl).toString() : null;
  const footer = translate(locale, "mail.footer");
  const textLines = [...content.lines, ...(link ? ["", link] : [])];
  if (input.unsubscribeUrl) textLines.push("", translate(locale, "mail.unsubscribe", { link: input.unsubscribeUrl }));
  textLines.push("", `-- ${footer}`);
  const dir = direction(locale);
  const paragraphs = content.lines.map((l) => `<p>${escapeHtml(l)}</p>`).join("\n");
  const linkHtml = link ? `<p><a href="${escapeHtml(link)}" dir="ltr">${escapeHtml(link)}</a></p>` : "";
  const unsubscribeHtml = input.unsubscribeUrl
    ? `<p style="font-size:small">${escapeHtml(translate(locale, "mail.unsubscribe", { link: "" }))}<a href="${escapeHtml(input.unsubscribeUrl)}" dir="ltr">${escapeHtml(input.unsubscribeUrl)}</a></p>`
    : "";
  const html = `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head><meta charset="utf-8"><title>${escapeHtml(content.subject)}</title></head>
<body dir="${dir}" style="font-family:sans-serif;text-align:${dir === "rtl" ? "right" : "left"}">
${paragraphs}
${linkHtml}
${unsubscribeHtml}
<p style="color:#555">${escapeHtml(footer)}</p>
</body>
</html>
`;
  return { subject: content.subject, text: `${textLines.join("\n")}\n`, html, link };
}

/** The short text of an SMS: subject and link. */
export function renderSms(message: RenderedMessage, locale: string): string {
  const l: Locale = isLocale(locale) ? locale : "en";
  return translate(l, "mail.sms.generic", { subject: message.subject, link: message.link ?? "" }).trim();
}
