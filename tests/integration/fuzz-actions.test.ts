/**
 * Hostile input to every form action. For each route, requests are built from its real intents and
 * fields (the table below; a route module reading or sending an intent the table lacks fails the first
 * test), mostly valid-looking forms with one to three fields spoiled: 100k-character strings, control
 * characters, NUL, bidi controls, JSON where text is expected, numbers out of range, unknown ids, the
 * other municipality's ids, fields missing or given twice, files for upload routes; route parameters
 * are sometimes hostile too (as the server decodes them from the address). Sent as every kind of visitor.
 * For every request: no 5xx; a refusal (4xx) carries a readable message (a 400 names fields of the
 * route); a redirect stays on the site; a refused request, or one that reports no change, leaves every
 * table as it was (row counts and an md5 of all rows); at the end, nothing of the other municipality
 * changed.
 *
 * FUZZ_SEED=<n> repeats a run (it is in every failure message), FUZZ_RUNS=<n> sends n times as many
 * requests, FUZZ_REPORT=1 prints what was answered.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryRows } from "../../db/client";
import { authAttempts, censusAttempts, verificationAttempts } from "../../db/schema";
import { addDays } from "../../app/domain/rounds/rules";
import { newCosignerKey } from "../../app/domain/ledger/cosignature";
import { dayIn, phaseKinds } from "../../app/domain/rounds/phases";
import { privateDatabase } from "../support/db";
import { ROUTE_TABLES, expectRowPerRoute } from "../support/route-tables";
import { type Fingerprint, changedTables, fingerprinter, tenantFingerprint } from "../support/fingerprint";
import { throughServer } from "../support/fuzz/addresses";
import {
  RUN_SEED,
  type Value,
  hostileName,
  hostileValue,
  nulValue,
  runs,
  seedFor,
  show,
} from "../support/fuzz/hostile";
import {
  type Encoding,
  type Entry,
  type FileKind,
  type Outcome,
  fileArb,
  postRequest,
  readable,
  refusalMessages,
  send,
} from "../support/fuzz/requests";
import { ROLES, type Role, type World, browserFor, seedWorld } from "./fuzz-setup";

const routesDir = path.resolve(__dirname, "../../app/routes");
const FUZZ_WITNESSES = [newCosignerKey("witness.example/one"), newCosignerKey("witness.example/two")];

type FieldValue = Value | { file: FileKind; filename: Value };
type Values = Record<string, fc.Arbitrary<FieldValue>>;
type Params = Record<string, string>;

interface ActionRoute {
  file: string;
  /** Who can get past the route's guards (the others are sent too, less often). */
  reach: Role[];
  /** Intents that only some of `reach` may send (the plain request of such an intent is sent as the first). */
  intentReach?: Record<string, Role[]>;
  runs: number;
  /**
   * intent value → the fields its form sends ("" = no intent field; `name#2` = the field again; `*` =
   * every field `values` gives that no other key names, such as `q-<question id>`).
   */
  intents: Record<string, string[]>;
  /** Valid-looking values by field, for the route parameters `p`; `k` picks values that belong together. */
  values: (w: World, p: Params, k: number) => Values;
  params?: (w: World) => fc.Arbitrary<Params>;
  /** The route reads files: most requests are multipart. */
  multipart?: boolean;
  /** Keys of a 400's errors besides the fields, "form" and "intent". */
  errorKeys?: RegExp;
  /** Tables a refusal writes on purpose, and why; `check` looks at what was written. */
  refusalWrites?: {
    tables: string[];
    why: string;
    check?: (w: World, before: Fingerprint, after: Fingerprint) => Promise<void>;
  };
  /** A success that reports that nothing changed. */
  noChange?: (role: Role, outcome: Outcome) => boolean;
  /** Runs before the request (forgets throttle counters); returns whether it wrote. */
  before?: (w: World, role: Role) => Promise<boolean>;
}

/* ------------------------------------------------------------------ valid-looking values */

/** Mostly one of `valid`, sometimes one of `odd` (a near miss for this field, or the other municipality's id). */
function pick<T extends FieldValue>(valid: T[], odd: T[] = []): fc.Arbitrary<T> {
  const v = fc.constantFrom(...valid);
  return odd.length ? fc.oneof({ weight: 5, arbitrary: v }, { weight: 1, arbitrary: fc.constantFrom(...odd) }) : v;
}
const nth = <T>(xs: T[], k: number): T => xs[k % xs.length];
const words = fc.constantFrom("Benches in the park", "نیمکت در پارک", "Shade trees ok", "Lights", "درخت");
const int = (min: number, max: number) => fc.integer({ min, max }).map(String);
const day = (from: number, to: number) => fc.integer({ min: from, max: to }).map((n) => addDays(dayIn("UTC"), n));
const checkbox = pick(["on", ""], ["off", "true"]);
const json = fc.jsonValue().map((v) => JSON.stringify(v));
const PROPOSAL_FIELDS = ["envelopeSlug", "titleEn", "titleFa", "bodyEn", "bodyFa", "cost", "districtId", "location"];
const PHASE_FIELDS = phaseKinds.flatMap((kind) => [`${kind}.startsOn`, `${kind}.endsOn`]);
const ROUND_TEXT_FIELDS = ["titleEn", "titleFa", "descriptionEn", "descriptionFa"];

function proposalValues(w: World, envelope: string): Values {
  return {
    envelopeSlug: pick([envelope], ["north", "nowhere"]),
    titleEn: words,
    titleFa: words,
    bodyEn: words,
    bodyFa: words,
    cost: int(1, 5_000_000),
    districtId: pick(["", ...w.A.districts], w.B.districts),
    location: words,
  };
}

/** Phases one after the other from `start` days on (each two to five days), some left out. */
function phaseValues(start: number, k: number): Values {
  const values: Values = {};
  let at = start;
  phaseKinds.forEach((kind, i) => {
    const length = 2 + ((k >> i) % 4);
    const skipped = (k >> (i + 3)) % 5 === 0;
    values[`${kind}.startsOn`] = skipped ? fc.constant("") : day(at, at);
    values[`${kind}.endsOn`] = skipped
      ? fc.constant("")
      : pick([addDays(dayIn("UTC"), at + length)], [addDays(dayIn("UTC"), at - 1)]);
    if (!skipped) at += length + 1;
  });
  return values;
}

const inRound = (w: World, main: keyof World["A"]["rounds"], ...odd: (keyof World["A"]["rounds"])[]) =>
  fc.record({
    slug: fc.constant(w.A.municipality.slug),
    round: pick(
      [w.A.rounds[main]],
      odd.map((o) => w.A.rounds[o]),
    ),
  });
const inMunicipality = (w: World) => fc.constant({ slug: w.A.municipality.slug });

/* ------------------------------------------------------------------ the table: every action route */

const staff: Role[] = ["staff", "admin"];
const residents: Role[] = ["verified", "resident", "author"];

