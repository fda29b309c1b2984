/**
 * Hostile addresses for every loader (every route module with one, and the root): route parameters and
 * query strings with unknown ids, the other municipality's ids, huge and negative numbers, `..`, an
 * encoded NUL, control and bidi characters, very long values and unknown keys, read as the server reads
 * them (app/server/addresses.ts, then Remix's decoding), from every kind of visitor, sometimes with a
 * garbage session or locale cookie. For every request: no 5xx; a refusal carries a readable message; a
 * redirect stays on the site; the body shows nothing of the other municipality (its marked texts, its
 * ids unless the address carried them); and no loader writes to the database.
 *
 * FUZZ_SEED=<n> repeats a run (it is in every failure message), FUZZ_RUNS=<n> sends n times as many
 * requests, FUZZ_REPORT=1 prints what was answered.
 */
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nulFreeAddresses } from "../../app/server/addresses";
import { CHART_KINDS } from "../../app/services/tally/results-charts.server";
import { observer, scopeOf } from "../../app/services/scope";
import { roundBundle } from "../../app/services/tally/bundle.server";
import { CSRF } from "../support/requests";
import { privateDatabase } from "../support/db";
import { expectRowPerRoute } from "../support/route-tables";
import { type Fingerprint, changedTables, fingerprinter } from "../support/fingerprint";
import { throughServer } from "../support/fuzz/addresses";
import { RUN_SEED, type Value, hostileValue, runs, seedFor, text } from "../support/fuzz/hostile";
import { type Outcome, readable, refusalMessages, send } from "../support/fuzz/requests";
import { FOREIGN_MARK, ROLES, type Role, type Tenant, type World, browserFor, seedWorld } from "./fuzz-setup";

const routesDir = path.resolve(__dirname, "../../app/routes");
type Params = Record<string, string>;

interface LoaderRoute {
  file: string;
  runs: number;
  /** Who gets the page (first: the visitor of the plain request sent first); default everyone. */
  reach?: Role[];
  /** The loader answers 404 to every address (it exists for its action): no plain 200 to expect. */
  noPage?: true;
  /** The plain visit's status when it is neither the page (200) nor a 404: a refusal page, a redirect. */
  plainStatus?: number;
  /** The platform administrator's page of every municipality's messages (the mail viewer, ADR 0025). */
  platformWide?: true;
  /** Valid-looking route parameters in one municipality (`plain`: the first of each list). */
  params?: (t: Tenant, w: World, plain?: boolean) => fc.Arbitrary<Params>;
  /** Query parameters the loader reads, with valid-looking values. */
  query?: (t: Tenant, w: World, plain?: boolean) => Record<string, fc.Arbitrary<string>>;
}

const anyOf = <T>(values: T[], plain = false) => (plain ? fc.constant(values[0]) : fc.constantFrom(...values));
const inRound =
  (...keys: (keyof Tenant["rounds"])[]) =>
  (t: Tenant, _w: World, plain?: boolean) =>
    fc.record({
      slug: fc.constant(t.municipality.slug),
      round: anyOf(
        keys.map((k) => t.rounds[k]),
        plain,
      ),
    });
const inMunicipality = (t: Tenant) => fc.constant({ slug: t.municipality.slug });
const everyRound = inRound("voting", "consultation", "past", "ideas", "counting");

let bundleFiles: string[] = [];
const staff: Role[] = ["staff", "admin"];

