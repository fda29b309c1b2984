/**
 * Impersonation: names with direction overrides or invisible characters are refused, and comments by
 * the council's staff carry a badge a resident cannot get (ADR 0015).
 */
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { comments, memberships, users } from "../../db/schema";
import * as proposalPage from "../../app/routes/m.$slug.rounds.$round.proposals.$proposal";
import * as signup from "../../app/routes/signup";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { testDatabase, unique } from "../support/db";
import { TestBrowser, call } from "../support/requests";
import { PASSWORD, type Town, loggedIn, acceptedProposal, setupTown } from "./verification-setup";

let database: Database;
let town: Town;
let proposalId: string;

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 1, votingInDays: 10 });
  proposalId = await acceptedProposal(database.db, town);
});
afterAll(() => database.close());

function signUp(name: string, locale: "en" | "fa" = "en") {
  const browser = new TestBrowser(database.db);
  browser.cookies.set("shora_lang", locale);
  return call(
    signup.action,
    browser,
    browser.post("/signup", { displayName: name, email: `${unique("name")}@example.org`, password: PASSWORD }),
  );
}

const refused: [string, string][] = [
  ["right-to-left override", "Council\u202e ffats"],
  ["left-to-right override", "\u202dAdmin"],
  ["left-to-right embedding", "a\u202ab"],
  ["pop directional formatting", "a\u202cb"],
  ["right-to-left isolate", "a\u2067b"],
  ["first strong isolate", "a\u2068b"],
  ["pop directional isolate", "a\u2069b"],
  ["left-to-right mark", "Sina\u200e"],
  ["right-to-left mark", "\u200fسینا"],
  ["Arabic letter mark", "علی\u061c"],
  ["zero-width space", "Sta\u200bff"],
  ["zero-width joiner", "Sta\u200dff"],
  ["byte order mark inside", "Sta\ufeffff"],
  ["word joiner", "a\u2060b"],
  ["invisible times", "a\u2062b"],
  ["Mongolian vowel separator", "a\u180eb"],
  ["line feed", "Ada\nStaff"],
  ["escape", "Ada\u001b[31m"],
  ["line separator", "Ada\u2028Staff"],
];

describe("names", () => {
  it.each(refused)("refuses a name with a %s at sign-up, naming the field (en and fa)", async (_what, name) => {
    const en = await signUp(name, "en");
    expect(en.status).toBe(400);
    const enBody = await en.json();
    expect(enBody.errors.displayName).toMatch(/^Your name /);
    expect(enBody.errors.displayName).toMatch(/invisible|direction/);
    const fa = await signUp(name, "fa");
    expect(fa.status).toBe(400);
    expect((await fa.json()).errors.displayName).toMatch(/نام شما/);
  });

  it("accepts the zero-width non-joiner Persian spelling needs, and plain names", async () => {
    for (const name of ["علی\u200cرضا محمدی", "می\u200cخواهم", "Ada Lovelace", "Zoë O'Brien-Ngô"]) {
      const response = await signUp(name);
      expect(response.status).toBe(302);
    }
    const [row] = await database.db.select().from(users).where(eq(users.displayName, "علی\u200cرضا محمدی"));
    expect(row).toBeDefined();
  });
});

const page = () => `/m/${town.slug}/rounds/${town.roundSlug}/proposals/${proposalId}`;
const params = () => ({ slug: town.slug, round: town.roundSlug, proposal: proposalId });

async function comment(browser: TestBrowser, body: string, extra: Record<string, string> = {}) {
  const response = await call(
    proposalPage.action,
    browser,
    browser.post(page(), { intent: "comment", body, stance: "", ...extra }),
    params(),
  );
  expect(response.status).toBe(200);
}

async function threadOf(browser: TestBrowser) {
  const data = await (await call(proposalPage.loader, browser, browser.get(page()), params())).json();
  return data.thread.comments as { body: string; author: string; official: string | null }[];
}

describe("staff badge on comments", () => {
  it("marks a comment by staff as official, decided when written; residents cannot get it", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const admin = await loggedIn(database.db, `admin@${town.slug}.example`);
    const resident = await loggedIn(database.db, town.residents[0].email);
    // A resident who calls themselves "Council staff", and tries to send the role with the form.
    const posingId = randomUUID();
    const posingEmail = `${unique("posing")}@example.org`;
    await database.db.insert(users).values({
      id: posingId,
      email: posingEmail,
      passwordHash: await hashPassword(PASSWORD),
      displayName: "Council staff",
    });
    const posing = await loggedIn(database.db, posingEmail);

    await comment(staff, "Official answer: the trees are planned.");
    await comment(admin, "From the administrator.");
    await comment(resident, "A resident's view.");
    await comment(posing, "I speak for the council.", { official: "staff", authorRole: "staff", role: "admin" });

    const byBody = new Map((await threadOf(resident)).map((c) => [c.body, c]));
    expect(byBody.get("Official answer: the trees are planned.")?.official).toBe("staff");
    expect(byBody.get("From the administrator.")?.official).toBe("admin");
    expect(byBody.get("A resident's view.")?.official).toBeNull();
    expect(byBody.get("I speak for the council.")?.official).toBeNull();
    expect(byBody.get("I speak for the council.")?.author).toBe("Council staff");

    // The role is stored with the comment: leaving the staff later does not rewrite history ...
    await database.db
      .delete(memberships)
      .where(and(eq(memberships.userId, town.staff.user.id), eq(memberships.municipalityId, town.municipality.id)));
    const after = new Map((await threadOf(resident)).map((c) => [c.body, c]));
    expect(after.get("Official answer: the trees are planned.")?.official).toBe("staff");
    // ... and what they write afterwards is a resident's comment.
    await comment(staff, "Now writing as a private person.");
    const later = new Map((await threadOf(resident)).map((c) => [c.body, c]));
    expect(later.get("Now writing as a private person.")?.official).toBeNull();
    const [stored] = await database.db
      .select()
      .from(comments)
      .where(eq(comments.body, "Official answer: the trees are planned."));
    expect(stored.authorRole).toBe("staff");
  });
});
