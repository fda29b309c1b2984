import { randomUUID } from "node:crypto";
import { scopeOf, userActor } from "../../app/services/scope";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { envelopes, letterCodes, phases, verificationAttempts, verifications } from "../../db/schema";
import * as adminEligibility from "../../app/routes/m.$slug.admin.rounds.$round.eligibility";
import * as adminVerifications from "../../app/routes/m.$slug.admin.verifications";
import * as letterCodesCsv from "../../app/routes/m.$slug.admin.letter-codes[.csv]";
import * as eligibilityPage from "../../app/routes/m.$slug.rounds.$round.eligibility";
import * as verifyPage from "../../app/routes/m.$slug.verify";
import { importCensus } from "../../app/services/verification/census.server";
import {
  TRIES_PER_HOUR,
  verifyByCensus,
  verifyByLetter,
} from "../../app/services/verification/self-verification.server";
import { VerificationRefused } from "../../app/services/verification/verifications.server";
import { generateLetterCodes } from "../../app/services/verification/letter-codes.server";
import {
  mayParticipate,
  saveEligibility,
  saveVoterClass,
  voterStanding,
} from "../../app/services/verification/eligibility.server";
import { revokeVerification, staffVerify } from "../../app/services/verification/staff-verification.server";
import { testDatabase } from "../support/db";
import { type TestBrowser, call } from "../support/requests";
import { type Town, censusCsv, logText, loggedIn, nationalId, setupTown } from "./verification-setup";

let database: Database;
let town: Town;
const ID = {
  a: nationalId(500000001),
  b: nationalId(500000002),
  c: nationalId(500000003),
  d: nationalId(500000004),
  e: nationalId(500000005),
};

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 8 });
  const result = await importCensus(database.db, town.staff, {
    fileName: "census.csv",
    text: censusCsv([
      [ID.a, "1980-01-02", "north", "resident"],
      [ID.b, "1990-05-06", "south", "works-here"],
      [ID.c, "2012-03-04", "north", "youth"],
      [ID.d, "1970-07-08", "center", "resident"],
      [ID.e, "1985-09-10", "south", "resident"],
    ]),
    skipBadRows: false,
  });
  expect(result.status).toBe("active");
});
afterAll(() => database.close());

