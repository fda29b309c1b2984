/**
 * The administrator/staff split (ADR 0019): administrators manage council members on
 * /m/<slug>/admin/staff (add by the e-mail of an existing account, change a role, remove), each change
 * logged; nobody removes or re-roles themselves and the municipality keeps an administrator even when
 * two administrators act at once. Staff are refused with a readable 403 and are not shown what is
 * not theirs. (The authorization matrix has the route-by-route table.)
 */
import { userActor } from "../../app/services/scope";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, memberships, users } from "../../db/schema";
import * as dashboard from "../../app/routes/m.$slug.admin._index";
import * as staffPage from "../../app/routes/m.$slug.admin.staff";
import * as tallyPage from "../../app/routes/m.$slug.admin.rounds.$round.tally";
import * as verificationsPage from "../../app/routes/m.$slug.admin.verifications";
import { translate } from "../../app/domain/i18n";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { removeMember, changeMemberRole } from "../../app/services/accounts/memberships.server";
import { LOCALE_COOKIE } from "../../app/web/locale.server";
import { call } from "../support/requests";
import { testDatabase } from "../support/db";
import { PASSWORD, type Town, loggedIn, setupTown } from "./verification-setup";

let database: Database;
let town: Town;

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 2 });
});
afterAll(() => database.close());

const path = () => `/m/${town.slug}/admin/staff`;
const params = () => ({ slug: town.slug });
const roleOf = async (userId: string) =>
  (
    await database.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.userId, userId), eq(memberships.municipalityId, town.municipality.id)))
  )[0]?.role ?? null;
const logged = async (action: string) =>
  database.db
    .select()
    .from(actionLog)
    .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, action)));

async function newAdmin(name: string): Promise<{ id: string; email: string }> {
  const id = randomUUID();
  const email = `${name}-${id.slice(0, 6)}@${town.slug}.example`;
  await database.db.insert(users).values({ id, email, passwordHash: await hashPassword(PASSWORD), displayName: name });
  await database.db.insert(memberships).values({ userId: id, municipalityId: town.municipality.id, role: "admin" });
  return { id, email };
}

