/**
 * Attacks on the count (ADR 0018): reopening voting after a tally, changing what decides the outcome
 * once voting has opened, and a withdrawn ballot that the bundle would open.
 */
import { observer, scopeOf, userActor } from "../../app/services/scope";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { createPrivateKey, sign as edSign } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { ballots, envelopes, phases, proposals } from "../../db/schema";
import { writeBundle } from "../../app/cli/bundle-files";
import { main } from "../../app/cli/main";
import type { BundleFile } from "../../app/domain/bundle/build";
import { ballotLine, leafHashHex, leafText, sha256Hex } from "../../app/domain/bundle/format";
import type { Leaf } from "../../app/domain/bundle/format";
import { BallotRefused, castBallot } from "../../app/services/ballots/ballots.server";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { privateKeyOf, roundFingerprint, signingKey } from "../../app/services/ballots/checkpoints.server";
import { RefusedError } from "../../app/services/errors.server";
import { withdrawProposal } from "../../app/services/proposals/proposals.server";
import { publishRound } from "../../app/services/tally/publish.server";
import {
  advancePhase,
  createStaffProposal,
  deleteEnvelope,
  reviewProposal,
  saveEnvelope,
  updateRound,
} from "../../app/services/rounds/rounds-admin.server";
import { runRoundTally } from "../../app/services/tally/tally.server";
import { dayIn } from "../../app/domain/rounds/phases";
import { VerificationRefused } from "../../app/services/verification/verifications.server";
import {
  deleteVoterClass,
  saveEligibility,
  saveVoterClass,
  voterStanding,
} from "../../app/services/verification/eligibility.server";
import { revokeVerification, staffVerify } from "../../app/services/verification/staff-verification.server";
import { testDatabase } from "../support/db";
import { type Town, nationalId, setupTown } from "./verification-setup";
import { roundScope } from "../support/scopes";

let database: Database;
const DAY = 86_400_000;
const daysFromNow = (n: number) => new Date(Date.now() + n * DAY);
/** A day relative to today in the towns' time zone (Asia/Tehran, as setupTown makes them). */
const day = (n: number) => dayIn("Asia/Tehran", daysFromNow(n));

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database.close());

/** A town whose round has one envelope with three accepted proposals, and phases from `spans`. */
async function town(spans: [string, number, number][]) {
  const t = await setupTown(database.db, { residents: 5 });
  await database.db.delete(phases).where(eq(phases.roundId, t.roundId));
  await database.db.insert(phases).values(
    spans.map(([kind, a, b]) => ({
      id: randomUUID(),
      roundId: t.roundId,
      kind: kind as "voting",
      startsOn: day(a),
      endsOn: day(b),
    })),
  );
  const envelopeId = randomUUID();
  await database.db
    .insert(envelopes)
    .values({ id: envelopeId, roundId: t.roundId, slug: "city", name: { en: "City" }, amount: 1_000 });
  const ids: string[] = [];
  for (const [name, cost] of [
    ["a", 400],
    ["b", 300],
    ["c", 500],
  ] as const) {
    const id = randomUUID();
    ids.push(id);
    await database.db
      .insert(proposals)
      .values({ id, envelopeId, title: { en: name }, body: { en: "" }, cost, status: "accepted" });
  }
  const [envelope] = await database.db.select().from(envelopes).where(eq(envelopes.id, envelopeId));
  return { ...t, envelope, ids };
}

async function verified(t: Town, resident: number, now: Date) {
  return staffVerify(database.db, t.staff, {
    userId: t.residents[resident].id,
    nationalId: nationalId(1000 + resident),
    birthDate: "1980-01-01",
    districtId: t.district.north,
    voterClass: "resident",
    now,
  });
}

async function vote(t: Awaited<ReturnType<typeof town>>, resident: number, approved: string[], now: Date) {
  const standing = (
    await voterStanding(database.db, scopeOf(t.municipality, userActor({ id: t.residents[resident].id })), {
      roundId: t.roundId,
      now,
    })
  ).standing;
  if (!standing) throw new Error("not a voter");
  return castBallot(
    database.db,
    await roundScope(database.db, t.roundId, userActor({ id: t.residents[resident].id })),
    {
      roundId: t.roundId,
      roundSlug: t.roundSlug,
      envelope: t.envelope,
      voter: standing,
      body: { approved },
      channel: "online",
      now,
    },
  );
}