async function refusal(promise: Promise<unknown>): Promise<VerificationRefused> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VerificationRefused) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("census match", () => {
  it("verifies a resident whose ID and birth date match, with the census district and class", async () => {
    const browser = await loggedIn(database.db, town.residents[0].email);
    const path = `/m/${town.slug}/verify`;
    const response = await call(
      verifyPage.action,
      browser,
      browser.post(path, { intent: "census", nationalId: ID.a, birthDate: "1980-01-02" }),
      { slug: town.slug },
    );
    expect(response.status).toBe(302);
    const page = await call(verifyPage.loader, browser, browser.get(path), { slug: town.slug });
    const data = await page.json();
    expect(data.status.verified).toMatchObject({
      method: "census",
      voterClass: "resident",
      district: { code: "north" },
    });
    const text = JSON.stringify(data);
    expect(text).not.toContain(ID.a);
    expect(text).not.toContain("1980-01-02");
    const log = await logText(database.db, town.municipality.id);
    expect(log).toContain("verification.census");
    expect(log).not.toContain(ID.a);
    expect(log).not.toContain("1980-01-02");
    expect(log).not.toContain(town.residents[0].displayName);
  });

  it("answers a mismatch the same way whichever field was wrong, and counts the try", async () => {
    const user = town.residents[1];
    const browser = await loggedIn(database.db, user.email);
    const path = `/m/${town.slug}/verify`;
    const wrongDate = await call(
      verifyPage.action,
      browser,
      browser.post(path, { intent: "census", nationalId: ID.b, birthDate: "1990-05-07" }),
      { slug: town.slug },
    );
    const wrongId = await call(
      verifyPage.action,
      browser,
      browser.post(path, { intent: "census", nationalId: nationalId(599999999), birthDate: "1990-05-06" }),
      { slug: town.slug },
    );
    expect(wrongDate.status).toBe(400);
    expect(wrongId.status).toBe(400);
    const a = await wrongDate.json();
    const b = await wrongId.json();
    expect(Object.keys(a.errors)).toEqual(["form"]);
    expect(Object.keys(b.errors)).toEqual(["form"]);
    expect(a.errors.form.replace(/\d+ tries/, "")).toBe(b.errors.form.replace(/\d+ tries/, ""));
    expect(a.errors.form).toContain("4 tries");
    expect(b.errors.form).toContain("3 tries");
    expect(JSON.stringify([a, b])).not.toContain(ID.b);
    const attempts = await database.db
      .select()
      .from(verificationAttempts)
      .where(eq(verificationAttempts.userId, user.id));
    expect(attempts).toHaveLength(2);
  });

  it("names the field when the input is malformed (no census lookup, no try counted)", async () => {
    const browser = await loggedIn(database.db, town.residents[2].email);
    const path = `/m/${town.slug}/verify`;
    const badId = await call(
      verifyPage.action,
      browser,
      browser.post(path, { intent: "census", nationalId: "1234567890", birthDate: "1980-01-01" }),
      { slug: town.slug },
    );
    expect(badId.status).toBe(400);
    expect(Object.keys((await badId.json()).errors)).toEqual(["nationalId"]);
    const badDate = await call(
      verifyPage.action,
      browser,
      browser.post(path, { intent: "census", nationalId: ID.c, birthDate: "yesterday" }),
      { slug: town.slug },
    );
    expect(badDate.status).toBe(400);
    expect(Object.keys((await badDate.json()).errors)).toEqual(["birthDate"]);
    const attempts = await database.db
      .select()
      .from(verificationAttempts)
      .where(eq(verificationAttempts.userId, town.residents[2].id));
    expect(attempts).toHaveLength(0);
  });

  it("throttles to 5 tries per hour per account: the 6th is refused with 429 even when correct", async () => {
    const user = town.residents[3];
    const start = new Date();
    for (let i = 0; i < 5; i++) {
      const e = await refusal(
        verifyByCensus(database.db, scopeOf(town.municipality, userActor(user)), {
          // Other people's IDs: 5 misses on ID.d itself would lock it for everyone (ADR 0015).
          nationalId: nationalId(600000001 + i),
          birthDate: "1970-07-09",
          now: start,
        }),
      );
      expect(e.code).toBe("no_match");
    }
    const sixth = await refusal(
      verifyByCensus(database.db, scopeOf(town.municipality, userActor(user)), {
        nationalId: ID.d,
        birthDate: "1970-07-08",
        now: start,
      }),
    );
    expect(sixth.code).toBe("throttled");
    expect(sixth.status).toBe(429);
    const browser = await loggedIn(database.db, user.email);
    const http = await call(
      verifyPage.action,
      browser,
      browser.post(`/m/${town.slug}/verify`, { intent: "census", nationalId: ID.d, birthDate: "1970-07-08" }),
      { slug: town.slug },
    );
    expect(http.status).toBe(429);
    // An hour later the account may try again.
    const later = new Date(start.getTime() + 61 * 60_000);
    const ok = await verifyByCensus(database.db, scopeOf(town.municipality, userActor(user)), {
      nationalId: ID.d,
      birthDate: "۱۳۴۹/۰۴/۱۷",
      now: later,
    });
    expect(ok.ok).toBe(true);
  });

  it("refuses a second account for the same person (one person, one account)", async () => {
    const e = await refusal(
      verifyByCensus(database.db, scopeOf(town.municipality, userActor(town.residents[4])), {
        nationalId: ID.a,
        birthDate: "1980-01-02",
      }),
    );
    expect(e.code).toBe("identity_taken");
    expect(e.status).toBe(409);
    const active = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.municipalityId, town.municipality.id), isNull(verifications.revokedAt)));
    expect(active.filter((v) => v.userId === town.residents[4].id)).toHaveLength(0);
  });

  it("enforces one active verification per identity in the database, even past the service", async () => {
    const [existing] = await database.db
      .select()
      .from(verifications)
      .where(eq(verifications.userId, town.residents[0].id));
    await expect(
      database.db.insert(verifications).values({ ...existing, id: randomUUID(), userId: town.residents[5].id }),
    ).rejects.toThrow();
  });
});

