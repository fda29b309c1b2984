/** The staff verifications page names a resident's voter class as staff named it, in en and fa, not by its code. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Database } from "../../db/client";
import * as verifications from "../../app/routes/m.$slug.admin.verifications";
import type { SessionUser } from "../../app/web/session.server";
import {
  censusRows,
  makeCensus,
  makeMunicipality,
  makeRound,
  makeUser,
  makeVoterClasses,
  signIn,
  verifyInPerson,
} from "../support/factories";
import { call } from "../support/requests";
import { testDatabase, unique } from "../support/db";

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});
afterAll(() => database?.close());

it("the verification history shows the voter class by its name", async () => {
  const { db } = database;
  const slug = unique("classnames");
  const town = await makeMunicipality(db, { slug, districts: ["north"] });
  const round = await makeRound(db, { by: town.admin, phase: "proposals" });
  await makeVoterClasses(db, {
    by: town.admin,
    round,
    classes: [{ code: "resident", name: { en: "Resident", fa: "ساکن" }, weight: 2 }],
  });
  const people = censusRows({ count: 1, first: 700_000_000, districts: ["north"] });
  await makeCensus(db, { by: town.admin, rows: people });
  const email = `person@${slug}.example`;
  const user = await makeUser(db, { email });
  await verifyInPerson(db, {
    by: town.admin,
    user,
    person: people[0],
    districtId: town.districts.north,
    voterClass: "resident",
  });
  const staff = await signIn(db, town.admin.user as SessionUser);
  const response = await call(
    verifications.loader,
    staff,
    staff.get(`/m/${slug}/admin/verifications?email=${encodeURIComponent(email)}`),
    { slug },
  );
  expect(response.status).toBe(200);
  const data = await response.json();
  expect(data.found.history[0].voterClass).toBe("resident");
  expect(data.classNames.resident).toEqual({ en: "Resident", fa: "ساکن" });
});
