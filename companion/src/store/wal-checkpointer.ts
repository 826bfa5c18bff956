import { PeriodicTask } from '../periodic-task.js';
import type { SqlResult } from './store.js';

/** How often, in ms, the log written since the last checkpoint is measured (one small query). */
const CHECK_EVERY_MS = 1_000;

export interface WalCheckpointerOptions {
  /** Runs SQL on the embedded store's one connection, behind whatever is already waiting for it. */
  query: (text: string) => Promise<SqlResult>;
  /** True while no query holds the connection and none waits for it. */
  isIdle: () => boolean;
  /** A count bumped each time the connection is used; unchanged means nothing was written. */
  uses: () => number;
  /** Told when a look or a checkpoint failed; the next look tries again. */
  onError: (error: unknown) => void;
}

/**
 * Keeps the embedded store's write-ahead log bounded. PostgreSQL's checkpointer starts a checkpoint
 * when the log written since the last one nears max_wal_size, so pg_wal stays about that size
 * (PostgreSQL documentation, "WAL Configuration", https://www.postgresql.org/docs/current/wal-configuration.html).
 * PGlite runs PostgreSQL as a standalone backend, where that request is never made: xlog.c asks for
 * a checkpoint only `if (IsUnderPostmaster && XLogCheckpointNeeded(...))`, and checkpoint_timeout
 * needs the checkpointer process too. Measured on PGlite 0.5 (PostgreSQL 18) with max_wal_size=64MB:
 * 530 MB in pg_wal and no checkpoint.
 *
 * So this does the checkpointer's job from outside, once a second: it measures the log written
 * since the last checkpoint's redo point (pg_control_checkpoint, which also sees the clean-up job's
 * CHECKPOINT). A CHECKPOINT holds the one connection every query shares (about 170 ms after 64 MB
 * of updates spread over a 100 MB table, measured under load; 75 ms after 16 MB), though not the event
 * loop (PGlite runs in its own thread), so it runs when it costs no one anything where it can:
 * - from half of max_wal_size, as soon as a look finds the connection idle (between bursts);
 * - at max_wal_size, at the next free moment whatever is waiting: between two transactions,
 *   never inside one (the pool hands the connection out whole). The log must stay bounded under
 *   sustained load too, where the connection is never idle.
 * A CHECKPOINT command runs at full speed (checkpoint_completion_target spreads only the
 * checkpointer's own), so it can wait for max_wal_size itself where the checkpointer starts earlier.
 * After a checkpoint PostgreSQL keeps between min_wal_size and max_wal_size of old segments to
 * reuse, so pg_wal holds about max_wal_size plus the log of one second (87 MB seen while 320 MB
 * were written; companion/test/store/wal-checkpointer.test.ts).
 */
export class WalCheckpointer {
  private readonly looks: PeriodicTask;
  private limits: { idle: number; force: number } | null = null;
  private usesSeen = -1;
  private due = false;

  constructor(private readonly options: WalCheckpointerOptions) {
    this.looks = new PeriodicTask({
      everyMs: CHECK_EVERY_MS,
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

  /** One look now: checkpoints if the log written since the last checkpoint calls for it. */
  private async look(): Promise<void> {
    const { query, isIdle, uses } = this.options;
    // Nothing ran since the last look and nothing was due then: the log cannot have grown.
    if (uses() === this.usesSeen && !this.due) return;
    this.limits ??= await readLimits(query);
    const { rows } = await query(
      'select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::bigint as written from pg_control_checkpoint()',
    );
    const written = Number(rows[0]!.written);
    this.due = written >= this.limits.idle;
    if (written >= this.limits.force || (this.due && isIdle())) {
      await query('checkpoint');
      this.due = false;
    }
    this.usesSeen = uses();
  }
}

/** max_wal_size as the server has it (set where PGlite is started), and half of it. */
async function readLimits(query: WalCheckpointerOptions['query']): Promise<{ idle: number; force: number }> {
  const { rows } = await query(
    "select pg_size_bytes(current_setting('max_wal_size'))::bigint as max_wal_size",
  );
  const force = Number(rows[0]!.max_wal_size);
  return { idle: force / 2, force };
}