describe("letter codes", () => {
  it("generates a CSV without IDs or birth dates; a code works once and expires", async () => {
    const staff = await loggedIn(database.db, town.admin.user.email);
    const response = await call(
      letterCodesCsv.action,
      staff,
      staff.post(`/m/${town.slug}/admin/letter-codes.csv`, {
        districtId: town.district.south,
        validDays: "30",
        limit: "10",
      }),
      { slug: town.slug },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/csv/);
    const csv = await response.text();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("census_line,district,voter_class,code,expires_on");
    // South entries not yet verified: ID.b (line 3) and ID.e (line 6).
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(["3", "6"]);
    for (const id of Object.values(ID)) expect(csv).not.toContain(id);
    expect(csv).not.toContain("1990-05-06");
    const code = lines[1].split(",")[3];
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    // Only hashes are stored.
    const stored = await database.db
      .select()
      .from(letterCodes)
      .where(eq(letterCodes.municipalityId, town.municipality.id));
    expect(JSON.stringify(stored)).not.toContain(code);

    const resident = await loggedIn(database.db, town.residents[1].email);
    const path = `/m/${town.slug}/verify`;
    const ok = await call(
      verifyPage.action,
      resident,
      resident.post(path, { intent: "letter", code: code.toLowerCase().replace(/-/g, " ") }),
      { slug: town.slug },
    );
    expect(ok.status).toBe(302);
    const status = await (await call(verifyPage.loader, resident, resident.get(path), { slug: town.slug })).json();
    expect(status.status.verified).toMatchObject({
      method: "letter",
      voterClass: "works-here",
      district: { code: "south" },
    });

    const other = town.residents[5];
    const again = await refusal(verifyByLetter(database.db, scopeOf(town.municipality, userActor(other)), { code }));
    expect(again.code).toBe("code_used");

    const second = await generateLetterCodes(database.db, town.staff, {
      districtId: town.district.south,
      validDays: 1,
      limit: 10,
    });
    expect(second.rows).toHaveLength(1); // ID.b is verified now; only ID.e is left
    const expired = await refusal(
      verifyByLetter(database.db, scopeOf(town.municipality, userActor(other)), {
        code: second.rows[0].code,
        now: new Date(Date.now() + 2 * 86_400_000),
      }),
    );
    expect(expired.code).toBe("code_expired");
    const unknown = await refusal(
      verifyByLetter(database.db, scopeOf(town.municipality, userActor(other)), { code: "AAAA-BBBB-CCCC" }),
    );
    expect(unknown.code).toBe("code_unknown");
    const malformed = await call(verifyPage.action, resident, resident.post(path, { intent: "letter", code: "x" }), {
      slug: town.slug,
    });
    expect(malformed.status).toBe(400);
    expect(Object.keys((await malformed.json()).errors)).toEqual(["code"]);
    const log = await logText(database.db, town.municipality.id);
    expect(log).toContain("verification.letter_codes");
    expect(log).not.toContain(code);
  });

  it("refuses a bad batch request and sends staff back to the form", async () => {
    const staff = await loggedIn(database.db, town.admin.user.email);
    const response = await call(
      letterCodesCsv.action,
      staff,
      staff.post(`/m/${town.slug}/admin/letter-codes.csv`, { validDays: "0", limit: "10" }),
      { slug: town.slug },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toContain("lettersError=valid_days");
  });
});

describe("guessing letter codes", () => {
  it(`is throttled: after ${TRIES_PER_HOUR} wrong codes in an hour even the right one is refused (429, said so)`, async () => {
    // A town of its own: one census entry, its letter code, one resident guessing.
    const guessTown = await setupTown(database.db, { residents: 1 });
    const imported = await importCensus(database.db, guessTown.staff, {
      fileName: "census.csv",
      text: censusCsv([[nationalId(510000001), "1975-03-04", "north", "resident"]]),
      skipBadRows: false,
    });
    expect(imported.status).toBe("active");
    const { rows } = await generateLetterCodes(database.db, guessTown.staff, {
      districtId: null,
      validDays: 30,
      limit: 10,
    });
    expect(rows).toHaveLength(1);
    const code = rows[0].code;
    const user = guessTown.residents[0];
    const browser = await loggedIn(database.db, user.email);
    const path = `/m/${guessTown.slug}/verify`;
    const send = (value: string) =>
      call(verifyPage.action, browser, browser.post(path, { intent: "letter", code: value }), {
        slug: guessTown.slug,
      });
    // Well-formed guesses: each costs one try, and the answer says how many are left.
    for (let i = 0; i < TRIES_PER_HOUR; i++) {
      const guess = await send(`ZZZZ-ZZZZ-ZZ${String(i).padStart(2, "0")}`);
      expect(guess.status).toBe(400);
      expect((await guess.json()).errors.code).toBe(
        `This code is not valid (${TRIES_PER_HOUR - 1 - i} tries left this hour).`,
      );
    }
    const right = await send(code);
    expect(right.status).toBe(429);
    expect((await right.json()).errors).toEqual({
      form: "Too many tries. Wait an hour and try again, or ask the council to verify you in person.",
    });
    // Nothing was verified and the code is still unused; the refused right code cost no further try.
    expect(
      await database.db
        .select()
        .from(verifications)
        .where(and(eq(verifications.userId, user.id), isNull(verifications.revokedAt))),
    ).toHaveLength(0);
    const [letter] = await database.db
      .select()
      .from(letterCodes)
      .where(eq(letterCodes.municipalityId, guessTown.municipality.id));
    expect(letter.usedAt).toBeNull();
    expect(
      await database.db.select().from(verificationAttempts).where(eq(verificationAttempts.userId, user.id)),
    ).toHaveLength(TRIES_PER_HOUR);
    // What refused the right code was the throttle: an hour later the same code works.
    const later = await verifyByLetter(database.db, scopeOf(guessTown.municipality, userActor(user)), {
      code,
      now: new Date(Date.now() + 61 * 60_000),
    });
    expect(later.ok).toBe(true);
  });
});

describe("staff verification, revocation and moves", () => {
  // One staff member's desk, step by step: each rule is its own test, in order, on the same residents.
  describe("verifies in person, recorded with the staff member; refuses a taken identity and offers a move", () => {
    let staff: TestBrowser;
    let found: { user: { id: string; email: string } };
    let row: typeof verifications.$inferSelect;
    const path = () => `/m/${town.slug}/admin/verifications`;

    it("finds the resident by e-mail and refuses a malformed voter class, naming the field", async () => {
      staff = await loggedIn(database.db, town.staff.user.email);
      const search = await call(
        adminVerifications.loader,
        staff,
        staff.get(`${path()}?email=${encodeURIComponent(town.residents[6].email)}`),
        { slug: town.slug },
      );
      found = (await search.json()).found;
      expect(found.user.id).toBe(town.residents[6].id);
      const bad = await call(
        adminVerifications.action,
        staff,
        staff.post(path(), {
          intent: "verify",
          email: found.user.email,
          userId: found.user.id,
          nationalId: ID.e,
          birthDate: "1985-09-10",
          districtId: town.district.south,
          voterClass: "Not OK!",
        }),
        { slug: town.slug },
      );
      expect(bad.status).toBe(400);
      expect(Object.keys((await bad.json()).errors)).toEqual(["voterClass"]);
    });

    it("verifies in person, recorded with the staff member", async () => {
      const ok = await call(
        adminVerifications.action,
        staff,
        staff.post(path(), {
          intent: "verify",
          email: found.user.email,
          userId: found.user.id,
          nationalId: ID.e,
          birthDate: "1985-09-10",
          districtId: town.district.south,
          voterClass: "resident",
        }),
        { slug: town.slug },
      );
      expect(ok.status).toBe(302);
      [row] = await database.db.select().from(verifications).where(eq(verifications.userId, town.residents[6].id));
      expect(row).toMatchObject({ method: "staff", verifiedBy: town.staff.user.id, districtId: town.district.south });
    });

    it("refuses the same identity on another account, offering to move it", async () => {
      // The same person on another account: refused, with the offer to move.
      const taken = await call(
        adminVerifications.action,
        staff,
        staff.post(path(), {
          intent: "verify",
          email: town.residents[7].email,
          userId: town.residents[7].id,
          nationalId: ID.e,
          birthDate: "1985-09-10",
          districtId: town.district.south,
          voterClass: "resident",
        }),
        { slug: town.slug },
      );
      expect(taken.status).toBe(409);
      const offer = await taken.json();
      expect(offer.moveFrom).toBe(row.id);
    });

    it("moves a verification only with a reason, leaving one current verification", async () => {
      const noReason = await call(
        adminVerifications.action,
        staff,
        staff.post(path(), {
          intent: "move",
          email: town.residents[7].email,
          verificationId: row.id,
          toUserId: town.residents[7].id,
          reason: "",
        }),
        { slug: town.slug },
      );
      expect(noReason.status).toBe(400);
      expect(Object.keys((await noReason.json()).errors)).toEqual(["reason"]);
      const moved = await call(
        adminVerifications.action,
        staff,
        staff.post(path(), {
          intent: "move",
          email: town.residents[7].email,
          verificationId: row.id,
          toUserId: town.residents[7].id,
          reason: "Checked ID card at the desk",
        }),
        { slug: town.slug },
      );
      expect(moved.status).toBe(302);
      const after = await database.db
        .select()
        .from(verifications)
        .where(eq(verifications.identityHash, row.identityHash));
      expect(after.filter((v) => v.revokedAt === null).map((v) => v.userId)).toEqual([town.residents[7].id]);
    });

    it("logs the verification and the move without the national ID or the birth date", async () => {
      const log = await logText(database.db, town.municipality.id);
      expect(log).toContain("verification.staff");
      expect(log).toContain("verification.move");
      expect(log).not.toContain(ID.e);
      expect(log).not.toContain("1985-09-10");
    });
  });

  it("revokes with a reason (required), shows it to the resident, and self-service is then refused", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const path = `/m/${town.slug}/admin/verifications`;
    const [row] = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.userId, town.residents[0].id), isNull(verifications.revokedAt)));
    const noReason = await call(
      adminVerifications.action,
      staff,
      staff.post(path, { intent: "revoke", verificationId: row.id, reason: " " }),
      { slug: town.slug },
    );
    expect(noReason.status).toBe(400);
    expect(Object.keys((await noReason.json()).errors)).toEqual(["reason"]);
    const ok = await call(
      adminVerifications.action,
      staff,
      staff.post(path, { intent: "revoke", verificationId: row.id, reason: "Moved out of the city" }),
      { slug: town.slug },
    );
    expect(ok.status).toBe(302);
    const resident = await loggedIn(database.db, town.residents[0].email);
    const status = await (
      await call(verifyPage.loader, resident, resident.get(`/m/${town.slug}/verify`), { slug: town.slug })
    ).json();
    expect(status.status.verified).toBeNull();
    expect(status.status.revoked.reason).toBe("Moved out of the city");
    const again = await refusal(
      verifyByCensus(database.db, scopeOf(town.municipality, userActor(town.residents[0])), {
        nationalId: ID.a,
        birthDate: "1980-01-02",
      }),
    );
    expect(again.code).toBe("identity_revoked");
    const twice = await refusal(
      revokeVerification(database.db, town.staff, { verificationId: row.id, reason: "again" }),
    );
    expect(twice.status).toBe(404);
    expect(await logText(database.db, town.municipality.id)).toContain("verification.revoke");
  });

  it("keeps residents out of the staff pages", async () => {
    const resident = await loggedIn(database.db, town.residents[2].email);
    const r = await call(adminVerifications.loader, resident, resident.get(`/m/${town.slug}/admin/verifications`), {
      slug: town.slug,
    });
    expect(r.status).toBe(403);
    const p = await call(
      adminVerifications.action,
      resident,
      resident.post(`/m/${town.slug}/admin/verifications`, {
        intent: "revoke",
        verificationId: "x",
        reason: "because",
      }),
      { slug: town.slug },
    );
    expect(p.status).toBe(403);
  });
});

