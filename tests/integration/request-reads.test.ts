/**
 * The reads the ballot path shares or combines (ADR 0012): the address in one query refused in the
 * same order as one lookup after the other, and the session read once per GET request only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { requireRoundPath, requireVoterPath } from "../../app/web/guards.server";
import { findRoundPath } from "../../app/services/tenancy/municipality.server";
import { endSession, sessionOf, startSession } from "../../app/web/session.server";
import { testDatabase, unique } from "../support/db";
import { makeEnvelope, makeMunicipality, makeRound } from "../support/factories";

let database: Database;
let slug: string;
let cookie: string;

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("reads");
  const town = await makeMunicipality(database.db, {
    slug,
    name: { en: "Reads" },
    admin: { displayName: "A", password: "reads password 1" },
  });
  const round = await makeRound(database.db, { by: town.admin, slug: "r" });
  await makeEnvelope(database.db, { by: town.admin, round, slug: "green", name: { en: "Green" }, amount: 1_000 });
  const setCookie = await startSession(database.db, new Request("http://localhost/login"), town.admin.user.id);
  cookie = setCookie.split(";")[0];
});

afterAll(async () => {
  await database?.close();
});

const request = (withSession: boolean) => new Request("http://localhost/", { headers: withSession ? { cookie } : {} });

/** The status and reason of what a guard throws (or 200 when it lets the request through). */
async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "200";
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    return `${thrown.status} ${(await thrown.json()).message}`;
  }
}

describe("a round page's address in one query", () => {
  it("finds the parts that exist and leaves the rest null", async () => {
    const all = await findRoundPath(database.db, { slug, round: "r", envelope: "green" });
    expect([all.municipality?.slug, all.round?.slug, all.envelope?.slug]).toEqual([slug, "r", "green"]);
    expect(all.round?.createdAt).toBeInstanceOf(Date);
    const noEnvelopeAsked = await findRoundPath(database.db, { slug, round: "r" });
    expect([noEnvelopeAsked.round?.slug, noEnvelopeAsked.envelope]).toEqual(["r", null]);
    const noRound = await findRoundPath(database.db, { slug, round: "nope", envelope: "green" });
    expect([noRound.municipality?.slug, noRound.round, noRound.envelope]).toEqual([slug, null, null]);
    expect(await findRoundPath(database.db, { slug: unique("none"), round: "r" })).toEqual({
      municipality: null,
      round: null,
      envelope: null,
    });
  });

  it("refuses in the order of the checks one after the other: municipality, login, round, envelope", async () => {
    const context = { db: database.db, clientIp: "10.0.0.1" };
    const voter = (withSession: boolean, params: Record<string, string>) =>
      outcome(() => requireVoterPath(request(withSession), context, params));
    expect(await voter(false, { slug: unique("none"), round: "nope", envelope: "nope" })).toBe(
      "404 No such municipality.",
    );
    expect(await voter(false, { slug, round: "nope", envelope: "nope" })).toBe("403 You need to log in.");
    expect(await voter(true, { slug, round: "nope", envelope: "green" })).toBe("404 No such round.");
    expect(await voter(true, { slug, round: "r", envelope: "nope" })).toBe("404 No such envelope.");
    expect(await voter(true, { slug, round: "r", envelope: "green" })).toBe("200");
    expect(await outcome(() => requireRoundPath(context, { slug, round: "nope" }))).toBe("404 No such round.");
    expect(await outcome(() => requireRoundPath(context, { round: "r" }))).toBe("404 No such municipality.");
  });
});

describe("the session of a request", () => {
  it("is read once per request when the server shares reads, and afresh without", async () => {
    const shared = { db: database.db, clientIp: "10.0.0.1", perRequest: new Map<string, Promise<unknown>>() };
    const first = sessionOf(shared, request(true));
    expect(sessionOf(shared, request(true))).toBe(first);
    expect((await first)?.user.email).toBe(`admin@${slug}.example`);
    // Another cookie in the same map never gets this one's session.
    expect(await sessionOf(shared, request(false))).toBeNull();

    const fresh = { db: database.db, clientIp: "10.0.0.1" };
    await endSession(database.db, request(true));
    expect(await sessionOf(fresh, request(true))).toBeNull();
  });
});