async function refused(promise: Promise<unknown>): Promise<{ code: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RefusedError) return { code: error.code, status: error.status };
    if (error instanceof VerificationRefused) return { code: error.code, status: error.status };
    if (error instanceof BallotRefused) return { code: error.code, status: error.status };
    throw error;
  }
  throw new Error("expected a refusal");
}

const phasesInput = async (roundId: string) =>
  (await database.db.select().from(phases).where(eq(phases.roundId, roundId))).map(({ kind, startsOn, endsOn }) => ({
    kind,
    startsOn,
    endsOn,
  }));

async function verifyFiles(files: readonly BundleFile[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "shora-integrity-"));
  writeBundle(files, dir);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["verify", dir], { out: (x) => out.push(x), err: (x) => err.push(x) });
  fs.rmSync(dir, { recursive: true, force: true });
  return { code, out: out.join(""), err: err.join("") };
}

/** The same files with one changed, SHA256SUMS and its signature made again with the municipality's key. */
function resigned(files: readonly BundleFile[], changes: Record<string, string>, privateKeyPem: string): BundleFile[] {
  const body = files
    .filter((f) => f.name !== "SHA256SUMS" && f.name !== "SHA256SUMS.sig")
    .map((f) => (changes[f.name] !== undefined ? { name: f.name, bytes: Buffer.from(changes[f.name]) } : f));
  const sums = body.map((f) => `${sha256Hex(f.bytes)}  ${f.name}\n`).join("");
  const signature = edSign(null, Buffer.from(sums), createPrivateKey(privateKeyPem)).toString("base64");
  return [
    ...body,
    { name: "SHA256SUMS", bytes: Buffer.from(sums) },
    { name: "SHA256SUMS.sig", bytes: Buffer.from(`${signature}\n`) },
  ];
}

describe("voting cannot reopen after a tally", () => {
  it("refuses to move the voting end forward once voting closed; the outsider cannot vote; the bundle verifies", async () => {
    const t = await town([
      ["proposals", -40, -13],
      ["voting", -12, -2],
      ["tallying", -1, 5],
      ["published", 6, 30],
    ]);
    const votingDay = daysFromNow(-7);
    for (const r of [0, 1, 2]) await verified(t, r, daysFromNow(-20));
    await vote(t, 0, [t.ids[0]], votingDay);
    await vote(t, 1, [t.ids[1]], votingDay);
    await vote(t, 2, [t.ids[0], t.ids[1]], votingDay);
    await runRoundTally(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
      roundSlug: t.roundSlug,
    });

    // The attack: after seeing the tally, staff move the end of voting to next week...
    const reopened = (await phasesInput(t.roundId)).map((p) =>
      p.kind === "voting"
        ? { ...p, endsOn: day(7) }
        : p.kind === "tallying"
          ? { ...p, startsOn: day(8), endsOn: day(9) }
          : p.kind === "published"
            ? { ...p, startsOn: day(10), endsOn: day(30) }
            : p,
    );
    expect(
      await refused(
        updateRound(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
          slug: t.roundSlug,
          title: { en: "B" },
          description: { en: "" },
          phases: reopened,
        }),
      ),
    ).toEqual({ code: "voting_closed", status: 409 });
    // ...or to close it "early" on a later day: the dates of a closed vote never change.
    const moved = (await phasesInput(t.roundId)).map((p) => (p.kind === "voting" ? { ...p, endsOn: day(-3) } : p));
    expect(
      await refused(
        updateRound(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
          slug: t.roundSlug,
          title: { en: "B" },
          description: { en: "" },
          phases: moved,
        }),
      ),
    ).toEqual({ code: "voting_closed", status: 409 });
    const [voting] = await database.db
      .select()
      .from(phases)
      .where(and(eq(phases.roundId, t.roundId), eq(phases.kind, "voting")));
    expect(voting.endsOn).toBe(day(-2));

    // ...then staff-verify someone outside the census and let them vote: voting stays closed.
    await verified(t, 4, new Date());
    expect(await refused(vote(t, 4, [t.ids[2]], new Date()))).toEqual({ code: "not_voting", status: 409 });

    await runRoundTally(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
      roundSlug: t.roundSlug,
    });
    await publishRound(database.db, t.staff, { roundSlug: t.roundSlug });
    const bundle = await roundBundle(database.db, scopeOf(t.municipality, observer), { roundSlug: t.roundSlug });
    if (!bundle) throw new Error("no bundle");
    expect(bundle.round.counts.current).toBe(3);
    expect(bundle.round.votingWindow).toEqual({ startsOn: day(-12), endsOn: day(-2) });
    const result = await verifyFiles(bundle.files);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("✓ voting window");
    expect(result.out).toContain("✓ counts");

    // A round.json whose voting dates were widened (or a class weight changed) and re-signed fails.
    const key = privateKeyOf(await signingKey(database.db, t.municipality.id));
    const roundText = bundle.files.find((f) => f.name === "round.json")?.bytes.toString("utf8") ?? "";
    const widened = JSON.parse(roundText);
    widened.votingWindow.endsOn = day(7);
    widened.round.phases = widened.round.phases.map((p: { kind: string }) =>
      p.kind === "voting" ? { ...p, endsOn: day(7) } : p,
    );
    const failedWidened = await verifyFiles(resigned(bundle.files, { "round.json": JSON.stringify(widened) }, key));
    expect(failedWidened.code).toBe(1);
    expect(failedWidened.err).toContain("✗ round: round.json: rulesFingerprint does not match");
    const weighted = JSON.parse(roundText);
    weighted.voterClasses = [{ code: "resident", name: { en: "R" }, weight: 5 }];
    const failedWeight = await verifyFiles(resigned(bundle.files, { "round.json": JSON.stringify(weighted) }, key));
    expect(failedWeight.code).toBe(1);
    expect(failedWeight.err).toContain("✗ round: round.json: rulesFingerprint does not match");
  });
});