/** Every route module with a loader (and the root), with its parameters and the query it reads. */
const LOADERS: LoaderRoute[] = [
  { file: "../root.tsx", runs: 8 },
  { file: "$.tsx", runs: 3, noPage: true, params: () => fc.constant({ "*": "no-such-page" }) },
  { file: "_index.tsx", runs: 4 },
  { file: "privacy.tsx", runs: 3 },
  { file: "account.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 6 },
  { file: "account_.privacy.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 4 },
  {
    file: "account_.security.tsx",
    reach: ["verified", "staff", "foreignStaff"],
    runs: 6,
    query: (_t, _w, plain) => ({ next: anyOf(["/account", "/m/first/admin", "//evil.example", "/\\evil"], plain) }),
  },
  { file: "account_.participation.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 6 },
  { file: "account_.following.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 4 },
  { file: "admin._index.tsx", reach: ["platform"], runs: 6 },
  { file: "locale.tsx", runs: 3, noPage: true },
  {
    file: "login.tsx",
    reach: ["observer"],
    runs: 8,
    query: (_t, _w, plain) => ({
      next: anyOf(["/account", "/m/first", "//evil.example", "/\\evil", "https://evil.example"], plain),
    }),
  },
  { file: "logout.tsx", runs: 3, noPage: true },
  { file: "auth.eid.tsx", runs: 3, noPage: true },
  {
    file: "auth.eid_.callback.tsx",
    runs: 6,
    // No provider and no sign-in in progress here: every answer is the refusal page.
    plainStatus: 400,
    query: (_t, _w, plain) => ({
      code: anyOf(["abc", "", "x".repeat(500)], plain),
      state: anyOf(["s", "%00", "<script>"], plain),
      error: anyOf(["access_denied", "server_error", "<b>x</b>"], plain),
      shora_error: anyOf(["unavailable", "not_configured", "nonsense"], plain),
    }),
  },
  // No sign-in in progress: the link page sends the visitor to the page that says so.
  { file: "auth.eid_.link.tsx", runs: 3, plainStatus: 302 },
  { file: "signup.tsx", reach: ["observer"], runs: 4 },
  // Messages (ADR 0025): links from mails, with a made-up or malformed token.
  { file: "account_.notifications.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 4 },
  { file: "account_.phone.tsx", reach: ["verified", "staff", "foreignStaff"], runs: 4 },
  // Since messages are queued by proposals' and verifications' events (ADR 0033), they name municipalities.
  { file: "admin.mail.tsx", reach: ["platform"], runs: 3, platformWide: true },
  { file: "forgot-password.tsx", runs: 3 },
  {
    file: "confirm.$token.tsx",
    runs: 4,
    noPage: true,
    params: () => fc.constantFrom({ token: "A".repeat(43) }, { token: "../etc" }, { token: "%00" }),
  },
  {
    file: "reset-password.$token.tsx",
    runs: 4,
    noPage: true,
    params: () => fc.constantFrom({ token: "A".repeat(43) }, { token: "../etc" }, { token: "%00" }),
  },
  {
    file: "unsubscribe.$token.tsx",
    runs: 4,
    noPage: true,
    params: () => fc.constantFrom({ token: "dXNlcg.vote.bad" }, { token: "a.b.c.d" }, { token: "x" }),
  },
  { file: "m.$slug._index.tsx", runs: 8, params: inMunicipality },
  { file: "m.$slug.action-log[.jsonl].tsx", runs: 6, params: inMunicipality },
  { file: "m.$slug.admin._index.tsx", reach: staff, runs: 8, params: inMunicipality },
  // The census and council members are the administrators' (ADR 0019).
  { file: "m.$slug.admin.census.tsx", reach: ["admin"], runs: 8, params: inMunicipality },
  { file: "m.$slug.admin.staff.tsx", reach: ["admin"], runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.eid.tsx", reach: ["admin"], runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.witnesses.tsx", reach: ["admin"], runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.webhooks.tsx", reach: ["admin"], runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.moderation.tsx", reach: staff, runs: 8, params: inMunicipality },
  { file: "m.$slug.admin.map.tsx", reach: staff, runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.outbox.tsx", reach: staff, runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.broadcasts.tsx", reach: staff, runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.rounds._index.tsx", reach: staff, runs: 6, params: inMunicipality },
  { file: "m.$slug.admin.rounds.$round._index.tsx", reach: staff, runs: 8, params: everyRound },
  { file: "m.$slug.admin.rounds.$round.eligibility.tsx", reach: staff, runs: 8, params: everyRound },
  { file: "m.$slug.admin.rounds.$round.envelopes.tsx", reach: staff, runs: 8, params: everyRound },
  { file: "m.$slug.admin.rounds.$round.implementation.tsx", reach: staff, runs: 8, params: inRound("past", "voting") },
  { file: "m.$slug.admin.rounds.$round.paper.tsx", reach: staff, runs: 8, params: inRound("voting", "past") },
  { file: "m.$slug.admin.rounds.$round.proposals.tsx", reach: staff, runs: 8, params: everyRound },
  { file: "m.$slug.admin.rounds.$round.survey.tsx", reach: staff, runs: 8, params: inRound("consultation", "voting") },
  {
    file: "m.$slug.admin.rounds.$round.survey[.csv].tsx",
    reach: staff,
    runs: 6,
    params: inRound("consultation", "voting"),
  },
  {
    file: "m.$slug.admin.rounds.$round.tally.tsx",
    reach: staff,
    runs: 8,
    params: inRound("past", "counting", "voting"),
  },
  {
    file: "m.$slug.admin.rounds.$round.turnout.tsx",
    reach: staff,
    runs: 8,
    params: inRound("past", "voting", "counting"),
  },
  {
    file: "m.$slug.admin.verifications.tsx",
    reach: staff,
    runs: 10,
    params: inMunicipality,
    query: (t, w, plain) => ({
      email: anyOf([...t.emails, ...w.B.emails.slice(0, 1), "UPPER@FIRST.EXAMPLE", "nobody@example.org"], plain),
    }),
  },
  { file: "m.$slug.api.rounds.tsx", runs: 6, params: inMunicipality },
  { file: "m.$slug.api.rounds.$round.results.tsx", runs: 8, params: inRound("past", "voting", "counting") },
  { file: "m.$slug.implementation[.csv].tsx", runs: 5, params: inMunicipality },
  { file: "m.$slug.implementation[.json].tsx", runs: 5, params: inMunicipality },
  {
    file: "m.$slug.log.tsx",
    runs: 10,
    params: inMunicipality,
    query: (t, _w, plain) => ({
      round: anyOf(Object.values(t.rounds), plain),
      page: anyOf(["1", "2", "0", "-1", "999999", "99999999999999999999", "1e9", "NaN"], plain),
      action: anyOf(["census.import", "round.create", "ballot.cast", "tally.run"], plain),
    }),
  },
  { file: "m.$slug.open-data.tsx", runs: 5, params: inMunicipality },
  { file: "m.$slug.reports._index.tsx", runs: 5, params: inMunicipality },
  {
    file: "m.$slug.reports.new.tsx",
    runs: 5,
    params: inMunicipality,
    query: () => ({ project: fc.constantFrom("", "no-such-project") }),
  },
  { file: "m.$slug.reports.figures.tsx", runs: 5, params: inMunicipality },
  {
    file: "m.$slug.districts[.svg].tsx",
    runs: 5,
    noPage: true,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ lang: anyOf(["en", "fa"], plain) }),
  },
  {
    file: "m.$slug.reports.figures[.json].tsx",
    runs: 5,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ months: anyOf(["gregorian", "persian"], plain) }),
  },
  {
    file: "m.$slug.reports.figures[.csv].tsx",
    runs: 5,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ months: anyOf(["gregorian", "persian"], plain) }),
  },
  // No report in the fuzz world: every number is a 404 (the pages are tested in reports.test.ts).
  {
    file: "m.$slug.reports.$number._index.tsx",
    runs: 5,
    noPage: true,
    params: (t) => fc.record({ slug: fc.constant(t.municipality.slug), number: fc.constantFrom("1", "2", "999") }),
    query: () => ({ filed: fc.constantFrom("1", "0") }),
  },
  {
    file: "m.$slug.admin.reports._index.tsx",
    reach: staff,
    runs: 6,
    params: inMunicipality,
    query: (_t, _w, plain) => ({
      category: anyOf(["", "lights"], plain),
      district: anyOf(["", "north"], plain),
      status: anyOf(["active", "all", "open", "closed"], plain),
    }),
  },
  {
    file: "m.$slug.admin.reports.$number.tsx",
    reach: staff,
    runs: 5,
    noPage: true,
    params: (t) => fc.record({ slug: fc.constant(t.municipality.slug), number: fc.constantFrom("1", "42") }),
  },
  {
    file: "m.$slug.open311.v2.services[.json].tsx",
    runs: 5,
    params: inMunicipality,
    query: () => ({ locale: fc.constantFrom("en", "fa", "de") }),
  },
  {
    file: "m.$slug.open311.v2.services.$code.tsx",
    runs: 5,
    noPage: true,
    params: (t) => fc.record({ slug: fc.constant(t.municipality.slug), code: fc.constantFrom("lights.json", "x.xml") }),
  },
  {
    file: "m.$slug.open311.v2.requests[.json].tsx",
    runs: 8,
    params: inMunicipality,
    query: (_t, _w, plain) => ({
      service_request_id: anyOf(["", "1,2"], plain),
      service_code: anyOf(["", "lights"], plain),
      start_date: anyOf(["", "2026-01-01T00:00:00Z"], plain),
      end_date: anyOf(["", "2026-12-31T00:00:00+03:30"], plain),
      status: anyOf(["", "open", "open,closed"], plain),
    }),
  },
  {
    file: "m.$slug.open311.v2.requests[.xml].tsx",
    runs: 5,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ status: anyOf(["", "open", "maybe"], plain) }),
  },
  {
    file: "m.$slug.open311.v2.services[.xml].tsx",
    runs: 3,
    params: inMunicipality,
  },
  {
    file: "m.$slug.open311.v2.requests.$id.tsx",
    runs: 5,
    noPage: true,
    params: (t) =>
      fc.record({ slug: fc.constant(t.municipality.slug), id: fc.constantFrom("1.json", "99.json", "99.xml") }),
  },
  {
    file: "m.$slug.open311.v2.tokens.$token.tsx",
    runs: 5,
    noPage: true,
    params: (t) => fc.record({ slug: fc.constant(t.municipality.slug), token: fc.constantFrom("abc.json", "abc.xml") }),
  },
  {
    file: "help._index.tsx",
    runs: 4,
    query: (_t, _w, plain) => ({ q: anyOf(["vote", "رأی", "letter code", ""], plain) }),
  },
  {
    file: "help.$page.tsx",
    runs: 4,
    params: (_t, _w, plain) => fc.record({ page: anyOf(["vote", "glossary", "nope"], plain) }),
  },
  { file: "accessibility.tsx", runs: 3 },
  // A redirect to the questions guide: no page of its own.
  { file: "faq.tsx", runs: 3, plainStatus: 301 },
  { file: "api.openapi[.json].tsx", runs: 3 },
  {
    file: "m.$slug.help._index.tsx",
    runs: 4,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ q: anyOf(["vote", "رأی", ""], plain) }),
  },
  {
    file: "m.$slug.help.$page.tsx",
    runs: 4,
    noPage: true,
    params: (t, _w, plain) =>
      fc.record({ slug: fc.constant(t.municipality.slug), page: anyOf(["opening-hours", "vote"], plain) }),
  },
  {
    file: "m.$slug.admin.help.tsx",
    reach: staff,
    runs: 6,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ page: anyOf(["opening-hours", "nope"], plain) }),
  },
  {
    file: "m.$slug.rounds.$round._index.tsx",
    runs: 12,
    params: everyRound,
    query: (t, _w, plain) => ({
      envelope: anyOf(["north", "south", "green", "city"], plain),
      district: anyOf(t.districts, plain),
      status: anyOf(["accepted", "submitted", "funded", "rejected", "withdrawn"], plain),
      q: anyOf(["park", "پارک", "%", "_", "\\"], plain),
      sort: anyOf(["newest", "supports", "cost-asc", "cost-desc", "nope"], plain),
      page: anyOf(["1", "2", "0", "-1", "999999", "1e400", "NaN"], plain),
    }),
  },
  {
    file: "m.$slug.rounds.$round.map.tsx",
    runs: 8,
    params: everyRound,
    query: (t, _w, plain) => ({
      envelope: anyOf(["north", "south", "green", "city"], plain),
      district: anyOf(t.districts, plain),
      status: anyOf(["accepted", "submitted", "funded"], plain),
      q: anyOf(["park", "پارک", "%"], plain),
    }),
  },
  {
    file: "m.$slug.rounds.$round.bundle.$file.tsx",
    runs: 8,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.past),
        file: anyOf(bundleFiles, plain),
      }),
  },
  {
    file: "m.$slug.media.$id.$file.tsx",
    runs: 6,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        id: anyOf(t.media, plain),
        file: anyOf(["400.webp", "320.webp"], plain),
      }),
  },
  { file: "m.$slug.rounds.$round.bundle[.zip].tsx", runs: 4, params: inRound("past", "voting") },
  {
    file: "m.$slug.rounds.$round.chart[.png].tsx",
    runs: 6,
    params: inRound("past", "voting"),
    query: (_t, _w, plain) => ({
      chart: anyOf([...CHART_KINDS], plain),
      lang: anyOf(["en", "fa"], plain),
      envelope: anyOf(["city", "north"], plain),
    }),
  },
  { file: "m.$slug.rounds.$round.checkpoints[.json].tsx", runs: 6, params: inRound("past", "voting", "counting") },
  { file: "m.$slug.rounds.$round.eligibility.tsx", runs: 8, params: everyRound },
  {
    file: "m.$slug.rounds.$round.implementation.$proposal.tsx",
    runs: 8,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.past),
        proposal: anyOf(t.funded, plain),
      }),
  },
  { file: "m.$slug.rounds.$round.implementation._index.tsx", runs: 6, params: inRound("past", "voting") },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal.tsx",
    runs: 10,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.voting),
        proposal: anyOf(t.accepted.slice(0, 3), plain),
      }),
    query: (_t, _w, plain) => ({ page: anyOf(["1", "2", "0", "-3", "1e308", "9007199254740993", "x"], plain) }),
  },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal_.edit.tsx",
    reach: ["author"],
    runs: 8,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.ideas),
        proposal: anyOf(t.authored, plain),
      }),
  },
  {
    file: "m.$slug.rounds.$round.proposals.$proposal_.point.tsx",
    reach: ["author", "staff", "admin"],
    runs: 8,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.ideas),
        proposal: anyOf(t.authored, plain),
      }),
    query: (_t, _w, plain) => ({ saved: anyOf(["1"], plain) }),
  },
  {
    file: "m.$slug.rounds.$round.propose.tsx",
    reach: ["verified", "resident", "author"],
    runs: 6,
    params: inRound("ideas", "voting"),
    query: (_t, _w, plain) => ({
      similarTitle: anyOf(["park", "پارک", "كتابخانه‌ي", "%", ""], plain),
      similarBody: anyOf(["trees", "درخت", "\\"], plain),
    }),
  },
  {
    file: "m.$slug.rounds.$round.receipt.tsx",
    runs: 10,
    params: inRound("voting", "past"),
    query: (t, _w, plain) => ({ ballot: anyOf(t.ballots, plain), format: anyOf(["", "json", "html"], plain) }),
  },
  {
    file: "m.$slug.rounds.$round.receipt[.json].tsx",
    runs: 8,
    params: inRound("past", "voting"),
    query: (t, _w, plain) => ({ ballot: anyOf(plain ? t.pastBallots : t.ballots, plain) }),
  },
  { file: "m.$slug.rounds.$round.results.tsx", runs: 8, params: inRound("past", "voting", "counting") },
  {
    file: "m.$slug.rounds.$round.results_.equal-shares.tsx",
    runs: 8,
    params: inRound("past", "voting", "counting"),
  },
  { file: "m.$slug.rounds.$round.survey.tsx", runs: 6, params: inRound("consultation", "voting") },
  {
    file: "m.$slug.rounds.$round.vote.$envelope.tsx",
    reach: ["verified", "resident", "staff"],
    runs: 8,
    params: (t, _w, plain) =>
      fc.record({
        slug: fc.constant(t.municipality.slug),
        round: fc.constant(t.rounds.voting),
        envelope: anyOf(t.envelopes[t.rounds.voting], plain),
      }),
  },
  {
    file: "m.$slug.verify.tsx",
    reach: ["resident", "verified", "author"],
    runs: 6,
    params: inMunicipality,
    query: (_t, _w, plain) => ({ next: anyOf(["/m/first", "//evil.example", "https://evil.example"], plain) }),
  },
];

