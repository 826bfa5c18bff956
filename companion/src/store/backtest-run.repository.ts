import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import { toJson } from './sql-values.js';

/** How many backtest summaries are kept: the admin page shows the newest. */
const KEPT = 100;

/** A backtest of a candidate as it was run: by whom, against which live version, over what, and its summary. */
export interface StoredBacktest<Summary = unknown, Scope = unknown> {
  /** The run's number, so a publish names the backtest the admin saw. */
  id: number;
  ranAt: string;
  author: { id: string; name: string };
  liveVersion: number | null;
  candidateHash: string;
  /** The candidate's files by name; the newest run keeps them, older ones have null. */
  candidate: Record<string, string> | null;
  scope: Scope;
  summary: Summary;
  missing: number;
}

/**
 * Keeps a backtest's summary (the newest KEPT are kept) and its candidate's files, which only the
 * newest run keeps: a candidate is published from the last backtest, and a set may be 2 MB. Answers
 * the run's id, by which it is published.
 */
export async function insertBacktestRun(
  db: Kysely<Database>,
  run: Omit<StoredBacktest, 'id'>,
): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const { id } = await tx
      .insertInto('backtest_runs')
      .values({
        ran_at: run.ranAt,
        author_id: run.author.id,
        author_name: run.author.name,
        live_version: run.liveVersion,
        candidate_hash: run.candidateHash,
        candidate: run.candidate === null ? null : toJson(run.candidate),
        scope: toJson(run.scope),
        summary: toJson(run.summary),
        missing: run.missing,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('backtest_runs')
      .set({ candidate: null })
      .where('id', '<', id)
      .where('candidate', 'is not', null)
      .execute();
    const oldest = await tx
      .selectFrom('backtest_runs')
      .select('id')
      .orderBy('id', 'desc')
      .offset(KEPT)
      .limit(1)
      .executeTakeFirst();
    if (oldest) await tx.deleteFrom('backtest_runs').where('id', '<=', oldest.id).execute();
    return id;
  });
}

/** The newest backtest kept, or with `id` that one; null when it is not kept. */
export async function readBacktestRun(db: Kysely<Database>, id?: number): Promise<StoredBacktest | null> {
  let query = db.selectFrom('backtest_runs').selectAll();
  query = id === undefined ? query.orderBy('id', 'desc').limit(1) : query.where('id', '=', id);
  const row = await query.executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    ranAt: new Date(row.ran_at).toISOString(),
    author: { id: row.author_id, name: row.author_name },
    liveVersion: row.live_version,
    candidateHash: row.candidate_hash,
    candidate: row.candidate,
    scope: row.scope,
    summary: row.summary,
    missing: row.missing,
  };
}
