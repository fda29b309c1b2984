/**
 * One's own data (ADR 0026): the export of everything an account owns, and the deletion of an
 * account. Ballots are not linked to accounts (only a voter key, ADR 0007), so the export cannot hold
 * their choices and a deletion leaves them counted.
 */
import { randomBytes } from "node:crypto";
import { verify } from "@node-rs/argon2";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../../db/client";
import {
  baskets,
  commentFlags,
  comments,
  districts,
  memberships,
  municipalities,
  outbox,
  pendingSignIns,
  proposals,
  recoveryCodes,
  rounds,
  envelopes,
  sessions,
  subscriptions,
  surveyResponses,
  updateComments,
  users,
  userTotp,
  verificationSettings,
  verifications,
} from "../../../db/schema";
import { recordAction } from "../action-log/action-log.server";
import { RefusedError } from "../errors.server";
import { type PlatformScope, actorUserId } from "../scope";
import { hashPassword } from "./auth.server";

export type PrivacyRefusal = "wrong_password" | "staff_member";

/** Everything this account owns, as one JSON-ready object; never a ballot (none is linked to it). */
export async function exportMyData(db: Db, scope: PlatformScope) {
  const userId = actorUserId(scope);
  const [account] = await db
    .select({
      id: users.id,
      email: users.email,
      displayName: users.displayName,
      locale: users.locale,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.id, userId));
  const [totp] = await db
    .select({ confirmedAt: userTotp.confirmedAt })
    .from(userTotp)
    .where(eq(userTotp.userId, userId));
  const [roles, verified, commentRows, updateCommentRows, proposalRows, subscriptionRows, surveyRows, sessionRows] =
    await Promise.all([
      db
        .select({ municipality: municipalities.slug, role: memberships.role, since: memberships.createdAt })
        .from(memberships)
        .innerJoin(municipalities, eq(municipalities.id, memberships.municipalityId))
        .where(eq(memberships.userId, userId)),
      db
        .select({
          municipality: municipalities.slug,
          method: verifications.method,
          birthDate: verifications.birthDate,
          district: districts.code,
          voterClass: verifications.voterClass,
          verifiedAt: verifications.verifiedAt,
          revokedAt: verifications.revokedAt,
          revokeReason: verifications.revokeReason,
        })
        .from(verifications)
        .innerJoin(municipalities, eq(municipalities.id, verifications.municipalityId))
        .leftJoin(districts, eq(districts.id, verifications.districtId))
        .where(eq(verifications.userId, userId)),
      db
        .select({
          id: comments.id,
          proposal: comments.proposalId,
          parent: comments.parentId,
          body: comments.body,
          stance: comments.stance,
          createdAt: comments.createdAt,
          editedAt: comments.editedAt,
          deletedAt: comments.deletedAt,
          hiddenReason: comments.hiddenReason,
        })
        .from(comments)
        .where(eq(comments.authorId, userId)),
      db
        .select({
          id: updateComments.id,
          update: updateComments.updateId,
          body: updateComments.body,
          createdAt: updateComments.createdAt,
          hiddenReason: updateComments.hiddenReason,
        })
        .from(updateComments)
        .where(eq(updateComments.userId, userId)),
      db
        .select({
          id: proposals.id,
          round: rounds.slug,
          municipality: municipalities.slug,
          title: proposals.title,
          body: proposals.body,
          cost: proposals.cost,
          location: proposals.location,
          status: proposals.status,
          createdAt: proposals.createdAt,
        })
        .from(proposals)
        .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
        .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
        .innerJoin(municipalities, eq(municipalities.id, rounds.municipalityId))
        .where(eq(proposals.authorId, userId)),
      db
        .select({ proposal: subscriptions.proposalId, since: subscriptions.createdAt })
        .from(subscriptions)
        .where(eq(subscriptions.userId, userId)),
      db
        .select({ round: rounds.slug, answers: surveyResponses.answers, updatedAt: surveyResponses.updatedAt })
        .from(surveyResponses)
        .innerJoin(rounds, eq(rounds.id, surveyResponses.roundId))
        .where(eq(surveyResponses.userId, userId)),
      db.select({ expiresAt: sessions.expiresAt }).from(sessions).where(eq(sessions.userId, userId)),
    ]);
  return {
    format: "shora-my-data/1",
    account: { ...account, twoFactor: Boolean(totp?.confirmedAt), sessions: sessionRows.length },
    memberships: roles,
    verifications: verified,
    comments: commentRows,
    implementationComments: updateCommentRows,
    proposals: proposalRows,
    subscriptions: subscriptionRows,
    surveyResponses: surveyRows,
    ballots:
      "Ballots are stored under a voter key that is not linked to your account, so their choices cannot be part of this file.",
  };
}

/**
 * The municipalities whose records of this account outlive its deletion (verifications), and for how
 * many months each keeps them, for the page.
 */
