/**
 * Census import. National IDs are never stored: each becomes HMAC-SHA-256(id, municipality secret).
 *
 * Strategy (see docs/decisions/0005-verification-and-census.md): the whole file is checked first; a
 * file with bad rows is refused as a whole (report of the first 100: line, column, reason) unless staff
 * chose to skip bad rows. Valid rows are then loaded under a new import id in batches (COPY on PGlite,
 * multi-row INSERT … SELECT unnest(…) on PostgreSQL), each batch committed so progress is visible and
 * other requests are not blocked; readers only ever see the *active* import. One short transaction then
 * makes the new import active and the previous one replaced — the switch is atomic, and a crash while
 * loading leaves the old census in place.
 */
import { createHmac, randomBytes } from "node:crypto";
import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db/client";
import { censusImports, censusRecords, municipalitySecrets, verificationSettings } from "../../../db/schema";
import { type CensusProblem, type CensusRows, parseCensus } from "../../domain/verification/census";
import { type IdRules, compilePattern } from "../../domain/verification/ids";
import { dayIn } from "../../domain/rounds/phases";
import { actionBy, recordAction } from "../action-log/action-log.server";
import { type Scope, actorUserId } from "../scope";
import { districtsOf } from "../tenancy/municipality.server";
import { VerificationRefused } from "./verifications.server";

/** The municipality's census secret, created on first use (concurrent first uses agree on one). */
export async function censusSecret(db: Db | Tx, municipalityId: string): Promise<string> {
  const [found] = await db
    .select()
    .from(municipalitySecrets)
    .where(eq(municipalitySecrets.municipalityId, municipalityId));
  if (found) return found.censusSecret;
  await db
    .insert(municipalitySecrets)
    .values({ municipalityId, censusSecret: randomBytes(32).toString("base64url") })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(municipalitySecrets)
    .where(eq(municipalitySecrets.municipalityId, municipalityId));
  return row.censusSecret;
}

/** HMAC-SHA-256 of a canonical ID with the municipality's secret (base64url). */
export function identityHash(secret: string, canonicalId: string): string {
  return createHmac("sha256", secret).update(canonicalId).digest("base64url");
}

/** The municipality's ID scheme (Iranian national codes unless staff chose a pattern). */
export async function idRulesOf(db: Db | Tx, scope: Scope): Promise<IdRules> {
  const [row] = await db
    .select()
    .from(verificationSettings)
    .where(eq(verificationSettings.municipalityId, scope.municipality.id));
  return row ? { scheme: row.idScheme, pattern: row.idPattern } : { scheme: "ir-national-code", pattern: null };
}

/** Months the municipality keeps the verification record of a deleted account (ADR 0026). */
export async function retentionOf(db: Db | Tx, scope: Scope): Promise<number> {
  const [row] = await db
    .select({ months: verificationSettings.retentionMonths })
    .from(verificationSettings)
    .where(eq(verificationSettings.municipalityId, scope.municipality.id));
  return row?.months ?? 24;
}

/** Sets how long verification records of deleted accounts are kept, 0–240 months (logged). */
export async function saveRetention(db: Db, scope: Scope, input: { months: number }) {
  if (!Number.isInteger(input.months) || input.months < 0 || input.months > 240)
    throw new VerificationRefused("bad_retention", "retentionMonths");
  await db.transaction(async (tx) => {
    const before = await retentionOf(tx, scope);
    await tx
      .insert(verificationSettings)
      .values({ municipalityId: scope.municipality.id, retentionMonths: input.months, updatedAt: new Date() })
      .onConflictDoUpdate({
        target: verificationSettings.municipalityId,
        set: { retentionMonths: input.months, updatedAt: new Date() },
      });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "census.retention",
      target: `municipality:${scope.municipality.slug}`,
      before: { months: before },
      after: { months: input.months },
    });
  });
}

