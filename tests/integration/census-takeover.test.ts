/**
 * Identity takeover by guessing a real resident's birth date from many accounts, and the ceilings
 * that stop it: misses counted per identity (locked after 5), per address, per municipality, and
 * sign-ups per address (ADR 0015).
 */
import { scopeOf, userActor } from "../../app/services/scope";
import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { censusAttempts, censusLocks, users, verifications } from "../../db/schema";
import * as adminVerifications from "../../app/routes/m.$slug.admin.verifications";
import * as signup from "../../app/routes/signup";
import * as verifyPage from "../../app/routes/m.$slug.verify";
import { hashPassword } from "../../app/services/accounts/auth.server";
import { importCensus } from "../../app/services/verification/census.server";
import { IDENTITY_MISSES, verifyByLetter } from "../../app/services/verification/self-verification.server";
import { generateLetterCodes } from "../../app/services/verification/letter-codes.server";
import { testDatabase, unique } from "../support/db";
import { confirmByLink } from "../support/factories";
import { TestBrowser, call } from "../support/requests";
import { PASSWORD, type Town, censusCsv, loggedIn, nationalId, setupTown } from "./verification-setup";

let database: Database;
let town: Town;
const VICTIM = { id: nationalId(710000001), birthDate: "1983-11-17" };
const OTHERS = Array.from({ length: 40 }, (_, i) => ({ id: nationalId(710000100 + i), birthDate: "1975-01-01" }));
const saved = { ...process.env };

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 1 });
  const result = await importCensus(database.db, town.staff, {
    fileName: "census.csv",
    text: censusCsv([
      [VICTIM.id, VICTIM.birthDate, "north", "resident"],
      ...OTHERS.map((o): [string, string, string, string] => [o.id, o.birthDate, "south", "resident"]),
    ]),
    skipBadRows: false,
  });
  expect(result.status).toBe("active");
});
afterAll(() => database.close());
afterEach(() => {
  for (const key of Object.keys(process.env)) if (key.startsWith("SHORA_")) delete process.env[key];
  Object.assign(process.env, saved);
});

let ipCounter = 0;
function freshIp() {
  ipCounter++;
  return `100.${64 + Math.floor(Math.random() * 60)}.${Math.floor(ipCounter / 250)}.${ipCounter % 250}`;
}

/**
 * An attacker's throw-away account, logged in from its own address; its address confirmed through
 * the link (a throw-away mailbox), unless `confirmed` is false.
 */
async function account(ip = freshIp(), confirmed = true): Promise<{ browser: TestBrowser; id: string }> {
  const id = randomUUID();
  const email = `${unique("sock")}@attacker.example`;
  await database.db.insert(users).values({ id, email, passwordHash: await hashPassword(PASSWORD), displayName: "x" });
  if (confirmed) await confirmByLink(database.db, { id, email });
  const browser = await loggedIn(database.db, email);
  const moved = new TestBrowser(database.db, ip);
  moved.cookies = browser.cookies;
  return { browser: moved, id };
}

function tryCensus(who: { browser: TestBrowser }, t: Town, nationalIdValue: string, birthDate: string) {
  const path = `/m/${t.slug}/verify`;
  return call(
    verifyPage.action,
    who.browser,
    who.browser.post(path, { intent: "census", nationalId: nationalIdValue, birthDate }),
    { slug: t.slug },
  );
}

/** The form message without the number of tries left (which is per account). */
async function neutral(response: Response): Promise<string> {
  const body = await response.json();
  return String(body.errors?.form ?? "").replace(/\d+/g, "N");
}