/** In this order: residents' routes first, then staff routes that change rounds, then accounts. */
const ACTIONS: ActionRoute[] = [
  {
    file: "m.$slug.rounds.$round.vote.$envelope.tsx",
    reach: ["verified", "resident", "staff"],
    runs: 30,
    params: (w) =>
      fc.record({
        slug: fc.constant(w.A.municipality.slug),
        round: fc.constant(w.A.rounds.voting),
        envelope: fc.constantFrom(...w.A.envelopes[w.A.rounds.voting]),
      }),
    intents: { cast: ["approved", "approved#2", "*"], save: ["approved", "approved#2", "*"] },
    values: (w, p, k) => {
      const ids = w.A.acceptedByEnvelope[p.envelope] ?? [];
      const others = [...w.A.accepted.filter((id) => !ids.includes(id)), w.B.accepted[0]];
      const values: Values = { approved: pick([nth(ids, k)], others), "approved#2": pick([nth(ids, k + 1)], others) };
      ids.forEach((id, i) => {
        values[`points.${id}`] =
          i === k % ids.length || i === (k + 1) % ids.length
            ? pick(["1", "2", "3"], ["-1", "11", "1.5", "1e1"])
            : pick([""]);
      });
      values[`points.${w.B.accepted[0]}`] = pick(["1"]);
      return values;
    },
    // Every broken ballot rule gets its own message.
    errorKeys: /^rule\d+$/,
  },
  {
    file: "m.$slug.rounds.$round.survey.tsx",
    reach: residents,
    runs: 20,
    // A question of whichever round the address names (a hostile address may name the other municipality's).
    errorKeys: /^q-[0-9a-f-]{36}$/,
    params: (w) => inRound(w, "consultation", "voting"),
    intents: { "": ["*"] },
    values: (w, p) => {
      const values: Values = {};
      const own = Object.entries(w.A.questionKinds);
      const foreign = Object.keys(w.B.questionKinds).slice(0, 1);
      for (const [id, q] of own) {
        const field = `q-${id}`;
        if (q.kind === "scale") values[field] = pick(["1", "3", "5"], ["0", "6", "2.5"]);
        else if (q.kind === "text") values[field] = words;
        else
          values[field] = pick(
            Array.from({ length: q.options }, (_, i) => String(i)),
            [String(q.options), "-1"],
          );
        if (q.kind === "multiple") values[`${field}#2`] = values[field];
      }
      for (const id of foreign) values[`q-${id}`] = pick(["0"]);
      return p.round === w.A.rounds.consultation ? values : { [`q-${own[0][0]}`]: pick(["0"]) };
    },
  },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal.tsx",
    reach: ["verified", "resident", "author", "staff"],
    runs: 35,
    params: (w) =>
      fc.record({
        slug: fc.constant(w.A.municipality.slug),
        round: fc.constant(w.A.rounds.voting),
        proposal: fc.constantFrom(...w.A.accepted.slice(0, 2)),
      }),
    intents: {
      comment: ["body", "stance"],
      reply: ["body", "commentId"],
      edit: ["commentId", "body"],
      delete: ["commentId"],
      flag: ["commentId", "reason"],
      support: [],
      unsupport: [],
      follow: [],
      unfollow: [],
    },
    values: (w, p, k) => {
      const mine = w.A.children[p.proposal] ?? [];
      const commentIds = mine.filter((id) => w.A.comments.includes(id));
      return {
        body: words,
        stance: pick(["for", "neutral", "against", ""], ["maybe"]),
        commentId: pick([nth(commentIds, k)], [...w.A.comments, ...w.B.comments]),
        reason: words,
      };
    },
  },
  {
    file: "m.$slug.rounds.$round.propose.tsx",
    reach: residents,
    runs: 20,
    params: (w) => inRound(w, "ideas", "voting", "consultation"),
    intents: { "": [...PROPOSAL_FIELDS, "pointAddress", "pointLat", "pointLon"], similar: PROPOSAL_FIELDS },
    values: (w) => ({
      ...proposalValues(w, "city"),
      // Where it is (optional): an address or degrees; the fuzz world's town may have no map.
      pointAddress: pick(["", "Park Lane 1"], ["x".repeat(201)]),
      pointLat: pick(["", "35.72", "۳۵٫۷۲"], ["95", "NaN"]),
      pointLon: pick(["", "51.33"], ["-181", "x"]),
    }),
  },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx",
    reach: ["author"],
    runs: 20,
    params: (w) =>
      fc.record({
        slug: fc.constant(w.A.municipality.slug),
        round: fc.constant(w.A.rounds.ideas),
        proposal: fc.constantFrom(...w.A.authored),
      }),
    intents: { withdraw: [], save: PROPOSAL_FIELDS },
    values: (w) => proposalValues(w, "city"),
  },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal_.point.tsx",
    reach: ["author", "staff", "admin"],
    runs: 20,
    params: (w) =>
      fc.record({
        slug: fc.constant(w.A.municipality.slug),
        round: fc.constant(w.A.rounds.ideas),
        proposal: fc.constantFrom(...w.A.authored),
      }),
    intents: { point: ["lat", "lon"], address: ["address"], clear: [], pick: ["at.x", "at.y"] },
    values: () => ({
      lat: pick(["35.72", "۳۵٫۷۲"], ["95", "NaN", "1e400"]),
      lon: pick(["51.33"], ["-181", ""]),
      address: pick(["Park Lane 1"], ["x".repeat(201)]),
      // The spot clicked on the districts picture (the fuzz world's town may have no outlines).
      "at.x": pick(["120", "0"], ["-1", "99999", "1e3", "", "12.5"]),
      "at.y": pick(["80"], ["-4", "", "y"]),
    }),
  },
  {
    file: "m.$slug.rounds.$round.implementation.$proposal.tsx",
    reach: ["verified", "resident", "staff", "admin"],
    runs: 25,
    params: (w) =>
      fc.record({
        slug: fc.constant(w.A.municipality.slug),
        round: fc.constant(w.A.rounds.past),
        proposal: fc.constantFrom(...w.A.funded),
      }),
    intents: { comment: ["updateId", "body"], hide: ["commentId", "reason"], "": ["subscribe"] },
    intentReach: { hide: ["staff", "admin"] },
    values: (w, p, k) => {
      const updates = (w.A.children[p.proposal] ?? []).filter((id) => w.A.updates.includes(id));
      const comments = updates.flatMap((u) => w.A.children[u] ?? []);
      return {
        updateId: pick([nth(updates, k)], [...w.A.updates, ...w.B.updates]),
        body: words,
        commentId: pick(comments.length ? comments : w.A.updateComments, [
          ...w.A.updateComments,
          ...w.B.updateComments,
        ]),
        reason: words,
        subscribe: pick(["yes", "no", ""]),
      };
    },
  },
  {
    file: "m.$slug.verify.tsx",
    reach: ["resident", "author", "verified"],
    runs: 20,
    params: inMunicipality,
    intents: { letter: ["code", "next"], census: ["nationalId", "birthDate", "next"] },
    values: (w, _p, k) => {
      const person = nth(w.census.slice(1), k);
      return {
        next: pick(["/m/first"], ["//evil.example", "https://evil.example"]),
        code: pick(
          [nth(w.letterCodes, k), nth(w.letterCodes, k).toLowerCase().replaceAll("-", " ")],
          ["IOL0-0000-0000", "ZZZZ-ZZZZ-ZZZZ-Z"],
        ),
        nationalId: pick([person.nationalId], [nth(w.census, k + 1).nationalId, "0000000000"]),
        birthDate: pick([person.birthDate], ["1364-01-01", "۱۳۶۴/۰۱/۰۱", nth(w.census, k + 1).birthDate]),
      };
    },
    // Five failed tries an hour lock an account (the verification tests check that): forget them here.
    before: async (w, role) => {
      const id = w.userIds[role];
      if (!id) return false;
      const mine = await w.db.delete(verificationAttempts).where(eq(verificationAttempts.userId, id)).returning();
      // The per-identity and per-address counts too (ADR 0015): the same fuzz address tries all along.
      const counted = await w.db.delete(censusAttempts).where(eq(censusAttempts.userId, id)).returning();
      return mine.length + counted.length > 0;
    },
    refusalWrites: {
      tables: ["verification_attempts", "census_attempts", "census_locks"],
      why: "a failed try counts towards the throttles per account, identity, address and municipality",
    },
  },
  {
    file: "m.$slug.admin.moderation.tsx",
    reach: staff,
    runs: 15,
    params: inMunicipality,
    intents: { hide: ["commentId", "reason"], restore: ["commentId"] },
    values: (w, _p, k) => ({ commentId: pick([nth(w.A.comments, k)], w.B.comments), reason: words }),
  },
  {
    file: "m.$slug.admin.rounds.$round.implementation.tsx",
    reach: staff,
    runs: 20,
    params: (w) => inRound(w, "past", "voting"),
    intents: {
      "": ["proposalId", "status", "progress", "spent", "expectedCompletion", "note", "cancelReason", "photoUrl"],
    },
    values: (w, _p, k) => ({
      proposalId: pick([nth(w.A.funded, k)], [...w.A.accepted.slice(0, 1), ...w.B.funded]),
      status: pick(["planned", "in_progress", "completed", "cancelled"], ["done"]),
      progress: int(20, 100),
      spent: int(100, 2_000_000),
      expectedCompletion: pick(["", addDays(dayIn("UTC"), 90)], ["2026-02-30", "soon"]),
      note: words,
      cancelReason: pick(["", "Budget cut"]),
      photoUrl: pick(
        ["", "https://example.org/a.jpg"],
        ["javascript:alert(1)", "http://x", "data:image/png;base64,AAAA"],
      ),
    }),
  },
  {
    file: "m.$slug.admin.rounds.$round.proposals.tsx",
    reach: staff,
    runs: 30,
    params: (w) => inRound(w, "ideas", "voting"),
    intents: {
      create: PROPOSAL_FIELDS,
      accept: ["proposalId", "cost", "feasibilityNote"],
      reject: ["proposalId", "reason"],
      respond: ["proposalId", "response"],
      supports: ["open", "threshold"],
      merge: ["proposalId", "intoProposalId"],
    },
    values: (w, _p, k) => ({
      open: pick(["on", ""], ["yes", "1"]),
      threshold: pick(["", "1", "25", "۱۲"], ["0", "-3", "1.5", "99999999999", "x"]),
      intoProposalId: pick([nth(w.A.submitted, k + 1)], [...w.A.accepted.slice(0, 2), ...w.B.submitted, "nope"]),
      ...proposalValues(w, "city"),
      proposalId: pick([nth(w.A.submitted, k)], [...w.A.accepted.slice(0, 2), ...w.A.authored, ...w.B.submitted]),
      cost: int(1, 5_000_000),
      feasibilityNote: words,
      reason: words,
      response: words,
    }),
  },
  {
    file: "m.$slug.admin.rounds.$round.survey.tsx",
    reach: staff,
    runs: 20,
    params: (w) => inRound(w, "consultation", "voting"),
    intents: {
      add: ["kind", "promptEn", "promptFa", "options", "required"],
      delete: ["questionId"],
      up: ["questionId"],
      down: ["questionId"],
    },
    values: (w, _p, k) => ({
      kind: pick(["single", "multiple", "scale", "text"], ["ranking"]),
      promptEn: words,
      promptFa: words,
      options: pick(
        ["Yes|بله\nNo|نه", "a\nb\nc"],
        ["only one", Array.from({ length: 40 }, (_, i) => `o${i}`).join("\n")],
      ),
      required: checkbox,
      questionId: pick([nth(w.A.questions, k)], w.B.questions),
    }),
  },
  {
    file: "m.$slug.admin.rounds.$round.eligibility.tsx",
    reach: staff,
    runs: 20,
    params: (w) => inRound(w, "ideas", "voting"),
    intents: {
      class: ["nameEn", "nameFa", "code", "weight"],
      deleteClass: ["code"],
      rules: ["allDistricts", "districtIds", "districtIds#2", "minAge", "verifiedToPropose", "verifiedToComment"],
    },
    values: (w, _p, k) => ({
      nameEn: words,
      nameFa: words,
      code: pick(["new-class", "elders", "resident"], ["UPPER CASE", "a b"]),
      weight: pick(["1", "2", "5"], ["0", "-1", "1001"]),
      allDistricts: checkbox,
      districtIds: pick([nth(w.A.districts, k), nth(w.A.districts, k + 1)], w.B.districts),
      minAge: pick(["", "16", "18"], ["-5", "200"]),
      verifiedToPropose: checkbox,
      verifiedToComment: checkbox,
    }),
  },
  {
    file: "m.$slug.admin.rounds.$round.envelopes.tsx",
    reach: staff,
    runs: 25,
    params: (w) => inRound(w, "ideas", "voting"),
    intents: {
      delete: ["originalSlug"],
      order: ["originalSlug", "ballotOrder"],
      theme: ["originalTheme", "themeSlug", "themeNameEn", "themeNameFa"],
      "theme-delete": ["themeSlug"],
      save: [
        "originalSlug",
        "slug",
        "nameEn",
        "nameFa",
        "amount",
        "districtId",
        "ballotType",
        "minProjects",
        "maxProjects",
        "minSpendShare",
        "minPoints",
        "maxPoints",
        "tallyRule",
        "tallyCompletion",
      ],
    },
    values: (w, _p, k) => {
      const type = nth(["approval", "k-approval", "cumulative"], k);
      return {
        originalSlug: pick(["city", "", "new-one"], ["north"]),
        slug: pick(["city", "new-one", `e-${k % 5}`], ["Bad Slug", "-x-"]),
        nameEn: words,
        nameFa: words,
        amount: int(1, 1_000_000_000),
        districtId: pick(["", ...w.A.districts], w.B.districts),
        ballotType: pick([type]),
        minProjects: pick(["", "0", "1"]),
        maxProjects: type === "k-approval" ? pick(["1", "2"]) : pick(["", "3"]),
        minSpendShare: pick(["", "0", "50"], ["101"]),
        minPoints: type === "cumulative" ? pick(["1", "2"]) : pick([""], ["1"]),
        maxPoints: type === "cumulative" ? pick(["5", "10"]) : pick([""]),
        tallyRule: pick(["greedy", "mes"], ["random"]),
        tallyCompletion: pick(["on", ""]),
        ballotOrder: pick(["random", "listed", "cost"], ["first", ""]),
        originalTheme: pick(["", "parks"], ["no-such-theme"]),
        themeSlug: pick(["parks", `t-${k % 5}`], ["Bad Slug", ""]),
        themeNameEn: words,
        themeNameFa: words,
      };
    },
  },
  {
    file: "m.$slug.admin.rounds.$round.paper.tsx",
    reach: staff,
    runs: 20,
    multipart: true,
    params: (w) => inRound(w, "voting", "ideas"),
    intents: { one: ["nationalId", "birthDate", "envelope", "choices"], file: ["file"] },
    values: (w, _p, k) => {
      const voter = nth(w.census.slice(10, 40), k);
      // Most census entries live outside the north and south districts' envelopes: the green one is everybody's.
      const envelope = k % 4 === 0 ? nth(w.A.envelopes[w.A.rounds.voting], k) : "green";
      return {
        nationalId: pick([voter.nationalId], ["12345"]),
        birthDate: pick(["", voter.birthDate], ["1980-02-30"]),
        envelope: pick([envelope], ["nowhere"]),
        choices: pick(envelope === "green" ? ["1:3 2:2", "3:1"] : ["1", "1 2"], ["0", "99", "1 1", "2:11"]),
        file: fileArb(["paper", "paper-bad", "paper-formula", "crlf", "empty", "binary", "latin1", "bom", "oversized"]),
      };
    },
  },
  {
    file: "m.$slug.admin.letter-codes[.csv].tsx",
    // The census and letter codes are the administrators' (ADR 0019).
    reach: ["admin"],
    runs: 10,
    params: inMunicipality,
    intents: { "": ["districtId", "validDays", "limit"] },
    values: (w) => ({
      districtId: pick(["", ...w.A.districts], w.B.districts),
      validDays: int(1, 365),
      limit: int(1, 20),
    }),
    noChange: (_role, o) => o.status === 303 && (o.location ?? "").includes("lettersError="),
  },
  {
    file: "m.$slug.admin.verifications.tsx",
    reach: staff,
    runs: 25,
    params: inMunicipality,
    intents: {
      verify: ["email", "userId", "nationalId", "birthDate", "districtId", "voterClass", "reason"],
      revoke: ["email", "verificationId", "reason"],
      move: ["email", "verificationId", "toUserId", "reason"],
      "clear-lock": ["lockId"],
    },
    values: (w, _p, k) => {
      const person = nth(w.census.slice(40), k);
      const unverified = [w.userIds.author, w.userIds.resident].filter((id): id is string => id !== null);
      return {
        email: pick(w.A.emails),
        userId: pick([nth(unverified, k)], [...w.A.users, ...w.B.users]),
        nationalId: pick([person.nationalId], [w.census[0].nationalId]),
        birthDate: pick([person.birthDate]),
        districtId: pick(w.A.districts, w.B.districts),
        voterClass: pick(["resident", "works-here"], ["nope"]),
        verificationId: pick(w.A.verifications, w.B.verifications),
        toUserId: pick(unverified, [...w.A.users, ...w.B.users]),
        reason: words,
        // No lock exists in the fuzz world: every id is unknown (404), none may change anything.
        lockId: pick(["00000000-0000-0000-0000-000000000000"], w.A.verifications),
      };
    },
  },
  {
    file: "m.$slug.admin.map.tsx",
    reach: staff,
    runs: 15,
    multipart: true,
    params: inMunicipality,
    intents: { districts: ["file", "keyProperty"], addresses: ["file"], tiles: ["tileUrl", "attribution"] },
    // The street map's tile server is the administrators' (ADR 0035).
    intentReach: { tiles: ["admin"] },
    values: () => ({
      keyProperty: pick(["code", ""], ["Bad Key!", "x".repeat(61)]),
      file: fileArb(["geojson", "geojson-bowtie", "addresses", "empty", "binary", "latin1", "census"]),
      tileUrl: pick(
        ["https://tile.example.org/{z}/{x}/{y}.png", "https://{s}.tiles.example.org/{z}/{x}/{y}{r}.png", ""],
        ["http://tile.example.org/{z}/{x}/{y}.png", "https://tile.example.org/{x}/{y}", "https://a/{z}/{x}/{y}/{key}"],
      ),
      attribution: pick(["© OpenStreetMap contributors", "© نقشه‌های شهر"], ["", "x".repeat(201)]),
    }),
  },
  {
    file: "m.$slug.admin.census.tsx",
    reach: ["admin"],
    runs: 20,
    multipart: true,
    params: inMunicipality,
    intents: { scheme: ["idScheme", "idPattern"], import: ["file", "skipBadRows"], retention: ["retentionMonths"] },
    values: () => ({
      retentionMonths: pick(["24", "۶", "0"], ["-1", "241", "1.5", "", "twelve"]),
      idScheme: pick(["ir-national-code", "pattern"]),
      idPattern: pick(["\\d{10}", "[A-Z]{2}\\d{6}"], ["(", "(a+)+$", "x".repeat(201), ".*"]),
      file: fileArb([
        "census",
        "census",
        "census-bad-rows",
        "census-formula",
        "census-huge-cell",
        "bom",
        "empty",
        "binary",
        "latin1",
      ]),
      skipBadRows: checkbox,
    }),
    // A refused census file is kept as an import report staff read (its problems, no IDs), and logged.
    refusalWrites: {
      tables: ["census_imports", "action_log"],
      why: "a refused census file is kept as an import report with its problems, and logged",
      check: async (w, before, after) => {
        expect(after.get("census_imports")?.rows).toBe((before.get("census_imports")?.rows ?? 0) + 1);
        const [last] = await queryRows<{ status: string }>(
          w.db,
          sql`select status from census_imports order by started_at desc, id desc limit 1`,
        );
        expect(last.status).toBe("refused");
      },
    },
  },
  {
    file: "m.$slug.admin.rounds.$round._index.tsx",
    reach: staff,
    runs: 20,
    params: (w) => inRound(w, "ideas", "consultation", "voting", "past"),
    intents: {
      advance: [],
      open_voting: ["confirmed"],
      close_voting: ["confirmed"],
      save: [...ROUND_TEXT_FIELDS, ...PHASE_FIELDS],
    },
    // "A round needs at least one phase" is about the phase fields together.
    errorKeys: /^phases$/,
    // The first press of a phase change only asks for confirmation (ADR 0028).
    noChange: (_role, o) => o.status === 200 && Boolean((o.json as { confirm?: string } | null)?.confirm),
    values: (_w, _p, k) => ({
      confirmed: pick(["yes"], ["no", ""]),
      titleEn: words,
      titleFa: words,
      descriptionEn: words,
      descriptionFa: words,
      ...phaseValues(-2, k),
    }),
  },
  {
    file: "m.$slug.admin.rounds.$round.tally.tsx",
    reach: staff,
    runs: 10,
    params: (w) => inRound(w, "counting", "voting", "past"),
    intents: { "": ["confirmed"], publish: ["confirmed"] },
    // Publication is the administrators' (ADR 0019).
    intentReach: { publish: ["admin"] },
    // The first press only asks for confirmation (ADR 0028).
    noChange: (_role, o) => o.status === 200 && Boolean((o.json as { confirm?: string } | null)?.confirm),
    values: () => ({ confirmed: pick(["yes"], ["no", ""]) }),
  },
  {
    file: "m.$slug.admin.rounds._index.tsx",
    reach: staff,
    runs: 15,
    params: inMunicipality,
    intents: { "": ["slug", "kind", ...ROUND_TEXT_FIELDS, ...PHASE_FIELDS] },
    errorKeys: /^phases$/,
    values: (_w, _p, k) => ({
      slug: pick([`new-${k % 1000}`], ["budget-1405", "Bad", "x".repeat(65)]),
      kind: pick(["budgeting", "consultation"]),
      titleEn: words,
      titleFa: words,
      descriptionEn: words,
      descriptionFa: words,
      ...phaseValues(3, k),
    }),
  },
  {
    file: "admin._index.tsx",
    reach: ["platform"],
    runs: 15,
    intents: {
      "": [
        "slug",
        "nameEn",
        "nameFa",
        "defaultLocale",
        "timeZone",
        "currency",
        "adminEmail",
        "adminName",
        "adminPassword",
      ],
    },
    values: (w, _p, k) => ({
      slug: pick([`town-${k % 1000}`], ["first", "elsewhere", "Bad Slug"]),
      nameEn: words,
      nameFa: words,
      defaultLocale: pick(["en", "fa"], ["de"]),
      timeZone: pick(["UTC", "Asia/Tehran"], ["Mars/Olympus"]),
      currency: pick(["EUR", "IRR"], ["eur", "EURO"]),
      adminEmail: pick([`mayor${k % 1000}@town.example`], [w.A.emails[0]]),
      adminName: words,
      adminPassword: pick(["a long enough password"], ["short"]),
    }),
  },
  {
    file: "locale.tsx",
    reach: [...ROLES],
    runs: 10,
    intents: { "": ["locale", "redirectTo"] },
    values: () => ({
      locale: pick(["en", "fa"], ["de"]),
      redirectTo: pick(["/", "/m/first"], ["//evil.example", "/\\evil", "https://evil.example"]),
    }),
    noChange: (role) => role === "observer",
  },
  {
    file: "signup.tsx",
    reach: ["observer"],
    runs: 15,
    intents: { "": ["displayName", "email", "password"] },
    values: (w, _p, k) => ({
      displayName: words,
      email: pick([`person${k % 1000}@example.org`], [w.A.emails[0], w.A.emails[0].toUpperCase(), w.B.emails[0]]),
      password: pick(["a long enough password"], ["short"]),
    }),
    refusalWrites: { tables: ["auth_attempts"], why: "a refused signup counts towards the signup throttle" },
  },
  {
    file: "login.tsx",
    reach: ["observer"],
    runs: 15,
    intents: { "": ["email", "password", "next"], code: ["code", "next"] },
    values: (w, _p, k) => ({
      email: pick([nth(w.A.emails, k)], [w.B.emails[0], "nobody@example.org"]),
      password: pick([w.password], ["wrong password"]),
      next: pick(["/account", "/m/first"], ["//evil.example", "https://evil.example", "/\\evil"]),
      code: pick(["123456"], ["", "۱۲۳۴۵۶", "x".repeat(100)]),
    }),
    refusalWrites: { tables: ["auth_attempts"], why: "a failed login counts towards the login throttle" },
  },
  {
    file: "logout.tsx",
    reach: [...ROLES],
    runs: 6,
    intents: { "": [] },
    values: () => ({}),
    noChange: (role) => role === "observer",
  },
  // Sign-in with an e-ID (ADR 0038): no provider here, so every start is refused and changes nothing.
  {
    file: "auth.eid.tsx",
    reach: [...ROLES],
    runs: 6,
    intents: { "": ["next", "municipality"] },
    values: () => ({
      next: pick(["/account", "/m/first/verify"], ["//evil.example", "https://evil.example"]),
      municipality: pick(["first"], ["", "../x", "x".repeat(200)]),
    }),
    noChange: () => true,
  },
  {
    file: "auth.eid_.link.tsx",
    reach: [...ROLES],
    runs: 6,
    intents: { "": ["password"] },
    values: () => ({ password: pick(["some password"], ["", "x".repeat(2000)]) }),
    noChange: () => true,
  },
  {
    file: "account.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 8,
    intents: { "logout-everywhere": [] },
    values: () => ({}),
  },
  // One's own data (ADR 0026): the download changes nothing; a deletion needs the right password.
  {
    file: "account_.privacy.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 8,
    intents: { download: [], delete: ["password"] },
    values: () => ({ password: pick(["not the password"], ["", "x".repeat(2000)]) }),
    noChange: (_role, o) => o.status === 200,
  },
  // Following (ADR 0033): only one's own rows can go; a made-up id changes nothing.
  {
    file: "account_.following.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 6,
    intents: { unfollow: ["proposalId"] },
    values: (w) => ({ proposalId: pick([...w.A.accepted], ["", "x".repeat(2000), "no-such-proposal"]) }),
  },
  // Two-factor sign-in (ADR 0026): random codes are wrong, so nothing but a started enrolment changes.
  {
    file: "account_.security.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 30,
    intents: {
      start: ["next"],
      confirm: ["code", "next"],
      verify: ["code", "next"],
      renew: ["code", "next"],
      disable: ["code", "next"],
    },
    values: () => ({
      code: pick(["123456", "abcde-fghij"], ["", "۱۲۳۴۵۶", "x".repeat(100)]),
      next: pick(["/account", "/m/first/admin"], ["//evil.example", "https://evil.example"]),
    }),
    refusalWrites: { tables: ["auth_attempts"], why: "a wrong code counts towards the code throttle (ADR 0026)" },
    // Each request after the throttle's minute: wrong codes typed earlier in the run (here and at
    // log-in) would otherwise stop every later code at the throttle, before the intent's own code.
    before: async (w, role) => {
      const id = w.userIds[role];
      if (!id) return false;
      const cleared = await w.db
        .delete(authAttempts)
        .where(and(eq(authAttempts.subject, `user:${id}`), eq(authAttempts.kind, "second_factor")))
        .returning();
      return cleared.length > 0;
    },
  },
  // Messages (ADR 0025). A reset request answers the same for every address and counts towards its throttle.
  {
    file: "forgot-password.tsx",
    reach: [...ROLES],
    runs: 8,
    intents: { "": ["email"] },
    values: (w) => ({ email: pick([w.A.emails[0], "nobody@example.org"], ["not-an-email", ""]) }),
    refusalWrites: { tables: ["auth_attempts"], why: "a reset request counts towards the reset throttle" },
  },
  {
    file: "reset-password.$token.tsx",
    reach: [...ROLES],
    runs: 6,
    params: () => fc.constantFrom({ token: "A".repeat(43) }, { token: "not a token" }),
    intents: { "": ["password"] },
    values: () => ({ password: pick(["a long enough password"], ["short"]) }),
  },
  {
    file: "unsubscribe.$token.tsx",
    reach: [...ROLES],
    runs: 6,
    params: () => fc.constantFrom({ token: "dXNlcg.vote.bad" }, { token: "not-a-token" }),
    intents: { "": [] },
    values: () => ({}),
  },
  // Pressing a confirmation link's button (ADR 0033): a made-up token confirms nothing.
  {
    file: "confirm.$token.tsx",
    reach: [...ROLES],
    runs: 4,
    params: () => fc.constantFrom({ token: "A".repeat(43) }, { token: "not-a-token" }),
    intents: { "": [] },
    values: () => ({}),
  },
  {
    file: "account_.notifications.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 10,
    intents: { save: ["topic", "topic#2"], resend: [], email: ["email"] },
    values: (w, _p, k) => ({
      topic: pick(["vote", "replies"], ["nonsense", ""]),
      email: pick([`moved${k % 1000}@example.org`], [w.A.emails[0], "not-an-email"]),
    }),
  },
  // A phone code is sent (an SMS queued) or refused; codes are random, so "confirm" never matches.
  {
    file: "account_.phone.tsx",
    reach: ROLES.filter((r) => r !== "observer"),
    runs: 10,
    intents: { send: ["phone"], confirm: ["code"], remove: [] },
    values: () => ({
      phone: pick(["+98 912 345 6789", "۰۹۱۲۳۴۵۶۷۸۹"], ["12", "not a phone", "", "+0123"]),
      code: pick(["123456", "۱۲۳۴۵۶"], ["", "x".repeat(21)]),
    }),
    refusalWrites: { tables: ["phone_codes"], why: "a wrong code is counted against its five tries" },
  },
  {
    file: "m.$slug.reports.new.tsx",
    reach: ["verified", "resident", "staff", "admin"],
    runs: 10,
    params: inMunicipality,
    intents: { "": ["category", "description", "district", "project", "lat", "lon", "anonymous", "keepLocation"] },
    values: () => ({
      category: fc.constant("no-such-category"),
      description: fc.constant("A broken lamp"),
      district: fc.constant(""),
      project: fc.constant(""),
      lat: fc.constant("35.7"),
      lon: fc.constant("51.4"),
      anonymous: fc.constant(""),
      keepLocation: fc.constant(""),
    }),
  },
  {
    file: "m.$slug.admin.reports._index.tsx",
    reach: ["staff", "admin"],
    runs: 10,
    params: inMunicipality,
    intents: {
      category: [
        "code",
        "nameEn",
        "nameFa",
        "descriptionEn",
        "descriptionFa",
        "targetDays",
        "allowAnonymous",
        "aboutProjects",
      ],
      settings: ["weekend", "holidays", "bounds"],
      issueKey: ["label"],
      revokeKey: ["keyId"],
    },
    values: () => ({
      code: fc.constant("lights"),
      nameEn: fc.constant("Lights"),
      nameFa: fc.constant("روشنایی"),
      descriptionEn: fc.constant("Street lights"),
      descriptionFa: fc.constant("چراغ‌های خیابان"),
      allowAnonymous: fc.constant("yes"),
      aboutProjects: fc.constant(""),
      targetDays: fc.constant("3"),
      weekend: fc.constant("5"),
      holidays: fc.constant(""),
      bounds: fc.constant(""),
      label: fc.constant("app"),
      keyId: fc.constant("none"),
    }),
  },
  {
    file: "m.$slug.admin.reports.$number.tsx",
    reach: ["staff", "admin"],
    runs: 6,
    params: (w) => fc.record({ slug: fc.constant(w.A.municipality.slug), number: fc.constant("1") }),
    intents: {
      status: ["status", "resolution", "note", "duplicateOf"],
      reply: ["body", "visibility"],
      assign: ["assignee"],
    },
    values: () => ({
      status: fc.constant("acknowledged"),
      resolution: fc.constant(""),
      note: fc.constant(""),
      duplicateOf: fc.constant(""),
      assignee: fc.constant(""),
      body: fc.constant("Thanks"),
      visibility: fc.constant("public"),
    }),
  },
  {
    file: "m.$slug.open311.v2.requests[.json].tsx",
    reach: ["observer", "verified", "staff"],
    runs: 8,
    params: inMunicipality,
    intents: {
      "": ["api_key", "service_code", "description", "lat", "long", "address_string", "email", "attribute[project]"],
    },
    values: () => ({
      api_key: fc.constant("forged"),
      service_code: fc.constant("lights"),
      description: fc.constant("A broken lamp"),
      lat: fc.constant("35.7"),
      long: fc.constant("51.4"),
      address_string: fc.constant(""),
      email: fc.constant("someone@example.org"),
      "attribute[project]": fc.constant(""),
    }),
  },
  {
    file: "m.$slug.open311.v2.requests[.xml].tsx",
    reach: ["observer", "verified", "staff"],
    runs: 4,
    params: inMunicipality,
    intents: { "": ["api_key", "service_code", "description"] },
    values: () => ({
      api_key: fc.constant("forged"),
      service_code: fc.constant("lights"),
      description: fc.constant("A broken lamp"),
    }),
  },
  {
    file: "m.$slug.admin.outbox.tsx",
    reach: ["staff", "admin"],
    runs: 4,
    params: inMunicipality,
    intents: { "": [] },
    values: () => ({}),
    noChange: () => true,
  },
  // Writing to residents (ADR 0041): "check" counts and changes nothing; "send" queues and logs once per id.
  {
    file: "m.$slug.admin.broadcasts.tsx",
    reach: ["staff", "admin"],
    runs: 10,
    params: inMunicipality,
    intents: {
      check: ["broadcastId", "audience", "subjectEn", "subjectFa", "bodyEn", "bodyFa"],
      send: ["broadcastId", "audience", "subjectEn", "subjectFa", "bodyEn", "bodyFa"],
    },
    values: (w) => ({
      broadcastId: fc.uuid({ version: 4 }),
      audience: pick(
        ["verified", `round:${w.A.rounds.voting}`],
        ["round:no-such-round", `round:${w.B.rounds.voting}x`, "all"],
      ),
      subjectEn: pick(["Meeting on Monday", "<b>Hi</b>"], ["", "x".repeat(201)]),
      subjectFa: pick(["جلسه دوشنبه"], [""]),
      bodyEn: pick(["The council meets.\n\nCome along."], ["", "x".repeat(5_001)]),
      bodyFa: pick(["شورا تشکیل جلسه می‌دهد."], [""]),
    }),
    noChange: (_role, o) => o.status === 200 && typeof (o.json as { ready?: number } | null)?.ready === "number",
  },
  {
    file: "$.tsx",
    reach: [...ROLES],
    runs: 4,
    params: () => fc.constant({ "*": "no-such-page" }),
    intents: { "": [] },
    values: () => ({}),
  },
  // Local help pages (ADR 0037): a valid form adds (or, with a taken address, is refused 409); random ids change none.
  {
    file: "m.$slug.admin.help.tsx",
    reach: ["staff", "admin"],
    runs: 10,
    params: inMunicipality,
    intents: {
      save: ["slug", "titleEn", "titleFa", "bodyEn", "bodyFa"],
      update: ["id", "slug", "titleEn"],
      delete: ["id"],
    },
    values: (_w, _p, k) => ({
      slug: pick([`fuzz-page-${k % 100}`], ["Bad Slug", "vote", "", "-x-", "a".repeat(61)]),
      titleEn: pick(["Opening hours", "<b>Hours</b>"], ["", " ", "x".repeat(200)]),
      titleFa: pick(["ساعت‌های کاری"], ["", "\u202e"]),
      bodyEn: pick(["## Where\n\nCity hall [a](javascript:alert(1))"], ["", "x".repeat(20_001)]),
      bodyFa: pick(["تالار شهر"], [""]),
      id: pick(["00000000-0000-4000-8000-000000000000"], ["not-an-id", ""]),
    }),
  },
  // Witnesses and quorum (ADR 0022): a valid key adds one; ids are random, so pause/resume/remove find none.
  {
    file: "m.$slug.admin.witnesses.tsx",
    reach: ["admin"],
    runs: 12,
    params: inMunicipality,
    intents: { add: ["vkey", "url"], quorum: ["quorum"], pause: ["id"], resume: ["id"], remove: ["id"] },
    values: (_w, _p, k) => ({
      vkey: pick([FUZZ_WITNESSES[k % FUZZ_WITNESSES.length].verifierKey], ["name+01234567+AAAA", "not a key"]),
      url: pick(["https://witness.example/log", "http://127.0.0.1:9/w"], ["ftp://x", "javascript:alert(1)", ""]),
      quorum: pick(["0", "۰"], ["-1", "99", "1.5", ""]),
      id: pick(["00000000-0000-4000-8000-000000000000"], ["not-an-id"]),
    }),
    noChange: (_role, o) => o.status === 200 && (o.json as { changed?: boolean } | null)?.changed === false,
  },
  // Webhooks (ADR 0040): a valid address adds one; ids are random, so update/retry/remove find none.
  {
    file: "m.$slug.admin.webhooks.tsx",
    reach: ["admin"],
    runs: 24,
    params: inMunicipality,
    intents: {
      add: ["url", "events"],
      update: ["endpoint", "events", "active"],
      retry: ["endpoint"],
      remove: ["endpoint"],
    },
    values: () => ({
      url: pick(
        ["https://hooks.example/shora", "http://127.0.0.1:9/hook"],
        ["http://example.org/x", "ftp://x", "javascript:alert(1)", ""],
      ),
      events: pick(["round.phase_changed", "implementation.updated"], ["ballot.cast", ""]),
      endpoint: pick(["00000000-0000-4000-8000-000000000000"], ["not-an-id", ""]),
      active: checkbox,
    }),
  },
  {
    file: "m.$slug.admin.eid.tsx",
    reach: ["admin"],
    runs: 16,
    params: inMunicipality,
    intents: {
      trust: [
        "trust",
        "defaultVoterClass",
        "defaultDistrictCode",
        "censusServiceUrl",
        "censusServiceTimeoutMs",
        "credential",
        "clearCredential",
      ],
      provider: [
        "issuer",
        "clientId",
        "clientSecret",
        "clearSecret",
        "scopes",
        "idClaim",
        "birthDateClaim",
        "labelEn",
        "labelFa",
      ],
      removeProvider: [],
    },
    values: () => ({
      trust: pick(["off", "census", "direct"], ["", "all"]),
      defaultVoterClass: pick(["resident", ""], ["x".repeat(101)]),
      defaultDistrictCode: pick(["north", ""], ["nowhere"]),
      censusServiceUrl: pick(["", "https://census.example/ask"], ["http://census.example/ask", "javascript:1"]),
      censusServiceTimeoutMs: pick(["5000", ""], ["99", "1e9", "x"]),
      credential: pick(["", "bearer-secret"]),
      clearCredential: pick(["on", ""]),
      issuer: pick(["https://id.example", "http://127.0.0.1:9"], ["http://id.example", "https://u:p@id.example", ""]),
      clientId: pick(["shora"], ["", " "]),
      clientSecret: pick(["", "s3cret"]),
      clearSecret: pick(["on", ""]),
      scopes: pick(["openid email", "openid"], ["email", "", 'openid "x"']),
      idClaim: pick(["national_id"], ["", "a b", "<x>"]),
      birthDateClaim: pick(["birthdate"], [""]),
      labelEn: pick(["Sign in with CityID"], ["", "x".repeat(81)]),
      labelFa: pick(["ورود با شناسهٔ شهر"], ["", "\u0007"]),
    }),
    // Nothing to remove: the installation's provider was in use already.
    noChange: (_role, o) => o.status === 200 && (o.json as { changed?: boolean } | null)?.changed === false,
  },
  // Last: it changes who is staff of the first municipality.
  {
    file: "m.$slug.admin.staff.tsx",
    reach: ["admin"],
    runs: 20,
    params: inMunicipality,
    intents: { add: ["email", "role"], role: ["userId", "role"], remove: ["userId"] },
    values: (w, _p, k) => {
      const members = [w.userIds.staff, w.userIds.admin].filter((id): id is string => id !== null);
      return {
        email: pick([nth(w.A.emails, k)], ["nobody@example.org", w.B.emails[0], w.A.emails[0].toUpperCase()]),
        role: pick(["staff", "admin"], ["owner", ""]),
        userId: pick([...members, nth(w.A.users, k)], [...w.B.users, "not-an-id"]),
      };
    },
    // The role asked for is the member's role already.
    noChange: (_role, o) => o.status === 200 && (o.json as { changed?: boolean } | null)?.changed === false,
  },
];

