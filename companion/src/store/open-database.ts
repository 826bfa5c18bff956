import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Kysely, Migrator, PostgresDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { LockFile } from './lock-file.js';
import { MIGRATIONS } from './migrations.js';
import { PgliteConnection, type PgliteStatements } from './pglite-connection.js';
import { PgliteUpkeep } from './pglite-upkeep.js';
import { PgliteThread } from './pglite-thread.js';
import { PreparedStatementPool } from './prepared-statements.js';
import type { Database } from './schema.js';
import { Store, type SqlResult } from './store.js';
import { StoreError, StoreNotMigratedError, StoreOpenError } from './store.errors.js';

/** A data folder of this name keeps the embedded store in memory: for tests and throwaway runs. */
export const IN_MEMORY = 'memory://';

export interface OpenDatabaseOptions {
  /**
   * PostgreSQL only: keep every table in this schema (created if missing), e.g. one per test file
   * so parallel suites never share rows. Lowercase letters, digits and underscores.
   */
  schema?: string;
  /** PostgreSQL only: connections in the pool. Default 10. */
  maxConnections?: number;
  /**
   * False: leave the tables as they are (a diagnostic such as `npm run doctor` must change nothing);
   * a store whose tables are missing, older or newer than this checkout's migrations is refused with
   * StoreNotMigratedError. Default true: bring them up to date.
   */
  migrate?: boolean;
}