describe("council members", () => {
  it("are the administrators' to manage: staff get a 403 that says so, in English and Persian", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    for (const response of [
      await call(staffPage.loader, staff, staff.get(path()), params()),
      await call(
        staffPage.action,
        staff,
        staff.post(path(), { intent: "remove", userId: town.admin.user.id }),
        params(),
      ),
    ]) {
      expect(response.status).toBe(403);
      expect((await response.json()).reason).toBe("admin");
    }
    expect(await roleOf(town.admin.user.id)).toBe("admin");
    // The reason the error page shows (root.tsx), in both languages.
    expect(translate("en", "error.403.municipalityAdmin")).toMatch(/administrators of this municipality/);
    expect(translate("fa", "error.403.municipalityAdmin")).toMatch(/مدیران این شهرداری/);
  });

  it("are listed for the administrator, who adds an existing account by e-mail, logged", async () => {
    const admin = await loggedIn(database.db, town.admin.user.email);
    const page = await (await call(staffPage.loader, admin, admin.get(path()), params())).json();
    expect(page.members.map((m: { email: string; role: string }) => [m.email, m.role])).toEqual([
      [town.admin.user.email, "admin"],
      [town.staff.user.email, "staff"],
    ]);
    const resident = town.residents[0];
    const added = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "add", email: ` ${resident.email.toUpperCase()} `, role: "staff" }),
      params(),
    );
    expect(added.status).toBe(200);
    expect((await added.json()).notice).toBe(`\u2068${resident.displayName}\u2069 was added.`);
    expect(await roleOf(resident.id)).toBe("staff");
    // The town's own staff member was added through the same service when it was set up.
    const entry = (await logged("staff.add")).find((e) => e.target === `member:${resident.id}`);
    expect(entry).toMatchObject({ actorId: town.admin.user.id, target: `member:${resident.id}` });
    expect(entry?.summary).toEqual({ after: { name: resident.displayName, role: "staff" } });
    // The new member reaches the staff dashboard.
    const now = await loggedIn(database.db, resident.email);
    expect((await call(dashboard.loader, now, now.get(`/m/${town.slug}/admin`), params())).status).toBe(200);
  });

  it("refuses an unknown address, an existing member and an unknown role, naming the field, changing nothing", async () => {
    const admin = await loggedIn(database.db, town.admin.user.email);
    const before = (await logged("staff.add")).length;
    const cases: [Record<string, string>, number, string, string][] = [
      [{ email: "nobody@example.org", role: "staff" }, 404, "email", "no account uses this address"],
      [{ email: town.staff.user.email, role: "admin" }, 409, "email", "already a council member"],
      [{ email: town.residents[1].email, role: "owner" }, 400, "role", "choose staff or administrator"],
      [{ email: "", role: "staff" }, 400, "email", "write the e-mail address"],
    ];
    for (const [fields, status, field, text] of cases) {
      const response = await call(staffPage.action, admin, admin.post(path(), { intent: "add", ...fields }), params());
      expect(response.status).toBe(status);
      expect((await response.json()).errors[field]).toContain(text);
    }
    expect(await roleOf(town.residents[1].id)).toBeNull();
    expect(await roleOf(town.staff.user.id)).toBe("staff");
    expect(await logged("staff.add")).toHaveLength(before);
    // In Persian too.
    admin.cookies.set(LOCALE_COOKIE, "fa");
    const fa = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "add", email: "nobody@example.org", role: "staff" }),
      params(),
    );
    expect((await fa.json()).errors.email).toBe(translate("fa", "members.error.staff_no_account"));
  });

  it("never lets an administrator remove or re-role themselves", async () => {
    const admin = await loggedIn(database.db, town.admin.user.email);
    const forms: Record<string, string>[] = [{ intent: "remove" }, { intent: "role", role: "staff" }];
    for (const fields of forms) {
      const response = await call(
        staffPage.action,
        admin,
        admin.post(path(), { ...fields, userId: town.admin.user.id }),
        params(),
      );
      expect(response.status).toBe(409);
      expect((await response.json()).errors.userId).toMatch(/cannot remove yourself or change your own role/);
    }
    expect(await roleOf(town.admin.user.id)).toBe("admin");
  });

  it("changes a role and removes a member, both logged; a removed member loses the staff pages", async () => {
    const admin = await loggedIn(database.db, town.admin.user.email);
    const member = town.residents[0];
    const promoted = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "role", userId: member.id, role: "admin" }),
      params(),
    );
    expect(promoted.status).toBe(200);
    expect(await roleOf(member.id)).toBe("admin");
    expect((await logged("staff.role"))[0].summary).toEqual({
      before: { name: member.displayName, role: "staff" },
      after: { name: member.displayName, role: "admin" },
    });
    const same = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "role", userId: member.id, role: "admin" }),
      params(),
    );
    expect(await same.json()).toMatchObject({ changed: false });
    expect(await logged("staff.role")).toHaveLength(1);

    const removed = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "remove", userId: member.id }),
      params(),
    );
    expect(removed.status).toBe(200);
    expect(await roleOf(member.id)).toBeNull();
    expect((await logged("staff.remove"))[0]).toMatchObject({ target: `member:${member.id}` });
    const gone = await loggedIn(database.db, member.email);
    expect((await call(dashboard.loader, gone, gone.get(`/m/${town.slug}/admin`), params())).status).toBe(403);
    // Not a member: 404, nothing logged.
    const again = await call(
      staffPage.action,
      admin,
      admin.post(path(), { intent: "remove", userId: member.id }),
      params(),
    );
    expect(again.status).toBe(404);
    expect(await logged("staff.remove")).toHaveLength(1);
  });

  it("keeps an administrator when two administrators remove or demote each other at the same time", async () => {
    for (const act of ["remove", "demote"] as const) {
      // Only these two are administrators.
      await database.db
        .update(memberships)
        .set({ role: "staff" })
        .where(and(eq(memberships.municipalityId, town.municipality.id), eq(memberships.role, "admin")));
      const a = await newAdmin(`a-${act}`);
      const b = await newAdmin(`b-${act}`);
      const access = (who: { id: string }) => ({
        user: { id: who.id, email: "", displayName: who.id, locale: "en" as const, isPlatformAdmin: false },
        municipality: town.municipality,
        actor: userActor(who),
        role: "admin" as const,
      });
      const against = (actor: { id: string }, target: { id: string }) =>
        act === "remove"
          ? removeMember(database.db, access(actor), { userId: target.id })
          : changeMemberRole(database.db, access(actor), { userId: target.id, role: "staff" });
      const outcomes = await Promise.allSettled([against(a, b), against(b, a)]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
      const refused = outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({ code: "staff_last_admin", status: 409 });
      const admins = await database.db
        .select()
        .from(memberships)
        .where(and(eq(memberships.municipalityId, town.municipality.id), eq(memberships.role, "admin")));
      expect(admins).toHaveLength(1);
    }
    // The town's administrator again, for what follows.
    await database.db
      .update(memberships)
      .set({ role: "admin" })
      .where(and(eq(memberships.municipalityId, town.municipality.id), eq(memberships.userId, town.admin.user.id)));
  });
});

describe("what staff are shown", () => {
  it("no letter codes or census link, and no publish form: those are the administrators'", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const admin = await loggedIn(database.db, town.admin.user.email);
    const verifications = async (who: typeof staff) =>
      (await call(verificationsPage.loader, who, who.get(`/m/${town.slug}/admin/verifications`), params())).json();
    expect(await verifications(staff)).toMatchObject({ admin: false, letters: null });
    expect(await verifications(admin)).toMatchObject({ admin: true, letters: { issued: 0 } });
    const tally = async (who: typeof staff) =>
      (
        await call(tallyPage.loader, who, who.get(`/m/${town.slug}/admin/rounds/${town.roundSlug}/tally`), {
          ...params(),
          round: town.roundSlug,
        })
      ).json();
    expect((await tally(staff)).canPublish).toBe(false);
    expect((await tally(admin)).canPublish).toBe(true);
    const board = async (who: typeof staff) =>
      (await call(dashboard.loader, who, who.get(`/m/${town.slug}/admin`), params())).json();
    expect((await board(staff)).role).toBe("staff");
    expect((await board(admin)).role).toBe("admin");
  });
});
