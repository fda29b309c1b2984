/**
 * A fingerprint of the database (row count and md5 of every table, or of one municipality's rows) to
 * prove that a request changed nothing, or nothing of another municipality.
 */
import { sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client";

/**
 * Columns left out of the fingerprint because they legitimately change on reads: a session's
 * `expires_at` (lucia extends a session that is used in the second half of its life).
 */
export const VOLATILE_COLUMNS: Record<string, string[]> = { sessions: ["expires_at"] };

export type Fingerprint = Map<string, { rows: number; md5: string }>;

/** Row count and md5 of every table of the public schema (every row as text, sorted). */
export async function fingerprinter(db: Db): Promise<() => Promise<Fingerprint>> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select c.table_name, c.column_name from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' order by c.table_name, c.ordinal_position`,
  );
  const byTable = new Map<string, string[]>();
  for (const c of columns) {
    if (VOLATILE_COLUMNS[c.table_name]?.includes(c.column_name)) continue;
    byTable.set(c.table_name, [...(byTable.get(c.table_name) ?? []), `"${c.column_name}"`]);
  }
  const query = sql.raw(
    [...byTable]
      .map(
        ([table, cols]) =>
          `select '${table}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from (select ${cols.join(", ")} from "${table}") x`,
      )
      .join(" union all "),
  );
  return async () => {
    const rows = await queryRows<{ t: string; n: number; h: string }>(db, query);
    return new Map(rows.map((r) => [r.t, { rows: Number(r.n), md5: r.h }]));
  };
}

/** Tables whose count or content differ between two fingerprints. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter(
    (t) => before.get(t)?.md5 !== after.get(t)?.md5 || before.get(t)?.rows !== after.get(t)?.rows,
  );
}

/**
 * Row count and md5 of one municipality's rows in every table that belongs to a municipality (by its
 * municipality_id, round_id, envelope_id, proposal_id, comment_id or update_id).
 */
export async function tenantFingerprint(db: Db, municipalityId: string): Promise<Fingerprint> {
  const columns = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select table_name, column_name from information_schema.columns where table_schema = 'public'
        and column_name in ('municipality_id', 'round_id', 'envelope_id', 'proposal_id', 'comment_id', 'update_id')`,
  );
  const R = `select id from rounds where municipality_id = '${municipalityId}'`;
  const E = `select id from envelopes where round_id in (${R})`;
  const P = `select id from proposals where envelope_id in (${E})`;
  const within: Record<string, string> = {
    municipality_id: `= '${municipalityId}'`,
    round_id: `in (${R})`,
    envelope_id: `in (${E})`,
    proposal_id: `in (${P})`,
    comment_id: `in (select id from comments where proposal_id in (${P}))`,
    update_id: `in (select id from implementation_updates where proposal_id in (${P}))`,
  };
  const order = Object.keys(within);
  const scope = new Map<string, string>();
  for (const c of columns) {
    const current = scope.get(c.table_name);
    if (!current || order.indexOf(c.column_name) < order.indexOf(current)) scope.set(c.table_name, c.column_name);
  }
  const query = [...scope]
    .map(
      ([table, column]) =>
        `select '${table}' as t, count(*)::int as n, md5(coalesce(string_agg(x::text, E'\\n' order by x::text), '')) as h from "${table}" x where "${column}" ${within[column]}`,
    )
    .join(" union all ");
  const rows = await queryRows<{ t: string; n: number; h: string }>(db, sql.raw(query));
  return new Map(rows.map((r) => [r.t, { rows: Number(r.n), md5: r.h }]));
}