const migrationProvider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Opens the companion's database and brings its tables up to date: PostgreSQL when `databaseUrl`
 * is set, otherwise the embedded PGlite store in `dataDir` (held with a lock file so no second
 * process opens it; `memory://` keeps it in memory), run in a worker thread of its own
 * (PgliteThread) so its work never holds the event loop that serves requests.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
  options: OpenDatabaseOptions = {},
): Promise<Store> {
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
    throw new StoreError(
      'STORE_SCHEMA_INVALID',
      `Schema name "${options.schema}" is not allowed: use lowercase letters, digits and underscores.`,
    );
  }
  const store = config.databaseUrl
    ? await openPostgres(config.databaseUrl, options)
    : await openPglite(config.dataDir);
  try {
    if (options.migrate === false) await assertMigrated(store);
    else await migrate(store, options.schema);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

async function migrate(store: Store, schema: string | undefined): Promise<void> {
  const migrator = new Migrator({
    db: store.db as Kysely<unknown>,
    provider: migrationProvider,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (error) throw new StoreOpenError('the database: its tables could not be brought up to date', error);
}

/** Refuses a store whose applied migrations are not exactly this checkout's, changing nothing. */
async function assertMigrated(store: Store): Promise<void> {
  const known = Object.keys(MIGRATIONS).sort();
  const { rows: found } = await store.executeSql(
    `select to_regclass('kysely_migration') is not null as "exists"`,
  );
  const applied = found[0]?.['exists']
    ? (await store.executeSql('select name from kysely_migration order by name')).rows.map((r) =>
        String(r['name']),
      )
    : [];
  const newer = applied.filter((name) => !known.includes(name));
  const missing = known.filter((name) => !applied.includes(name));
  if (applied.length === 0) throw new StoreNotMigratedError('empty', known.at(-1)!, null);
  if (newer.length > 0) throw new StoreNotMigratedError('newer', known.at(-1)!, newer.at(-1)!);
  if (missing.length > 0) throw new StoreNotMigratedError('older', known.at(-1)!, applied.at(-1)!);
}

/**
 * Every session plans a prepared statement once, generically (see createKysely). Set where the session
 * starts (PGlite's start parameters, PostgreSQL's start-up options), not by a query on each new
 * connection: a connection whose first query failed would never be given back to its pool.
 */
const PLAN_GENERIC = 'plan_cache_mode=force_generic_plan';

/**
 * PGlite runs PostgreSQL as a single session (`--single`), without the checkpointer: nothing
 * checkpoints on its own, and max_wal_size is not acted on (seen here: 530 MB of log and no
 * checkpoint). PgliteUpkeep checkpoints when max_wal_size of log has been written (64 MB here,
 * 1 GB by default: a laptop's data folder, and a checkpoint that holds every request for a fraction
 * of a second, not seconds); min_wal_size is what a checkpoint keeps to reuse at least.
 *
 * Each new 16 MB segment of the log is created while a query waits for its commit, on the one
 * connection every query shares; by default PostgreSQL first fills it with zeroes, so the space is
 * allocated before it is needed (PostgreSQL documentation, "Write Ahead Log" settings, wal_init_zero).
 * That is 16 MB written in one go every few thousand re-routes, a stall of every query in flight
 * (30-40 ms measured under load, 2 ms without; measured when PGlite still ran on the main thread,
 * where it stalled every request too). PGlite already runs without fsync (`-F`), so allocating the space
 * ahead buys no safety here: with wal_init_zero off only the segment's last byte is written.
 *
 * full_page_writes is off for the same reason. It logs the whole 8 kB page at its first change after
 * each checkpoint, so that replay can mend a page the operating system wrote only in part when it
 * crashed ("Write Ahead Log" settings, full_page_writes: "might lead to … silent data corruption, after
 * a system failure"). Without fsync a system failure can lose or tear data either way; what the
 * companion does survive, a killed process, never tears a page (each page is one write call into the
 * page cache, which outlives the process), and the crash tests kill it mid-batch. Measured: 20,000
 * random updates with a checkpoint every 16 MB wrote 168 MB of log with it and 8 MB without, for 31 %
 * less CPU; fewer checkpoints follow, each shorter.
 *
 * default_statistics_target is 10, not 100. PgliteUpkeep analyzes a table each time a tenth of it has
 * changed, in the store's thread, where every query waits for it; an ANALYZE samples 300 rows per unit
 * of the target (analyze.c, std_typanalyze), whatever the table's size. At 100, 50,000 decisions took
 * 300 ms of CPU (30,000 rows read from 23,000 pages, and sorted for each column); at 10, 26–28 ms, and
 * 100–120 ms for every table of the store with the demo org (test/bench/store.bench.ts). The store's
 * statements find rows by key, by lead, by time and by status, columns of simple distributions, for
 * which "a lower limit might be sufficient" (PostgreSQL documentation, "Statistics Used by the
 * Planner"); what ANALYZE is for here is each table's size, and plans made again as it grows.
 */
const PGLITE_START = [
  '-c',
  'max_wal_size=64MB',
  '-c',
  'min_wal_size=32MB',
  '-c',
  'wal_init_zero=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'default_statistics_target=10',
  '-c',
  PLAN_GENERIC,
];

/** The embedded database's own folder inside the companion's data folder. */
function pgliteDir(dataDir: string): string {
  return path.join(dataDir, 'pgdata');
}

/**
 * True when the data folder holds an embedded database, i.e. a companion has started there. Opening a
 * folder without one creates it, so a command that only reads (the doctor) asks this first.
 */
export function embeddedStoreExists(dataDir: string): boolean {
  return dataDir !== IN_MEMORY && existsSync(pgliteDir(dataDir));
}

async function openPglite(dataDir: string): Promise<Store> {
  let lock: LockFile | null = null;
  let thread: PgliteThread;
  try {
    if (dataDir !== IN_MEMORY) {
      mkdirSync(dataDir, { recursive: true });
      lock = new LockFile(path.join(dataDir, 'switchyard.lock'));
      lock.acquire();
    }
    thread = await PgliteThread.start({
      dataDir: dataDir === IN_MEMORY ? null : pgliteDir(dataDir),
      startParams: PGLITE_START,
    });
  } catch (err) {
    lock?.release();
    if (err instanceof StoreError) throw err;
    throw new StoreOpenError(`the embedded database in ${dataDir}`, err);
  }
  // One client at a time: PGlite is a single session, so the pool must never hand it to two. Each
  // client the pool makes gets a connection of its own to the session, as it would a socket.
  const statements: PgliteStatements = { parsedStatements: {}, submittedNamedStatements: {} };
  class PgliteClient extends pg.Client {
    constructor(config: pg.ClientConfig) {
      super({ ...config, connection: new PgliteConnection(thread, statements) } as pg.ClientConfig);
    }
  }
  const pool = new pg.Pool({
    Client: PgliteClient as unknown as pg.PoolConfig['Client'],
    max: 1,
    idleTimeoutMillis: 0,
  });
  let uses = 0;
  pool.on('acquire', () => {
    uses += 1;
  });
  const upkeep = new PgliteUpkeep({
    query: (text) => pool.query(text) as Promise<SqlResult>,
    isIdle: () => pool.waitingCount === 0 && pool.idleCount === pool.totalCount,
    uses: () => uses,
    onError: (error) =>
      process.emitWarning(
        `The embedded store could not checkpoint its write-ahead log or analyze its tables (${String(error)}); it tries again in a second.`,
      ),
  });
  upkeep.start();
  const db = createKysely(pool);
  return new Store(
    db,
    'pglite',
    (text, values) => pool.query(text, values) as Promise<SqlResult>,
    async () => {
      try {
        await upkeep.stop();
        await db.destroy();
        await thread.close();
      } finally {
        lock?.release();
      }
    },
  );
}

async function openPostgres(databaseUrl: string, options: OpenDatabaseOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // Settings of the session, sent with the connection's start-up message (libpq's `options`).
    options: [`-c ${PLAN_GENERIC}`, ...(options.schema ? [`-c search_path=${options.schema}`] : [])].join(
      ' ',
    ),
  });
  // An idle connection dropped by the server must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  try {
    if (options.schema) await createSchema(pool, options.schema);
    else await pool.query('select 1');
  } catch (err) {
    await pool.end();
    throw new StoreOpenError(`PostgreSQL at ${redact(databaseUrl)}`, err);
  }
  const db = createKysely(pool);
  return new Store(
    db,
    'postgres',
    (text, values) => pool.query(text, values) as Promise<SqlResult>,
    () => db.destroy(),
  );
}

/**
 * The query builder over either backend's pool: statements run again and again are prepared once
 * per connection (see PreparedStatementPool), and each connection plans them once, generically
 * (PLAN_GENERIC), instead of again on every run. Planning costs more than running most of routing's statements
 * (on PGlite several times more: it asks the file system for the size of every table and index),
 * and PostgreSQL's default keeps re-planning statements whose parameters are arrays. A generic
 * plan cannot use a partial index whose condition is a parameter, so such conditions are written
 * as literals (e.g. object = 'Lead', status = 'pending'). A plan is made from the table's statistics
 * at its first run and kept until they change: autovacuum's ANALYZE changes them as tables grow on
 * PostgreSQL, PgliteUpkeep's on the embedded store.
 */
function createKysely(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: new PreparedStatementPool(pool),
    }),
  });
}

async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`create schema if not exists "${schema}"`);
  } catch (err) {
    // Two openers creating the same schema at once: one wins, the other sees a duplicate.
    if ((err as { code?: string }).code !== '23505') throw err;
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