/* ------------------------------------------------------------------ requests */

interface FuzzRequest {
  role: Role;
  intent: string;
  /** The fields of the route's forms, whichever intent (what a 400 may name). */
  fields: string[];
  address: { url: string; params: Params };
  entries: Entry[];
  encoding: Encoding;
  locale: "en" | "fa";
}

const fieldName = (key: string) => key.replace(/#\d+$/, "");

function foreignValue(w: World): fc.Arbitrary<Value> {
  const B = w.B;
  return fc.constantFrom(
    B.municipality.slug,
    ...B.accepted,
    ...B.funded,
    ...B.comments,
    ...B.updates,
    ...B.updateComments,
    ...B.questions,
    ...B.districts,
    ...B.verifications,
    ...B.users,
    ...B.emails,
  );
}

/** The form's fields for an intent: its keys, `*` standing for every value key no other intent names. */
function formKeys(route: ActionRoute, intent: string, values: Values): string[] {
  const named = new Set(Object.values(route.intents).flatMap((keys) => keys.filter((key) => key !== "*")));
  return route.intents[intent].flatMap((key) =>
    key === "*" ? Object.keys(values).filter((v) => !named.has(v) && !named.has(fieldName(v))) : [key],
  );
}

function requestArb(w: World, route: ActionRoute): fc.Arbitrary<FuzzRequest> {
  const intentNames = Object.keys(route.intents);
  const validParams = route.params ? route.params(w) : fc.constant({} as Params);
  const foreign = foreignValue(w);
  const role = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...route.reach) },
    { weight: 1, arbitrary: fc.constantFrom(...ROLES) },
  );
  const encodings = (weights: Record<Encoding, number>) =>
    fc.oneof(...Object.entries(weights).map(([e, weight]) => ({ weight, arbitrary: fc.constant(e as Encoding) })));
  const encoding = route.multipart
    ? encodings({ multipart: 24, urlencoded: 4, json: 1, none: 1 })
    : encodings({ urlencoded: 24, multipart: 4, json: 1, none: 1 });

  return fc.tuple(validParams, fc.nat(), fc.constantFrom(...intentNames)).chain(([p, k, intent]) => {
    const values = route.values(w, p, k);
    const keys = formKeys(route, intent, values);
    const valid = (key: string) => values[key] ?? values[fieldName(key)] ?? hostileValue;
    // A route parameter replaced by another municipality's, an unknown or a hostile value (an encoded
    // NUL, `..`): the module gets what the server makes of the address, as Remix would pass it.
    const theirProposals = [...w.B.accepted, ...w.B.funded, ...w.B.authored, ...w.B.submitted];
    const rawParams = fc.oneof(
      { weight: 8, arbitrary: fc.constant(p) },
      // The other municipality's proposal under this one's address.
      {
        weight: "proposal" in p ? 1 : 0,
        arbitrary: fc.constantFrom(...theirProposals).map((id) => ({ ...p, proposal: id })),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(
            fc.nat(),
            fc.oneof(
              foreign,
              hostileValue,
              fc.constantFrom<Value>("elsewhere", "..", "%00", "\u0000", "a/b", "%2e%2e"),
            ),
          )
          .map(([i, v]) => {
            const names = Object.keys(p);
            // Node refuses request lines over 16 KB: no module ever sees a longer parameter.
            return names.length
              ? {
                  ...p,
                  [names[i % names.length]]: typeof v === "string" ? v : v.repeat.repeat(Math.min(v.times, 2_000)),
                }
              : p;
          }),
      },
    );
    const address = rawParams
      .map((raw) => throughServer(route.file, raw))
      .filter((a): a is { url: string; params: Params } => a !== null);
    const others = intentNames.filter((n) => n !== intent && n !== "");
    const intentEntries = fc.oneof(
      { weight: 10, arbitrary: fc.constant<Entry[]>(intent === "" ? [] : [["intent", intent]]) },
      { weight: 1, arbitrary: fc.constant<Entry[]>([]) },
      { weight: 1, arbitrary: hostileValue.map<Entry[]>((v) => [["intent", v]]) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...(others.length ? others : ["x"])).map<Entry[]>((o) => [
          ["intent", intent],
          ["intent", o],
        ]),
      },
    );
    // Mostly a valid-looking form with one to three fields spoiled (hostile, another municipality's id,
    // NUL, missing, given twice); sometimes all valid; sometimes every field spoiled.
    const spoil = (key: string): fc.Arbitrary<Entry[]> => {
      const name = fieldName(key);
      return fc.oneof(
        { weight: 6, arbitrary: hostileValue.map<Entry[]>((v) => [[name, v]]) },
        { weight: 3, arbitrary: foreign.map<Entry[]>((v) => [[name, v]]) },
        { weight: 2, arbitrary: fc.constant<Entry[]>([]) },
        { weight: 1, arbitrary: nulValue.map<Entry[]>((v) => [[name, v]]) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.oneof(valid(key), hostileValue), fc.oneof(valid(key), hostileValue))
            .map<Entry[]>(([a, b]) => [
              [name, a],
              [name, b],
            ]),
        },
      );
    };
    // Which fields are spoiled: mostly one, sometimes two or three.
    const which = fc
      .oneof(
        { weight: 7, arbitrary: fc.constant(1) },
        { weight: 2, arbitrary: fc.constant(2) },
        { weight: 1, arbitrary: fc.constant(3) },
      )
      .chain((n) =>
        fc.uniqueArray(fc.nat({ max: Math.max(0, keys.length - 1) }), {
          minLength: Math.min(n, keys.length),
          maxLength: Math.min(n, keys.length),
        }),
      );
    const validForm = fc.tuple(...keys.map((key) => valid(key).map<Entry[]>((v) => [[fieldName(key), v]])));
    const spoiled = fc.tuple(...keys.map(spoil));
    const form: fc.Arbitrary<Entry[][]> = keys.length
      ? fc.oneof(
          { weight: 4, arbitrary: validForm },
          {
            weight: 5,
            arbitrary: fc
              .tuple(validForm, spoiled, which)
              .map(([good, bad, which]) => good.map((entries, i) => (which.includes(i) ? bad[i] : entries))),
          },
          { weight: 1, arbitrary: spoiled },
        )
      : fc.constant([]);
    const extras = fc.array(
      fc.tuple(fc.oneof(hostileName, fc.constantFrom(...keys.map(fieldName), "x")), fc.oneof(hostileValue, json)),
      {
        maxLength: 2,
      },
    );
    return fc.record({
      role,
      intent: fc.constant(intent),
      fields: fc.constant([...new Set(intentNames.flatMap((i) => formKeys(route, i, values)).map(fieldName))]),
      address,
      entries: fc
        .tuple(intentEntries, form, extras)
        .map(([i, f, x]) => [...i, ...f.flat(), ...x.map(([n, v]): Entry => [n, v])]),
      encoding,
      locale: fc.constantFrom<"en" | "fa">("en", "fa"),
    });
  });
}

