/**
 * A phone number on an account, confirmed by a six-digit code sent by SMS (ADR 0025), for residents
 * who live on text messages: a confirmed phone counts like a confirmed e-mail address for
 * verification. Only the code's HMAC is stored; a code lasts ten minutes and five tries; a new one
 * may be asked for once a minute. A confirmed number belongs to one account (a unique index).
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { phoneCodes, users } from "../../../db/schema";
import { maskedPhone, normalizePhone } from "../../domain/accounts/phone";
import { latinDigits } from "../../domain/i18n/numbers";
import { RefusedError } from "../errors.server";
import { enqueueMessage } from "../mail/outbox.server";
import { type PlatformScope, actorUserId } from "../scope";
import { serverSecret } from "../secrets.server";

export type PhoneRefusal =
  | "bad_phone"
  | "too_soon"
  | "no_code"
  | "code_expired"
  | "code_wrong"
  | "too_many"
  | "phone_taken";

const CODE_MS = 10 * 60_000;
const RESEND_MS = 60_000;
const MAX_TRIES = 5;

function codeHash(userId: string, phone: string, code: string): string {
  return createHmac("sha256", serverSecret()).update(`phone\u0000${userId}\u0000${phone}\u0000${code}`).digest("hex");
}

/** The account's phone as its owner sees it, whether it is confirmed, and whether a code is waiting. */
export async function phoneOf(db: Db, scope: PlatformScope) {
  const userId = actorUserId(scope);
  const [user] = await db
    .select({ phone: users.phone, confirmedAt: users.phoneConfirmedAt })
    .from(users)
    .where(eq(users.id, userId));
  const [pending] = await db.select().from(phoneCodes).where(eq(phoneCodes.userId, userId));
  return {
    phone: user?.phone ? maskedPhone(user.phone) : null,
    confirmed: Boolean(user?.confirmedAt),
    pending: pending ? maskedPhone(pending.phone) : null,
  };
}

/** Sends a new code to the number typed (the account's number stays as it is until the code is given). */
export async function sendPhoneCode(
  db: Db,
  scope: PlatformScope,
  input: { phone: string; now?: Date },
): Promise<{ phone: string }> {
  const userId = actorUserId(scope);
  const now = input.now ?? new Date();
  const phone = normalizePhone(input.phone);
  if (!phone) throw new RefusedError<PhoneRefusal>("bad_phone", "phone");
  return db.transaction(async (tx) => {
    const [earlier] = await tx.select().from(phoneCodes).where(eq(phoneCodes.userId, userId)).for("update");
    if (earlier && now.getTime() - earlier.createdAt.getTime() < RESEND_MS)
      throw new RefusedError<PhoneRefusal>("too_soon", "phone", {}, 429);
    const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
    const row = {
      phone,
      codeHash: codeHash(userId, phone, code),
      tries: 0,
      expiresAt: new Date(now.getTime() + CODE_MS),
      createdAt: now,
    };
    await tx
      .insert(phoneCodes)
      .values({ userId, ...row })
      .onConflictDoUpdate({ target: phoneCodes.userId, set: row });
    await enqueueMessage(tx, {
      kind: "account.phone_code",
      userId,
      channel: "sms",
      toAddress: phone,
      payload: { code },
      idempotencyKey: `phone:${randomUUID()}`,
      now,
    });
    return { phone: maskedPhone(phone) };
  });
}

/** Checks the code; the right one confirms the number on the account. */
export async function confirmPhoneCode(db: Db, scope: PlatformScope, input: { code: string; now?: Date }) {
  const userId = actorUserId(scope);
  const now = input.now ?? new Date();
  const code = latinDigits(input.code).replace(/\s/g, "");
  const outcome = await db.transaction(async (tx) => {
    const [pending] = await tx.select().from(phoneCodes).where(eq(phoneCodes.userId, userId)).for("update");
    if (!pending) return "no_code" as const;
    if (pending.expiresAt <= now) return "code_expired" as const;
    if (pending.tries >= MAX_TRIES) return "too_many" as const;
    const expected = Buffer.from(pending.codeHash, "hex");
    const given = Buffer.from(codeHash(userId, pending.phone, code), "hex");
    if (!timingSafeEqual(expected, given)) {
      await tx
        .update(phoneCodes)
        .set({ tries: pending.tries + 1 })
        .where(eq(phoneCodes.userId, userId));
      return pending.tries + 1 >= MAX_TRIES ? ("too_many" as const) : ("code_wrong" as const);
    }
    const [owner] = await tx
      .select({ id: users.id })
      .from(users)
      .where(
        sql`${users.phone} = ${pending.phone} and ${users.phoneConfirmedAt} is not null and ${users.id} <> ${userId}`,
      );
    if (owner) return "phone_taken" as const;
    await tx.update(users).set({ phone: pending.phone, phoneConfirmedAt: now }).where(eq(users.id, userId));
    await tx.delete(phoneCodes).where(eq(phoneCodes.userId, userId));
    return null;
  });
  if (outcome) {
    const status = outcome === "too_many" ? 429 : outcome === "phone_taken" ? 409 : 400;
    throw new RefusedError<PhoneRefusal>(outcome, "code", {}, status);
  }
  return { phone: maskedPhone((await phoneOf(db, scope)).phone ?? "") };
}

/** Takes the phone off the account (and any code waiting). */
export async function removePhone(db: Db, scope: PlatformScope): Promise<void> {
  const userId = actorUserId(scope);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ phone: null, phoneConfirmedAt: null }).where(eq(users.id, userId));
    await tx.delete(phoneCodes).where(eq(phoneCodes.userId, userId));
  });
}
