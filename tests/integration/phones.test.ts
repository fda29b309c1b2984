/**
 * A phone confirmed by a code sent by SMS (ADR 0025): the code reaches the SMS gateway, wrong codes
 * are counted, a confirmed number belongs to one account, and it lets a resident verify without a
 * confirmed e-mail address.
 */
import http from "node:http";
import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { notificationSms, outbox, phoneCodes, users } from "../../db/schema";
import { NOTIFICATION_TOPICS } from "../../app/domain/mail/render";
import * as notifications from "../../app/routes/account_.notifications";
import { enqueueMessage } from "../../app/services/mail/outbox.server";
import { normalizePhone } from "../../app/domain/accounts/phone";
import * as page from "../../app/routes/account_.phone";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { httpSmsGateway, viewerTransport } from "../../app/services/mail/transports.server";
import { censusRows, makeCensus, makeMunicipality, makeUser, signIn, verifyVoter } from "../support/factories";
import { privateDatabase, unique } from "../support/db";
import { call } from "../support/requests";

let database: Database;
// A database of its own: delivery sends every due message in it.
let dropDatabase: () => Promise<void>;
let gateway: http.Server;
let gatewayUrl: string;
const texts: { to: string; text: string }[] = [];
const body = async (r: Response) => JSON.parse(await r.text());

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
  gateway = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      texts.push(JSON.parse(raw));
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
  const address = gateway.address() as { port: number };
  gatewayUrl = `http://127.0.0.1:${address.port}/sms`;
});
afterAll(async () => {
  await new Promise((resolve) => gateway.close(resolve));
  await dropDatabase();
});

async function deliver() {
  const transports = { mail: viewerTransport, sms: httpSmsGateway(gatewayUrl), publicUrl: "https://shora.test" };
  await deliverDueMessages(database.db, { actor: { kind: "system", name: "test" } }, { transports });
}