/**
 * One plain request per intent, sent first: a role that gets past the guards, the route's first
 * parameters and a valid-looking value in every field, so that every intent's code runs at least once.
 */
function plainRequests(w: World, route: ActionRoute): [FuzzRequest][] {
  const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { seed: seedFor(route.file), numRuns: 1 })[0];
  const p = sample(route.params ? route.params(w) : fc.constant({} as Params));
  const address = throughServer(route.file, p);
  if (!address) throw new Error(`${route.file}: its first parameters are no address of it`);
  const values = route.values(w, p, 0);
  const allFields = Object.keys(route.intents).flatMap((i) => formKeys(route, i, values));
  return Object.keys(route.intents).map((intent) => [
    {
      role: route.intentReach?.[intent]?.[0] ?? route.reach[0],
      intent,
      fields: [...new Set(allFields.map(fieldName))],
      address,
      entries: [
        ...(intent === "" ? [] : [["intent", intent] as Entry]),
        ...formKeys(route, intent, values).map(
          (key): Entry => [fieldName(key), sample(values[key] ?? values[fieldName(key)])],
        ),
      ],
      encoding: route.multipart ? "multipart" : "urlencoded",
      locale: "en",
    },
  ]);
}

function describeRequest(r: FuzzRequest, o: Outcome): string {
  const entries = r.entries
    .map(
      ([n, v]) =>
        `${JSON.stringify(n.length > 40 ? `${n.slice(0, 40)}…` : n)}=${typeof v === "object" && "file" in v ? `<file ${v.file}>` : show(v)}`,
    )
    .join(" ");
  return `FUZZ_SEED=${RUN_SEED} ${r.role} ${r.encoding} ${r.locale} ${r.address.url.slice(0, 200)}\n  ${entries}\n  → ${o.status} ${o.location ?? ""} ${o.body.slice(0, 600)}`;
}

