import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, commentFlags, comments, surveyResponses } from "../../db/schema";
import * as moderation from "../../app/routes/m.$slug.admin.moderation";
import * as staffSurvey from "../../app/routes/m.$slug.admin.rounds.$round.survey";
import * as surveyCsvRoute from "../../app/routes/m.$slug.admin.rounds.$round.survey[.csv]";
import * as proposalPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal";
import * as roundPage from "../../app/routes/m.$slug.rounds.$round._index";
import * as surveyPage from "../../app/routes/m.$slug.rounds.$round.survey";
import { EDIT_WINDOW_MS, editComment } from "../../app/services/proposals/comments.server";
import { type TestBrowser, call } from "../support/requests";
import { testDatabase } from "../support/db";
import { type Town, loggedIn, acceptedProposal, setupTown } from "./verification-setup";
import { scopeOf, userActor } from "../../app/services/scope";

let database: Database;
let town: Town;
let proposalId: string;

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 3, votingInDays: 10 });
  proposalId = await acceptedProposal(database.db, town);
});
afterAll(() => database.close());

const page = () => `/m/${town.slug}/rounds/${town.roundSlug}/proposals/${proposalId}`;
const params = () => ({ slug: town.slug, round: town.roundSlug, proposal: proposalId });
const thread = async (browser: Awaited<ReturnType<typeof loggedIn>>) =>
  (await (await call(proposalPage.loader, browser, browser.get(page()), params())).json()).thread;

