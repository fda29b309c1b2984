/**
 * Revocations in the public action log (ADR 0017): the log keeps that staff revoked a verification
 * and why, without anything that leads to the withdrawn ballot; verifying again a person whose
 * verification was revoked during the round's voting needs a written reason, shown in the log.
 */
import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, envelopes, ledgerLeaves, proposals, verifications } from "../../db/schema";
import { translator } from "../../app/domain/i18n";
import * as actionLogJsonl from "../../app/routes/m.$slug.action-log[.jsonl]";
import * as logPage from "../../app/routes/m.$slug.log";
import * as adminVerifications from "../../app/routes/m.$slug.admin.verifications";
import { castBallot } from "../../app/services/ballots/ballots.server";
import { LOCALE_COOKIE } from "../../app/web/locale.server";
import { testDatabase, unique } from "../support/db";
import { call } from "../support/requests";
import { type Town, loggedIn, nationalId, setupTown } from "./verification-setup";
import { roundScope } from "../support/scopes";

let database: Database;
let town: Town;
let envelope: typeof envelopes.$inferSelect;
const person = { nationalId: nationalId(700000123), birthDate: "1979-03-04" };
const seen: { ballotId: string; verificationId: string; withdrawalLeaf: string; envelope: string } = {
  ballotId: "",
  verificationId: "",
  withdrawalLeaf: "",
  envelope: "",
};

beforeAll(async () => {
  database = await testDatabase();
  // Voting opened yesterday.
  town = await setupTown(database.db, { votingInDays: -1 });
  const envelopeId = randomUUID();
  seen.envelope = unique("envelope");
  await database.db
    .insert(envelopes)
    .values({ id: envelopeId, roundId: town.roundId, slug: seen.envelope, name: { en: "E" }, amount: 1000 });
  [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  await database.db.insert(proposals).values({
    id: randomUUID(),
    envelopeId,
    title: { en: "P" },
    body: { en: "" },
    cost: 100,
    status: "accepted",
  });
});
afterAll(() => database.close());

const path = () => `/m/${town.slug}/admin/verifications`;
const resident = () => town.residents[0];

async function staffPost(fields: Record<string, string>, locale?: "fa") {
  const staff = await loggedIn(database.db, town.staff.user.email);
  if (locale) staff.cookies.set(LOCALE_COOKIE, locale);
  return call(adminVerifications.action, staff, staff.post(path(), { email: resident().email, ...fields }), {
    slug: town.slug,
  });
}

const verifyFields = () => ({
  intent: "verify",
  userId: resident().id,
  nationalId: person.nationalId,
  birthDate: person.birthDate,
  districtId: town.district.north,
  voterClass: "resident",
});

/** The public log as anyone downloads it, and as the log page gives it. */
async function publicLog() {
  const staff = await loggedIn(database.db, town.staff.user.email);
  const jsonl = await (
    await call(actionLogJsonl.loader, staff, staff.get(`/m/${town.slug}/action-log.jsonl`), { slug: town.slug })
  ).text();
  const page = await (await call(logPage.loader, staff, staff.get(`/m/${town.slug}/log`), { slug: town.slug })).text();
  return {
    jsonl,
    page,
    entries: jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l)),
  };
}

describe("a revocation during voting in the public action log", () => {
  it("keeps the revocation and its reason, without a pointer to the withdrawn ballot", async () => {
    expect((await staffPost(verifyFields())).status).toBe(302);
    const [row] = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.userId, resident().id), isNull(verifications.revokedAt)));
    seen.verificationId = row.id;
    const proposalIds = (await database.db.select().from(proposals).where(eq(proposals.envelopeId, envelope.id))).map(
      (p) => p.id,
    );
    const ballot = await castBallot(database.db, await roundScope(database.db, town.roundId), {
      roundId: town.roundId,
      roundSlug: town.roundSlug,
      envelope,
      voter: { identity: row.identityHash, weight: 1, district: "north", voterClass: "resident" },
      body: { approved: proposalIds },
      channel: "online",
    });
    seen.ballotId = ballot.ballotId;

    const revoked = await staffPost({ intent: "revoke", verificationId: row.id, reason: "Registered twice" });
    expect(revoked.status).toBe(302);
    // The ballot was withdrawn: the ledger has a withdrawal leaf naming it.
    const [withdrawn] = await database.db.select().from(ballots).where(eq(ballots.id, seen.ballotId));
    expect(withdrawn.current).toBe(false);
    const leaves = await database.db.select().from(ledgerLeaves).where(eq(ledgerLeaves.roundId, town.roundId));
    const withdrawal = leaves.find((l) => l.leaf.includes(`"supersedes":"${seen.ballotId}"`));
    expect(withdrawal).toBeDefined();
    seen.withdrawalLeaf = withdrawal?.leafHash ?? "";

    const { jsonl, page, entries } = await publicLog();
    const entry = entries.find((e) => e.action === "verification.revoke");
    // Transparency: who revoked, when (to the hour) and why.
    expect(entry).toMatchObject({ actor: "Staff Sina", summary: { after: { reason: "Registered twice" } } });
    expect(new Date(entry.at).getTime() % 3_600_000).toBe(0);
    expect(entry.target).toMatch(/^revocation:[0-9a-f-]{36}$/);
    // No link: not the verification (whose log entry names district and class), not the ballot,
    // its envelope, the withdrawal leaf, or how many ballots were withdrawn.
    for (const text of [jsonl, page]) {
      expect(text).not.toContain(seen.ballotId);
      expect(text).not.toContain(seen.envelope);
      expect(text).not.toContain(seen.withdrawalLeaf);
      expect(text).not.toMatch(/withdr|ballot/i);
    }
    expect(JSON.stringify(entry)).not.toContain(seen.verificationId);
    const shown = (JSON.parse(page).entries as { action: string }[]).find((e) => e.action === "verification.revoke");
    expect(shown).toEqual(entry);
    expect(JSON.stringify(entry.summary)).toBe(JSON.stringify({ after: { reason: "Registered twice" } }));
  });

  it("asks for a reason to verify the person again in the same round: 400 naming the field, en and fa", async () => {
    const missing = await staffPost(verifyFields());
    expect(missing.status).toBe(400);
    const body = await missing.json();
    expect(Object.keys(body.errors)).toEqual(["reason"]);
    expect(body.errors.reason).toBe(translator("en")("verification.error.reverify_reason"));
    const persian = await staffPost({ ...verifyFields(), reason: " " }, "fa");
    expect(persian.status).toBe(400);
    const fa = (await persian.json()).errors;
    expect(Object.keys(fa)).toEqual(["reason"]);
    expect(fa.reason).toBe(translator("fa")("verification.error.reverify_reason"));
    expect(fa.reason).not.toBe(body.errors.reason);
    // Nothing was written.
    const active = await database.db
      .select()
      .from(verifications)
      .where(and(eq(verifications.userId, resident().id), isNull(verifications.revokedAt)));
    expect(active).toHaveLength(0);
  });

  it("verifies again with a written reason, which the public log shows", async () => {
    const reason = "Second registration was a data-entry error at the desk";
    const ok = await staffPost({ ...verifyFields(), reason });
    expect(ok.status).toBe(302);
    const { entries } = await publicLog();
    const again = entries.filter((e) => e.action === "verification.staff").at(-1);
    expect(again.summary.after).toMatchObject({ method: "staff", reason });
  });
});
