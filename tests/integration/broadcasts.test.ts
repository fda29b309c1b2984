/**
 * Staff write to residents (ADR 0041): check who gets it, send once, in each resident's language,
 * never to someone who switched "news" off; the action log records it; bad forms name the field.
 */
import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, notificationOptOuts, outbox } from "../../db/schema";
import * as page from "../../app/routes/m.$slug.admin.broadcasts";
import { deliverDueMessages } from "../../app/services/mail/delivery.server";
import { smtpTransport, viewerTransport } from "../../app/services/mail/transports.server";
import {
  censusRows,
  makeCensus,
  makeEligibility,
  makeMember,
  makeMunicipality,
  makeRound,
  makeUser,
  signIn,
  verifyVoter,
} from "../support/factories";
import { type TestSmtp, headerOf, startSmtp } from "../support/mail";
import { privateDatabase, unique } from "../support/db";
import { call } from "../support/requests";

let database: Database;
// A database of its own: delivery sends every due message in it.
let dropDatabase: () => Promise<void>;
let smtp: TestSmtp;
const body = async (r: Response) => JSON.parse(await r.text());

beforeAll(async () => {
  ({ database, drop: dropDatabase } = await privateDatabase());
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.close();
  await dropDatabase();
});

describe("writing to residents", () => {
  it("counts, sends once in each resident's language, skips those who opted out, and logs it", async () => {
    const slug = unique("bcast");
    const town = await makeMunicipality(database.db, {
      slug,
      name: { en: "Broadcast town", fa: "شهر پیام" },
      districts: ["north", "south", "center"],
    });
    const staffMember = await makeMember(database.db, { by: town.admin, email: `staff@${slug}.example` });
    const people = censusRows({ count: 4 });
    await makeCensus(database.db, { by: town.admin, rows: people });
    const round = await makeRound(database.db, { by: town.admin, spans: [["voting", 2, 8]] });
    await makeEligibility(database.db, { by: town.admin, round, districtIds: [town.districts.north] });
    // 0 north (fa), 1 south, 2 center (switched "news" off), 3 north, never verified.
    const residents = [];
    for (const [i, person] of people.entries()) {
      const user = await makeUser(database.db, {
        email: `${unique(`b${i}`)}@example.org`,
        locale: i === 0 ? "fa" : "en",
      });
      residents.push(user);
      if (i < 3) await verifyVoter(database.db, { municipality: town.municipality, user, person });
    }
    await database.db.insert(notificationOptOuts).values({ userId: residents[2].id, topic: "news" });

    const staff = await signIn(database.db, staffMember.user);
    const params = { slug };
    const loaded = await body(await call(page.loader, staff, staff.get(`/m/${slug}/admin/broadcasts`), params));
    const id = loaded.broadcastId as string;
    expect(loaded.rounds.map((r: { slug: string }) => r.slug)).toEqual([round.slug]);
    const form = {
      broadcastId: id,
      audience: "verified",
      subjectEn: "Council meets on <Monday>",
      subjectFa: "جلسهٔ شورا دوشنبه",
      bodyEn: "The council meets at noon.\n\nCome along & ask.",
      bodyFa: "شورا ظهر تشکیل جلسه می‌دهد.",
    };
    const post = (fields: Record<string, string>) =>
      call(page.action, staff, staff.post(`/m/${slug}/admin/broadcasts`, fields), params);
    const sent = () =>
      database.db
        .select()
        .from(outbox)
        .where(and(eq(outbox.kind, "municipality.message"), like(outbox.idempotencyKey, `broadcast:${id}:%`)));

    // Checking counts the audience and queues nothing.
    const check = await post({ ...form, intent: "check" });
    expect(check.status).toBe(200);
    expect((await body(check)).ready).toBe(3);
    const forRound = await post({ ...form, audience: `round:${round.slug}`, intent: "check" });
    expect((await body(forRound)).ready).toBe(1);
    expect(await sent()).toHaveLength(0);

    const send = await post({ ...form, intent: "send" });
    expect(send.status).toBe(200);
    expect((await body(send)).notice).toBe("The message is queued for 2 residents.");
    const rows = await sent();
    expect(rows.map((r) => r.userId).sort()).toEqual([residents[0].id, residents[1].id].sort());
    const [logged] = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.action, "message.broadcast"), eq(actionLog.target, `broadcast:${id}`)));
    expect(logged.actorId).toBe(staffMember.user.id);
    expect(logged.summary.after).toMatchObject({ audience: "verified", recipients: 3, queued: 2 });

    // The same form sent again (a reload, a double click) sends nothing more.
    const again = await post({ ...form, intent: "send" });
    expect(again.status).toBe(409);
    expect((await body(again)).errors.form).toBe("This message has already been sent.");
    expect(await sent()).toHaveLength(2);

    // Delivered in each resident's language, escaped, with the one-click unsubscribe headers.
    const transports = {
      mail: smtpTransport(smtp.url, "Shora <shora@shora.test>"),
      sms: viewerTransport,
      publicUrl: "https://shora.test",
    };
    await deliverDueMessages(database.db, { actor: { kind: "system", name: "test" } }, { transports });
    // (Each account's address confirmation goes out in the same pass.)
    const broadcastMails = (email: string) =>
      smtp.to(email).filter((m) => [form.subjectEn, form.subjectFa].includes(m.subject));
    const [persian, ...more] = broadcastMails(residents[0].email);
    expect(more).toHaveLength(0);
    expect(persian.subject).toBe("جلسهٔ شورا دوشنبه");
    expect(persian.html).toContain('dir="rtl"');
    expect(persian.text).toContain("شهر پیام");
    expect(headerOf(persian, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const [english] = broadcastMails(residents[1].email);
    expect(english.subject).toBe("Council meets on <Monday>");
    expect(english.html).toContain("<p>Come along &amp; ask.</p>");
    expect(english.text).toContain(`https://shora.test/m/${slug}`);
    expect(broadcastMails(residents[2].email)).toHaveLength(0);

    // The page lists it.
    const after = await body(await call(page.loader, staff, staff.get(`/m/${slug}/admin/broadcasts`), params));
    expect(after.history[0]).toMatchObject({ audience: "verified", queued: 2, subject: { en: form.subjectEn } });
    expect(after.broadcastId).not.toBe(id);
  });

  it("names what is missing, refuses an unknown audience, and is for staff only", async () => {
    const slug = unique("bcast");
    const town = await makeMunicipality(database.db, { slug });
    const admin = await signIn(database.db, town.admin.user);
    const params = { slug };
    const post = (fields: Record<string, string>) =>
      call(page.action, admin, admin.post(`/m/${slug}/admin/broadcasts`, fields), params);
    const base = { broadcastId: "6f1c1e1e-1111-4111-8111-111111111111", audience: "verified", intent: "check" };
    const empty = await post(base);
    expect(empty.status).toBe(400);
    expect((await body(empty)).errors.subjectEn).toBe("Write the message in English, in Persian or in both.");
    const noBody = await post({ ...base, subjectFa: "سلام" });
    expect(noBody.status).toBe(400);
    expect((await body(noBody)).errors.bodyFa).toBe("Write the message in this language, or leave its subject empty.");
    const unknown = await post({ ...base, audience: "round:no-such-round", subjectEn: "Hi", bodyEn: "Hello" });
    expect(unknown.status).toBe(400);
    expect((await body(unknown)).errors.audience).toBe("Choose who gets the message from the list.");
    const badId = await post({ ...base, broadcastId: "1", subjectEn: "Hi", bodyEn: "Hello" });
    expect(badId.status).toBe(400);

    const resident = await signIn(database.db, await makeUser(database.db, { email: `${unique("r")}@example.org` }));
    expect((await call(page.loader, resident, resident.get(`/m/${slug}/admin/broadcasts`), params)).status).toBe(403);
    const refused = await call(
      page.action,
      resident,
      resident.post(`/m/${slug}/admin/broadcasts`, { ...base, subjectEn: "Hi", bodyEn: "Hello", intent: "send" }),
      params,
    );
    expect(refused.status).toBe(403);
    expect(await database.db.select().from(actionLog).where(eq(actionLog.action, "message.broadcast"))).toHaveLength(1);
  });
});