/* ------------------------------------------------------------------ requests */

interface Visit {
  role: Role;
  /** Which municipality the address is about. */
  tenant: "A" | "B";
  address: { url: string; params: Params };
  cookie: "plain" | "garbage-session" | "locale-fa" | "bad-locale";
  locale: "en" | "fa";
}

function visitArb(w: World, route: LoaderRoute): fc.Arbitrary<Visit> {
  const foreign = (t: Tenant) =>
    anyOf<Value>([
      t.municipality.slug,
      ...t.accepted.slice(0, 2),
      ...t.funded,
      ...t.comments,
      ...t.ballots.slice(0, 2),
      ...t.emails.slice(0, 2),
    ]);
  const odd = fc.constantFrom<Value>(
    "..",
    "%00",
    "\u0000",
    "a/b",
    "%2e%2e",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "\u202e",
    "x".repeat(5_000),
  );
  const pathFile = route.file === "../root.tsx" ? "_index.tsx" : route.file;
  return fc.tuple(fc.constantFrom<"A" | "B">("A", "A", "A", "A", "A", "B"), fc.nat()).chain(([which, k]) => {
    const t = w[which];
    const other = w[which === "A" ? "B" : "A"];
    const params = route.params ? route.params(t, w) : fc.constant({} as Params);
    // The other municipality's round, proposal, envelope or file under this one's slug (an id from elsewhere).
    const mixed = (route.params?.(other, w) ?? fc.constant({} as Params)).map((p) =>
      "slug" in p ? { ...p, slug: t.municipality.slug } : p,
    );
    const hostileParams = fc.oneof(
      { weight: 6, arbitrary: params },
      { weight: 2, arbitrary: mixed },
      {
        weight: 2,
        arbitrary: fc.tuple(params, fc.oneof(foreign(other), hostileValue, odd)).map(([p, v]) => {
          const names = Object.keys(p);
          // Node refuses request lines over 16 KB: no loader ever sees a longer address.
          const value = text(typeof v === "string" ? v : { ...v, times: Math.min(v.times, 2_000) });
          return names.length ? { ...p, [names[k % names.length]]: value } : p;
        }),
      },
    );
    // Each query parameter the loader reads: valid-looking, hostile or absent; then up to two it does not read.
    const validQuery = route.query?.(t, w) ?? {};
    const asOne = (v: Value) => text(typeof v === "string" ? v : { ...v, times: Math.min(v.times, 2_000) });
    const known = Object.entries(validQuery).map(([key, valid]) =>
      fc.oneof(
        { weight: 5, arbitrary: valid.map((v): [string, string][] => [[key, v]]) },
        {
          weight: 2,
          arbitrary: fc.oneof(hostileValue, odd, foreign(other)).map((v): [string, string][] => [[key, asOne(v)]]),
        },
        {
          weight: 1,
          arbitrary: fc.tuple(valid, valid).map(([x, y]): [string, string][] => [
            [key, x],
            [key, y],
          ]),
        },
        { weight: 2, arbitrary: fc.constant<[string, string][]>([]) },
      ),
    );
    const junk = fc.array(
      fc.tuple(
        fc.constantFrom("_data", "__proto__", "constructor", "a[]", "", "\u0000", "page", "round"),
        fc.oneof(hostileValue, odd),
      ),
      { maxLength: 2 },
    );
    const query = fc
      .tuple(fc.tuple(...known), junk)
      .map(([k1, j]) => [...k1.flat(), ...j.map(([key, v]): [string, string] => [key, asOne(v)])]);
    const reach = (route.reach ?? [...ROLES]).map((r) =>
      which === "B" && (r === "staff" || r === "admin") ? "foreignStaff" : r,
    );
    return fc.record({
      role: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...reach) },
        { weight: 1, arbitrary: fc.constantFrom(...ROLES) },
      ),
      tenant: fc.constant(which),
      address: fc
        .tuple(hostileParams, query)
        .map(([p, q]) => throughServer(pathFile, p, q))
        .filter((a): a is { url: string; params: Params } => a !== null),
      cookie: fc.constantFrom<Visit["cookie"]>(
        "plain",
        "plain",
        "plain",
        "plain",
        "garbage-session",
        "locale-fa",
        "bad-locale",
      ),
      locale: fc.constantFrom<"en" | "fa">("en", "fa"),
    });
  });
}

