import { sql } from 'kysely';
import type { Retention } from '../config.js';
import { purgeDecisions } from './decision.repository.js';
import { purgeKeys } from './idempotency.repository.js';
import { purgeJobRuns } from './job-run.repository.js';
import { purgeOutbox } from './outbox.repository.js';
import type { Store } from './store.js';

/** Rows per delete: small enough that routing never waits long behind one. */
const BATCH = 5_000;
const DAY_MS = 86_400_000;

export interface Purged {
  decisions: number;
  outbox: number;
  requestKeys: number;
  /** Scheduled job runs, kept as long as decisions (a year when decisions are kept for ever). */
  jobRuns: number;
}

/**
 * Deletes what the retention no longer keeps: decisions (with their outbox rows), applied outbox
 * rows, request keys. A key never outlives its decision, so a repeated request finds its answer or
 * is decided again, never a key without a decision.
 */
export async function purgeExpired(store: Store, now: Date, retention: Retention): Promise<Purged> {
  const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const decisionsBefore = retention.decisionDays === null ? null : ago(retention.decisionDays);
  const keysBefore = ago(retention.requestKeyDays);
  const purged: Purged = { decisions: 0, outbox: 0, requestKeys: 0, jobRuns: 0 };
  const drain = async (purge: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (let n = BATCH; n === BATCH; total += n) n = await purge();
    return total;
  };
  purged.requestKeys = await drain(() =>
    purgeKeys(
      store.db,
      decisionsBefore && decisionsBefore > keysBefore ? decisionsBefore : keysBefore,
      BATCH,
    ),
  );
  purged.outbox = await drain(() => purgeOutbox(store.db, ago(retention.outboxDays), BATCH));
  if (decisionsBefore) purged.decisions = await drain(() => purgeDecisions(store.db, decisionsBefore, BATCH));
  purged.jobRuns = await purgeJobRuns(store.db, decisionsBefore ?? ago(365));
  return purged;
}

/**
 * Gives the space of deleted and updated rows back for reuse. PostgreSQL's autovacuum does this
 * itself; the embedded PGlite has no background workers, so it is asked here: VACUUM makes dead
 * rows' space reusable (and truncates empty pages at a table's end), CHECKPOINT lets the write-ahead
 * log be recycled (between passes, PgliteUpkeep keeps it bounded).
 *
 * The VACUUM analyzes too. Between passes PgliteUpkeep analyzes a table once enough of it changed,
 * counting the changes in PostgreSQL's statistics, which PGlite does not keep across a restart: what
 * changed before the companion stopped would not count. The clean-up's first pass, at start, leaves
 * every table's statistics as it finds the table. An ANALYZE reads a sample of 3,000 rows a table
 * (default_statistics_target, open-database.ts): 100–120 ms of the store thread's CPU a pass for
 * every table at 50,000 decisions with the demo org (test/bench/store.bench.ts prints it).
 */
export async function reclaimSpace(store: Store): Promise<void> {
  if (store.backend !== 'pglite') return;
  await sql`vacuum (analyze)`.execute(store.db);
  await sql`checkpoint`.execute(store.db);
}