describe("coarse cast times keep their local day", () => {
  it("publishes and verifies ballots cast just after midnight and just before midnight in Tehran (+03:30)", async () => {
    const t = await town([
      ["proposals", -40, -13],
      ["voting", -12, -2],
      ["tallying", -1, 5],
      ["published", 6, 30],
    ]);
    for (const r of [0, 1]) await verified(t, r, daysFromNow(-20));
    // 00:10 on the first day of voting is 20:40 UTC the evening before; 23:50 on the last is 20:20 UTC.
    await vote(t, 0, [t.ids[0]], new Date(`${day(-12)}T00:10:00+03:30`));
    await vote(t, 1, [t.ids[1]], new Date(`${day(-2)}T23:50:00+03:30`));
    const stored = await database.db
      .select({ castAt: ballots.castAt })
      .from(ballots)
      .where(eq(ballots.roundId, t.roundId));
    expect(stored.map((b) => dayIn("Asia/Tehran", b.castAt)).sort()).toEqual([day(-12), day(-2)]);
    await runRoundTally(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
      roundSlug: t.roundSlug,
    });
    await publishRound(database.db, t.staff, { roundSlug: t.roundSlug });
    const published = await database.db
      .select({ castAt: ballots.castAt })
      .from(ballots)
      .where(eq(ballots.roundId, t.roundId));
    expect(published.map((b) => dayIn("Asia/Tehran", b.castAt)).sort()).toEqual([day(-12), day(-2)]);
    const bundle = await roundBundle(database.db, scopeOf(t.municipality, observer), { roundSlug: t.roundSlug });
    if (!bundle) throw new Error("no bundle");
    const result = await verifyFiles(bundle.files);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("✓ voting window");
  });
});

