import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzleNodePg } from "drizzle-orm/node-postgres";
import { migrate as migrateNodePg } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import pg from "pg";
import { createKeyOnce, roundSecretName, storeSigningKeyOnce } from "./keystore";
import * as schema from "./schema/index";
import { config } from "../app/config.server";

export type Schema = typeof schema;
/** One type for both drivers: services are written once and run on PGlite and PostgreSQL alike. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export interface Database {
  db: Db;
  kind: "pglite" | "postgres";
  /** Human-readable location for logs (never includes a password). */
  where: string;
  close(): Promise<void>;
}

/** The `drizzle/` folder of the repository, found from this module (also when bundled into build/). */
function findMigrations(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, "drizzle");
    if (fs.existsSync(path.join(candidate, "meta/_journal.json"))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error("cannot find the drizzle/ migrations folder");
}

export const migrationsFolder = findMigrations();

export class DatabaseLockedError extends Error {
  readonly code = "database_locked" as const;
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database folder ${dataDir} is already open in process ${pid}. ` +
        "Two processes on one PGlite folder lose writes, so this one refuses to start. " +
        "Stop the other process (or use DATABASE_URL with PostgreSQL).",
    );
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Take an exclusive lock on a PGlite folder: a lock file created with O_EXCL holding our pid.
 * A lock left by a dead process (kill -9) is taken over; a live holder makes us refuse.
 */
export function lockDataDir(dataDir: string): () => void {
  const lockPath = path.join(dataDir, "shora.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(lockPath, "wx");
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once("exit", release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(holder) && (holder === process.pid || processIsAlive(holder))) {
        throw new DatabaseLockedError(dataDir, holder);
      }
      fs.rmSync(lockPath, { force: true }); // stale lock of a dead process
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

export interface OpenOptions {
  /** PostgreSQL connection string; when absent, the embedded PGlite database is used. */
  url?: string;
  /** PGlite folder (default ./data). Ignored when `url` is set. */
  dataDir?: string;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  /** Start PGlite from a dumped data directory (tests: migrate once, load per file). */
  loadDataDir?: Blob;
  migrate?: boolean;
  poolSize?: number;
}

/** The advisory lock (session level) held while migrating a PostgreSQL database. */
const MIGRATION_LOCK = 7_263_540_021;

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle connection the server ends (a restart, an administrator, a dropped database) is
    // dropped from the pool and reported; without a listener node-postgres would crash the process.
    pool.on("error", (error) => console.error(`database: idle connection closed: ${error.message}`));
    const db = drizzleNodePg(pool, { schema }) as unknown as Db;
    if (migrate) {
      // Several app hosts (or workers) starting at once take turns: one migrates, the others find
      // the migrations applied. Ending the locking connection releases the lock.
      const lock = new pg.Client({ connectionString: options.url });
      await lock.connect();
      try {
        await lock.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
        await moveSecretsToKeyStore(db);
        await migrateNodePg(db as never, { migrationsFolder });
      } finally {
        await lock.end();
      }
    }
    const url = new URL(options.url);
    return {
      db,
      kind: "postgres",
      where: `postgresql://${url.host}${url.pathname}`,
      close: () => pool.end(),
    };
  }

  let client: PGlite;
  let release = () => {};
  let where = "memory";
  if (options.memory || options.loadDataDir) {
    client = new PGlite({ loadDataDir: options.loadDataDir });
  } else {
    const dataDir = path.resolve(options.dataDir ?? "data");
    fs.mkdirSync(dataDir, { recursive: true });
    release = lockDataDir(dataDir);
    where = dataDir;
    try {
      client = new PGlite(path.join(dataDir, "pgdata"));
      await client.waitReady;
    } catch (error) {
      release();
      throw error;
    }
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  if (migrate) {
    await moveSecretsToKeyStore(db);
    await migratePglite(db as never, { migrationsFolder });
  }
  return {
    db,
    kind: "pglite",
    where,
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

/**
 * Before the migration that drops them: voter-key secrets and encrypted signing keys still in the
 * database move to the key store (ADR 0016). Their old bytes stay in old WAL and backups.
 */
export async function moveSecretsToKeyStore(db: Db) {
  const columns = await queryRows<{ table_name: string }>(
    db,
    sql`select table_name from information_schema.columns where table_schema = current_schema()
      and ((table_name = 'round_secrets' and column_name = 'voter_key_secret')
        or (table_name = 'municipality_keys' and column_name = 'encrypted_private_key'))`,
  );
  const has = (table: string) => columns.some((c) => c.table_name === table);
  if (has("round_secrets")) {
    const rows = await queryRows<{ round_id: string; secret: string }>(
      db,
      sql`select round_id, voter_key_secret as secret from round_secrets where voter_key_secret is not null and destroyed_at is null`,
    );
    for (const r of rows) createKeyOnce(roundSecretName(r.round_id), r.secret);
    await db.execute(sql`update round_secrets set voter_key_secret = null where voter_key_secret is not null`);
  }
  if (has("municipality_keys")) {
    const rows = await queryRows<{ municipality_id: string; public_key: string; encrypted_private_key: string }>(
      db,
      sql`select municipality_id, public_key, encrypted_private_key from municipality_keys`,
    );
    for (const r of rows) {
      const stored = storeSigningKeyOnce(r.municipality_id, {
        publicKey: r.public_key,
        encryptedPrivateKey: r.encrypted_private_key,
      });
      if (stored.publicKey !== r.public_key)
        throw new Error(`the key store holds another signing key for municipality ${r.municipality_id}`);
    }
  }
}

/** Opens the database the environment names: DATABASE_URL, else PGlite in SHORA_DATA_DIR or ./data. */
export function openDatabaseFromEnv(extra: Partial<OpenOptions> = {}): Promise<Database> {
  const { databaseUrl, dataDir } = config();
  return openDatabase({
    url: databaseUrl,
    dataDir,
    ...extra,
  });
}

/** Runs raw SQL and returns its rows (both drivers answer `{ rows }`). */
export async function queryRows<T extends Record<string, unknown>>(db: Db | Tx, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
