/**
 * Following a proposal and the messages its events bring (ADR 0033): authors follow their own
 * proposals, anyone logged in follows a public one; review, official responses, funding and
 * implementation updates reach author and followers in their language, once, in the transaction of
 * the change, unless they switched the topic off; replies reach the comment's author; a verification
 * and its revocation reach the person; a merge moves followers.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { notificationOptOuts, outbox, proposalFollowers, verifications } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { dayIn } from "../../app/domain/rounds/phases";
import { renderMessage } from "../../app/domain/mail/render";
import {
  followedBy,
  isFollowing,
  moveFollowers,
  setFollowing,
  unfollow,
} from "../../app/services/following/following.server";
import { postOfficialResponse, reviewProposal } from "../../app/services/rounds/rounds-admin.server";
import { revokeVerification } from "../../app/services/verification/staff-verification.server";
import { scopeOf, userActor } from "../../app/services/scope";
import {
  type Town,
  castBallots,
  censusRows,
  makeCensus,
  makeComment,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUpdate,
  makeUser,
  signIn,
  tallyAndPublish,
  verifyVoter,
} from "../support/factories";
import { testDatabase, unique } from "../support/db";
import { call } from "../support/requests";
import * as proposalPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal";
import * as followingPage from "../../app/routes/account_.following";

let database: Database;
let town: Town;

beforeAll(async () => {
  database = await testDatabase();
  town = await makeMunicipality(database.db, {
    slug: unique("follow"),
    name: { en: "Follow town", fa: "شهر دنبال" },
    districts: ["north"],
  });
});
afterAll(() => database.close());

/** The person's messages but the account ones (the address confirmation every factory user gets). */
async function messagesTo(userId: string) {
  const rows = await database.db.select().from(outbox).where(eq(outbox.userId, userId)).orderBy(outbox.createdAt);
  return rows.filter((m) => !m.kind.startsWith("account."));
}
const kinds = async (userId: string) => (await messagesTo(userId)).map((m) => m.kind);