describe("once voting has opened, nothing that decides the outcome changes", () => {
  it("refuses envelopes, proposals, costs, classes, eligibility and the voting start; voting may only close early", async () => {
    const t = await town([
      ["proposals", -30, -2],
      ["voting", -1, 9],
      ["tallying", 12, 14],
    ]);
    const staff = t.staff;
    const staffScope = scopeOf(staff.municipality, userActor(staff.user));
    const fingerprint = await roundFingerprint(database.db, { roundId: t.roundId });
    const envelopeInput = {
      slug: "city",
      name: { en: "City" },
      districtId: null,
      amount: 5_000,
      ballotType: "approval" as const,
      minProjects: null,
      maxProjects: null,
      minSpendShare: null,
      minPoints: null,
      maxPoints: null,
      tallyRule: "greedy" as const,
      tallyCompletion: false,
    };
    const frozen = { code: "frozen", status: 409 };
    expect(
      await refused(
        saveEnvelope(database.db, staffScope, {
          roundSlug: t.roundSlug,
          envelope: envelopeInput,
          existingSlug: "city",
        }),
      ),
    ).toEqual(frozen);
    expect(
      await refused(
        saveEnvelope(database.db, staffScope, {
          roundSlug: t.roundSlug,
          envelope: { ...envelopeInput, slug: "new" },
          existingSlug: null,
        }),
      ),
    ).toEqual(frozen);
    expect(
      await refused(deleteEnvelope(database.db, staffScope, { roundSlug: t.roundSlug, envelopeSlug: "city" })),
    ).toEqual(frozen);
    expect(
      await refused(
        createStaffProposal(database.db, staffScope, {
          roundSlug: t.roundSlug,
          proposal: {
            envelopeSlug: "city",
            title: { en: "late" },
            body: { en: "" },
            cost: 1,
            districtId: null,
            location: null,
          },
        }),
      ),
    ).toEqual(frozen);
    expect(
      await refused(
        reviewProposal(database.db, staffScope, {
          roundSlug: t.roundSlug,
          proposalId: t.ids[0],
          review: { decision: "accept", cost: 1, feasibilityNote: null },
        }),
      ),
    ).toEqual(frozen);
    expect(
      await refused(
        reviewProposal(database.db, staffScope, {
          roundSlug: t.roundSlug,
          proposalId: t.ids[0],
          review: { decision: "reject", reason: "late" },
        }),
      ),
    ).toEqual(frozen);
    expect(
      await refused(
        saveVoterClass(database.db, staff, { roundSlug: t.roundSlug, code: "resident", name: { en: "R" }, weight: 3 }),
      ),
    ).toEqual(frozen);
    expect(await refused(deleteVoterClass(database.db, staff, { roundSlug: t.roundSlug, code: "resident" }))).toEqual(
      frozen,
    );
    expect(
      await refused(
        saveEligibility(database.db, staff, {
          roundSlug: t.roundSlug,
          districtIds: null,
          minAge: 99,
          verifiedToPropose: false,
          verifiedToComment: false,
        }),
      ),
    ).toEqual(frozen);
    // The author cannot pull an accepted proposal off the open ballot either.
    await database.db.update(proposals).set({ authorId: t.residents[0].id }).where(eq(proposals.id, t.ids[1]));
    expect(
      await refused(
        withdrawProposal(database.db, scopeOf(t.municipality, userActor(t.residents[0])), {
          roundSlug: t.roundSlug,
          proposalId: t.ids[1],
        }),
      ),
    ).toEqual({ code: "not_withdrawable", status: 409 });

    const base = await phasesInput(t.roundId);
    const withVoting = (change: Partial<{ startsOn: string; endsOn: string }>) =>
      updateRound(database.db, staffScope, {
        slug: t.roundSlug,
        title: { en: "B" },
        description: { en: "" },
        phases: base.map((p) => (p.kind === "voting" ? { ...p, ...change } : p)),
      });
    expect(await refused(withVoting({ startsOn: day(0) }))).toEqual(frozen);
    expect(await refused(withVoting({ endsOn: day(11) }))).toEqual({ code: "voting_end_later", status: 409 });
    expect(await refused(withVoting({ endsOn: day(-1) }))).toEqual({ code: "voting_end_past", status: 409 });
    // Closing voting early is allowed, and checkpoints keep signing the window as it opened.
    await withVoting({ endsOn: day(3) });
    expect(await roundFingerprint(database.db, { roundId: t.roundId })).toBe(fingerprint);
    expect(await refused(withVoting({ endsOn: day(9) }))).toEqual({ code: "voting_end_later", status: 409 });
    // Advancing to the tally closes voting (yesterday was its last day); it does not reopen.
    const advanced = await advancePhase(database.db, staffScope, { slug: t.roundSlug });
    expect(advanced.ok && advanced.to).toBe("tallying");
    expect(await roundFingerprint(database.db, { roundId: t.roundId })).toBe(fingerprint);
    const [voting] = await database.db
      .select()
      .from(phases)
      .where(and(eq(phases.roundId, t.roundId), eq(phases.kind, "voting")));
    expect([voting.endsOn, voting.plannedEndsOn]).toEqual([day(-1), day(9)]);
  });
});

