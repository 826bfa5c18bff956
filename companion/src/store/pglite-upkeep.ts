import { PeriodicTask } from '../periodic-task.js';
import type { SqlResult } from './store.js';

/** How often, in ms, the store is looked at (a few small queries, and none when it was not used). */
const LOOK_EVERY_MS = 1_000;

export interface PgliteUpkeepOptions {
  /** Runs SQL on the embedded store's one connection, behind whatever is already waiting for it. */
  query: (text: string) => Promise<SqlResult>;
  /** True while no query holds the connection and none waits for it. */
  isIdle: () => boolean;
  /** A count bumped each time the connection is used; unchanged means nothing was written. */
  uses: () => number;
  /** Told when a look, a checkpoint or an ANALYZE failed; the next look tries again. */
  onError: (error: unknown) => void;
}

/**
 * Does for the embedded store what a PostgreSQL server's background processes do for it. PGlite runs
 * PostgreSQL as a standalone backend (`--single`), with no checkpointer and no autovacuum, so once a
 * second, when the store was used since the last look, this does the jobs of both that keep a
 * working store as fast as a new one:
 * - the checkpointer's: checkpoints once enough write-ahead log is written (`checkpointIfDue`);
 * - autovacuum's auto-analyze: ANALYZEs a table once enough of its rows changed (`analyzeWhereDue`).
 * The clean-up job (jobs/store-clean-up.ts) vacuums hourly, autovacuum's other job. Each runs in the
 * store's thread, holding its one connection (queries wait, the event loop does not). PostgreSQL
 * proper does all of this itself; the store runs none of it there.
 */
export class PgliteUpkeep {
  private readonly looks: PeriodicTask;
  private limits: { idle: number; force: number } | null = null;
  private usesSeen = -1;
  private checkpointDue = false;

  constructor(private readonly options: PgliteUpkeepOptions) {
    this.looks = new PeriodicTask({
      everyMs: LOOK_EVERY_MS,
      pass: () => this.look(),
      onError: options.onError,
    });
  }

  start(): void {
    this.looks.start();
  }

  /** Stops looking; resolves once a look under way has finished, so the store can close after. */
  stop(): Promise<void> {
    return this.looks.stop();
  }

  /** One look now: checkpoints and analyzes what the work since the last look calls for. */
  private async look(): Promise<void> {
    // Nothing ran since the last look and no checkpoint was due then: nothing can have changed.
    if (this.options.uses() === this.usesSeen && !this.checkpointDue) return;
    await this.checkpointIfDue();
    await analyzeWhereDue(this.options.query);
    this.usesSeen = this.options.uses();
  }

  /**
   * Keeps the write-ahead log bounded. PostgreSQL's checkpointer starts a checkpoint when the log
   * written since the last one nears max_wal_size, so pg_wal stays about that size (PostgreSQL
   * documentation, "WAL Configuration", https://www.postgresql.org/docs/current/wal-configuration.html).
   * In a standalone backend that request is never made: xlog.c asks for a checkpoint only
   * `if (IsUnderPostmaster && XLogCheckpointNeeded(...))`, and checkpoint_timeout needs the
   * checkpointer process too. Measured on PGlite 0.5 (PostgreSQL 18) with max_wal_size=64MB: 530 MB in
   * pg_wal and no checkpoint.
   *
   * So this measures the log written since the last checkpoint's redo point (pg_control_checkpoint,
   * which also sees the clean-up job's CHECKPOINT). A CHECKPOINT holds the one connection every query
   * shares (about 170 ms after 64 MB of updates spread over a 100 MB table, measured under load; 75 ms
   * after 16 MB), so it runs when it costs no one anything where it can:
   * - from half of max_wal_size, as soon as a look finds the connection idle (between bursts);
   * - at max_wal_size, at the next free moment whatever is waiting: between two transactions,
   *   never inside one (the pool hands the connection out whole). The log must stay bounded under
   *   sustained load too, where the connection is never idle.
   * A CHECKPOINT command runs at full speed (checkpoint_completion_target spreads only the
   * checkpointer's own), so it can wait for max_wal_size itself where the checkpointer starts earlier.
   * After a checkpoint PostgreSQL keeps between min_wal_size and max_wal_size of old segments to
   * reuse, so pg_wal holds about max_wal_size plus the log of one second (87 MB seen while 320 MB
   * were written; companion/test/store/pglite-upkeep.test.ts).
   */
  private async checkpointIfDue(): Promise<void> {
    const { query, isIdle } = this.options;
    this.limits ??= await readWalLimits(query);
    const { rows } = await query(
      'select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::bigint as written from pg_control_checkpoint()',
    );
    const written = Number(rows[0]!.written);
    this.checkpointDue = written >= this.limits.idle;
    if (written >= this.limits.force || (this.checkpointDue && isIdle())) {
      await query('checkpoint');
      this.checkpointDue = false;
    }
  }
}

/** max_wal_size as the server has it (set where PGlite is started), and half of it. */
async function readWalLimits(query: PgliteUpkeepOptions['query']): Promise<{ idle: number; force: number }> {
  const { rows } = await query(
    "select pg_size_bytes(current_setting('max_wal_size'))::bigint as max_wal_size",
  );
  const force = Number(rows[0]!.max_wal_size);
  return { idle: force / 2, force };
}

/**
 * Autovacuum's auto-analyze: ANALYZEs each table whose rows inserted, updated or deleted since it was
 * last analyzed exceed autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × its rows as
 * pg_class last counted them (50 + 10 % by default; a table never vacuumed nor analyzed counts none),
 * PostgreSQL's own rule (PostgreSQL documentation, "Routine Vacuuming", "Updating Planner Statistics"
 * and "The Autovacuum Daemon", https://www.postgresql.org/docs/current/routine-vacuuming.html).
 * Returns the tables analyzed.
 *
 * The store prepares its statements once per session and plans them generically
 * (open-database.ts), from the statistics of the moment each is first run. On a new store those
 * say a table is empty (the start-up clean-up vacuums the empty tables), and a plan made then reads
 * the whole table, a cost growing with each row stored. ANALYZE updates the table's statistics,
 * which invalidates every cached plan over it: each statement is planned again, for the table as it
 * is now (a lookup of a lead's decisions read 3,001 rows a call at 3,000 decisions, and 1 once
 * analyzed; companion/test/store/store.test.ts). Planning again at each 10 % of growth keeps a plan
 * made for a table of N rows from running on more than 1.1 N + 50.
 *
 * The changes are counted in a standalone backend too (n_mod_since_analyze of pg_stat_user_tables,
 * read here through the function behind it, as the documentation's "Statistics Functions" suggests,
 * without the view's twenty other counts a table), and reach it at most once a second: a look sees
 * what changed until a second before. How long an ANALYZE takes is set by default_statistics_target
 * (open-database.ts).
 */
export async function analyzeWhereDue(query: PgliteUpkeepOptions['query']): Promise<string[]> {
  const { rows } = await query(`
    select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'm') and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
      and pg_stat_get_mod_since_analyze(c.oid) > current_setting('autovacuum_analyze_threshold')::float8
        + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)
    order by c.oid
  `);
  const names = rows.map((r) => String(r.name));
  for (const name of names) await query(`analyze ${name}`);
  return names;
}
