/** Delivery of the outbox (ADR 0025): real SMTP server and SMS gateway, retries, idempotency, unsubscribe. */
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { notificationOptOuts, outbox } from "../../db/schema";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { enqueueMessage, readUnsubscribeToken, unsubscribe } from "../../app/services/mail/outbox.server";
import {
  type MailTransport,
  type SmsGateway,
  httpSmsGateway,
  smtpTransport,
  viewerTransport,
} from "../../app/services/mail/transports.server";
import { makeUser } from "../support/factories";
import { type TestSmsGateway, type TestSmtp, headerOf, startSmsGateway, startSmtp } from "../support/mail";
import { privateDatabase, unique } from "../support/db";

let database: Database;
// A database of its own: delivery sends every due message in it, so no other file's mail (ADR 0025).
let dropDatabase: () => Promise<void>;
let smtp: TestSmtp;
let gateway: TestSmsGateway;
let transports: { mail: MailTransport; sms: SmsGateway; publicUrl: string };
const system = { actor: { kind: "system" as const, name: "test" } };
const PUBLIC = "https://shora.test";

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
  smtp = await startSmtp();
  gateway = await startSmsGateway();
  transports = {
    mail: smtpTransport(smtp.url, "Shora <shora@shora.test>"),
    sms: httpSmsGateway(gateway.url),
    publicUrl: PUBLIC,
  };
});
afterAll(async () => {
  await smtp.close();
  await gateway.close();
  await dropDatabase();
});

const rowOf = async (id: string) => (await database.db.select().from(outbox).where(eq(outbox.id, id)))[0];

