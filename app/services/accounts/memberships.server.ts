/**
 * Council memberships of one municipality: who is staff, who is administrator (ADR 0019). Only
 * administrators call these (the route guards); every change is logged in the municipality's action
 * log in the same transaction. The municipality always keeps an administrator: nobody removes or
 * demotes themselves, and the last administrator stays, even when two administrators act at once.
 */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { type MembershipRole, memberships, membershipRoles, users } from "../../../db/schema";
import { recordAction, actionBy } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { type Scope, actorUserId } from "../scope";

/** Every reason a membership change is refused. */
export type MembershipRefusal =
  | "staff_email_missing"
  | "staff_no_account"
  | "staff_already"
  | "staff_role"
  | "staff_not_member"
  | "staff_self"
  | "staff_last_admin";

const MembershipRefused = RefusedError<MembershipRefusal>;

export interface Member {
  userId: string;
  displayName: string;
  email: string;
  role: MembershipRole;
  since: Date;
}

export async function membersOf(db: Db, scope: Scope): Promise<Member[]> {
  return db
    .select({
      userId: memberships.userId,
      displayName: users.displayName,
      email: users.email,
      role: memberships.role,
      since: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.municipalityId, scope.municipality.id))
    .orderBy(asc(memberships.role), asc(users.displayName), asc(users.id));
}

function roleOf(value: string): MembershipRole {
  if (!(membershipRoles as readonly string[]).includes(value)) throw new MembershipRefused("staff_role", "role");
  return value as MembershipRole;
}

/** Serialises membership changes of one municipality, so "the last administrator" is counted once. */
async function lockMemberships(tx: Tx, municipalityId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`memberships:${municipalityId}`}))`);
}

async function memberIn(tx: Tx, municipalityId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, displayName: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.municipalityId, municipalityId), eq(memberships.userId, userId)));
  return row ?? null;
}

async function adminCount(tx: Tx, municipalityId: string): Promise<number> {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.municipalityId, municipalityId), eq(memberships.role, "admin")));
  return rows.length;
}

const logged = async (tx: Tx, scope: Scope, action: string, userId: string) => ({
  ...(await actionBy(tx, scope)),
  action,
  target: `member:${userId}`,
});

/** Adds an existing account, found by its e-mail address, as staff or administrator. */
export async function addMember(
  db: Db,
  scope: Scope,
  input: { email: string; role: string },
): Promise<{ userId: string }> {
  const email = input.email.trim().toLowerCase();
  if (!email) throw new MembershipRefused("staff_email_missing", "email");
  const role = roleOf(input.role);
  return db.transaction(async (tx) => {
    await lockMemberships(tx, scope.municipality.id);
    const [user] = await tx
      .select({ id: users.id, displayName: users.displayName })
      .from(users)
      .where(eq(users.email, email));
    if (!user) throw new MembershipRefused("staff_no_account", "email", {}, 404);
    const existing = await memberIn(tx, scope.municipality.id, user.id);
    if (existing) throw new MembershipRefused("staff_already", "email", { role: existing.role }, 409);
    await tx.insert(memberships).values({ userId: user.id, municipalityId: scope.municipality.id, role });
    await recordAction(tx, {
      ...(await logged(tx, scope, "staff.add", user.id)),
      after: { name: user.displayName, role },
    });
    return { userId: user.id };
  });
}

/**
 * Changes a member's role (false: it was that role already); an administrator cannot change their own
 * role or demote the last administrator.
 */
export async function changeMemberRole(
  db: Db,
  scope: Scope,
  input: { userId: string; role: string },
): Promise<boolean> {
  const role = roleOf(input.role);
  return db.transaction(async (tx) => {
    await lockMemberships(tx, scope.municipality.id);
    const member = await memberIn(tx, scope.municipality.id, input.userId);
    if (!member) throw new MembershipRefused("staff_not_member", "userId", {}, 404);
    if (member.role === role) return false;
    if (input.userId === actorUserId(scope)) throw new MembershipRefused("staff_self", "userId", {}, 409);
    if (member.role === "admin" && (await adminCount(tx, scope.municipality.id)) <= 1)
      throw new MembershipRefused("staff_last_admin", "userId", {}, 409);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.municipalityId, scope.municipality.id), eq(memberships.userId, input.userId)));
    await recordAction(tx, {
      ...(await logged(tx, scope, "staff.role", input.userId)),
      before: { name: member.displayName, role: member.role },
      after: { name: member.displayName, role },
    });
    return true;
  });
}

/** Removes a member; an administrator cannot remove themselves or the last administrator. */
export async function removeMember(db: Db, scope: Scope, input: { userId: string }): Promise<void> {
  await db.transaction(async (tx) => {
    await lockMemberships(tx, scope.municipality.id);
    const member = await memberIn(tx, scope.municipality.id, input.userId);
    if (!member) throw new MembershipRefused("staff_not_member", "userId", {}, 404);
    if (input.userId === actorUserId(scope)) throw new MembershipRefused("staff_self", "userId", {}, 409);
    if (member.role === "admin" && (await adminCount(tx, scope.municipality.id)) <= 1)
      throw new MembershipRefused("staff_last_admin", "userId", {}, 409);
    await tx
      .delete(memberships)
      .where(and(eq(memberships.municipalityId, scope.municipality.id), eq(memberships.userId, input.userId)));
    await recordAction(tx, {
      ...(await logged(tx, scope, "staff.remove", input.userId)),
      before: { name: member.displayName, role: member.role },
    });
  });
}