/** The page as its first visitor gets it: the first municipality's first parameters and valid query. */
function plainVisit(w: World, route: LoaderRoute): [Visit] {
  const sample = <T>(arb: fc.Arbitrary<T>): T => fc.sample(arb, { seed: seedFor(route.file), numRuns: 1 })[0];
  const query = Object.entries(route.query?.(w.A, w, true) ?? {}).map(([key, valid]): [string, string] => [
    key,
    sample(valid),
  ]);
  const address = throughServer(
    route.file === "../root.tsx" ? "_index.tsx" : route.file,
    sample(route.params?.(w.A, w, true) ?? fc.constant({})),
    query,
  );
  if (!address) throw new Error(`${route.file}: its first parameters are no address of it`);
  return [{ role: route.reach?.[0] ?? "verified", tenant: "A", address, cookie: "plain", locale: "en" }];
}

/* ------------------------------------------------------------------ the run */

let w: World;
let drop: () => Promise<void>;
let fingerprint: () => Promise<Fingerprint>;
const report: Record<string, Record<string, number>> = {};
/** The status of each route's first (plain) visit. */
const first = new Map<string, number>();
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

beforeAll(async () => {
  const opened = await privateDatabase();
  drop = opened.drop;
  w = await seedWorld(opened.database.db);
  fingerprint = await fingerprinter(w.db);
  bundleFiles = [
    ...((await roundBundle(w.db, scopeOf(w.A.municipality, observer), { roundSlug: w.A.rounds.past }))?.files.map(
      (f) => f.name,
    ) ?? []),
    "..%2Fround.json",
    "../round.json",
  ];
});
afterAll(async () => {
  if (process.env.FUZZ_REPORT) console.log(JSON.stringify(report, null, 1));
  await drop();
});

