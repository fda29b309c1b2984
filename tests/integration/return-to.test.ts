/**
 * A visitor who needs to log in or verify is sent there and brought back (same-site paths only): the
 * login and verification forms return to `next`; another host, `//host` or a scheme is refused (home).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../db/client";
import * as login from "../../app/routes/login";
import * as verifyPage from "../../app/routes/m.$slug.verify";
import { importCensus } from "../../app/services/verification/census.server";
import { testDatabase } from "../support/db";
import { TestBrowser, call } from "../support/requests";
import { PASSWORD, type Town, censusCsv, loggedIn, nationalId, setupTown } from "./verification-setup";

let database: Database;
let town: Town;
const ID = { a: nationalId(500000011), b: nationalId(500000012) };

beforeAll(async () => {
  database = await testDatabase();
  town = await setupTown(database.db, { residents: 3 });
  await importCensus(database.db, town.admin, {
    fileName: "census.csv",
    text: censusCsv([
      [ID.a, "1980-01-02", "north", "resident"],
      [ID.b, "1990-05-06", "south", "resident"],
    ]),
    skipBadRows: false,
  });
});
afterAll(() => database.close());

describe("brought back after logging in", () => {
  it("returns to the ballot asked for, and never to another site", async () => {
    const ballot = `/m/${town.slug}/rounds/${town.roundSlug}/vote/city`;
    for (const [next, expected] of [
      [ballot, ballot],
      ["https://evil.example/phish", "/"],
      ["//evil.example", "/"],
      ["/\\evil.example", "/"],
    ]) {
      const browser = new TestBrowser(database.db);
      const page = await call(login.loader, browser, browser.get(`/login?next=${encodeURIComponent(next)}`));
      expect((await page.json()).next).toBe(expected);
      const response = await call(
        login.action,
        browser,
        browser.post("/login", { email: town.residents[0].email, password: PASSWORD, next }),
      );
      expect(response.status).toBe(302);
      expect(response.headers.get("location")).toBe(expected);
    }
  });
});

describe("brought back after verifying", () => {
  it("returns to the ballot once verified; an open redirect attempt lands on the verification page", async () => {
    const ballot = `/m/${town.slug}/rounds/${town.roundSlug}/vote/city`;
    const path = `/m/${town.slug}/verify`;
    const first = await loggedIn(database.db, town.residents[1].email);
    const page = await call(verifyPage.loader, first, first.get(`${path}?next=${encodeURIComponent(ballot)}`), {
      slug: town.slug,
    });
    expect((await page.json()).next).toBe(ballot);
    const verified = await call(
      verifyPage.action,
      first,
      first.post(path, { intent: "census", nationalId: ID.a, birthDate: "1980-01-02", next: ballot }),
      { slug: town.slug },
    );
    expect(verified.status).toBe(302);
    expect(verified.headers.get("location")).toBe(ballot);

    const second = await loggedIn(database.db, town.residents[2].email);
    const evil = await call(
      verifyPage.action,
      second,
      second.post(path, {
        intent: "census",
        nationalId: ID.b,
        birthDate: "1990-05-06",
        next: "https://evil.example",
      }),
      { slug: town.slug },
    );
    expect(evil.status).toBe(302);
    expect(evil.headers.get("location")).toBe(`${path}?done=1`);
  });
});