describe("phone numbers", () => {
  it("are read as people type them", () => {
    expect(normalizePhone("0912 345 6789")).toBe("+989123456789");
    expect(normalizePhone("۰۹۱۲-۳۴۵-۶۷۸۹")).toBe("+989123456789");
    expect(normalizePhone("0049 (30) 1234567")).toBe("+49301234567");
    expect(normalizePhone("+44 20 7946 0958")).toBe("+442079460958");
    for (const bad of ["12", "0912345", "+0123456789", "phone", "+98 912 345 6789 0000 0"])
      expect(normalizePhone(bad)).toBeNull();
  });

  it("are confirmed by the code sent by SMS, once per number, and count for verification", async () => {
    const town = await makeMunicipality(database.db, { slug: unique("phone"), districts: ["north"] });
    const people = censusRows({ count: 1, districts: ["north"] });
    await makeCensus(database.db, { by: town.admin, rows: people });
    const resident = await makeUser(database.db, { email: `${unique("p")}@example.org`, confirmed: false });
    const browser = await signIn(database.db, resident);
    const post = (fields: Record<string, string>) => call(page.action, browser, browser.post("/account/phone", fields));

    // Unconfirmed e-mail, no phone: verification is refused.
    await expect(
      verifyVoter(database.db, { municipality: town.municipality, user: resident, person: people[0] }),
    ).rejects.toMatchObject({
      code: "address_unconfirmed",
    });
    const bad = await post({ intent: "send", phone: "12" });
    expect(bad.status).toBe(400);
    expect((await body(bad)).errors.phone).toMatch(/^Mobile number must be/);

    const sent = await post({ intent: "send", phone: "0912 345 6789" });
    expect(sent.status).toBe(200);
    expect((await body(sent)).notice).toContain("+98912•••6789");
    const again = await post({ intent: "send", phone: "0912 345 6789" });
    expect(again.status).toBe(429);
    await deliver();
    const [sms] = texts.filter((m) => m.to === "+989123456789");
    const code = /\d{6}/.exec(sms.text)?.[0] as string;
    expect(sms.text).toContain("Shora");
    // The code is stored only as an HMAC.
    const [stored] = await database.db.select().from(phoneCodes).where(eq(phoneCodes.userId, resident.id));
    expect(JSON.stringify(stored)).not.toContain(code);

    const wrong = code === "000000" ? "111111" : "000000";
    const refused = await post({ intent: "confirm", code: wrong });
    expect(refused.status).toBe(400);
    expect((await body(refused)).errors.code).toBe("That code is not right. Check the text message and try again.");
    const confirmed = await post({
      intent: "confirm",
      code: code.replace(/\d/g, (d) => String.fromCharCode(0x06f0 + Number(d))),
    });
    expect(confirmed.status).toBe(200);
    const [row] = await database.db.select().from(users).where(eq(users.id, resident.id));
    expect(row.phone).toBe("+989123456789");
    expect(row.phoneConfirmedAt).not.toBeNull();
    expect(row.emailConfirmedAt).toBeNull();
    // A confirmed phone is enough to verify.
    await verifyVoter(database.db, { municipality: town.municipality, user: resident, person: people[0] });

    // Another account cannot confirm the same number; five wrong codes end a code.
    const other = await makeUser(database.db, { email: `${unique("q")}@example.org` });
    const otherBrowser = await signIn(database.db, other);
    const otherPost = (fields: Record<string, string>) =>
      call(page.action, otherBrowser, otherBrowser.post("/account/phone", fields));
    expect((await otherPost({ intent: "send", phone: "+989123456789" })).status).toBe(200);
    await deliver();
    const otherCode = /\d{6}/.exec(texts.filter((m) => m.to === "+989123456789").at(-1)?.text ?? "")?.[0] as string;
    const taken = await otherPost({ intent: "confirm", code: otherCode });
    expect(taken.status).toBe(409);
    expect((await body(taken)).errors.code).toBe("This phone is already confirmed on another account.");
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push(
        (await otherPost({ intent: "confirm", code: otherCode === "000000" ? "111111" : "000000" })).status,
      );
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    expect((await otherPost({ intent: "confirm", code: otherCode })).status).toBe(429);

    // Removing takes it off the account.
    expect((await post({ intent: "remove" })).status).toBe(200);
    const loaded = await body(await call(page.loader, browser, browser.get("/account/phone")));
    expect(loaded).toMatchObject({ phone: null, confirmed: false, pending: null });
  });

  it("carry the topics a person chose by text message too, to a confirmed phone only", async () => {
    const withPhone = await makeUser(database.db, { email: `${unique("s")}@example.org` });
    const phone = "+989121112233";
    await database.db.update(users).set({ phone, phoneConfirmedAt: new Date() }).where(eq(users.id, withPhone.id));
    const browser = await signIn(database.db, withPhone);
    const choices = (fields: [string, string][]) =>
      call(notifications.action, browser, browser.post("/account/notifications", fields));
    const all = NOTIFICATION_TOPICS.map((topic) => ["topic", topic] as [string, string]);
    expect((await choices([["intent", "save"], ...all, ["smsShown", "1"], ["sms", "reminders"]])).status).toBe(200);
    const shown = await body(await call(notifications.loader, browser, browser.get("/account/notifications")));
    expect(shown.phone).toBe("+98912•••2233");
    expect(shown.topics.filter((t: { sms: boolean }) => t.sms).map((t: { topic: string }) => t.topic)).toEqual([
      "reminders",
    ]);

    const rowsOf = (userId: string) =>
      database.db
        .select({ channel: outbox.channel, to: outbox.toAddress, kind: outbox.kind })
        .from(outbox)
        .where(and(eq(outbox.userId, userId), inArray(outbox.kind, ["round.opens", "municipality.message"])));
    const remind = (userId: string, key: string, kind = "round.opens") =>
      enqueueMessage(database.db, {
        kind,
        userId,
        payload: { round: { en: "Budget 1405" }, path: "/m/demo/rounds/budget-1405" },
        idempotencyKey: key,
      });
    expect(await remind(withPhone.id, "sms-1")).not.toBeNull();
    expect(await remind(withPhone.id, "sms-1")).toBeNull();
    expect((await rowsOf(withPhone.id)).map((r) => `${r.channel} ${r.to ?? "(account)"}`).sort()).toEqual([
      "email (account)",
      `sms ${phone}`,
    ]);
    // A topic not chosen for text messages goes by e-mail only.
    await remind(withPhone.id, "news-1", "municipality.message");
    expect((await rowsOf(withPhone.id)).filter((r) => r.kind === "municipality.message").map((r) => r.channel)).toEqual(
      ["email"],
    );
    // The text reaches the gateway with the message's subject and link.
    const before = texts.length;
    await deliver();
    const sent = texts.slice(before).filter((m) => m.to === phone);
    expect(sent).toHaveLength(1);
    expect(sent[0].text).toMatch(/^Shora: .*Budget 1405.* https:\/\/shora\.test\/m\/demo\/rounds\/budget-1405/);

    // A topic switched off goes by neither.
    expect(
      (
        await choices([
          ["intent", "save"],
          ["smsShown", "1"],
          ["sms", "reminders"],
        ])
      ).status,
    ).toBe(200);
    expect(await remind(withPhone.id, "sms-2")).toBeNull();
    expect((await rowsOf(withPhone.id)).length).toBe(3);
    // A form that did not show the text-message choices leaves them as they were.
    expect((await choices([["intent", "save"], ...all])).status).toBe(200);
    expect(
      (await body(await call(notifications.loader, browser, browser.get("/account/notifications")))).topics.find(
        (t: { topic: string }) => t.topic === "reminders",
      ).sms,
    ).toBe(true);

    // Without a confirmed phone, the choice (saved earlier) sends nothing by text message.
    const noPhone = await makeUser(database.db, { email: `${unique("t")}@example.org` });
    await database.db.update(users).set({ phone: "+989124445566" }).where(eq(users.id, noPhone.id));
    await database.db.insert(notificationSms).values({ userId: noPhone.id, topic: "reminders" });
    await remind(noPhone.id, "sms-3");
    expect((await rowsOf(noPhone.id)).map((r) => r.channel)).toEqual(["email"]);
    const noPhoneBrowser = await signIn(database.db, noPhone);
    const page2 = await body(
      await call(notifications.loader, noPhoneBrowser, noPhoneBrowser.get("/account/notifications")),
    );
    expect(page2.phone).toBeNull();
  });
});
