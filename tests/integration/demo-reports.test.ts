/**
 * The demo municipality's report desk: after the demo seed the public figures show several months
 * of answered reports, some still wait, one was closed before anyone acknowledged it, and a funded
 * project's implementation page lists the open reports about it.
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { envelopes, proposals, reportEvents, reports, rounds } from "../../db/schema";
import { seedDemo } from "../../app/services/demo/demo.server";
import { seedDemoReports } from "../../app/services/demo/demo-reports.server";
import { findMunicipality } from "../../app/services/tenancy/municipality.server";
import * as figuresJson from "../../app/routes/m.$slug.reports.figures[.json]";
import * as projectRoute from "../../app/routes/m.$slug.rounds.$round.implementation.$proposal";
import { TestBrowser, call } from "../support/requests";
import { privateDatabase } from "../support/db";

let database: Database;
let drop: () => Promise<void>;
let municipalityId: string;

beforeAll(async () => {
  // The demo has one slug: on PostgreSQL its own database, so no other file's demo (and key store) is met.
  ({ database, drop } = await privateDatabase());
  await seedDemo(database.db, { now: new Date() });
  const municipality = await findMunicipality(database.db, "demo");
  if (!municipality) throw new Error("no demo municipality");
  municipalityId = municipality.id;
}, 120_000);
afterAll(() => drop?.());

describe("the demo report desk", () => {
  it("gives the public figures several months of received and answered reports", async () => {
    const browser = new TestBrowser(database.db);
    const response = await call(
      figuresJson.loader,
      browser,
      new Request("http://localhost/m/demo/reports/figures.json"),
      { slug: "demo" },
    );
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      categories: { code: string; target_working_days: number }[];
      months: { month: string; received: number; responded: number; firstResponseMedian: number | null }[];
      backlog: { open: number }[];
    };
    expect(body.categories.length).toBeGreaterThanOrEqual(3);
    for (const c of body.categories) expect(c.target_working_days).toBeGreaterThan(0);
    const busy = new Set(body.months.filter((m) => m.received > 0).map((m) => m.month));
    expect(busy.size).toBeGreaterThanOrEqual(4);
    const answered = new Set(body.months.filter((m) => m.responded > 0).map((m) => m.month));
    expect(answered.size).toBeGreaterThanOrEqual(4);
    // Different delays, so the medians are not all the same number.
    const medians = new Set(body.months.map((m) => m.firstResponseMedian).filter((m) => m !== null));
    expect(medians.size).toBeGreaterThan(1);
    expect(body.backlog.reduce((sum, b) => sum + b.open, 0)).toBeGreaterThan(0);
  });

  it("has reports still waiting and one closed before it was acknowledged", async () => {
    const waiting = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(reports)
      .where(and(eq(reports.municipalityId, municipalityId), isNull(reports.firstResponseAt)));
    expect(waiting[0].n).toBeGreaterThanOrEqual(2);
    const closed = await database.db
      .select({ id: reports.id, first: reports.firstResponseAt, closed: reports.closedAt })
      .from(reports)
      .where(and(eq(reports.municipalityId, municipalityId), eq(reports.status, "closed")));
    const closedAtOnce = closed.filter((r) => r.first && r.closed && r.first.getTime() === r.closed.getTime());
    expect(closedAtOnce.length).toBeGreaterThanOrEqual(1);
    const events = await database.db
      .select({ status: reportEvents.status })
      .from(reportEvents)
      .where(eq(reportEvents.reportId, closedAtOnce[0].id));
    expect(events.map((e) => e.status)).toEqual(["closed"]);
  });

  it("is seeded once: a second call adds nothing", async () => {
    const municipality = await findMunicipality(database.db, "demo");
    expect(await seedDemoReports(database.db, { slug: "demo", now: new Date() })).toBe(0);
    expect(municipality).not.toBeNull();
  });
});

describe("a funded project's implementation page", () => {
  it("lists the open reports about the project, and not the closed ones", async () => {
    const rows = await database.db
      .select({
        proposalId: reports.proposalId,
        number: reports.number,
        status: reports.status,
        round: rounds.slug,
      })
      .from(reports)
      .innerJoin(proposals, eq(proposals.id, reports.proposalId))
      .innerJoin(envelopes, eq(envelopes.id, proposals.envelopeId))
      .innerJoin(rounds, eq(rounds.id, envelopes.roundId))
      .where(eq(reports.municipalityId, municipalityId));
    const open = rows.find((r) => ["open", "acknowledged", "in_progress"].includes(r.status));
    if (!open?.proposalId) throw new Error("the demo has no open report about a project");
    const ofProject = rows.filter((r) => r.proposalId === open.proposalId);
    const browser = new TestBrowser(database.db);
    const response = await call(
      projectRoute.loader,
      browser,
      new Request(`http://localhost/m/demo/rounds/${open.round}/implementation/${open.proposalId}`),
      { slug: "demo", round: open.round, proposal: open.proposalId },
    );
    expect(response.status).toBe(200);
    const data = (await response.json()) as { openReports: { number: number; status: string }[] };
    const expected = ofProject
      .filter((r) => ["open", "acknowledged", "in_progress"].includes(r.status))
      .map((r) => r.number)
      .sort((a, b) => a - b);
    expect(data.openReports.map((r) => r.number).sort((a, b) => a - b)).toEqual(expected);
    expect(JSON.stringify(data.openReports)).not.toMatch(/resident|@demo/);
  });
});