/** Changes the ID scheme (logged). A pattern must be a valid regular expression. */
export async function saveIdRules(db: Db, scope: Scope, rules: IdRules) {
  const pattern = rules.scheme === "pattern" ? (rules.pattern ?? "").trim() : null;
  if (rules.scheme === "pattern" && !compilePattern(pattern ?? ""))
    throw new VerificationRefused("bad_pattern", "idPattern");
  await db.transaction(async (tx) => {
    const before = await idRulesOf(tx, scope);
    await tx
      .insert(verificationSettings)
      .values({
        municipalityId: scope.municipality.id,
        idScheme: rules.scheme,
        idPattern: pattern,
        updatedAt: new Date(),
      })
      .onConflictDoUpdate({
        target: verificationSettings.municipalityId,
        set: { idScheme: rules.scheme, idPattern: pattern, updatedAt: new Date() },
      });
    await recordAction(tx, {
      ...(await actionBy(tx, scope)),
      action: "census.id_scheme",
      target: `municipality:${scope.municipality.slug}`,
      before,
      after: { scheme: rules.scheme, pattern },
    });
  });
}

const BATCH_ROWS = 10_000;
/** A running import older than this is considered dead (its process stopped) and may be replaced. */
const STALE_MS = 15 * 60_000;

interface CensusImportInput {
  fileName: string;
  text: string;
  skipBadRows: boolean;
  now?: Date;
}

interface ImportOutcome {
  importId: number;
  status: "running" | "refused";
  totalRows: number;
  badRows: number;
  problems: CensusProblem[];
  /** Resolves when loading and activation have finished (status `active` or `failed`). */
  done: Promise<"active" | "failed">;
}

/**
 * Checks a census file and, when it may be imported, starts loading it. The returned `done` settles
 * when the new census is active (or the load failed, leaving the previous census in place).
 */
export async function startCensusImport(db: Db, scope: Scope, input: CensusImportInput): Promise<ImportOutcome> {
  const now = input.now ?? new Date();
  const municipalityId = scope.municipality.id;
  const [running] = await db
    .select({ id: censusImports.id, startedAt: censusImports.startedAt })
    .from(censusImports)
    .where(and(eq(censusImports.municipalityId, municipalityId), eq(censusImports.status, "running")));
  if (running && now.getTime() - running.startedAt.getTime() < STALE_MS) {
    throw new VerificationRefused("import_running", "file", {}, 409);
  }
  if (running) {
    await db
      .update(censusImports)
      .set({ status: "failed", error: "stale", finishedAt: now })
      .where(eq(censusImports.id, running.id));
  }
  const districtRows = await districtsOf(db, scope);
  const parsed = parseCensus(input.text, {
    idRules: await idRulesOf(db, scope),
    districts: new Map(districtRows.map((d) => [d.code, d.id])),
    today: dayIn(scope.municipality.timeZone, now),
  });
  const refused = parsed.fatal !== null || parsed.rows.ids.length === 0 || (parsed.badRows > 0 && !input.skipBadRows);
  const base = {
    municipalityId,
    skipBadRows: input.skipBadRows,
    fileName: input.fileName.slice(0, 200),
    totalRows: parsed.totalRows,
    badRows: parsed.badRows,
    report: parsed.problems,
    startedBy: actorUserId(scope),
    startedAt: now,
  };
  if (refused) {
    const importId = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(censusImports)
        .values({ ...base, status: "refused", finishedAt: now })
        .returning({ id: censusImports.id });
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "census.import_refused",
        target: `census:${row.id}`,
        after: { file: base.fileName, rows: parsed.totalRows, badRows: parsed.badRows },
        at: now,
      });
      return row.id;
    });
    return {
      importId,
      status: "refused",
      totalRows: parsed.totalRows,
      badRows: parsed.badRows,
      problems: parsed.problems,
      done: Promise.resolve("failed"),
    };
  }
  const secret = await censusSecret(db, municipalityId);
  const [row] = await db
    .insert(censusImports)
    .values({ ...base, status: "running" })
    .returning({ id: censusImports.id });
  const done = loadAndActivate(db, scope, row.id, secret, parsed.rows, {
    skipped: parsed.badRows,
    file: base.fileName,
  });
  return {
    importId: row.id,
    status: "running",
    totalRows: parsed.totalRows,
    badRows: parsed.badRows,
    problems: parsed.problems,
    done,
  };
}