function dayAfter(date: string, n: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

describe("guessing a real resident's birth date from many accounts", () => {
  it("refuses census tries from an account whose address is not confirmed, before anything is compared or counted", async () => {
    const sock = await account(freshIp(), false);
    const response = await tryCensus(sock, town, OTHERS[0].id, "1900-01-01");
    expect(response.status).toBe(403);
    expect(await response.text()).toContain("Confirm your e-mail address first");
    expect(await database.db.select().from(censusAttempts).where(eq(censusAttempts.userId, sock.id))).toEqual([]);
  });

  it("locks the identity after 5 misses; the right date is then refused neutrally and the resident is not taken over", async () => {
    // 23 accounts, 5 guesses each, from 23 addresses: the right date is guess number 31.
    const guesses = Array.from({ length: 115 }, (_, i) => dayAfter(VICTIM.birthDate, i - 30));
    expect(guesses[30]).toBe(VICTIM.birthDate);
    const sockets = [];
    for (let i = 0; i < 23; i++) sockets.push(await account());
    const missMessage = await neutral(await tryCensus(sockets[0], town, VICTIM.id, "1900-01-01"));
    let won = 0;
    const messages = new Set<string>();
    for (let g = 0; g < guesses.length; g++) {
      const response = await tryCensus(sockets[Math.floor(g / 5)], town, VICTIM.id, guesses[g]);
      if (response.status === 302) won++;
      else {
        expect([400, 429]).toContain(response.status);
        if (response.status === 400) messages.add(await neutral(response));
      }
    }
    expect(won).toBe(0);
    // Every refusal, including the right birth date, said the same thing as a plain miss.
    expect([...messages]).toEqual([missMessage]);
    const taken = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.municipalityId, town.municipality.id), isNull(verifications.revokedAt)));
    expect(taken).toHaveLength(0);
    // Only the first 5 misses were compared with the census.
    const compared = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(censusAttempts)
      .where(and(eq(censusAttempts.municipalityId, town.municipality.id), eq(censusAttempts.checked, true)));
    expect(compared[0].n).toBe(IDENTITY_MISSES);

    // The real resident, right date, own account: refused the same way (the lock holds).
    const resident = await account();
    const own = await tryCensus(resident, town, VICTIM.id, VICTIM.birthDate);
    expect(own.status).toBe(400);
    expect(await neutral(own)).toBe(missMessage);

    // Staff see the lock, with the census line to find the person in their register.
    const staff = await loggedIn(database.db, town.staff.user.email);
    const queue = await call(adminVerifications.loader, staff, staff.get(`/m/${town.slug}/admin/verifications`), {
      slug: town.slug,
    });
    const data = await queue.json();
    expect(data.locks).toHaveLength(1);
    expect(data.locks[0]).toMatchObject({ censusLine: 2 });
    expect(JSON.stringify(data.locks)).not.toContain(VICTIM.birthDate);

    // The owner verifies with the letter code the council mails.
    const letters = await generateLetterCodes(database.db, town.staff, {
      districtId: town.district.north,
      validDays: 30,
      limit: 10,
    });
    const letter = letters.rows.find((r) => r.line === 2);
    expect(letter).toBeDefined();
    const done = await verifyByLetter(database.db, scopeOf(town.municipality, userActor(resident)), {
      code: letter?.code ?? "",
    });
    expect(done.verificationId).toBeTruthy();
    const [holder] = await database.db
      .select({ userId: verifications.userId })
      .from(verifications)
      .where(and(eq(verifications.municipalityId, town.municipality.id), isNull(verifications.revokedAt)));
    expect(holder.userId).toBe(resident.id);
  });

  it("counts parallel misses for one identity exactly: 30 at once, only 5 compared, then locked", async () => {
    const target = OTHERS[0];
    const sockets = [];
    for (let i = 0; i < 30; i++) sockets.push(await account());
    const responses = await Promise.all(
      sockets.map((s, i) => tryCensus(s, town, target.id, dayAfter(target.birthDate, i + 1))),
    );
    for (const r of responses) expect(r.status).toBe(400);
    const [row] = await database.db
      .select({
        compared: sql<number>`count(*) filter (where ${censusAttempts.checked})::int`,
        all: sql<number>`count(*)::int`,
      })
      .from(censusAttempts)
      .where(
        and(
          eq(censusAttempts.municipalityId, town.municipality.id),
          eq(
            censusAttempts.identityHash,
            sql`(select identity_hash from census_locks where municipality_id = ${town.municipality.id} and cleared_at is null order by locked_at desc limit 1)`,
          ),
        ),
      );
    expect(row.compared).toBe(IDENTITY_MISSES);
    expect(row.all).toBe(30);
    const right = await tryCensus(await account(), town, target.id, target.birthDate);
    expect(right.status).toBe(400);
  });

  it("staff verifying the person in person clear the lock", async () => {
    const target = OTHERS[1];
    for (let i = 0; i < IDENTITY_MISSES; i++) {
      await tryCensus(await account(), town, target.id, dayAfter(target.birthDate, -1 - i));
    }
    const staff = await loggedIn(database.db, town.staff.user.email);
    const path = `/m/${town.slug}/admin/verifications`;
    const before = await (await call(adminVerifications.loader, staff, staff.get(path), { slug: town.slug })).json();
    const lock = before.locks.find((l: { censusLine: number }) => l.censusLine === 4);
    expect(lock).toBeDefined();
    const person = await account();
    const [user] = await database.db.select().from(users).where(eq(users.id, person.id));
    const verified = await call(
      adminVerifications.action,
      staff,
      staff.post(path, {
        intent: "verify",
        email: user.email,
        userId: user.id,
        nationalId: target.id,
        birthDate: target.birthDate,
        districtId: town.district.south,
        voterClass: "resident",
      }),
      { slug: town.slug },
    );
    expect(verified.status).toBe(302);
    const after = await (await call(adminVerifications.loader, staff, staff.get(path), { slug: town.slug })).json();
    expect(after.locks.find((l: { id: string }) => l.id === lock.id)).toBeUndefined();
    const [row] = await database.db.select().from(censusLocks).where(eq(censusLocks.id, lock.id));
    expect(row.clearedBy).toBe(town.staff.user.id);
  });

  it("staff may clear a lock from the queue; the owner can then verify with the census again", async () => {
    const target = OTHERS[2];
    for (let i = 0; i < IDENTITY_MISSES; i++) {
      await tryCensus(await account(), town, target.id, dayAfter(target.birthDate, 1 + i));
    }
    const staff = await loggedIn(database.db, town.staff.user.email);
    const path = `/m/${town.slug}/admin/verifications`;
    const before = await (await call(adminVerifications.loader, staff, staff.get(path), { slug: town.slug })).json();
    const lock = before.locks.find((l: { censusLine: number }) => l.censusLine === 5);
    const owner = await account();
    expect((await tryCensus(owner, town, target.id, target.birthDate)).status).toBe(400);
    const cleared = await call(
      adminVerifications.action,
      staff,
      staff.post(path, { intent: "clear-lock", lockId: lock.id }),
      { slug: town.slug },
    );
    expect(cleared.status).toBe(302);
    expect((await tryCensus(owner, town, target.id, target.birthDate)).status).toBe(302);
  });
});