/* ------------------------------------------------------------------ the run */

let w: World;
let drop: () => Promise<void>;
let fingerprint: () => Promise<Fingerprint>;
/** The database's fingerprint when nothing has been written since it was taken, else null. */
let known: Fingerprint | null = null;
let foreignBefore: Fingerprint;
/** What each intent answered, by role and status, and why requests were refused (FUZZ_REPORT=1). */
const report: Record<string, Record<string, number>> = {};
/** Route and intent of every request answered by the intent's own code (not a thrown refusal). */
const reached = new Set<string>();

beforeAll(async () => {
  const opened = await privateDatabase();
  drop = opened.drop;
  w = await seedWorld(opened.database.db);
  fingerprint = await fingerprinter(w.db);
  foreignBefore = await tenantFingerprint(w.db, w.B.municipality.id);
});
afterAll(async () => {
  if (process.env.FUZZ_REPORT) console.log(JSON.stringify(report, null, 1));
  await drop();
});

async function exercise(route: ActionRoute, action: Parameters<typeof send>[0], r: FuzzRequest) {
  const { browser, wrote } = await browserFor(w, r.role);
  const hooked = route.before ? await route.before(w, r.role) : false;
  if (wrote || hooked) known = null;
  const before = known ?? (await fingerprint());
  const request = postRequest(w, browser, r.address.url, r.entries, r.encoding, r.locale);
  const outcome = await send(action, browser, request, r.address.params);
  const label = describeRequest(r, outcome);
  const refusal = refusalMessages(outcome);
  const tally = report[`${route.file} ${r.intent || "-"}`] ?? {};
  report[`${route.file} ${r.intent || "-"}`] = tally;
  const key = `${outcome.status} ${refusal.thrown ? refusal.texts[0].replace(/^\S* contains/, "* contains").slice(0, 30) : refusal.fields.join(",")}`;
  tally[key] = (tally[key] ?? 0) + 1;

  if (!(outcome.status >= 400 && refusal.thrown)) reached.add(`${route.file} ${r.intent}`);
  expect(outcome.status, label).toBeLessThan(500);
  if (outcome.location !== null) expect(outcome.location, `redirect off the site: ${label}`).toMatch(/^\/(?![/\\])/);
  const refused = outcome.status >= 400;
  if (refused) {
    expect(refusal.texts.length, `no message: ${label}`).toBeGreaterThan(0);
    for (const message of refusal.texts)
      expect(readable(message), `unreadable message ${JSON.stringify(message)}: ${label}`).toBe(true);
    if (outcome.status === 400) {
      const names = new Set([...r.fields, ...r.entries.map(([n]) => n), "intent", "form"]);
      if (refusal.thrown) {
        // A thrown 400 is about the request as a whole: it names the field it is about, or says the body is no form.
        const [message] = refusal.texts;
        const named = [...names].some((name) => message.startsWith(`${name} `));
        expect(named || /^The request body is not a form/.test(message), `400 names no field: ${label}`).toBe(true);
      } else {
        for (const field of refusal.fields)
          expect(
            names.has(field) || Boolean(route.errorKeys?.test(field)),
            `400 names ${field}, no field of the form: ${label}`,
          ).toBe(true);
      }
    }
  }
  // An address under the other municipality's slug is a request to it: what it did there is its own.
  if (!refused && r.address.params.slug === w.B.municipality.slug)
    foreignBefore = await tenantFingerprint(w.db, w.B.municipality.id);
  if (refused || route.noChange?.(r.role, outcome)) {
    const after = await fingerprint();
    const allowed = refused ? (route.refusalWrites?.tables ?? []) : [];
    const changed = changedTables(before, after);
    expect(
      changed.filter((t) => !allowed.includes(t)),
      `the database changed${route.refusalWrites ? ` (beyond what ${route.refusalWrites.why})` : ""}: ${label}`,
    ).toEqual([]);
    if (changed.length && route.refusalWrites?.check) await route.refusalWrites.check(w, before, after);
    known = after;
  } else {
    known = null;
  }
}

