/**
 * Outgoing webhooks (ADR 0040): endpoints registered by a municipality's administrators, deliveries
 * through the outbox and its worker (ADR 0025), signed and checked by a real receiver on this machine.
 */
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog, outbox, webhookEndpoints } from "../../db/schema";
import * as page from "../../app/routes/m.$slug.admin.webhooks";
import { signWebhook, verifyWebhookSignature } from "../../app/domain/webhooks/signature";
import { MAX_ATTEMPTS, deliverDueMessages } from "../../app/services/mail/delivery.server";
import { viewerTransport } from "../../app/services/mail/transports.server";
import { changePhaseNow, reviewProposal } from "../../app/services/rounds/rounds-admin.server";
import { queueWebhookEvent } from "../../app/services/webhooks/webhooks.server";
import {
  type Member,
  castBallots,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUpdate,
  tallyAndPublish,
} from "../support/factories";
import { privateDatabase } from "../support/db";
import { type TestBrowser, call } from "../support/requests";
import { type WebhookReceiver, startWebhookReceiver } from "../support/webhook-receiver";
import { type Town, loggedIn, setupTown } from "./verification-setup";

let database: Database;
// A database of its own: the worker delivers every due row in it (as in mail-delivery.test.ts).
let drop: () => Promise<void>;
let town: Town;
let admin: TestBrowser;
let receiver: WebhookReceiver;
const system = { actor: { kind: "system" as const, name: "test" } };
const transports = { mail: viewerTransport, sms: viewerTransport, publicUrl: "https://shora.test" };

beforeAll(async () => {
  ({ database, drop } = await privateDatabase());
  town = await setupTown(database.db, { residents: 1 });
  admin = await loggedIn(database.db, town.admin.user.email);
  receiver = await startWebhookReceiver();
  // The test receiver listens on this machine, a private address the operator has to trust.
  process.env.SHORA_WEBHOOK_PRIVATE_HOSTS = "127.0.0.1";
});
afterAll(async () => {
  delete process.env.SHORA_WEBHOOK_PRIVATE_HOSTS;
  await receiver.close();
  await drop();
});

const params = () => ({ slug: town.slug });
const path = () => `/m/${town.slug}/admin/webhooks`;

/** Registers `receiver.url(at)` through the page, as an administrator would; gives the receiver its secret. */
async function register(at: string, events: string[]): Promise<string> {
  const body = new URLSearchParams({ intent: "add", url: receiver.url(at), _csrf: "t".repeat(32) });
  for (const e of events) body.append("events", e);
  const response = await call(
    page.action,
    admin,
    new Request(`http://localhost${path()}`, {
      method: "POST",
      headers: { cookie: admin.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body,
    }),
    params(),
  );
  expect(response.status).toBe(200);
  const { secret } = (await response.json()) as { secret: string };
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  receiver.secrets.set(at, secret);
  const [row] = await database.db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.url, receiver.url(at)));
  return row.id;
}

const deliveriesOf = (endpointId: string) =>
  database.db.select().from(outbox).where(eq(outbox.webhookEndpointId, endpointId)).orderBy(outbox.createdAt);

const queue = (key: string) =>
  queueWebhookEvent(database.db, {
    municipality: town.municipality,
    event: "implementation.updated",
    key,
    data: { round: "budget", proposal: key },
  });