describe("ceilings per address and per municipality", () => {
  it("refuses census tries from one address past its ceiling (429), also when sent in parallel", async () => {
    process.env.SHORA_CENSUS_MISSES_PER_IP_HOUR = "7";
    const t = await setupTown(database.db, { residents: 1 });
    await importCensus(database.db, t.staff, {
      fileName: "c.csv",
      text: censusCsv(OTHERS.map((o) => [o.id, o.birthDate, "north", "resident"])),
      skipBadRows: false,
    });
    const ip = freshIp();
    const sockets = [];
    for (let i = 0; i < 20; i++) sockets.push(await account(ip));
    // Each account guesses a different person: no identity reaches its own limit.
    const responses = await Promise.all(sockets.map((s, i) => tryCensus(s, t, OTHERS[i].id, "2001-02-03")));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(13);
    const [{ n }] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(censusAttempts)
      .where(and(eq(censusAttempts.municipalityId, t.municipality.id), eq(censusAttempts.ip, ip)));
    expect(n).toBe(7);
    // Even a resident with the right details is refused from that address for now, but not from another.
    expect((await tryCensus(await account(ip), t, OTHERS[30].id, OTHERS[30].birthDate)).status).toBe(429);
    expect((await tryCensus(await account(), t, OTHERS[30].id, OTHERS[30].birthDate)).status).toBe(302);
  });

  it("refuses census tries in a municipality past its ceiling, whatever the addresses (distributed guessing)", async () => {
    process.env.SHORA_CENSUS_MISSES_PER_MUNICIPALITY_HOUR = "9";
    const t = await setupTown(database.db, { residents: 1 });
    await importCensus(database.db, t.staff, {
      fileName: "c.csv",
      text: censusCsv(OTHERS.map((o) => [o.id, o.birthDate, "north", "resident"])),
      skipBadRows: false,
    });
    const sockets = [];
    for (let i = 0; i < 15; i++) sockets.push(await account());
    const responses = await Promise.all(sockets.map((s, i) => tryCensus(s, t, OTHERS[i].id, "2001-02-03")));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 400)).toHaveLength(9);
    expect(statuses.filter((s) => s === 429)).toHaveLength(6);
    // Another municipality is not affected (with the same ceiling: a fresh town).
    const other = await setupTown(database.db, { residents: 1 });
    await importCensus(database.db, other.staff, {
      fileName: "c.csv",
      text: censusCsv(OTHERS.map((o) => [o.id, o.birthDate, "north", "resident"])),
      skipBadRows: false,
    });
    expect((await tryCensus(await account(), other, OTHERS[20].id, OTHERS[20].birthDate)).status).toBe(302);
    expect((await tryCensus(await account(), t, OTHERS[21].id, OTHERS[21].birthDate)).status).toBe(429);
  });
});

describe("sign-ups per address", () => {
  function signUp(browser: TestBrowser) {
    return call(
      signup.action,
      browser,
      browser.post("/signup", {
        displayName: "Sock Puppet",
        email: `${unique("puppet")}@attacker.example`,
        password: "long enough password",
      }),
    );
  }

  it("creates at most the ceiling of accounts from one address per hour, also in parallel", async () => {
    process.env.SHORA_SIGNUPS_PER_IP_HOUR = "6";
    const ip = freshIp();
    const responses = await Promise.all(Array.from({ length: 20 }, () => signUp(new TestBrowser(database.db, ip))));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 302)).toHaveLength(6);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
    expect((await signUp(new TestBrowser(database.db, ip))).status).toBe(429);
    expect((await signUp(new TestBrowser(database.db, freshIp()))).status).toBe(302);
  });

  it("has a default ceiling: the 11th account from one address within an hour is refused", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i++) expect((await signUp(new TestBrowser(database.db, ip))).status).toBe(302);
    const refused = await signUp(new TestBrowser(database.db, ip));
    expect(refused.status).toBe(429);
    expect((await refused.json()).errors.form).toMatch(/Too many/);
  });
});