describe("comments", () => {
  it("residents comment with a stance, reply three levels deep, and the round page counts them", async () => {
    const alice = await loggedIn(database.db, town.residents[0].email);
    const bob = await loggedIn(database.db, town.residents[1].email);
    const first = await call(
      proposalPage.action,
      alice,
      alice.post(page(), { intent: "comment", body: "Yes please <b>now</b>", stance: "for" }),
      params(),
    );
    expect(first.status).toBe(200);
    const [top] = (await thread(alice)).comments;
    expect(top).toMatchObject({ body: "Yes please <b>now</b>", stance: "for", depth: 1, mine: true, editable: true });
    let parent = top.id;
    for (let level = 2; level <= 4; level++) {
      const who = level % 2 ? alice : bob;
      const r = await call(
        proposalPage.action,
        who,
        who.post(page(), { intent: "reply", commentId: parent, body: `level ${level}`, stance: "against" }),
        params(),
      );
      expect(r.status).toBe(200);
      parent = (await thread(who)).comments.at(-1).id;
    }
    const view = await thread(bob);
    expect(
      view.comments.map((c: { body: string; depth: number; stance: string | null }) => [c.body, c.depth, c.stance]),
    ).toEqual([
      ["Yes please <b>now</b>", 1, "for"],
      ["level 2", 2, null],
      ["level 3", 3, null],
      ["level 4", 3, null],
    ]);
    expect(view.stances).toEqual({ for: 1, neutral: 0, against: 0 });
    const round = await (
      await call(roundPage.loader, bob, bob.get(`/m/${town.slug}/rounds/${town.roundSlug}`), {
        slug: town.slug,
        round: town.roundSlug,
      })
    ).json();
    expect(round.envelopes[0].proposals[0].comments).toBe(4);
  });

  it("refuses empty and too long comments, naming the field, and stores nothing", async () => {
    const alice = await loggedIn(database.db, town.residents[0].email);
    const before = (await database.db.select().from(comments).where(eq(comments.proposalId, proposalId))).length;
    const empty = await call(
      proposalPage.action,
      alice,
      alice.post(page(), { intent: "comment", body: "   " }),
      params(),
    );
    expect(empty.status).toBe(400);
    expect((await empty.json()).errors).toEqual({ body: "Write something first." });
    const long = await call(
      proposalPage.action,
      alice,
      alice.post(page(), { intent: "comment", body: "x".repeat(4001) }),
      params(),
    );
    expect((await long.json()).errors.body).toBe("A comment has at most 4,000 characters.");
    expect((await database.db.select().from(comments).where(eq(comments.proposalId, proposalId))).length).toBe(before);
  });

  it("lets the author edit within 15 minutes and delete softly; others cannot", async () => {
    const alice = await loggedIn(database.db, town.residents[0].email);
    const bob = await loggedIn(database.db, town.residents[1].email);
    const mine = (await thread(alice)).comments[0];
    const notYours = await call(
      proposalPage.action,
      bob,
      bob.post(page(), { intent: "edit", commentId: mine.id, body: "hijack" }),
      params(),
    );
    expect(notYours.status).toBe(403);
    const edited = await call(
      proposalPage.action,
      alice,
      alice.post(page(), { intent: "edit", commentId: mine.id, body: "Yes please, soon" }),
      params(),
    );
    expect(edited.status).toBe(200);
    expect((await thread(alice)).comments[0]).toMatchObject({ body: "Yes please, soon", edited: true });
    const late = new Date(Date.now() + EDIT_WINDOW_MS + 60_000);
    await expect(
      editComment(database.db, scopeOf(town.municipality, userActor(town.residents[0])), {
        commentId: mine.id,
        proposalId,
        body: "too late",
        now: late,
      }),
    ).rejects.toMatchObject({ code: "comment_edit_window" });

    const reply = (await thread(alice)).comments[1];
    const del = await call(
      proposalPage.action,
      bob,
      bob.post(page(), { intent: "delete", commentId: reply.id }),
      params(),
    );
    expect(del.status).toBe(200);
    const after = (await thread(alice)).comments[1];
    expect(after).toMatchObject({ deleted: true, body: null, author: null });
    const [row] = await database.db.select().from(comments).where(eq(comments.id, reply.id));
    expect(row.deletedAt).not.toBeNull();
    expect(row.body).toBe("");
  });

  it("flags once per person, never one's own; staff hide with a reason and restore, both logged", async () => {
    const alice = await loggedIn(database.db, town.residents[0].email);
    const bob = await loggedIn(database.db, town.residents[1].email);
    const carol = await loggedIn(database.db, town.residents[2].email);
    const target = (await thread(alice)).comments[0];
    expect(
      (await call(proposalPage.action, alice, alice.post(page(), { intent: "flag", commentId: target.id }), params()))
        .status,
    ).toBe(409);
    expect(
      (
        await call(
          proposalPage.action,
          bob,
          bob.post(page(), { intent: "flag", commentId: target.id, reason: "rude" }),
          params(),
        )
      ).status,
    ).toBe(200);
    const again = await call(
      proposalPage.action,
      bob,
      bob.post(page(), { intent: "flag", commentId: target.id }),
      params(),
    );
    expect(again.status).toBe(409);
    expect((await again.json()).errors.form).toBe("You have already reported this comment.");
    expect(
      (await call(proposalPage.action, carol, carol.post(page(), { intent: "flag", commentId: target.id }), params()))
        .status,
    ).toBe(200);
    expect(await database.db.select().from(commentFlags).where(eq(commentFlags.commentId, target.id))).toHaveLength(2);

    const staff = await loggedIn(database.db, town.staff.user.email);
    const modPath = `/m/${town.slug}/admin/moderation`;
    const queue = await (await call(moderation.loader, staff, staff.get(modPath), { slug: town.slug })).json();
    expect(queue.flagged).toHaveLength(1);
    expect(queue.flagged[0]).toMatchObject({ id: target.id, reports: 2, reasons: ["rude"] });
    const noReason = await call(
      moderation.action,
      staff,
      staff.post(modPath, { intent: "hide", commentId: target.id, reason: "" }),
      { slug: town.slug },
    );
    expect(noReason.status).toBe(400);
    expect((await noReason.json()).errors.reason).toBe("A reason of 3 to 500 characters is required.");
    const hide = await call(
      moderation.action,
      staff,
      staff.post(modPath, { intent: "hide", commentId: target.id, reason: "Personal attack" }),
      { slug: town.slug },
    );
    expect(hide.status).toBe(200);
    const shown = (await thread(carol)).comments[0];
    expect(shown).toMatchObject({ body: null, hiddenReason: "Personal attack" });
    expect(
      (await (await call(moderation.loader, staff, staff.get(modPath), { slug: town.slug })).json()).flagged,
    ).toHaveLength(0);

    const restore = await call(
      moderation.action,
      staff,
      staff.post(modPath, { intent: "restore", commentId: target.id }),
      { slug: town.slug },
    );
    expect(restore.status).toBe(200);
    expect((await thread(carol)).comments[0]).toMatchObject({ body: "Yes please, soon", hiddenReason: null });
    const logged = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.target, `comment:${target.id}`)));
    expect(logged.map((l) => l.action).sort()).toEqual(["comment.hide", "comment.restore"]);

    const resident = await call(
      moderation.action,
      bob,
      bob.post(modPath, { intent: "hide", commentId: target.id, reason: "mine now" }),
      { slug: town.slug },
    );
    expect(resident.status).toBe(403);
  });
});