async function visit(route: LoaderRoute, loader: Parameters<typeof send>[0], v: Visit) {
  const { browser } = await browserFor(w, v.role);
  const cookies = new Map(browser.cookies);
  if (v.cookie === "garbage-session") cookies.set("shora_session", "\u202e../../x%00");
  if (v.cookie === "locale-fa") cookies.set("shora_locale", "fa");
  if (v.cookie === "bad-locale") cookies.set("shora_locale", "<script>");
  const cookie = [...cookies].map(([k, value]) => `${k}=${encodeURIComponent(value)}`).join("; ");
  const request = new Request(v.address.url, { headers: { cookie, "accept-language": v.locale } });
  const outcome: Outcome = await send(loader, browser, request, v.address.params);
  browser.cookies.set("shora_csrf", CSRF);
  const label = `FUZZ_SEED=${RUN_SEED} ${v.role} ${v.cookie} ${v.locale} ${v.address.url.slice(0, 300)} ${JSON.stringify(v.address.params).slice(0, 200)}\n  → ${outcome.status} ${outcome.location ?? ""} ${outcome.body.slice(0, 400)}`;
  if (!first.has(route.file)) first.set(route.file, outcome.status);
  const tally = report[route.file] ?? {};
  report[route.file] = tally;
  tally[outcome.status] = (tally[outcome.status] ?? 0) + 1;

  expect(outcome.status, label).toBeLessThan(500);
  if (outcome.location !== null) expect(outcome.location, `redirect off the site: ${label}`).toMatch(/^\/(?![/\\])/);
  if (outcome.status >= 400) {
    const { texts } = refusalMessages(outcome);
    expect(texts.length, `no message: ${label}`).toBeGreaterThan(0);
    for (const message of texts)
      expect(readable(message), `unreadable message ${JSON.stringify(message)}: ${label}`).toBe(true);
  }
  // Nothing of the other municipality: none of its marked texts, none of its ids the address did not carry.
  const slug = v.address.params.slug;
  if (slug !== undefined || route.file.startsWith("m.")) {
    const other = slug === w.B.municipality.slug ? w.A : w.B;
    if (other === w.B)
      expect(outcome.body.includes(FOREIGN_MARK), `the other municipality's text: ${label}`).toBe(false);
    // Ids are written plainly in an address (hex digits and dashes need no escaping).
    const asked = v.address.url.toLowerCase();
    const theirs = new Set(other.ids);
    const leaked = (outcome.body.match(uuid) ?? []).filter(
      (id) => theirs.has(id.toLowerCase()) && !asked.includes(id.toLowerCase()),
    );
    expect(leaked, `the other municipality's ids: ${label}`).toEqual([]);
  } else if (!route.platformWide) {
    // Pages of no municipality (home, account, platform) show no municipality's texts.
    expect(outcome.body.includes(FOREIGN_MARK), `the other municipality's text: ${label}`).toBe(false);
  }
}