describe("webhook deliveries", () => {
  it("are signed; the receiver's check accepts them and refuses a changed body or an old timestamp", async () => {
    const id = await register("/signed", ["implementation.updated"]);
    expect(await queue("signed-1")).toBe(1);
    await deliverDueMessages(database.db, system, { transports });
    const got = receiver.received.filter((r) => r.path === "/signed");
    expect(got).toHaveLength(1);
    expect(got[0].status).toBe(200);
    expect(got[0].check.ok).toBe(true);
    const [row] = await deliveriesOf(id);
    expect(row.status).toBe("sent");
    expect(got[0].headers["shora-event"]).toBe("implementation.updated");
    expect(got[0].headers["shora-delivery"]).toBe(row.id);
    expect(JSON.parse(got[0].body)).toEqual({
      id: row.id,
      event: "implementation.updated",
      createdAt: row.createdAt.toISOString(),
      data: { municipality: town.slug, round: "budget", proposal: "signed-1" },
    });
    const [endpoint] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    expect(endpoint.lastStatus).toBe(200);
    expect(endpoint.lastError).toBeNull();

    // The same bytes with one character changed, and a correct signature made 6 minutes ago.
    const secret = receiver.secrets.get("/signed") as string;
    const header = String(got[0].headers["shora-signature"]);
    const tampered = got[0].body.replace("signed-1", "signed-2");
    expect(verifyWebhookSignature({ secret, header, body: tampered })).toEqual({ ok: false, reason: "mismatch" });
    const old = Math.floor(Date.now() / 1000) - 360;
    const stale = signWebhook({ secret, timestamp: old, body: got[0].body });
    expect(verifyWebhookSignature({ secret, header: stale, body: got[0].body })).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(verifyWebhookSignature({ secret: "whsec_other", header, body: got[0].body }).ok).toBe(false);
    // Sent to the receiver itself: it refuses both (401).
    for (const [signature, body] of [
      [header, tampered],
      [stale, got[0].body],
    ]) {
      const response = await fetch(receiver.url("/signed"), {
        method: "POST",
        headers: { "shora-signature": signature, "content-type": "application/json" },
        body,
      });
      expect(response.status).toBe(401);
    }
  });

  it("are not sent to a name that now resolves to a private address, until the operator trusts it", async () => {
    const id = await register("/rebound", ["implementation.updated"]);
    // The receiver's name changed its answer after registration: localhost is 127.0.0.1, not trusted by name.
    const rebound = receiver.url("/rebound").replace("127.0.0.1", "localhost");
    await database.db.update(webhookEndpoints).set({ url: rebound }).where(eq(webhookEndpoints.id, id));
    await queue("rebound-1");
    const t0 = new Date(Date.now() + 1000);
    await deliverDueMessages(database.db, system, { transports, now: () => t0 });
    expect(receiver.received.filter((r) => r.path === "/rebound")).toEqual([]);
    let [row] = await deliveriesOf(id);
    expect(row.status).toBe("queued");
    expect(row.lastError).toMatch(/localhost resolves to .*private address/);
    process.env.SHORA_WEBHOOK_PRIVATE_HOSTS = "127.0.0.1,localhost";
    try {
      await deliverDueMessages(database.db, system, { transports, now: () => new Date(t0.getTime() + 5_000) });
    } finally {
      process.env.SHORA_WEBHOOK_PRIVATE_HOSTS = "127.0.0.1";
    }
    [row] = await deliveriesOf(id);
    expect(row.status).toBe("sent");
    expect(receiver.received.filter((r) => r.path === "/rebound").map((r) => r.status)).toEqual([200]);
  });

  it("are retried with back-off after a 500 and then delivered, with the same id and body", async () => {
    const id = await register("/flaky", ["implementation.updated"]);
    receiver.answers.set("/flaky", [500]);
    await queue("flaky-1");
    const t0 = new Date(Date.now() + 1000);
    await deliverDueMessages(database.db, system, { transports, now: () => t0 });
    let [row] = await deliveriesOf(id);
    expect(row.status).toBe("queued");
    expect(row.attempts).toBe(1);
    expect(row.lastError).toBe("HTTP 500");
    expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + 5_000);
    // Not due before its back-off has passed.
    await deliverDueMessages(database.db, system, { transports, now: () => new Date(t0.getTime() + 4_000) });
    expect(receiver.received.filter((r) => r.path === "/flaky")).toHaveLength(1);
    await deliverDueMessages(database.db, system, { transports, now: () => new Date(t0.getTime() + 5_000) });
    [row] = await deliveriesOf(id);
    expect(row.status).toBe("sent");
    expect(row.attempts).toBe(2);
    const got = receiver.received.filter((r) => r.path === "/flaky");
    expect(got.map((r) => r.status)).toEqual([500, 200]);
    expect(got[1].headers["shora-delivery"]).toBe(got[0].headers["shora-delivery"]);
    expect(got[1].body).toBe(got[0].body);
  });

  it("fail after the last try, with the error on the staff page; an administrator queues them again (logged)", async () => {
    const id = await register("/down", ["implementation.updated"]);
    receiver.answers.set("/down", Array(MAX_ATTEMPTS).fill(503));
    await queue("down-1");
    let at = Date.now() + 1000;
    // An hour between tries (more than any back-off); the receiver's clock moves along.
    for (let i = 0; i < MAX_ATTEMPTS; i++) {
      receiver.now = () => new Date(at);
      await deliverDueMessages(database.db, system, { transports, now: () => new Date(at) });
      at += 3_600_000;
    }
    receiver.now = () => new Date();
    const [row] = await deliveriesOf(id);
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(MAX_ATTEMPTS);
    expect(row.lastError).toBe("HTTP 503");
    const shown = (await (await call(page.loader, admin, admin.get(path()), params())).json()) as {
      endpoints: {
        id: string;
        lastStatus: number;
        lastError: string;
        failed: number;
        deliveries: { status: string; error: string }[];
      }[];
    };
    const endpoint = shown.endpoints.find((e) => e.id === id);
    expect(endpoint).toMatchObject({ lastStatus: 503, lastError: "HTTP 503", failed: 1 });
    expect(endpoint?.deliveries[0]).toMatchObject({ status: "failed", error: "HTTP 503" });

    const retried = await call(page.action, admin, admin.post(path(), { intent: "retry", endpoint: id }), params());
    expect(retried.status).toBe(200);
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: "queued", attempts: 0 });
    const logged = await database.db
      .select()
      .from(actionLog)
      .where(and(eq(actionLog.municipalityId, town.municipality.id), eq(actionLog.action, "webhook.retry")));
    expect(logged).toHaveLength(1);
    await deliverDueMessages(database.db, system, { transports });
    expect((await deliveriesOf(id))[0].status).toBe("sent");
  });

  it("are not queued when the change's transaction rolls back, nor for endpoints that did not subscribe", async () => {
    const id = await register("/rollback", ["implementation.updated"]);
    const other = await register("/phases-only", ["round.phase_changed"]);
    await database.db
      .transaction(async (tx) => {
        await queueWebhookEvent(tx, {
          municipality: town.municipality,
          event: "implementation.updated",
          key: "rolled-back",
          data: {},
        });
        throw new Error("the change failed");
      })
      .catch(() => {});
    expect(await deliveriesOf(id)).toEqual([]);
    await queue("after-rollback");
    expect(await deliveriesOf(id)).toHaveLength(1);
    expect(await deliveriesOf(other)).toEqual([]);
    // Queued twice for the same occurrence: one delivery.
    expect(await queue("after-rollback")).toBe(0);
    expect(await deliveriesOf(id)).toHaveLength(1);
  });
});

