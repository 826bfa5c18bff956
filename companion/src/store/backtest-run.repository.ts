import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/** How many backtest summaries are kept: the admin page shows the newest. */
const KEPT = 100;

/** A backtest of a candidate as it was run: by whom, against which live version, over what, and its summary. */
export interface StoredBacktest<Summary = unknown, Scope = unknown> {
  ranAt: string;
  author: { id: string; name: string };
  liveVersion: number | null;
  candidateHash: string;
  scope: Scope;
  summary: Summary;
  missing: number;
}

/** Keeps a backtest's summary (the newest KEPT are kept). */
export async function insertBacktestRun(db: Kysely<Database>, run: StoredBacktest): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('backtest_runs')
      .values({
        ran_at: run.ranAt,
        author_id: run.author.id,
        author_name: run.author.name,
        live_version: run.liveVersion,
        candidate_hash: run.candidateHash,
        scope: toJson(run.scope),
        summary: toJson(run.summary),
        missing: run.missing,
      })
      .execute();
    const oldest = await tx
      .selectFrom('backtest_runs')
      .select('id')
      .orderBy('id', 'desc')
      .offset(KEPT)
      .limit(1)
      .executeTakeFirst();
    if (oldest) await tx.deleteFrom('backtest_runs').where('id', '<=', oldest.id).execute();
  });
}

/** The newest backtest kept, or null. */
export async function latestBacktestRun(db: Kysely<Database>): Promise<StoredBacktest | null> {
  const row = await db
    .selectFrom('backtest_runs')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    ranAt: new Date(row.ran_at).toISOString(),
    author: { id: row.author_id, name: row.author_name },
    liveVersion: row.live_version,
    candidateHash: row.candidate_hash,
    scope: row.scope,
    summary: row.summary,
    missing: row.missing,
  };
}