describe("eligibility and weights per round", () => {
  let eligibleTown: Town;
  const people = {
    north: nationalId(600000001),
    south: nationalId(600000002),
    young: nationalId(600000003),
    visitor: nationalId(600000004),
  };

  beforeAll(async () => {
    eligibleTown = await setupTown(database.db, { residents: 4, votingInDays: 10 });
    await importCensus(database.db, eligibleTown.staff, {
      fileName: "c.csv",
      text: censusCsv([
        [people.north, "1980-01-01", "north", "resident"],
        [people.south, "1980-01-01", "south", "resident"],
        [people.young, "2015-01-01", "north", "youth"],
        [people.visitor, "1980-01-01", "north", "visitor"],
      ]),
      skipBadRows: false,
    });
    const ids = [people.north, people.south, people.young, people.visitor];
    for (let i = 0; i < 4; i++) {
      const birth = i === 2 ? "2015-01-01" : "1980-01-01";
      await verifyByCensus(database.db, scopeOf(eligibleTown.municipality, userActor(eligibleTown.residents[i])), {
        nationalId: ids[i],
        birthDate: birth,
      });
    }
    await database.db.insert(envelopes).values([
      {
        id: randomUUID(),
        roundId: eligibleTown.roundId,
        slug: "north-env",
        name: { en: "North envelope" },
        amount: 1000,
        districtId: eligibleTown.district.north,
      },
      {
        id: randomUUID(),
        roundId: eligibleTown.roundId,
        slug: "south-env",
        name: { en: "South envelope" },
        amount: 1000,
        districtId: eligibleTown.district.south,
      },
      {
        id: randomUUID(),
        roundId: eligibleTown.roundId,
        slug: "city",
        name: { en: "City" },
        amount: 1000,
        districtId: null,
      },
    ]);
  });

  it("staff set classes with weights and the rules; residents see their verdict and weight", async () => {
    const staff = await loggedIn(database.db, eligibleTown.staff.user.email);
    const path = `/m/${eligibleTown.slug}/admin/rounds/${eligibleTown.roundSlug}/eligibility`;
    const params = { slug: eligibleTown.slug, round: eligibleTown.roundSlug };
    const badWeight = await call(
      adminEligibility.action,
      staff,
      staff.post(path, { intent: "class", code: "resident", nameEn: "Resident", weight: "0" }),
      params,
    );
    expect(badWeight.status).toBe(400);
    expect(Object.keys((await badWeight.json()).errors)).toEqual(["weight"]);
    for (const [code, weight] of [
      ["resident", "2"],
      ["works-here", "1"],
      ["youth", "2"],
    ]) {
      const r = await call(
        adminEligibility.action,
        staff,
        staff.post(path, { intent: "class", code, nameEn: code, weight }),
        params,
      );
      expect(r.status).toBe(200);
    }
    const rules = await call(
      adminEligibility.action,
      staff,
      staff.post(path, { intent: "rules", districtIds: eligibleTown.district.north, minAge: "16" }),
      params,
    );
    expect(rules.status).toBe(200);

    const verdictOf = async (i: number) => {
      const b = await loggedIn(database.db, eligibleTown.residents[i].email);
      const r = await call(
        eligibilityPage.loader,
        b,
        b.get(`/m/${eligibleTown.slug}/rounds/${eligibleTown.roundSlug}/eligibility`),
        params,
      );
      expect(r.status).toBe(200);
      return r.json();
    };
    const north = await verdictOf(0);
    expect(north.verdict).toMatchObject({ eligible: true, weight: 2 });
    expect(north.envelopes.map((e: { slug: string; open: boolean }) => [e.slug, e.open])).toEqual([
      ["city", true],
      ["north-env", true],
      ["south-env", false],
    ]);
    const south = await verdictOf(1);
    expect(south.verdict.eligible).toBe(false);
    expect(south.verdict.reasons).toEqual([
      { code: "district", districtId: eligibleTown.district.south, allowed: [eligibleTown.district.north] },
    ]);
    const young = await verdictOf(2);
    expect(young.verdict.reasons.map((r: { code: string }) => r.code)).toEqual(["age"]);
    expect(JSON.stringify(young)).not.toContain("2015");
    const visitor = await verdictOf(3);
    expect(visitor.verdict.reasons).toEqual([
      { code: "class", voterClass: "visitor", allowed: ["resident", "works-here", "youth"] },
    ]);
    const observer = new (await import("../support/requests")).TestBrowser(database.db);
    const anonymous = await (await call(eligibilityPage.loader, observer, observer.get("/"), params)).json();
    expect(anonymous.verdict.reasons).toEqual([{ code: "not_verified" }]);

    const standing = (
      await voterStanding(
        database.db,
        scopeOf(eligibleTown.municipality, userActor({ id: eligibleTown.residents[0].id })),
        { roundId: eligibleTown.roundId },
      )
    ).standing;
    expect(standing).toMatchObject({ weight: 2, district: eligibleTown.district.north, voterClass: "resident" });
    expect(standing?.identity).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(
      (
        await voterStanding(
          database.db,
          scopeOf(eligibleTown.municipality, userActor({ id: eligibleTown.residents[0].id })),
          { roundId: eligibleTown.roundId, envelopeDistrictId: eligibleTown.district.south },
        )
      ).standing,
    ).toBeNull();
    expect(
      (
        await voterStanding(
          database.db,
          scopeOf(eligibleTown.municipality, userActor({ id: eligibleTown.residents[1].id })),
          { roundId: eligibleTown.roundId },
        )
      ).standing,
    ).toBeNull();
  });

  it("uses the age on the first day of voting, not today", async () => {
    const town2 = await setupTown(database.db, { residents: 1, votingInDays: 40 });
    const today = new Date();
    // 18 in 20 days: too young today, old enough when voting starts in 40 days.
    const birth = new Date(
      Date.UTC(today.getUTCFullYear() - 18, today.getUTCMonth(), today.getUTCDate()) + 20 * 86_400_000,
    )
      .toISOString()
      .slice(0, 10);
    const id = nationalId(610000001);
    await importCensus(database.db, town2.staff, {
      fileName: "c.csv",
      text: censusCsv([[id, birth, "north", "resident"]]),
      skipBadRows: false,
    });
    await verifyByCensus(database.db, scopeOf(town2.municipality, userActor(town2.residents[0])), {
      nationalId: id,
      birthDate: birth,
    });
    await saveEligibility(database.db, town2.staff, {
      roundSlug: town2.roundSlug,
      districtIds: null,
      minAge: 18,
      verifiedToPropose: true,
      verifiedToComment: false,
    });
    const standing = (
      await voterStanding(database.db, scopeOf(town2.municipality, userActor({ id: town2.residents[0].id })), {
        roundId: town2.roundId,
      })
    ).standing;
    expect(standing?.weight).toBe(1); // no classes defined: weight 1
    expect(
      await mayParticipate(database.db, scopeOf(town2.municipality, userActor({ id: town2.residents[0].id })), {
        roundId: town2.roundId,
        action: "propose",
      }),
    ).toBe(true);
    expect(
      await mayParticipate(database.db, scopeOf(town2.municipality, userActor({ id: town2.staff.user.id })), {
        roundId: town2.roundId,
        action: "propose",
      }),
    ).toBe(false);
    expect(
      await mayParticipate(database.db, scopeOf(town2.municipality, userActor({ id: town2.staff.user.id })), {
        roundId: town2.roundId,
        action: "comment",
      }),
    ).toBe(true);
  });

  it("freezes classes, weights and eligibility once voting opens (409, nothing changed)", async () => {
    const open = await setupTown(database.db, { residents: 1, votingInDays: 20 });
    await saveVoterClass(database.db, open.staff, {
      roundSlug: open.roundSlug,
      code: "resident",
      name: { en: "Resident" },
      weight: 2,
    });
    // Voting opens: move the phases so voting started yesterday.
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    await database.db
      .update(phases)
      .set({ startsOn: day(-30), endsOn: day(-2) })
      .where(and(eq(phases.roundId, open.roundId), eq(phases.kind, "proposals")));
    await database.db
      .update(phases)
      .set({ startsOn: day(-1), endsOn: day(10) })
      .where(and(eq(phases.roundId, open.roundId), eq(phases.kind, "voting")));
    const staff = await loggedIn(database.db, open.staff.user.email);
    const path = `/m/${open.slug}/admin/rounds/${open.roundSlug}/eligibility`;
    const params = { slug: open.slug, round: open.roundSlug };
    const change = await call(
      adminEligibility.action,
      staff,
      staff.post(path, { intent: "class", code: "resident", nameEn: "Resident", weight: "5" }),
      params,
    );
    expect(change.status).toBe(409);
    const remove = await call(
      adminEligibility.action,
      staff,
      staff.post(path, { intent: "deleteClass", code: "resident" }),
      params,
    );
    expect(remove.status).toBe(409);
    const rules = await call(
      adminEligibility.action,
      staff,
      staff.post(path, { intent: "rules", allDistricts: "on", minAge: "30" }),
      params,
    );
    expect(rules.status).toBe(409);
    const page = await (await call(adminEligibility.loader, staff, staff.get(path), params)).json();
    expect(page.rules.frozen).toBe(true);
    expect(page.rules.classes).toEqual([{ code: "resident", name: { en: "Resident" }, weight: 2 }]);
    expect(page.rules.minAge).toBeNull();
  });

  it("staff verification refuses a district of another municipality", async () => {
    const e = await refusal(
      staffVerify(database.db, eligibleTown.staff, {
        userId: eligibleTown.staff.user.id,
        nationalId: nationalId(620000001),
        birthDate: "1980-01-01",
        districtId: town.district.north,
        voterClass: "resident",
      }),
    );
    expect(e.field).toBe("districtId");
  });
});
