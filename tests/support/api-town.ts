/**
 * A municipality with something behind every public JSON endpoint (ADR 0040): a published round
 * with a funded project being built and a signed checkpoint, a report filed through Open311, and
 * the list of requests an outside system would send, each with the route file that answers it.
 */
import type { Db } from "../../db/client";
import { issueOpen311Key } from "../../app/services/reports/open311.server";
import { fileReport, saveReportCategory } from "../../app/services/reports/reports.server";
import { changePhaseNow } from "../../app/services/rounds/rounds-admin.server";
import { scopeOf } from "../../app/services/scope";
import {
  castBallots,
  makeEnvelope,
  makeMunicipality,
  makeProposal,
  makeRound,
  makeUpdate,
  tallyAndPublish,
} from "./factories";

export interface ApiRequest {
  /** The OpenAPI path template and method this request exercises. */
  path: string;
  method: "get" | "post";
  /** The route file that answers it. */
  file: string;
  params: Record<string, string>;
  url: string;
  /** A form body (Open311 POST). */
  form?: Record<string, string>;
}

export async function seedApiTown(db: Db) {
  const town = await makeMunicipality(db, { districts: ["north"], timeZone: "Asia/Tehran" });
  const by = town.admin;
  const slug = town.municipality.slug;
  const round = await makeRound(db, { by, phase: "voting" });
  const envelope = await makeEnvelope(db, { by, round, amount: 8_000 });
  const trees = await makeProposal(db, { by, round, envelope, title: { en: "Trees", fa: "درخت" }, cost: 3_000 });
  await makeProposal(db, { by, round, envelope, title: { en: "Benches" }, cost: 6_000 });
  const [receipt] = await castBallots(db, {
    municipality: town.municipality,
    round,
    envelope,
    votes: [
      { identity: "v1", body: { approved: [trees] } },
      { identity: "v2", body: { approved: [trees] } },
    ],
  });
  await changePhaseNow(db, by, { slug: round.slug, change: "close_voting" });
  await tallyAndPublish(db, { by, round });
  await makeUpdate(db, { by, round, proposalId: trees, progress: 20, spent: 500, note: "Holes dug" });
  const scope = scopeOf(town.municipality, by.actor);
  await saveReportCategory(db, scope, {
    code: "lights",
    name: { en: "Street lighting", fa: "روشنایی معابر" },
    description: { en: "Broken street lights", fa: "چراغ خراب" },
    targetDays: 3,
    allowAnonymous: true,
    aboutProjects: false,
  });
  const apiKey = (await issueOpen311Key(db, scope, { label: "311 app" })).key;
  const filed = await fileReport(db, scopeOf(town.municipality, { kind: "observer" }), {
    categoryCode: "lights",
    description: "The lamp at the corner is out",
    lat: null,
    lon: null,
    address: "Corner of 1st and Main",
    contactEmail: null,
    proposalId: null,
    source: "open311",
    apiKeyId: null,
    locale: "en",
  } as Parameters<typeof fileReport>[2]);
  const ballotId = (receipt as { ballotId?: string }).ballotId ?? "";
  const m = { slug };
  const r = { slug, round: round.slug };
  const base = `http://localhost/m/${slug}`;
  const requests: ApiRequest[] = [
    {
      path: "/m/{slug}/api/rounds",
      method: "get",
      file: "m.$slug.api.rounds.tsx",
      params: m,
      url: `${base}/api/rounds`,
    },
    {
      path: "/m/{slug}/api/rounds/{round}/results",
      method: "get",
      file: "m.$slug.api.rounds.$round.results.tsx",
      params: r,
      url: `${base}/api/rounds/${round.slug}/results`,
    },
    {
      path: "/m/{slug}/implementation.json",
      method: "get",
      file: "m.$slug.implementation[.json].tsx",
      params: m,
      url: `${base}/implementation.json`,
    },
    {
      path: "/m/{slug}/reports/figures.json",
      method: "get",
      file: "m.$slug.reports.figures[.json].tsx",
      params: m,
      url: `${base}/reports/figures.json`,
    },
    {
      path: "/m/{slug}/rounds/{round}/checkpoints.json",
      method: "get",
      file: "m.$slug.rounds.$round.checkpoints[.json].tsx",
      params: r,
      url: `${base}/rounds/${round.slug}/checkpoints.json`,
    },
    {
      path: "/m/{slug}/rounds/{round}/receipt.json",
      method: "get",
      file: "m.$slug.rounds.$round.receipt[.json].tsx",
      params: r,
      url: `${base}/rounds/${round.slug}/receipt.json?ballot=${ballotId}`,
    },
    {
      path: "/m/{slug}/rounds/{round}/bundle/{file}",
      method: "get",
      file: "m.$slug.rounds.$round.bundle.$file.tsx",
      params: { ...r, file: "round.json" },
      url: `${base}/rounds/${round.slug}/bundle/round.json`,
    },
    {
      path: "/m/{slug}/action-log.jsonl",
      method: "get",
      file: "m.$slug.action-log[.jsonl].tsx",
      params: m,
      url: `${base}/action-log.jsonl`,
    },
    {
      path: "/m/{slug}/open311/v2/services.json",
      method: "get",
      file: "m.$slug.open311.v2.services[.json].tsx",
      params: m,
      url: `${base}/open311/v2/services.json`,
    },
    {
      path: "/m/{slug}/open311/v2/services/{service_code}.json",
      method: "get",
      file: "m.$slug.open311.v2.services.$code.tsx",
      params: { slug, code: "lights.json" },
      url: `${base}/open311/v2/services/lights.json`,
    },
    {
      path: "/m/{slug}/open311/v2/requests.json",
      method: "get",
      file: "m.$slug.open311.v2.requests[.json].tsx",
      params: m,
      url: `${base}/open311/v2/requests.json`,
    },
    {
      path: "/m/{slug}/open311/v2/requests.json",
      method: "post",
      file: "m.$slug.open311.v2.requests[.json].tsx",
      params: m,
      url: `${base}/open311/v2/requests.json`,
      form: { api_key: apiKey, service_code: "lights", description: "Another lamp is out", lat: "35.7", long: "51.4" },
    },
    {
      path: "/m/{slug}/open311/v2/requests/{service_request_id}.json",
      method: "get",
      file: "m.$slug.open311.v2.requests.$id.tsx",
      params: { slug, id: `${filed.number}.json` },
      url: `${base}/open311/v2/requests/${filed.number}.json`,
    },
    {
      path: "/m/{slug}/open311/v2/tokens/{token}.json",
      method: "get",
      file: "m.$slug.open311.v2.tokens.$token.tsx",
      params: { slug, token: `${filed.token}.json` },
      url: `${base}/open311/v2/tokens/${filed.token}.json`,
    },
    {
      path: "/api/openapi.json",
      method: "get",
      file: "api.openapi[.json].tsx",
      params: {},
      url: "http://localhost/api/openapi.json",
    },
  ];
  return { town, round, requests };
}
