import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";

export const CSRF = "t".repeat(32);

/** A browser in tests: its cookies, including the CSRF cookie the server would have set. */
export class TestBrowser {
  cookies = new Map<string, string>([["shora_csrf", CSRF]]);
  constructor(
    readonly db: Db,
    readonly ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`,
  ) {}

  get context(): AppLoadContext {
    return { db: this.db, clientIp: this.ip };
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");
  }

  absorb(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attrs] = header.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = decodeURIComponent(pair.slice(eq + 1).trim());
      if (attrs.some((a) => a.trim().toLowerCase() === "max-age=0") || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(path: string): Request {
    return new Request(`http://localhost${path}`, { headers: { cookie: this.cookieHeader() } });
  }

  /** A form POST; a list of pairs sends a field several times (checkboxes). */
  post(
    path: string,
    fields: Record<string, string> | [string, string][],
    { csrf = CSRF }: { csrf?: string | null } = {},
  ): Request {
    const body = new URLSearchParams(fields);
    if (csrf !== null) body.set("_csrf", csrf);
    return new Request(`http://localhost${path}`, {
      method: "POST",
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body,
    });
  }

  /** A multipart POST (a form with file inputs), as a browser sends an upload form. */
  postMultipart(
    path: string,
    fields: Record<string, string>,
    files: Record<string, { name: string; text: string; type?: string }>,
    { csrf = CSRF }: { csrf?: string | null } = {},
  ): Request {
    const body = new FormData();
    if (csrf !== null) body.set("_csrf", csrf);
    for (const [k, v] of Object.entries(fields)) body.set(k, v);
    for (const [k, f] of Object.entries(files)) body.set(k, new File([f.text], f.name, { type: f.type ?? "text/csv" }));
    return new Request(`http://localhost${path}`, { method: "POST", headers: { cookie: this.cookieHeader() }, body });
  }
}

type Handler<A> = (args: A) => Promise<Response | unknown> | Response | unknown;

/** Runs a loader/action like Remix does; a thrown Response is returned as the response. */
export async function call<A extends LoaderFunctionArgs | ActionFunctionArgs>(
  handler: Handler<A>,
  browser: TestBrowser,
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  try {
    const result = await handler({ request, context: browser.context, params } as A);
    if (result instanceof Response) {
      browser.absorb(result);
      return result;
    }
    return new Response(JSON.stringify(result), { status: 200 });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/**
 * A fingerprint of everything the given municipalities and users own: per table, the row count and
 * an md5 of all rows. Two equal fingerprints mean a request changed nothing there (scoped, because
 * on PostgreSQL other test files write to the same database at the same time). Sessions are left
 * out: tests start one per request.
 */
export async function fingerprint(
  db: Db,
  scope: { municipalityIds: string[]; userIds: string[] },
): Promise<Record<string, string>> {
  const u = scope.userIds.length ? scope.userIds : ["-"];
  const tables: [string, SQL][] = [
    ["municipalities", sql`id in (select id from m)`],
    ["memberships", sql`municipality_id in (select id from m)`],
    ["districts", sql`municipality_id in (select id from m)`],
    ["users", sql`id in (select id from u)`],
    ["rounds", sql`municipality_id in (select id from m)`],
    ["phases", sql`round_id in (select id from r)`],
    ["envelopes", sql`round_id in (select id from r)`],
    ["proposals", sql`envelope_id in (select id from e)`],
    ["comments", sql`proposal_id in (select id from p)`],
    ["comment_flags", sql`comment_id in (select id from comments where proposal_id in (select id from p))`],
    ["subscriptions", sql`proposal_id in (select id from p)`],
    ["implementations", sql`proposal_id in (select id from p)`],
    ["implementation_updates", sql`proposal_id in (select id from p)`],
    [
      "update_comments",
      sql`update_id in (select id from implementation_updates where proposal_id in (select id from p)) or user_id in (select id from u)`,
    ],
    ["outbox", sql`municipality_id in (select id from m)`],
    ["webhook_endpoints", sql`municipality_id in (select id from m)`],
    ["reports", sql`municipality_id in (select id from m)`],
    ["report_events", sql`report_id in (select id from reports where municipality_id in (select id from m))`],
    ["open311_keys", sql`municipality_id in (select id from m)`],
    ["survey_questions", sql`round_id in (select id from r)`],
    ["survey_responses", sql`round_id in (select id from r)`],
    ["round_voter_classes", sql`round_id in (select id from r)`],
    ["round_eligibility", sql`round_id in (select id from r)`],
    ["round_secrets", sql`round_id in (select id from r)`],
    ["baskets", sql`envelope_id in (select id from e) or user_id in (select id from u)`],
    ["ballots", sql`round_id in (select id from r)`],
    ["ledger_leaves", sql`round_id in (select id from r)`],
    ["ledger_nodes", sql`round_id in (select id from r)`],
    ["checkpoints", sql`round_id in (select id from r)`],
    ["turnout", sql`round_id in (select id from r)`],
    ["tallies", sql`round_id in (select id from r)`],
    ["action_log", sql`municipality_id in (select id from m)`],
    ["municipality_keys", sql`municipality_id in (select id from m)`],
    ["municipality_secrets", sql`municipality_id in (select id from m)`],
    ["verification_settings", sql`municipality_id in (select id from m)`],
    ["census_imports", sql`municipality_id in (select id from m)`],
    ["census_records", sql`import_id in (select id from census_imports where municipality_id in (select id from m))`],
    ["verifications", sql`municipality_id in (select id from m)`],
    ["verification_attempts", sql`user_id in (select id from u)`],
    ["letter_codes", sql`municipality_id in (select id from m)`],
  ];
  const rows = await queryRows<{ t: string; n: number; h: string }>(
    db,
    sql`with m as materialized (select unnest(${`{${scope.municipalityIds.join(",")}}`}::text[]) as id),
      u as materialized (select unnest(${`{${u.join(",")}}`}::text[]) as id),
      r as materialized (select id from rounds where municipality_id in (select id from m)),
      e as materialized (select id from envelopes where round_id in (select id from r)),
      p as materialized (select id from proposals where envelope_id in (select id from e))
      ${sql.join(
        tables.map(
          ([table, where]) =>
            sql`select ${table}::text as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${sql.identifier(table)} x where ${where}`,
        ),
        sql` union all `,
      )}`,
  );
  return Object.fromEntries(rows.map((row) => [row.t, `${row.n}:${row.h}`]));
}
