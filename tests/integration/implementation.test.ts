import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import {
  actionLog,
  envelopes,
  implementationUpdates,
  implementations,
  outbox,
  proposals,
  rounds,
} from "../../db/schema";
import * as staffPage from "../../app/routes/m.$slug.admin.rounds.$round.implementation";
import * as outboxPage from "../../app/routes/m.$slug.admin.outbox";
import * as board from "../../app/routes/m.$slug.rounds.$round.implementation._index";
import * as timeline from "../../app/routes/m.$slug.rounds.$round.implementation.$proposal";
import * as openJson from "../../app/routes/m.$slug.implementation[.json]";
import * as openCsv from "../../app/routes/m.$slug.implementation[.csv]";
import { TestBrowser, call } from "../support/requests";
import { logInThroughForm } from "../support/log-in";
import { testDatabase, unique } from "../support/db";
import { makeMember, makeMunicipality, makeUser } from "../support/factories";

let database: Database;
let slug: string;
let municipalityId: string;
const PASSWORD = "implementation password";
const funded: string[] = [];
let notFunded: string;

async function loggedIn(email: string) {
  return logInThroughForm(database.db, { email, password: PASSWORD });
}
const body = async (r: Response) => JSON.parse(await r.text());

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("impl");
  const town = await makeMunicipality(database.db, {
    slug,
    name: { en: "Impl town" },
    admin: { displayName: "Ada", password: PASSWORD },
  });
  municipalityId = town.municipality.id;
  await makeMember(database.db, { by: town.admin, email: `staff@${slug}.example`, password: PASSWORD });
  await makeUser(database.db, { email: `resident@${slug}.example`, password: PASSWORD });
  // The round and its funded proposals stay inserts: only publishing a counted vote funds a proposal.
  const roundId = randomUUID();
  await database.db.insert(rounds).values({
    id: roundId,
    municipalityId,
    slug: "pb-2025",
    kind: "budgeting",
    title: { en: "PB 2025" },
    description: { en: "" },
  });
  const envelopeId = randomUUID();
  await database.db
    .insert(envelopes)
    .values({ id: envelopeId, roundId, slug: "all", name: { en: "All" }, amount: 100_000 });
  for (const [title, cost, status] of [
    ['Trees, "many"', 40_000, "funded"],
    ["Lights", 30_000, "funded"],
    ["Pool", 90_000, "rejected"],
  ] as const) {
    const id = randomUUID();
    await database.db
      .insert(proposals)
      .values({ id, envelopeId, title: { en: title }, body: { en: "" }, cost, status });
    if (status === "funded") funded.push(id);
    else notFunded = id;
  }
});
afterAll(() => database.close());

const update = (proposalId: string, extra: Record<string, string> = {}) => ({
  proposalId,
  status: "in_progress",
  progress: "40",
  spent: "12000",
  expectedCompletion: "2027-03-01",
  note: "Digging started",
  ...extra,
});