export async function retainedRecords(db: Db, scope: PlatformScope) {
  const userId = actorUserId(scope);
  return db
    .selectDistinct({
      slug: municipalities.slug,
      name: municipalities.name,
      months: sql<number>`coalesce(${verificationSettings.retentionMonths}, ${DEFAULT_RETENTION_MONTHS})`.mapWith(
        Number,
      ),
    })
    .from(verifications)
    .innerJoin(municipalities, eq(municipalities.id, verifications.municipalityId))
    .leftJoin(verificationSettings, eq(verificationSettings.municipalityId, verifications.municipalityId))
    .where(eq(verifications.userId, userId));
}

/** Months a municipality that never chose keeps the verification records of deleted accounts. */
export const DEFAULT_RETENTION_MONTHS = 24;

/**
 * Erases the verification records of accounts deleted longer ago than their municipality keeps them
 * (ADR 0026). Run by the housekeeping sweep; returns how many were erased.
 */
export async function eraseExpiredVerifications(
  db: Db,
  _scope: PlatformScope,
  input: { now?: Date } = {},
): Promise<number> {
  const now = (input.now ?? new Date()).toISOString();
  const rows = await queryRows<{ id: string }>(
    db,
    sql`delete from ${verifications} v
      using ${users} u
      where u.id = v.user_id and u.deleted_at is not null
        and u.deleted_at + make_interval(months => coalesce(
          (select s.retention_months from ${verificationSettings} s where s.municipality_id = v.municipality_id),
          ${DEFAULT_RETENTION_MONTHS})) <= ${now}::timestamptz
      returning v.id`,
  );
  return rows.length;
}

/** Runs the housekeeping (erasing expired records) every hour until stopped; started by `shora serve`. */
export function startHousekeeping(db: Db, input: { report?: (error: unknown) => void } = {}) {
  const scope: PlatformScope = { actor: { kind: "system", name: "housekeeping" } };
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = eraseExpiredVerifications(db, scope).catch(input.report ?? console.error);
  };
  const timer = setInterval(tick, 3_600_000);
  timer.unref();
  tick();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/**
 * Deletes the account after its password is typed again: the row stays, emptied (no e-mail, name or
 * usable password), so that what must outlive it keeps its meaning — comments stay as "former
 * account", cast ballots keep counting (they never named the account), verification records stay as
 * the municipality's rules require (they hold the identity hash that stops a second verification).
 * Sessions, the second factor, drafts, subscriptions, flags and unsent messages go. Each municipality
 * that verified the account gets an action-log entry. Staff must first be removed from their roles.
 */
export async function deleteMyAccount(
  db: Db,
  scope: PlatformScope,
  input: { password: string; now?: Date },
): Promise<void> {
  const userId = actorUserId(scope);
  const now = input.now ?? new Date();
  const [user] = await db
    .select({ passwordHash: users.passwordHash, isPlatformAdmin: users.isPlatformAdmin })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.deletedAt)));
  if (!user || !(await verify(user.passwordHash, input.password)))
    throw new RefusedError<PrivacyRefusal>("wrong_password", "password", {}, 403);
  const [member] = await db.select({ id: memberships.userId }).from(memberships).where(eq(memberships.userId, userId));
  if (member || user.isPlatformAdmin) throw new RefusedError<PrivacyRefusal>("staff_member", null, {}, 409);
  const unusable = await hashPassword(randomBytes(32).toString("base64url"));
  await db.transaction(async (tx) => {
    const places = await tx
      .selectDistinct({ id: municipalities.id, slug: municipalities.slug })
      .from(verifications)
      .innerJoin(municipalities, eq(municipalities.id, verifications.municipalityId))
      .where(eq(verifications.userId, userId));
    for (const place of places) {
      await recordAction(tx, {
        municipalityId: place.id,
        municipalitySlug: place.slug,
        actor: { id: userId, displayName: "" },
        action: "account.delete",
        target: `account:${userId}`,
        at: now,
      });
    }
    await tx
      .update(users)
      .set({
        email: `deleted-${userId}@deleted.invalid`,
        displayName: "",
        passwordHash: unusable,
        deletedAt: now,
      })
      .where(eq(users.id, userId));
    await tx.update(comments).set({ authorId: null }).where(eq(comments.authorId, userId));
    await tx.update(proposals).set({ authorId: null }).where(eq(proposals.authorId, userId));
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx.delete(pendingSignIns).where(eq(pendingSignIns.userId, userId));
    await tx.delete(userTotp).where(eq(userTotp.userId, userId));
    await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    await tx.delete(baskets).where(eq(baskets.userId, userId));
    await tx.delete(subscriptions).where(eq(subscriptions.userId, userId));
    await tx.delete(commentFlags).where(eq(commentFlags.userId, userId));
    await tx.delete(outbox).where(and(eq(outbox.userId, userId), isNull(outbox.sentAt)));
  });
}