/** Checks and imports a census file, waiting for the load to finish (service callers and tests). */
export async function importCensus(db: Db, scope: Scope, input: CensusImportInput) {
  const outcome = await startCensusImport(db, scope, input);
  const status = outcome.status === "refused" ? "refused" : await outcome.done;
  return { ...outcome, status };
}

async function loadAndActivate(
  db: Db,
  scope: Scope,
  importId: number,
  secret: string,
  rows: CensusRows,
  summary: { skipped: number; file: string },
): Promise<"active" | "failed"> {
  try {
    const total = rows.ids.length;
    for (let start = 0; start < total; start += BATCH_ROWS) {
      const end = Math.min(total, start + BATCH_ROWS);
      await insertBatch(db, importId, secret, rows, start, end);
      await db.update(censusImports).set({ loadedRows: end }).where(eq(censusImports.id, importId));
    }
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`census:${scope.municipality.id}`}))`);
      const [self] = await tx
        .select({ status: censusImports.status })
        .from(censusImports)
        .where(eq(censusImports.id, importId));
      if (self?.status !== "running") throw new Error("import was cancelled");
      const [previous] = await tx
        .update(censusImports)
        .set({ status: "replaced" })
        .where(and(eq(censusImports.municipalityId, scope.municipality.id), eq(censusImports.status, "active")))
        .returning({ id: censusImports.id });
      await tx
        .update(censusImports)
        .set({ status: "active", loadedRows: total, finishedAt: new Date() })
        .where(eq(censusImports.id, importId));
      await recordAction(tx, {
        ...(await actionBy(tx, scope)),
        action: "census.import",
        target: `census:${importId}`,
        before: previous ? { census: previous.id } : null,
        after: { file: summary.file, records: total, skippedBadRows: summary.skipped },
      });
    });
    await purgeInactive(db, scope.municipality.id);
    return "active";
  } catch (error) {
    await db
      .update(censusImports)
      .set({
        status: "failed",
        error: error instanceof Error ? error.message.slice(0, 300) : "error",
        finishedAt: new Date(),
      })
      .where(and(eq(censusImports.id, importId), eq(censusImports.status, "running")));
    await db.delete(censusRecords).where(eq(censusRecords.importId, importId));
    return "failed";
  }
}

/** Values of a Postgres array literal; every value here is [A-Za-z0-9_-] or a date, so none needs quoting. */
function arrayLiteral(values: readonly (string | number)[]): string {
  return `{${values.join(",")}}`;
}

// biome-ignore lint/suspicious/noExplicitAny: the driver client behind drizzle (PGlite or pg.Pool).
type DriverClient = any;

async function insertBatch(db: Db, importId: number, secret: string, rows: CensusRows, start: number, end: number) {
  const client: DriverClient = (db as unknown as { $client: DriverClient }).$client;
  if (client && typeof client.dumpDataDir === "function") {
    // PGlite: COPY from an in-memory blob is the fastest path into the embedded database.
    let csv = "";
    for (let i = start; i < end; i++) {
      csv += `${importId},${identityHash(secret, rows.ids[i])},${rows.birthDates[i]},${rows.districtIds[i]},${rows.voterClasses[i]},${rows.lines[i]}\n`;
    }
    await client.query(
      "COPY census_records (import_id, identity_hash, birth_date, district_id, voter_class, line) FROM '/dev/blob' WITH (FORMAT csv)",
      [],
      { blob: new Blob([csv]) },
    );
    return;
  }
  const hashes: string[] = [];
  for (let i = start; i < end; i++) hashes.push(identityHash(secret, rows.ids[i]));
  await db.execute(sql`insert into census_records (import_id, identity_hash, birth_date, district_id, voter_class, line)
    select ${importId}::int, * from unnest(
      ${arrayLiteral(hashes)}::text[],
      ${arrayLiteral(rows.birthDates.slice(start, end))}::date[],
      ${arrayLiteral(rows.districtIds.slice(start, end))}::text[],
      ${arrayLiteral(rows.voterClasses.slice(start, end))}::text[],
      ${arrayLiteral(rows.lines.slice(start, end))}::int[])`);
}

/** Deletes the records of replaced, refused and failed imports (readers never look at them). */
async function purgeInactive(db: Db, municipalityId: string) {
  const old = await db
    .select({ id: censusImports.id })
    .from(censusImports)
    .where(
      and(eq(censusImports.municipalityId, municipalityId), inArray(censusImports.status, ["replaced", "failed"])),
    );
  if (old.length) {
    await db.delete(censusRecords).where(
      inArray(
        censusRecords.importId,
        old.map((o) => o.id),
      ),
    );
  }
}

/** The active census import of a municipality, or null. */
export async function activeImport(db: Db | Tx, scope: Scope) {
  const [row] = await db
    .select()
    .from(censusImports)
    .where(and(eq(censusImports.municipalityId, scope.municipality.id), eq(censusImports.status, "active")));
  return row ?? null;
}

/** The census entry of an identity hash in the active census (what a census match compares with). */
export async function censusEntry(db: Db | Tx, input: { municipalityId: string; identityHash: string }) {
  const [row] = await db
    .select({
      birthDate: censusRecords.birthDate,
      districtId: censusRecords.districtId,
      voterClass: censusRecords.voterClass,
      line: censusRecords.line,
    })
    .from(censusRecords)
    .innerJoin(censusImports, eq(censusImports.id, censusRecords.importId))
    .where(
      and(
        eq(censusImports.municipalityId, input.municipalityId),
        eq(censusImports.status, "active"),
        eq(censusRecords.identityHash, input.identityHash),
      ),
    );
  return row ?? null;
}

/** Recent imports (newest first) with their status, progress and report. */
export async function recentImports(db: Db, scope: Scope, input: { limit?: number } = {}) {
  return db
    .select({
      id: censusImports.id,
      status: censusImports.status,
      fileName: censusImports.fileName,
      skipBadRows: censusImports.skipBadRows,
      totalRows: censusImports.totalRows,
      loadedRows: censusImports.loadedRows,
      badRows: censusImports.badRows,
      report: censusImports.report,
      startedAt: censusImports.startedAt,
      finishedAt: censusImports.finishedAt,
    })
    .from(censusImports)
    .where(eq(censusImports.municipalityId, scope.municipality.id))
    .orderBy(desc(censusImports.id))
    .limit(input.limit ?? 10);
}

/** Census records per district and voter class in the active census (counts only). */
export async function censusSummary(db: Db, scope: Scope) {
  const current = await activeImport(db, scope);
  if (!current) return null;
  const groups = await db
    .select({
      districtId: censusRecords.districtId,
      voterClass: censusRecords.voterClass,
      n: sql<number>`count(*)::int`,
    })
    .from(censusRecords)
    .where(eq(censusRecords.importId, current.id))
    .groupBy(censusRecords.districtId, censusRecords.voterClass);
  return { import: current, groups };
}

/** Voter class codes found in the active census (for staff forms). */
export async function censusClasses(db: Db, scope: Scope): Promise<string[]> {
  const current = await activeImport(db, scope);
  if (!current) return [];
  const rows = await db
    .selectDistinct({ c: censusRecords.voterClass })
    .from(censusRecords)
    .where(eq(censusRecords.importId, current.id));
  return rows.map((r) => r.c).sort();
}

/** Marks a long-dead running import as failed (used by the page so staff can import again). */
export async function expireStaleImports(db: Db, scope: Scope, input: { now?: Date } = {}) {
  const now = input.now ?? new Date();
  await db
    .update(censusImports)
    .set({ status: "failed", error: "stale", finishedAt: now })
    .where(
      and(
        eq(censusImports.municipalityId, scope.municipality.id),
        eq(censusImports.status, "running"),
        lt(censusImports.startedAt, new Date(now.getTime() - STALE_MS)),
      ),
    );
}