describe("implementation tracking", () => {
  it("lets staff post an update that moves the public progress, logs it and notifies subscribers through the outbox", async () => {
    const resident = await loggedIn(`resident@${slug}.example`);
    const sub = await call(timeline.action, resident, resident.post("/", { subscribe: "yes" }), {
      slug,
      round: "pb-2025",
      proposal: funded[0],
    });
    expect(sub.status).toBe(302);
    const staff = await loggedIn(`staff@${slug}.example`);
    const posted = await call(staffPage.action, staff, staff.post("/", update(funded[0])), { slug, round: "pb-2025" });
    expect(posted.status).toBe(200);
    expect((await body(posted)).notice).toBe("Update posted; 1 subscriber will be told.");
    const observer = new TestBrowser(database.db);
    const page = await body(await call(board.loader, observer, observer.get("/"), { slug, round: "pb-2025" }));
    expect(
      page.items.map((i: { progress: number; spent: number; status: string }) => [i.status, i.progress, i.spent]),
    ).toEqual([
      ["in_progress", 40, 12000],
      ["planned", 0, 0],
    ]);
    const detail = await body(
      await call(timeline.loader, observer, observer.get("/"), { slug, round: "pb-2025", proposal: funded[0] }),
    );
    expect(detail.updates).toHaveLength(1);
    expect(detail.updates[0]).toMatchObject({ note: "Digging started", progress: 40 });
    const messages = await database.db.select().from(outbox).where(eq(outbox.municipalityId, municipalityId));
    expect(messages).toHaveLength(1);
    expect(messages[0].payload).toMatchObject({ proposalId: funded[0], progress: 40 });
    const staffOutbox = await body(await call(outboxPage.loader, staff, staff.get("/"), { slug }));
    expect(staffOutbox.messages[0].email).toBe(`resident@${slug}.example`);
    expect((await call(outboxPage.loader, resident, resident.get("/"), { slug })).status).toBe(403);
    const log = await database.db
      .select()
      .from(actionLog)
      .where(eq(actionLog.target, `proposal:${funded[0]}`));
    expect(log.map((l) => l.action)).toEqual(["implementation.update"]);
  });

  it("refuses bad updates with field-named messages and changes nothing", async () => {
    const staff = await loggedIn(`staff@${slug}.example`);
    const noReason = await call(staffPage.action, staff, staff.post("/", update(funded[1], { status: "cancelled" })), {
      slug,
      round: "pb-2025",
    });
    expect(noReason.status).toBe(400);
    expect((await body(noReason)).errors.cancelReason).toBe("Cancelling needs a reason.");
    const backwards = await call(staffPage.action, staff, staff.post("/", update(funded[0], { progress: "10" })), {
      slug,
      round: "pb-2025",
    });
    expect((await body(backwards)).errors.progress).toBe("Progress cannot go back (it was 40 %).");
    const range = await call(staffPage.action, staff, staff.post("/", update(funded[0], { progress: "140" })), {
      slug,
      round: "pb-2025",
    });
    expect((await body(range)).errors.progress).toBe("Progress must be at most 100.");
    const rejected = await call(staffPage.action, staff, staff.post("/", update(notFunded)), {
      slug,
      round: "pb-2025",
    });
    expect(rejected.status).toBe(409);
    const javascriptUrl = await call(
      staffPage.action,
      staff,
      staff.post("/", update(funded[0], { progress: "50", photoUrl: "javascript:alert(1)" })),
      { slug, round: "pb-2025" },
    );
    expect((await body(javascriptUrl)).errors.photoUrl).toBe("Photo address (optional) is not valid.");
    expect(
      await database.db.select().from(implementations).where(eq(implementations.proposalId, funded[1])),
    ).toHaveLength(0);
    expect(
      await database.db.select().from(implementationUpdates).where(eq(implementationUpdates.proposalId, funded[0])),
    ).toHaveLength(1);
    const cancelled = await call(
      staffPage.action,
      staff,
      staff.post(
        "/",
        update(funded[1], { status: "cancelled", progress: "0", spent: "0", cancelReason: "Site unavailable" }),
      ),
      { slug, round: "pb-2025" },
    );
    expect(cancelled.status).toBe(200);
    const again = await call(staffPage.action, staff, staff.post("/", update(funded[1])), { slug, round: "pb-2025" });
    expect((await body(again)).errors.status).toBe("A cancelled project cannot be updated any more.");
  });

  it("lets residents comment on an update and staff hide a comment with a reason, shown in its place", async () => {
    const resident = await loggedIn(`resident@${slug}.example`);
    const observer = new TestBrowser(database.db);
    const detail = await body(
      await call(timeline.loader, observer, observer.get("/"), { slug, round: "pb-2025", proposal: funded[0] }),
    );
    const updateId = detail.updates[0].id;
    const empty = await call(
      timeline.action,
      resident,
      resident.post("/", { intent: "comment", updateId, body: "  " }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(empty.status).toBe(400);
    expect((await body(empty)).errors.body).toBe("Your comment is required.");
    const posted = await call(
      timeline.action,
      resident,
      resident.post("/", { intent: "comment", updateId, body: "<b>Great</b> progress" }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(posted.status).toBe(302);
    const afterPost = await body(
      await call(timeline.loader, observer, observer.get("/"), { slug, round: "pb-2025", proposal: funded[0] }),
    );
    expect(afterPost.comments).toHaveLength(1);
    expect(afterPost.comments[0]).toMatchObject({
      author: "resident",
      body: "<b>Great</b> progress",
      hiddenReason: null,
    });
    const notStaff = await call(
      timeline.action,
      resident,
      resident.post("/", { intent: "hide", commentId: afterPost.comments[0].id, reason: "spam" }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(notStaff.status).toBe(403);
    const staff = await loggedIn(`staff@${slug}.example`);
    const noReason = await call(
      timeline.action,
      staff,
      staff.post("/", { intent: "hide", commentId: afterPost.comments[0].id, reason: "" }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(noReason.status).toBe(400);
    const hidden = await call(
      timeline.action,
      staff,
      staff.post("/", { intent: "hide", commentId: afterPost.comments[0].id, reason: "off topic" }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(hidden.status).toBe(302);
    const afterHide = await body(
      await call(timeline.loader, observer, observer.get("/"), { slug, round: "pb-2025", proposal: funded[0] }),
    );
    expect(afterHide.comments[0]).toMatchObject({ body: null, hiddenReason: "off topic" });
    expect(JSON.stringify(afterHide)).not.toContain("Great");
    const log = await database.db.select().from(actionLog).where(eq(actionLog.action, "update_comment.hide"));
    expect(log.filter((l) => l.municipalityId === municipalityId).map((l) => l.target)).toEqual([
      `update-comment:${afterPost.comments[0].id}`,
    ]);
    // Staff answers carry the council badge, from their membership, never from the form (ADR 0015).
    const answered = await call(
      timeline.action,
      staff,
      staff.post("/", { intent: "comment", updateId, body: "Thank you, noted." }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    expect(answered.status).toBe(302);
    await call(
      timeline.action,
      resident,
      resident.post("/", {
        intent: "comment",
        updateId,
        body: "I am staff too",
        official: "staff",
        authorRole: "admin",
      }),
      { slug, round: "pb-2025", proposal: funded[0] },
    );
    const badges = await body(
      await call(timeline.loader, observer, observer.get("/"), { slug, round: "pb-2025", proposal: funded[0] }),
    );
    const official = Object.fromEntries(
      badges.comments.map((c: { body: string | null; official: string | null }) => [c.body ?? "", c.official]),
    );
    expect(official["Thank you, noted."]).toBe("staff");
    expect(official["I am staff too"]).toBeNull();
  });

  it("is closed to residents", async () => {
    const resident = await loggedIn(`resident@${slug}.example`);
    expect(
      (
        await call(staffPage.action, resident, resident.post("/", update(funded[0], { progress: "90" })), {
          slug,
          round: "pb-2025",
        })
      ).status,
    ).toBe(403);
  });

  it("publishes open data as JSON and CSV", async () => {
    const observer = new TestBrowser(database.db);
    const jsonData = await body(await call(openJson.loader, observer, observer.get("/"), { slug }));
    expect(jsonData.funded_proposals.map((r: { status: string; title_en: string }) => [r.title_en, r.status])).toEqual([
      ['Trees, "many"', "in_progress"],
      ["Lights", "cancelled"],
    ]);
    const csv = await (await call(openCsv.loader, observer, observer.get("/"), { slug })).text();
    const lines = csv
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe(
      "round,envelope,proposal,title_en,title_fa,allocated,currency,status,progress,spent,expected_completion,cancel_reason,updated_at",
    );
    expect(lines[1]).toContain(`"Trees, ""many""",,40000,EUR,in_progress,40,12000,2027-03-01,,`);
    expect(lines).toHaveLength(3);
  });
});