/** Intent values a route module compares with or its forms send. */
function intentsIn(source: string): string[] {
  const found = new Set<string>();
  for (const m of source.matchAll(/intent"?\)?\s*[!=]==\s*"([^"]+)"/g)) found.add(m[1]);
  for (const m of source.matchAll(/name="intent"\s+value="([^"]+)"/g)) found.add(m[1]);
  return [...found];
}

describe("hostile input to every form action", () => {
  it("has a row for every route with an action, with every intent its module reads or sends", () => {
    const files = fs
      .readdirSync(routesDir)
      .filter((f) => /export (async )?function action\b/.test(fs.readFileSync(path.join(routesDir, f), "utf8")));
    const rows = new Map(ACTIONS.map((r) => [r.file, r]));
    expectRowPerRoute("fuzzActions", rows.keys(), files);
    for (const file of files) {
      const declared = Object.keys(rows.get(file)?.intents ?? {});
      const missing = intentsIn(fs.readFileSync(path.join(routesDir, file), "utf8")).filter(
        (i) => !declared.includes(i),
      );
      expect(missing, `${file}: intents without a row in ${ROUTE_TABLES.fuzzActions.where}`).toEqual([]);
    }
  });

  for (const route of ACTIONS) {
    it(`${route.file}: no 5xx, a readable refusal, and a refusal changes nothing`, async () => {
      const module = await import(path.join(routesDir, route.file));
      await fc.assert(
        fc.asyncProperty(requestArb(w, route), (r) => exercise(route, module.action, r)),
        { numRuns: runs(route.runs), seed: seedFor(route.file), endOnFailure: true, examples: plainRequests(w, route) },
      );
      // Every intent's own code ran at least once: an answer past the guards and lookups (which throw).
      const unreached = Object.keys(route.intents).filter((intent) => !reached.has(`${route.file} ${intent}`));
      expect(unreached, "intents whose code never ran").toEqual(route.file === "$.tsx" ? [""] : []);
    });
  }

  it("left the other municipality's rows as they were", async () => {
    // The requests above carried its ids to the first municipality's routes, and its admin sent them
    // (what requests addressed to it did is taken into account as they went).
    const after = await tenantFingerprint(w.db, w.B.municipality.id);
    expect([...after.values()].filter((t) => t.rows > 0).length).toBeGreaterThan(15);
    expect(after, `FUZZ_SEED=${RUN_SEED}: the other municipality's rows changed`).toEqual(foreignBefore);
  });
});
