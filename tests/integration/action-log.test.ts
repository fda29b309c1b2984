import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import { actionLog } from "../../db/schema";
import { verifyActionLog } from "../../app/domain/action-log/verify";
import * as logPage from "../../app/routes/m.$slug.log";
import * as logExport from "../../app/routes/m.$slug.action-log[.jsonl]";
import { recordAction } from "../../app/services/action-log/action-log.server";
import { TestBrowser, call } from "../support/requests";
import { testDatabase, unique } from "../support/db";
import { makeMunicipality } from "../support/factories";

let database: Database;
let slug: string;
let municipalityId: string;
const bin = path.resolve(__dirname, "../../app/cli/bin.cjs");

beforeAll(async () => {
  database = await testDatabase();
  slug = unique("logtown");
  const town = await makeMunicipality(database.db, {
    slug,
    name: { en: "Log town" },
    admin: { displayName: "Ada", password: "a long password" },
  });
  municipalityId = town.municipality.id;
  const actor = { id: town.admin.user.id, displayName: "Ada" };
  for (let i = 1; i <= 60; i++) {
    await database.db.transaction((tx) =>
      recordAction(tx, {
        municipalityId,
        municipalitySlug: slug,
        actor,
        action: i % 2 ? "round.update" : "proposal.review",
        target: `round:r${i}`,
        before: { n: i - 1 },
        after: { n: i, text: "نیمکت" },
      }),
    );
  }
});
afterAll(() => database.close());

async function exportText() {
  const observer = new TestBrowser(database.db);
  const response = await call(logExport.loader, observer, observer.get(`/m/${slug}/action-log.jsonl`), { slug });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/x-ndjson");
  return response.text();
}

describe("staff action log", () => {
  it("chains every entry and exports a log that verifies, offline and with the CLI", async () => {
    const text = await exportText();
    expect(text.trim().split("\n")).toHaveLength(60);
    expect(verifyActionLog(text)).toMatchObject({ ok: true, entries: 60 });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shora-log-")), "log.jsonl");
    fs.writeFileSync(file, text);
    const cli = spawnSync(process.execPath, [bin, "verify-log", file], { encoding: "utf8" });
    expect(cli.status).toBe(0);
    expect(cli.stdout).toMatch(/^✓ 60 entries, chain intact/);
  });

  it("is append-only in the database: UPDATE and DELETE are refused by a trigger", async () => {
    const refused = (error: unknown) =>
      /action_log is append-only/.test(String((error as Error & { cause?: Error }).cause?.message));
    await expect(
      database.db.update(actionLog).set({ actorName: "Mallory" }).where(eq(actionLog.municipalityId, municipalityId)),
    ).rejects.toSatisfy(refused);
    await expect(database.db.delete(actionLog).where(eq(actionLog.municipalityId, municipalityId))).rejects.toSatisfy(
      refused,
    );
    const rows = await database.db.select().from(actionLog).where(eq(actionLog.municipalityId, municipalityId));
    expect(rows).toHaveLength(60);
  });

  it("names the first entry that was edited directly in the database", async () => {
    // Someone with database superuser rights disables the trigger and rewrites entry 17.
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`alter table action_log disable trigger action_log_no_update`);
      await tx.execute(
        sql`update action_log set summary = '{"after":{"n":999}}'::jsonb where municipality_id = ${municipalityId} and seq = 17`,
      );
      await tx.execute(sql`alter table action_log enable trigger action_log_no_update`);
    });
    const text = await exportText();
    expect(verifyActionLog(text)).toEqual({
      ok: false,
      line: 17,
      seq: 17,
      reason: "hash does not match the entry and the previous hash (entry altered)",
    });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "shora-log-")), "log.jsonl");
    fs.writeFileSync(file, text);
    const cli = spawnSync(process.execPath, [bin, "verify-log", file], { encoding: "utf8" });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain("✗ line 17 (entry 17)");
  });

  it("shows the log publicly, newest first, paginated and filtered by action", async () => {
    const observer = new TestBrowser(database.db);
    const first = JSON.parse(
      await (await call(logPage.loader, observer, observer.get(`/m/${slug}/log`), { slug })).text(),
    );
    expect(first.total).toBe(60);
    expect(first.pages).toBe(2);
    expect(first.entries[0].seq).toBe(60);
    expect(first.entries).toHaveLength(50);
    const second = JSON.parse(
      await (await call(logPage.loader, observer, observer.get(`/m/${slug}/log?page=2`), { slug })).text(),
    );
    expect(second.entries.map((e: { seq: number }) => e.seq)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    const reviews = JSON.parse(
      await (
        await call(logPage.loader, observer, observer.get(`/m/${slug}/log?action=proposal.review`), { slug })
      ).text(),
    );
    expect(reviews.total).toBe(30);
    expect(reviews.actions).toEqual(["proposal.review", "round.update"]);
  });
});