describe("hostile addresses to every loader", () => {
  it("has a row for every route with a loader", () => {
    const files = fs
      .readdirSync(routesDir)
      .filter((f) => /export (async )?function loader\b/.test(fs.readFileSync(path.join(routesDir, f), "utf8")));
    expectRowPerRoute(
      "fuzzLoaders",
      LOADERS.map((r) => r.file),
      files,
      ["../root.tsx"],
    );
  });

  it("the server reads an encoded NUL in an address as U+FFFD, before any route", () => {
    const req = { url: "/m/first/rounds/%00?q=a%00b", originalUrl: "/m/first/rounds/%00?q=a%00b" };
    let passed = false;
    nulFreeAddresses()(req as never, {} as never, () => {
      passed = true;
    });
    expect(passed).toBe(true);
    expect(req).toEqual({
      url: "/m/first/rounds/%EF%BF%BD?q=a%EF%BF%BDb",
      originalUrl: "/m/first/rounds/%EF%BF%BD?q=a%EF%BF%BDb",
    });
    expect(fs.readFileSync(path.resolve(__dirname, "../../app/server/serve.ts"), "utf8")).toMatch(
      /app\.use\(nulFreeAddresses\(\)\);/,
    );
  });

  for (const route of LOADERS) {
    it(`${route.file}: no 5xx, a readable refusal, nothing of the other municipality, no write`, async () => {
      const module = await import(path.join(routesDir, route.file));
      // Every role signed in first, so that the fingerprint before already has their sessions.
      for (const role of ROLES) await browserFor(w, role);
      const before = await fingerprint();
      await fc.assert(
        fc.asyncProperty(visitArb(w, route), (v) => visit(route, module.loader, v)),
        { numRuns: runs(route.runs), seed: seedFor(route.file), endOnFailure: true, examples: [plainVisit(w, route)] },
      );
      // The plain visit, sent first, got the page (or the redirect a signed-in visitor gets from sign-up).
      expect(first.get(route.file), `${route.file}: the plain visit`).toBe(
        route.plainStatus ?? (route.noPage ? 404 : 200),
      );
      expect(changedTables(before, await fingerprint()), `${route.file}: a GET wrote to the database`).toEqual([]);
    });
  }
});