describe("a withdrawn ballot is never opened", () => {
  it("publishes its commitment but not its choices, verifies, and a bundle that opens and counts it fails", async () => {
    const t = await town([
      ["proposals", -40, -13],
      ["voting", -12, -2],
      ["tallying", -1, 5],
    ]);
    for (const r of [0, 1, 2]) await verified(t, r, daysFromNow(-20));
    await vote(t, 0, [t.ids[0]], daysFromNow(-9));
    // The revoked resident voted, changed their mind, and was then revoked during voting.
    const first = await vote(t, 1, [t.ids[2]], daysFromNow(-9));
    const second = await vote(t, 1, [t.ids[1], t.ids[2]], daysFromNow(-8));
    await vote(t, 2, [t.ids[1]], daysFromNow(-8));
    const verification = await verified(t, 3, daysFromNow(-20));
    const withdrawn = await vote(t, 3, [t.ids[2]], daysFromNow(-7));
    const [v1] = await database.db
      .execute<{ id: string }>(
        // the verification of resident 1
        (await import("drizzle-orm")).sql`select id from verifications where user_id = ${t.residents[1].id}`,
      )
      .then((r) => (r as unknown as { rows: { id: string }[] }).rows);
    await revokeVerification(database.db, t.staff, {
      verificationId: v1.id,
      reason: "moved away",
      now: daysFromNow(-6),
    });
    await revokeVerification(database.db, t.staff, {
      verificationId: verification.verificationId,
      reason: "not a resident",
      now: daysFromNow(-6),
    });
    await runRoundTally(database.db, scopeOf(t.staff.municipality, userActor(t.staff.user)), {
      roundSlug: t.roundSlug,
    });
    await publishRound(database.db, t.staff, { roundSlug: t.roundSlug });
    const bundle = await roundBundle(database.db, scopeOf(t.municipality, observer), { roundSlug: t.roundSlug });
    if (!bundle) throw new Error("no bundle");
    const text = (name: string) => bundle.files.find((f) => f.name === name)?.bytes.toString("utf8") ?? "";
    const lines = text("ballots.jsonl")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    for (const id of [first.ballotId, second.ballotId, withdrawn.ballotId]) {
      const line = lines.find((l) => l.leaf.ballotId === id);
      expect(line.leaf.commitment).toMatch(/^[0-9a-f]{64}$/);
      expect(line.opening).toBeNull();
      expect(text("city.pb")).not.toContain(id);
    }
    expect(lines.filter((l) => l.leaf.ballotId === null).map((l) => l.leaf.supersedes)).toEqual([
      second.ballotId,
      withdrawn.ballotId,
    ]);
    expect(bundle.round.counts).toMatchObject({ current: 2, withdrawn: 2, superseded: 1 });
    const clean = await verifyFiles(bundle.files);
    expect(clean.err).toBe("");
    expect(clean.code).toBe(0);

    // Crafted: the withdrawn ballot opened again (its body and nonce from the database) and re-signed.
    const [row] = await database.db.select().from(ballots).where(eq(ballots.id, withdrawn.ballotId));
    const opened = text("ballots.jsonl")
      .trim()
      .split("\n")
      .map((l) => {
        const r = JSON.parse(l) as { leaf: Leaf; day: string };
        return r.leaf.ballotId === withdrawn.ballotId
          ? ballotLine(
              r.leaf,
              leafHashHex(leafText(r.leaf)),
              { body: row.body, nonce: row.nonce, voter: "f".repeat(32) },
              r.day,
            )
          : l;
      })
      .join("\n");
    const key = privateKeyOf(await signingKey(database.db, t.municipality.id));
    const crafted = await verifyFiles(resigned(bundle.files, { "ballots.jsonl": `${opened}\n` }, key));
    expect(crafted.code).toBe(1);
    expect(crafted.err).toMatch(
      new RegExp(
        `✗ withdrawn ballots: ballots\\.jsonl line \\d+ \\(leaf \\d+\\): withdraws ${withdrawn.ballotId}, whose choices are opened`,
      ),
    );
  });
});