describe("the events", () => {
  it("follow the round, its proposals, its results and its implementation, with public data only", async () => {
    const city = await makeMunicipality(database.db, { districts: ["north"] });
    const by: Member = city.admin;
    const round = await makeRound(database.db, { by, phase: "voting" });
    const envelope = await makeEnvelope(database.db, { by, round, amount: 8_000 });
    const trees = await makeProposal(database.db, { by, round, envelope, title: { en: "Trees" }, cost: 3_000 });
    // The endpoint is registered through the service the page calls (a second municipality).
    const { createWebhookEndpoint } = await import("../../app/services/webhooks/webhooks.server");
    const { id } = await createWebhookEndpoint(database.db, by, {
      url: receiver.url("/events"),
      events: ["round.phase_changed", "round.results_published", "proposal.status_changed", "implementation.updated"],
    });
    await castBallots(database.db, {
      municipality: city.municipality,
      round,
      envelope,
      votes: [{ identity: "v1", body: { approved: [trees] } }],
    });
    await changePhaseNow(database.db, by, { slug: round.slug, change: "close_voting" });
    await tallyAndPublish(database.db, { by, round });
    await makeUpdate(database.db, { by, round, proposalId: trees, progress: 10, note: "Digging" });
    const rows = await deliveriesOf(id);
    expect(rows.map((r) => [r.kind, r.payload])).toEqual([
      ["round.phase_changed", expect.objectContaining({ round: round.slug, from: "voting", to: "tallying" })],
      [
        "round.results_published",
        {
          municipality: city.municipality.slug,
          round: round.slug,
          funded: [trees],
          results: `/m/${city.municipality.slug}/api/rounds/${round.slug}/results`,
        },
      ],
      ["round.phase_changed", expect.objectContaining({ from: "tallying", to: "published" })],
      [
        "proposal.status_changed",
        { municipality: city.municipality.slug, round: round.slug, proposal: trees, from: "accepted", to: "funded" },
      ],
      [
        "implementation.updated",
        expect.objectContaining({ proposal: trees, status: "in_progress", progress: 10, spent: 0 }),
      ],
    ]);
    // Never a person or a ballot: no user ids, e-mail addresses, identities or receipts.
    const text = JSON.stringify(rows.map((r) => r.payload));
    expect(text).not.toContain(by.user.id);
    expect(text).not.toContain("@");
    expect(text).not.toContain("v1");
    expect(rows.every((r) => r.userId === null && r.channel === "webhook")).toBe(true);
  });

  it("include a proposal's review", async () => {
    const by: Member = { ...town.admin, role: "admin" };
    const id = await register("/reviews", ["proposal.status_changed"]);
    const round = await makeRound(database.db, { by, phase: "proposals" });
    const envelope = await makeEnvelope(database.db, { by, round, amount: 5_000 });
    const proposal = await makeProposal(database.db, {
      by,
      round,
      envelope,
      title: { en: "Bench" },
      status: "submitted",
      author: town.residents[0],
    });
    await reviewProposal(database.db, by, {
      roundSlug: round.slug,
      proposalId: proposal,
      review: { decision: "reject", reason: "Outside the council's remit." },
    });
    const rows = await deliveriesOf(id);
    expect(rows.map((r) => r.payload)).toEqual([
      { municipality: town.slug, round: round.slug, proposal, from: "submitted", to: "rejected" },
    ]);
  });
});