describe("surveys", () => {
  const staffPath = () => `/m/${town.slug}/admin/rounds/${town.roundSlug}/survey`;
  const surveyPath = () => `/m/${town.slug}/rounds/${town.roundSlug}/survey`;
  const rp = () => ({ slug: town.slug, round: town.roundSlug });

  it("staff add questions of every kind, refused with the field named when incomplete", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const bad = await call(
      staffSurvey.action,
      staff,
      staff.post(staffPath(), { intent: "add", kind: "single", promptEn: "", options: "only one" }),
      rp(),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual({
      promptEn: "Write the question in at least one language.",
      options: "Choice questions need 2 to 20 options.",
    });
    const questions: Record<string, string>[] = [
      {
        kind: "single",
        promptEn: "Which park first?",
        promptFa: "کدام پارک نخست؟",
        options: "Laleh | لاله\nNiloufar | نیلوفر",
        required: "on",
      },
      { kind: "multiple", promptEn: "What do you use?", options: "Bus\nBike\nCar" },
      { kind: "scale", promptEn: "How safe do you feel?", required: "on" },
      { kind: "text", promptEn: "Anything else?" },
    ];
    for (const q of questions) {
      const r = await call(staffSurvey.action, staff, staff.post(staffPath(), { intent: "add", ...q }), rp());
      expect(r.status).toBe(200);
    }
    const view = await (await call(staffSurvey.loader, staff, staff.get(staffPath()), rp())).json();
    expect(view.results.questions.map((q: { question: { kind: string } }) => q.question.kind)).toEqual([
      "single",
      "multiple",
      "scale",
      "text",
    ]);
    // Reordering: the text question moves up one place.
    const textId = view.results.questions[3].question.id;
    await call(staffSurvey.action, staff, staff.post(staffPath(), { intent: "up", questionId: textId }), rp());
    const moved = await (await call(staffSurvey.loader, staff, staff.get(staffPath()), rp())).json();
    expect(moved.results.questions.map((q: { question: { kind: string } }) => q.question.kind)).toEqual([
      "single",
      "multiple",
      "text",
      "scale",
    ]);
  });

  // One resident's survey, step by step: each rule is its own test, in order, on the same answers.
  describe("residents answer once, required questions enforced, and may change their answers", () => {
    let alice: TestBrowser;
    let bob: TestBrowser;
    let staff: TestBrowser;
    let single: { id: string };
    let multiple: { id: string };
    let text: { id: string };
    let scale: { id: string };

    it("refuses a missing required answer and an answer out of range, naming each question, and stores nothing", async () => {
      alice = await loggedIn(database.db, town.residents[0].email);
      const form = await (await call(surveyPage.loader, alice, alice.get(surveyPath()), rp())).json();
      [single, multiple, text, scale] = form.questions;
      const missing = await call(
        surveyPage.action,
        alice,
        alice.post(surveyPath(), { [`q-${multiple.id}`]: "0" }),
        rp(),
      );
      expect(missing.status).toBe(400);
      expect((await missing.json()).errors).toEqual({
        [`q-${single.id}`]: "This question needs an answer.",
        [`q-${scale.id}`]: "This question needs an answer.",
      });
      const outOfRange = await call(
        surveyPage.action,
        alice,
        alice.post(surveyPath(), { [`q-${single.id}`]: "7", [`q-${scale.id}`]: "9" }),
        rp(),
      );
      expect((await outOfRange.json()).errors).toEqual({
        [`q-${single.id}`]: "Choose among the options given.",
        [`q-${scale.id}`]: "Choose a value from 1 to 5.",
      });
      expect(
        await database.db.select().from(surveyResponses).where(eq(surveyResponses.roundId, town.roundId)),
      ).toHaveLength(0);
    });

    it("takes one response per person, with repeated fields for a multiple choice, and lets them change it", async () => {
      const body = new URLSearchParams([
        [`q-${single.id}`, "0"],
        [`q-${multiple.id}`, "0"],
        [`q-${multiple.id}`, "1"],
        [`q-${scale.id}`, "4"],
        [`q-${text.id}`, "More benches, =SUM(A1)"],
      ]);
      const ok = await call(surveyPage.action, alice, alice.post(surveyPath(), Object.fromEntries(body)), rp());
      expect(ok.status).toBe(200);
      const multi = new Request(`http://localhost${surveyPath()}`, {
        method: "POST",
        headers: { cookie: alice.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams([["_csrf", alice.cookies.get("shora_csrf") ?? ""], ...body]).toString(),
      });
      expect((await call(surveyPage.action, alice, multi, rp())).status).toBe(200);
      bob = await loggedIn(database.db, town.residents[1].email);
      await call(
        surveyPage.action,
        bob,
        bob.post(surveyPath(), { [`q-${single.id}`]: "1", [`q-${scale.id}`]: "2" }),
        rp(),
      );
      // Bob changes his mind: still one response per person.
      await call(
        surveyPage.action,
        bob,
        bob.post(surveyPath(), { [`q-${single.id}`]: "0", [`q-${scale.id}`]: "2" }),
        rp(),
      );
      expect(
        await database.db.select().from(surveyResponses).where(eq(surveyResponses.roundId, town.roundId)),
      ).toHaveLength(2);
      const mine = await (await call(surveyPage.loader, alice, alice.get(surveyPath()), rp())).json();
      expect(mine.answers[multiple.id]).toEqual([0, 1]);
    });

    it("shows staff the respondents and each question's counts, mean and texts", async () => {
      staff = await loggedIn(database.db, town.staff.user.email);
      const results = (await (await call(staffSurvey.loader, staff, staff.get(staffPath()), rp())).json()).results;
      expect(results.respondents).toBe(2);
      const byKind = Object.fromEntries(
        results.questions.map((q: { question: { kind: string } }) => [q.question.kind, q]),
      );
      expect(byKind.single.options.map((o: { count: number; percent: number }) => [o.count, o.percent])).toEqual([
        [2, 100],
        [0, 0],
      ]);
      expect(byKind.multiple.options.map((o: { count: number }) => o.count)).toEqual([1, 1, 0]);
      expect(byKind.scale.mean).toBe(3);
      expect(byKind.text.texts).toEqual(["More benches, =SUM(A1)"]);
    });

    it("exports the answers as CSV to staff, with the texts quoted, and to no resident", async () => {
      const csv = await call(surveyCsvRoute.loader, staff, staff.get(`${staffPath()}.csv`), rp());
      expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
      const lines = (await csv.text())
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\n");
      expect(lines[0]).toBe("respondent,Which park first?,What do you use?,Anything else?,How safe do you feel?");
      expect(lines).toHaveLength(3);
      expect(lines.join("\n")).toContain(`"More benches, =SUM(A1)"`);
      expect((await call(surveyCsvRoute.loader, bob, bob.get(`${staffPath()}.csv`), rp())).status).toBe(403);
    });

    it("refuses to remove a question once it has been answered", async () => {
      // Questions cannot be removed once answered.
      const del = await call(
        staffSurvey.action,
        staff,
        staff.post(staffPath(), { intent: "delete", questionId: single.id }),
        rp(),
      );
      expect(del.status).toBe(409);
    });
  });

  it("exports an answer holding a separator and a formula (x;=1+1) quoted, no part starting a formula", async () => {
    const carol = await loggedIn(database.db, town.residents[2].email);
    const form = await (await call(surveyPage.loader, carol, carol.get(surveyPath()), rp())).json();
    const [single, , text, scale] = form.questions;
    const answered = await call(
      surveyPage.action,
      carol,
      carol.post(surveyPath(), { [`q-${single.id}`]: "1", [`q-${scale.id}`]: "5", [`q-${text.id}`]: "x;=1+1" }),
      rp(),
    );
    expect(answered.status).toBe(200);
    const staff = await loggedIn(database.db, town.staff.user.email);
    const csv = await call(surveyCsvRoute.loader, staff, staff.get(`${staffPath()}.csv`), rp());
    const bytes = Buffer.from(await csv.arrayBuffer());
    const line = bytes
      .toString("utf8")
      .split("\n")
      .find((l) => l.includes("x;"));
    // One quoted cell (a `;` locale keeps it whole) whose part after `;` cannot start a formula either.
    expect(line).toMatch(/,"x;'=1\+1",/);
    expect(bytes.includes(Buffer.from(`,"x;'=1+1",`))).toBe(true);
    expect(bytes.includes(Buffer.from(";=1+1"))).toBe(false);
  });
});
