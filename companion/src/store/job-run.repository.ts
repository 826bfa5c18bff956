import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/**
 * The runs of the scheduled jobs (each real or dry run, when, by whom, what it did) and whether each
 * job is paused. Everything that reads or writes them goes through here.
 */

export interface JobRunCounts {
  candidates: number;
  moved: number;
  unchanged: number;
  failed: number;
  apiCalls: number;
}

export interface StoredJobRun extends Partial<JobRunCounts> {
  id: string;
  job: string;
  day: string;
  dryRun: boolean;
  startedBy: string | null;
  startedAt: string;
  /** Absent while the run goes on. */
  finishedAt?: string;
  error?: string;
}

export interface JobPause {
  paused: boolean;
  changedBy: string | null;
  changedAt: string;
}

/** Records that a run started; returns its id, for `finishJobRun`. */
export async function startJobRun(
  db: Kysely<Database>,
  run: { job: string; day: string; dryRun: boolean; startedBy: string | null; startedAt: Date },
): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('job_runs')
    .values({
      id,
      job: run.job,
      day: run.day,
      dry_run: run.dryRun,
      started_by: run.startedBy,
      started_at: run.startedAt,
    })
    .execute();
  return id;
}

/** Records how a run ended: what it did, or why it stopped. */
export async function finishJobRun(
  db: Kysely<Database>,
  id: string,
  end: { finishedAt: Date } & ({ counts: JobRunCounts } | { error: string }),
): Promise<void> {
  const done =
    'counts' in end
      ? {
          candidates: end.counts.candidates,
          moved: end.counts.moved,
          unchanged: end.counts.unchanged,
          failed: end.counts.failed,
          api_calls: end.counts.apiCalls,
        }
      : { error: end.error };
  await db
    .updateTable('job_runs')
    .set({ finished_at: end.finishedAt, ...done })
    .where('id', '=', id)
    .execute();
}

/** The newest runs of a job (real and dry), newest first. */
export async function jobRuns(db: Kysely<Database>, job: string, limit: number): Promise<StoredJobRun[]> {
  const rows = await db
    .selectFrom('job_runs')
    .selectAll()
    .where('job', '=', job)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    job: r.job,
    day: r.day,
    dryRun: r.dry_run,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
    ...(r.error !== null ? { error: r.error } : {}),
    ...(r.candidates !== null
      ? {
          candidates: r.candidates,
          moved: r.moved ?? 0,
          unchanged: r.unchanged ?? 0,
          failed: r.failed ?? 0,
          apiCalls: r.api_calls ?? 0,
        }
      : {}),
  }));
}

/** Each paused (or resumed) job, by name; jobs never paused are absent. */
export async function jobPauses(db: Kysely<Database>): Promise<Map<string, JobPause>> {
  const rows = await db.selectFrom('job_settings').selectAll().execute();
  return new Map(
    rows.map((r) => [
      r.job,
      { paused: r.paused, changedBy: r.changed_by, changedAt: r.changed_at.toISOString() },
    ]),
  );
}

export async function setJobPaused(
  db: Kysely<Database>,
  job: string,
  pause: { paused: boolean; changedBy: string | null; changedAt: Date },
): Promise<void> {
  await db
    .insertInto('job_settings')
    .values({ job, paused: pause.paused, changed_by: pause.changedBy, changed_at: pause.changedAt })
    .onConflict((oc) =>
      oc.column('job').doUpdateSet({
        paused: pause.paused,
        changed_by: pause.changedBy,
        changed_at: pause.changedAt,
      }),
    )
    .execute();
}

/** Deletes runs started before `before`; returns how many went. */
export async function purgeJobRuns(db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('job_runs').where('started_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Deletes a job's finished runs that started before `before` (a job that runs every minute keeps a week). */
export async function pruneJobRuns(db: Kysely<Database>, job: string, before: Date): Promise<void> {
  await db
    .deleteFrom('job_runs')
    .where('job', '=', job)
    .where('started_at', '<', before)
    .where('finished_at', 'is not', null)
    .execute();
}