describe("the outbox", () => {
  it("holds a message only if the change that caused it committed, once per idempotency key", async () => {
    const user = await makeUser(database.db, { confirmed: false, email: `${unique("tx")}@example.org` });
    const key = unique("key");
    await database.db
      .transaction(async (tx) => {
        await enqueueMessage(tx, {
          kind: "account.confirm",
          userId: user.id,
          payload: { path: "/x" },
          idempotencyKey: key,
        });
        throw new Error("the change failed");
      })
      .catch(() => {});
    expect(await database.db.select().from(outbox).where(eq(outbox.idempotencyKey, key))).toEqual([]);
    const first = await database.db.transaction((tx) =>
      enqueueMessage(tx, { kind: "account.confirm", userId: user.id, payload: { path: "/x" }, idempotencyKey: key }),
    );
    const second = await enqueueMessage(database.db, {
      kind: "account.confirm",
      userId: user.id,
      payload: { path: "/x" },
      idempotencyKey: key,
    });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    expect(await database.db.select().from(outbox).where(eq(outbox.idempotencyKey, key))).toHaveLength(1);
  });

  it("sends multipart e-mail over SMTP in the recipient's language, right-to-left in Persian, with one-click unsubscribe", async () => {
    const en = await makeUser(database.db, {
      confirmed: false,
      email: `${unique("en")}@example.org`,
      displayName: "Ada",
    });
    const fa = await makeUser(database.db, {
      confirmed: false,
      email: `${unique("fa")}@example.org`,
      displayName: "Nima",
      locale: "fa",
    });
    for (const user of [en, fa]) {
      await enqueueMessage(database.db, {
        kind: "vote.confirmation",
        userId: user.id,
        payload: {
          round: { en: "Budget 1405", fa: "بودجهٔ ۱۴۰۵" },
          envelope: { en: "City", fa: "شهر" },
          at: "2026-12-07 10:00",
          path: "/m/town/rounds/r/receipt",
        },
        idempotencyKey: unique("vote"),
      });
    }
    await deliverDueMessages(database.db, system, { transports });
    const [mailEn] = smtp.to(en.email);
    const [mailFa] = smtp.to(fa.email);
    expect(mailEn.subject).toBe("Your vote in Budget 1405 was recorded");
    expect(mailEn.text).toContain(`${PUBLIC}/m/town/rounds/r/receipt`);
    expect(mailEn.html).toContain('dir="ltr"');
    expect(mailFa.subject).toBe("رأی شما در بودجهٔ ۱۴۰۵ ثبت شد");
    expect(mailFa.html).toContain('<html lang="fa" dir="rtl">');
    expect(mailFa.raw.headers.get("content-language")).toBe("fa");
    const unsubscribeHeader = String(headerOf(mailEn, "List-Unsubscribe"));
    expect(unsubscribeHeader).toMatch(new RegExp(`^<${PUBLIC}/unsubscribe/[^>]+>$`));
    expect(headerOf(mailEn, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const token = unsubscribeHeader.slice(`<${PUBLIC}/unsubscribe/`.length, -1);
    expect(readUnsubscribeToken(token)).toEqual({ userId: en.id, topic: "vote" });
    expect(readUnsubscribeToken(`${token.slice(0, -2)}xx`)).toBeNull();
    expect(await unsubscribe(database.db, system, { token })).toBe(true);
    expect(
      await database.db.select().from(notificationOptOuts).where(eq(notificationOptOuts.userId, en.id)),
    ).toHaveLength(1);
    // Switched off: the next vote confirmation is not even queued.
    expect(
      await enqueueMessage(database.db, {
        kind: "vote.confirmation",
        userId: en.id,
        payload: {},
        idempotencyKey: unique("vote"),
      }),
    ).toBeNull();
    // An account message cannot be switched off.
    expect(
      await enqueueMessage(database.db, {
        kind: "account.reset",
        userId: en.id,
        payload: {},
        idempotencyKey: unique("r"),
      }),
    ).toBeTruthy();
    await deliverDueMessages(database.db, system, { transports });
    expect(smtp.to(en.email).map((m) => m.subject)).toEqual([
      "Your vote in Budget 1405 was recorded",
      "Reset your password",
    ]);
    expect(headerOf(smtp.to(en.email)[1], "List-Unsubscribe")).toBeUndefined();
  });

  it("keeps a message queued with the error while the mail server is broken, then sends it once", async () => {
    const user = await makeUser(database.db, { confirmed: false, email: `${unique("broken")}@example.org` });
    const id = await enqueueMessage(database.db, {
      kind: "account.confirm",
      userId: user.id,
      payload: { path: "/confirm/abc" },
      idempotencyKey: unique("broken"),
    });
    smtp.broken = true;
    const t0 = Date.now();
    const tried = await deliverDueMessages(database.db, system, { transports });
    expect(tried.failed).toBeGreaterThanOrEqual(1);
    const failed = await rowOf(String(id));
    expect(failed.status).toBe("queued");
    expect(failed.lastError).toMatch(/451/);
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(t0);
    smtp.broken = false;
    // Not due yet: nothing is sent before the back-off ends.
    await deliverDueMessages(database.db, system, { transports });
    expect(smtp.to(user.email)).toEqual([]);
    const later = () => new Date(Date.now() + 60_000);
    await deliverDueMessages(database.db, system, { transports, now: later });
    await deliverDueMessages(database.db, system, { transports, now: later });
    expect(smtp.to(user.email)).toHaveLength(1);
    const sent = await rowOf(String(id));
    expect(sent.status).toBe("sent");
    expect(sent.transport).toBe("smtp");
    expect(sent.lastError).toBeNull();
  });

  it("marks a message failed with the reason after the last try", async () => {
    const user = await makeUser(database.db, { confirmed: false, email: `${unique("gaveup")}@example.org` });
    const id = String(
      await enqueueMessage(database.db, {
        kind: "account.reset",
        userId: user.id,
        payload: {},
        idempotencyKey: unique("g"),
      }),
    );
    smtp.broken = true;
    let at = Date.now();
    for (let i = 0; i < 8; i++) {
      at += 2 * 3_600_000;
      const now = new Date(at);
      await deliverDueMessages(database.db, system, { transports, now: () => now });
    }
    smtp.broken = false;
    const row = await rowOf(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(8);
    expect(row.lastError).toMatch(/451/);
  });

  it("sends SMS to the HTTP gateway, and keeps messages for the mail viewer when nothing is configured", async () => {
    const phone = `+98912${String(Date.now()).slice(-7)}`;
    const user = await makeUser(database.db, { confirmed: false, email: `${unique("sms")}@example.org` });
    const smsId = String(
      await enqueueMessage(database.db, {
        kind: "account.confirm",
        channel: "sms",
        toAddress: phone,
        userId: user.id,
        payload: { path: "/confirm/sms" },
        idempotencyKey: unique("sms"),
      }),
    );
    await deliverDueMessages(database.db, system, { transports });
    const received = gateway.messages.filter((m) => m.to === phone);
    expect(received).toHaveLength(1);
    expect(received[0].text).toContain(`${PUBLIC}/confirm/sms`);
    expect(received[0].id).toBe(smsId);
    const kept = String(
      await enqueueMessage(database.db, {
        kind: "account.reset",
        userId: user.id,
        payload: {},
        idempotencyKey: unique("v"),
      }),
    );
    await deliverDueMessages(database.db, system, {
      transports: { mail: viewerTransport, sms: viewerTransport, publicUrl: PUBLIC },
    });
    expect((await rowOf(kept)).transport).toBe("viewer");
    expect((await rowOf(kept)).status).toBe("sent");
    expect(smtp.to(user.email)).toEqual([]);
  });
});