describe("following a proposal", () => {
  it("the author follows from submission; others may follow only once it is public; review and official responses reach both", async () => {
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round });
    const author = await makeUser(database.db, { email: `${unique("author")}@f.example`, locale: "fa" });
    const reader = await makeUser(database.db, { email: `${unique("reader")}@f.example` });
    const id = await makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      author,
      status: "submitted",
      title: { en: "Benches", fa: "نیمکت‌ها" },
    });
    expect(await isFollowing(database.db, { proposalId: id, userId: author.id })).toBe(true);
    const readerScope = scopeOf(town.municipality, userActor(reader));
    // Awaiting review, it is the author's only: nobody else can follow it (or learn it exists).
    await expect(
      setFollowing(database.db, readerScope, { roundSlug: round.slug, proposalId: id, follow: true }),
    ).rejects.toMatchObject({ code: "proposal_unknown", status: 404 });

    await reviewProposal(database.db, town.admin, {
      roundSlug: round.slug,
      proposalId: id,
      review: { decision: "accept", cost: 1_000, feasibilityNote: null },
    });
    const accepted = await messagesTo(author.id);
    expect(accepted.map((m) => m.kind)).toEqual(["proposal.accepted"]);
    expect(accepted[0].locale).toBe("fa");
    expect(accepted[0].municipalityId).toBe(town.municipality.id);
    const fa = renderMessage({ ...accepted[0], name: "Author", baseUrl: "https://s.test" });
    expect(fa.text).toContain("پیشنهاد شما «نیمکت‌ها» پذیرفته شد");
    expect(fa.link).toBe(`https://s.test/m/${town.municipality.slug}/rounds/${round.slug}/proposals/${id}`);

    await setFollowing(database.db, readerScope, { roundSlug: round.slug, proposalId: id, follow: true });
    await setFollowing(database.db, readerScope, { roundSlug: round.slug, proposalId: id, follow: true });
    expect(await database.db.select().from(proposalFollowers).where(eq(proposalFollowers.proposalId, id))).toHaveLength(
      2,
    );
    await postOfficialResponse(database.db, town.admin, {
      roundSlug: round.slug,
      proposalId: id,
      text: "The parks team will place them in May.",
    });
    expect(await kinds(author.id)).toEqual(["proposal.accepted", "proposal.response"]);
    const [update] = await messagesTo(reader.id);
    expect(update.kind).toBe("follow.update");
    const en = renderMessage({ ...update, name: "Reader", baseUrl: "https://s.test" });
    expect(en.text).toContain("“Benches”, a proposal you follow, was answered by the municipality.");
    expect(en.text).toContain("The parks team will place them in May.");

    // Switched off, the topic brings nothing; unfollowed, nothing either.
    await database.db.insert(notificationOptOuts).values({ userId: reader.id, topic: "follows" });
    await postOfficialResponse(database.db, town.admin, { roundSlug: round.slug, proposalId: id, text: "Second." });
    expect(await messagesTo(reader.id)).toHaveLength(1);
    await database.db.delete(notificationOptOuts).where(eq(notificationOptOuts.userId, reader.id));
    expect((await followedBy(database.db, { userId: reader.id })).map((f) => f.proposalId)).toEqual([id]);
    await setFollowing(database.db, readerScope, { roundSlug: round.slug, proposalId: id, follow: false });
    expect(await followedBy(database.db, { userId: reader.id })).toEqual([]);
    await postOfficialResponse(database.db, town.admin, { roundSlug: round.slug, proposalId: id, text: "Third." });
    expect(await messagesTo(reader.id)).toHaveLength(1);
    expect(await kinds(author.id)).toEqual([
      "proposal.accepted",
      "proposal.response",
      "proposal.response",
      "proposal.response",
    ]);
  });

  it("a rejection reaches the author with its reason", async () => {
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round });
    const author = await makeUser(database.db, { email: `${unique("author")}@f.example` });
    const id = await makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      author,
      status: "submitted",
      title: { en: "Tower" },
    });
    await reviewProposal(database.db, town.admin, {
      roundSlug: round.slug,
      proposalId: id,
      review: { decision: "reject", reason: "The land is not the municipality's." },
    });
    const [message] = await messagesTo(author.id);
    expect(message.kind).toBe("proposal.rejected");
    const text = renderMessage({ ...message, name: "A", baseUrl: "https://s.test" }).text;
    expect(text).toContain("Your proposal “Tower” was rejected.");
    expect(text).toContain("Reason: The land is not the municipality's.");
  });

  it("funding at publication and implementation updates reach followers, each once", async () => {
    const today = dayIn(town.municipality.timeZone);
    const round = await makeRound(database.db, {
      by: town.admin,
      spans: [
        ["voting", -5, -1],
        ["tallying", 0, 3],
        ["implementation", 4, 40],
      ],
    });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round, amount: 1_000 });
    const park = await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Park" }, cost: 600 });
    const fan = await makeUser(database.db, { email: `${unique("fan")}@f.example` });
    await setFollowing(database.db, scopeOf(town.municipality, userActor(fan)), {
      roundSlug: round.slug,
      proposalId: park,
      follow: true,
    });
    await castBallots(database.db, {
      municipality: town.municipality,
      round,
      envelope,
      at: new Date(`${addDays(today, -3)}T12:00:00Z`),
      votes: [{ identity: unique("a"), body: { approved: [park] } }],
    });
    await tallyAndPublish(database.db, { by: town.admin, round });
    const funded = await messagesTo(fan.id);
    expect(funded.map((m) => m.kind)).toEqual(["follow.update"]);
    expect(renderMessage({ ...funded[0], name: "F", baseUrl: "https://s.test" }).text).toContain(
      "“Park”, a proposal you follow, was funded.",
    );
    // The staff member who wrote it is its author.
    expect(await kinds(town.admin.user.id)).toContain("proposal.funded");
    await makeUpdate(database.db, { by: town.admin, round, proposalId: park, note: "Digging started." });
    expect(await kinds(fan.id)).toEqual(["follow.update", "implementation.update"]);
  });

  it("a merge moves followers to the kept proposal, once each", async () => {
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round });
    const [a, b, c] = [
      await makeUser(database.db, { email: `${unique("a")}@f.example` }),
      await makeUser(database.db, { email: `${unique("b")}@f.example` }),
      await makeUser(database.db, { email: `${unique("c")}@f.example` }),
    ];
    const kept = await makeProposal(database.db, { by: town.admin, round, envelope, author: a, title: { en: "Kept" } });
    const merged = await makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      author: b,
      title: { en: "Dup" },
    });
    await setFollowing(database.db, scopeOf(town.municipality, userActor(c)), {
      roundSlug: round.slug,
      proposalId: merged,
      follow: true,
    });
    await setFollowing(database.db, scopeOf(town.municipality, userActor(a)), {
      roundSlug: round.slug,
      proposalId: merged,
      follow: true,
    });
    const gained = await database.db.transaction((tx) =>
      moveFollowers(tx, { fromProposalId: merged, toProposalId: kept }),
    );
    expect(gained).toBe(2);
    const followers = async (id: string) =>
      (await database.db.select().from(proposalFollowers).where(eq(proposalFollowers.proposalId, id)))
        .map((f) => f.userId)
        .sort();
    expect(await followers(kept)).toEqual([a.id, b.id, c.id].sort());
    expect(await followers(merged)).toEqual([]);
    expect(await unfollow(database.db, { userId: c.id, proposalId: kept })).toBe(true);
    expect(await unfollow(database.db, { userId: c.id, proposalId: kept })).toBe(false);
  });
});

