/**
 * One's own data (ADR 0026): the export holds the account's rows and never a ballot; deleting an
 * account needs the password, keeps comments (as a former account), cast ballots and verification
 * records, ends every session and writes the action log.
 */
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, ballots, comments, sessions, users, verifications } from "../../db/schema";
import * as login from "../../app/routes/login";
import * as myData from "../../app/routes/account_.privacy";
import {
  PASSWORD,
  castBallots,
  censusRows,
  makeCensus,
  makeComment,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  signIn,
  verifyVoter,
} from "../support/factories";
import { call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

async function resident() {
  const db = database.db;
  const town = await makeMunicipality(db, { districts: ["north", "south"] });
  const [person] = censusRows({ count: 1, districts: ["north"], first: 400_000_000 + Math.floor(Math.random() * 1e6) });
  await makeCensus(db, { by: town.admin, rows: [person] });
  const user = await makeUser(db, { email: `${unique("me")}@example.org`, displayName: "Mina Private" });
  await verifyVoter(db, { municipality: town.municipality, user, person });
  const [verification] = await db.select().from(verifications).where(eq(verifications.userId, user.id));

  const ideas = await makeRound(db, { by: town.admin, phase: "proposals" });
  const ideasEnvelope = await makeEnvelope(db, { by: town.admin, round: ideas, amount: 5_000 });
  const mine = await makeProposal(db, {
    by: town.admin,
    round: ideas,
    envelope: ideasEnvelope,
    title: { en: "Benches by the river" },
    author: user,
    status: "submitted",
  });
  const theirs = await makeProposal(db, {
    by: town.admin,
    round: ideas,
    envelope: ideasEnvelope,
    title: { en: "Lamps" },
  });
  const comment = await makeComment(db, {
    municipality: town.municipality,
    round: ideas,
    proposalId: theirs,
    user,
    body: "Please light the north path",
  });

  const vote = await makeRound(db, { by: town.admin, phase: "voting" });
  const voteEnvelope = await makeEnvelope(db, { by: town.admin, round: vote, amount: 8_000 });
  const trees = await makeProposal(db, { by: town.admin, round: vote, envelope: voteEnvelope, title: { en: "Trees" } });
  await castBallots(db, {
    municipality: town.municipality,
    round: vote,
    envelope: voteEnvelope,
    votes: [{ identity: verification.identityHash, body: { approved: [trees] } }],
  });
  return { town, user, mine, comment, vote, trees };
}

describe("download my data", () => {
  it("is a JSON file of the account, its verification, comments and proposals, without any ballot", async () => {
    const { user, mine, comment, vote } = await resident();
    const browser = await signIn(database.db, user);
    const response = await call(myData.action, browser, browser.post("/account/privacy", { intent: "download" }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="shora-my-data.json"');
    const text = await response.text();
    const data = JSON.parse(text);
    expect(data.account.email).toBe(user.email);
    expect(data.verifications).toHaveLength(1);
    expect(data.verifications[0].district).toBe("north");
    expect(data.proposals.map((p: { id: string }) => p.id)).toEqual([mine]);
    expect(data.comments.map((c: { id: string; body: string }) => [c.id, c.body])).toEqual([
      [comment, "Please light the north path"],
    ]);
    const [ballot] = await database.db.select().from(ballots).where(eq(ballots.roundId, vote.id));
    for (const secret of [ballot.voterKey, ballot.commitment, ballot.nonce, ballot.id])
      expect(text).not.toContain(secret);
    expect(text).not.toContain("approved");
  });
});

describe("delete my account", () => {
  it("needs the password; then keeps comments, ballots and the verification, and ends every session", async () => {
    const { town, user, comment, vote } = await resident();
    const db = database.db;
    const browser = await signIn(db, user);
    const other = await signIn(db, user);
    const countBallots = async () =>
      (await db.select({ n: sql<number>`count(*)::int` }).from(ballots).where(eq(ballots.roundId, vote.id)))[0].n;
    const ballotsBefore = await countBallots();

    const wrong = await call(
      myData.action,
      browser,
      browser.post("/account/privacy", { intent: "delete", password: "not my password" }),
    );
    expect(wrong.status).toBe(403);
    expect((await db.select().from(users).where(eq(users.id, user.id)))[0].email).toBe(user.email);

    const deleted = await call(
      myData.action,
      browser,
      browser.post("/account/privacy", { intent: "delete", password: PASSWORD }),
    );
    expect(deleted.status).toBe(302);
    expect(deleted.headers.get("location")).toBe("/privacy?deleted=1");
    expect(browser.cookies.has("shora_session")).toBe(false);

    const [row] = await db.select().from(users).where(eq(users.id, user.id));
    expect(row.email).not.toBe(user.email);
    expect(row.displayName).toBe("");
    expect(row.deletedAt).not.toBeNull();
    expect(await db.select().from(sessions).where(eq(sessions.userId, user.id))).toEqual([]);
    const stillThere = await call(myData.loader, other, other.get("/account/privacy"));
    expect(stillThere.status).toBe(403);

    const [kept] = await db.select().from(comments).where(eq(comments.id, comment));
    expect(kept.body).toBe("Please light the north path");
    expect(kept.authorId).toBeNull();
    expect(await countBallots()).toBe(ballotsBefore);
    expect(await db.select().from(verifications).where(eq(verifications.userId, user.id))).toHaveLength(1);
    const logged = await db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "account.delete")));
    expect(logged.map((l) => l.target)).toEqual([`account:${user.id}`]);

    const again = await signIn(db, null);
    const relogin = await call(login.action, again, again.post("/login", { email: user.email, password: PASSWORD }));
    expect(relogin.status).toBe(401);
  });

  it("is refused to staff, who must first leave their roles", async () => {
    const town = await makeMunicipality(database.db, {});
    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@example.org` });
    const browser = await signIn(database.db, staff.user);
    const refused = await call(
      myData.action,
      browser,
      browser.post("/account/privacy", { intent: "delete", password: PASSWORD }),
    );
    expect(refused.status).toBe(409);
    expect((await database.db.select().from(users).where(eq(users.id, staff.user.id)))[0].deletedAt).toBeNull();
  });
});