describe("the webhooks page", () => {
  it("is the administrators': staff, residents and another municipality's administrator are refused", async () => {
    const staff = await loggedIn(database.db, town.staff.user.email);
    const resident = await loggedIn(database.db, town.residents[0].email);
    const elsewhere = await setupTown(database.db, { residents: 0 });
    const otherAdmin = await loggedIn(database.db, elsewhere.admin.user.email);
    const before = await database.db.select().from(webhookEndpoints);
    for (const browser of [staff, resident, otherAdmin]) {
      expect((await call(page.loader, browser, browser.get(path()), params())).status).toBe(403);
      const response = await call(
        page.action,
        browser,
        browser.post(path(), { intent: "add", url: "https://example.org/hook", events: "round.phase_changed" }),
        params(),
      );
      expect(response.status).toBe(403);
    }
    // Another municipality's administrator cannot touch this one's endpoint from their own page.
    const [mine] = before.filter((e) => e.municipalityId === town.municipality.id);
    const removed = await call(
      page.action,
      otherAdmin,
      otherAdmin.post(`/m/${elsewhere.slug}/admin/webhooks`, { intent: "remove", endpoint: mine.id }),
      { slug: elsewhere.slug },
    );
    expect(removed.status).toBe(404);
    expect(await database.db.select().from(webhookEndpoints)).toEqual(before);
  });

  it("refuses a plain-http or broken address and no events with a 400 naming the field", async () => {
    for (const [fields, field] of [
      [{ url: "http://example.org/hook", events: "round.phase_changed" }, "url"],
      [{ url: "not an address", events: "round.phase_changed" }, "url"],
      [{ url: "https://user:pw@example.org/hook", events: "round.phase_changed" }, "url"],
      [{ url: "https://example.org/hook", events: "ballot.cast" }, "events"],
      [{ url: "https://example.org/hook" }, "events"],
    ] as const) {
      const response = await call(page.action, admin, admin.post(path(), { intent: "add", ...fields }), params());
      expect(response.status).toBe(400);
      const { errors } = (await response.json()) as { errors: Record<string, string> };
      expect(Object.keys(errors)).toEqual([field]);
    }
    const response = await call(
      page.action,
      admin,
      admin.post(path(), { intent: "add", url: "http://example.org/hook", events: "round.phase_changed" }),
      params(),
    );
    expect(((await response.json()) as { errors: { url: string } }).errors.url).toMatch(/https:\/\//);
  });

  it("refuses an address inside a private network unless the operator trusts the host", async () => {
    for (const url of [
      "https://10.0.0.5/hook",
      "https://169.254.169.254/latest/meta-data",
      "http://localhost:8080/hook",
      "https://[::1]/hook",
      "https://[::ffff:192.168.1.1]/hook",
      "https://100.64.0.1/hook",
    ]) {
      const response = await call(
        page.action,
        admin,
        admin.post(path(), { intent: "add", url, events: "round.phase_changed" }),
        params(),
      );
      expect(response.status, url).toBe(400);
      const { errors } = (await response.json()) as { errors: Record<string, string> };
      expect(errors.url, url).toMatch(/private network/);
    }
    expect(
      await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.url, "https://10.0.0.5/hook")),
    ).toEqual([]);
    process.env.SHORA_WEBHOOK_PRIVATE_HOSTS = "127.0.0.1, 10.0.0.5";
    try {
      const response = await call(
        page.action,
        admin,
        admin.post(path(), { intent: "add", url: "https://10.0.0.5/hook", events: "round.phase_changed" }),
        params(),
      );
      expect(response.status).toBe(200);
    } finally {
      process.env.SHORA_WEBHOOK_PRIVATE_HOSTS = "127.0.0.1";
    }
  });

  it("changes events, pauses and removes an endpoint, each in the action log, its secret gone", async () => {
    const id = await register("/managed", ["round.phase_changed"]);
    const { readKey } = await import("../../db/keystore");
    const { webhookSecretName } = await import("../../app/services/webhooks/webhooks.server");
    expect(readKey(webhookSecretName(id))).toBe(receiver.secrets.get("/managed"));
    const updated = await call(
      page.action,
      admin,
      admin.post(path(), { intent: "update", endpoint: id, events: "implementation.updated" }),
      params(),
    );
    expect(updated.status).toBe(200);
    const [row] = await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
    expect(row).toMatchObject({ events: ["implementation.updated"], active: false });
    // Paused: nothing queued for it.
    await queue("while-paused");
    expect(await deliveriesOf(id)).toEqual([]);
    const removed = await call(page.action, admin, admin.post(path(), { intent: "remove", endpoint: id }), params());
    expect(removed.status).toBe(200);
    expect(await database.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id))).toEqual([]);
    expect(readKey(webhookSecretName(id))).toBeNull();
    const actions = (
      await database.db
        .select()
        .from(actionLog)
        .where(eq(actionLog.target, `webhook:${id}`))
    ).map((a) => a.action);
    expect(actions.sort()).toEqual(["webhook.create", "webhook.remove", "webhook.update"]);
  });
});
