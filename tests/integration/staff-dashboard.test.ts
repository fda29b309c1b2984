/**
 * After logging in, staff find what needs them: the home page links the dashboard of each
 * municipality they work for, and the dashboard counts proposals to review, flagged comments,
 * verifications waiting and lists phases ending within a week.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import * as home from "../../app/routes/_index";
import * as dashboard from "../../app/routes/m.$slug.admin._index";
import { testDatabase } from "../support/db";
import { call } from "../support/requests";
import { addMember } from "../../app/services/accounts/memberships.server";
import {
  flag,
  makeComment,
  makeEnvelope,
  makeMember,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUser,
  signIn,
} from "../support/factories";
import { unique } from "../support/unique";

let database: Database;
beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

describe("the staff dashboard", () => {
  it("lists what needs the staff, and the home page links it for every municipality they work for", async () => {
    const town = await makeMunicipality(database.db);
    const other = await makeMunicipality(database.db);
    const staff = await makeMember(database.db, { by: town.admin, email: `${unique("staff")}@town.example` });
    await addMember(database.db, other.admin, { email: staff.user.email, role: "staff" });
    const resident = await makeUser(database.db, { email: `${unique("resident")}@town.example` });
    const critic = await makeUser(database.db, { email: `${unique("critic")}@town.example` });

    const ideas = await makeRound(database.db, { by: town.admin, phase: "proposals", title: { en: "Ideas 1405" } });
    const envelope = await makeEnvelope(database.db, { by: town.admin, round: ideas });
    const submitted = await makeProposal(database.db, {
      by: staff,
      round: ideas,
      envelope,
      title: { en: "A bench" },
      status: "submitted",
      author: resident,
    });
    const comment = await makeComment(database.db, {
      municipality: town.municipality,
      round: ideas,
      proposalId: submitted,
      user: resident,
      body: "Rude words",
    });
    await flag(database.db, {
      municipality: town.municipality,
      commentId: comment,
      proposalId: submitted,
      user: critic,
      reason: "rude",
    });
    await makeRound(database.db, {
      by: town.admin,
      title: { en: "Closing soon" },
      spans: [
        ["proposals", -10, -5],
        ["voting", -4, 3],
        ["tallying", 4, 10],
      ],
    });

    const browser = await signIn(database.db, staff.user);
    const page = await (
      await call(dashboard.loader, browser, browser.get("/"), { slug: town.municipality.slug })
    ).json();
    expect(page.needs.toReview).toEqual([{ slug: ideas.slug, title: { en: "Ideas 1405" }, count: 1 }]);
    expect(page.needs.flaggedComments).toBe(1);
    expect(page.needs.verificationsWaiting).toBe(0);
    expect(page.needs.endingSoon.map((r: { title: { en: string }; phase: string }) => [r.title.en, r.phase])).toEqual([
      ["Closing soon", "voting"],
    ]);

    const landing = await (await call(home.loader, browser, browser.get("/"))).json();
    expect(landing.workplaces.map((w: { slug: string }) => w.slug).sort()).toEqual(
      [town.municipality.slug, other.municipality.slug].sort(),
    );
    const visitor = await signIn(database.db, null);
    expect((await (await call(home.loader, visitor, visitor.get("/"))).json()).workplaces).toEqual([]);
  });
});