describe("replies and verification", () => {
  it("a reply reaches the comment's author (not their own replies); verification and revocation reach the person", async () => {
    const people = censusRows({ count: 2, districts: ["north"] });
    await makeCensus(database.db, { by: town.admin, rows: people });
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round });
    const id = await makeProposal(database.db, { by: town.admin, round, envelope, title: { en: "Library" } });
    const [ana, ben] = [
      await makeUser(database.db, { email: `${unique("ana")}@f.example` }),
      await makeUser(database.db, { email: `${unique("ben")}@f.example`, locale: "fa" }),
    ];
    await verifyVoter(database.db, { municipality: town.municipality, user: ana, person: people[0] });
    await verifyVoter(database.db, { municipality: town.municipality, user: ben, person: people[1] });
    expect(await kinds(ana.id)).toEqual(["verification.verified"]);
    const [verified] = await messagesTo(ben.id);
    expect(renderMessage({ ...verified, name: "بن", baseUrl: "https://s.test" }).text).toContain(
      "حساب شما اکنون در شهر دنبال احراز هویت شده است",
    );
    const first = await makeComment(database.db, {
      municipality: town.municipality,
      round,
      proposalId: id,
      user: ana,
      body: "Open on Fridays?",
    });
    await makeComment(database.db, {
      municipality: town.municipality,
      round,
      proposalId: id,
      user: ana,
      body: "I add",
      parentId: first,
    });
    expect(await kinds(ana.id)).toEqual(["verification.verified"]);
    const reply = await makeComment(database.db, {
      municipality: town.municipality,
      round,
      proposalId: id,
      user: ben,
      body: "Yes, secret reply text",
      parentId: first,
    });
    const replies = (await messagesTo(ana.id)).filter((m) => m.kind === "comment.reply");
    expect(replies).toHaveLength(1);
    expect(JSON.stringify(replies[0].payload)).not.toContain("secret reply text");
    expect(replies[0].payload).toMatchObject({ path: expect.stringContaining(`#comment-${reply}`) });

    const [row] = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.userId, ben.id), eq(verifications.municipalityId, town.municipality.id)));
    await revokeVerification(database.db, town.admin, { verificationId: row.id, reason: "Duplicate person found" });
    expect(await kinds(ben.id)).toEqual(["verification.verified", "verification.revoked"]);
  });
});

describe("the pages", () => {
  it("the proposal page follows and stops following by form; /account/following lists and unfollows only one's own", async () => {
    const round = await makeRound(database.db, { by: town.admin, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round });
    const id = await makeProposal(database.db, {
      by: town.admin,
      round,
      envelope,
      title: { en: "Fountain", fa: "فواره" },
    });
    const resident = await makeUser(database.db, { email: `${unique("page")}@f.example` });
    const other = await makeUser(database.db, { email: `${unique("other")}@f.example` });
    const browser = await signIn(database.db, resident);
    const params = { slug: town.municipality.slug, round: round.slug, proposal: id };
    const page = async () => (await call(proposalPage.loader, browser, browser.get("/"), params)).json();
    expect(await page()).toMatchObject({ following: false, followers: 0 });
    const followed = await call(proposalPage.action, browser, browser.post("/", { intent: "follow" }), params);
    expect(followed.status).toBe(200);
    expect((await followed.json()).notice).toBe("You now follow this proposal.");
    expect(await page()).toMatchObject({ following: true, followers: 1 });
    // Without the CSRF token nothing changes.
    const forged = await call(
      proposalPage.action,
      browser,
      browser.post("/", { intent: "unfollow" }, { csrf: null }),
      params,
    );
    expect(forged.status).toBe(403);
    expect(await page()).toMatchObject({ following: true });

    const list = await (await call(followingPage.loader, browser, browser.get("/account/following"), {})).json();
    expect(list.followed.map((f: { proposalId: string }) => f.proposalId)).toEqual([id]);
    // Someone else's "unfollow" of it changes nothing of the resident's.
    const stranger = await signIn(database.db, other);
    const refused = await call(
      followingPage.action,
      stranger,
      stranger.post("/account/following", { intent: "unfollow", proposalId: id }),
    );
    expect(refused.status).toBe(404);
    expect(await page()).toMatchObject({ following: true, followers: 1 });
    const left = await call(
      followingPage.action,
      browser,
      browser.post("/account/following", { intent: "unfollow", proposalId: id }),
    );
    expect(left.status).toBe(200);
    expect(await page()).toMatchObject({ following: false, followers: 0 });
  });
});
