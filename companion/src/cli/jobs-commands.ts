/** `jobs list | run <job> [--dry-run] | pause <job> | resume <job>`: the scheduled jobs, through the running companion. */
import { parseArgs } from 'node:util';
import type { JobRun, JobStatus } from '../jobs/scheduled-jobs.js';
import { CliError, connection, connectionOptions, get, post, WHAT_IF_HELP } from './admin-commands.js';

export const JOBS_HELP = `Usage: npm run cli -- jobs list
       npm run cli -- jobs run <job> [--dry-run]
       npm run cli -- jobs pause <job>
       npm run cli -- jobs resume <job>
list: each scheduled job with its schedule (cron, UTC), whether it is paused, its next run and its last
runs (when, by whom, leads looked at, moved, unchanged, failed, API calls). run: runs the job now and
prints what it did; --dry-run decides the same leads against each as it is and writes nothing. pause:
the job keeps its schedule but skips its runs until resume. Add --json for scripts.

${WHAT_IF_HELP.connection}`;

const when = (iso: string | null | undefined) =>
  iso ? iso.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC') : '—';

/** A job as GET /v1/jobs answers it: the people beside their Ids by name. */
type NamedJob = Omit<JobStatus, 'runs' | 'pauseChange'> & {
  pauseChange: (NonNullable<JobStatus['pauseChange']> & { changedByName: string | null }) | null;
  runs: Array<JobStatus['runs'][number] & { startedByName: string | null }>;
};

/** "Ada Admin (005…)", or the Id alone when the companion knows no name for it. */
const person = (id: string, name: string | null) => (name && name !== id ? `${name} (${id})` : id);

function runLine(run: NamedJob['runs'][number]): string {
  const what = run.error
    ? `failed: ${run.error}`
    : run.finishedAt
      ? `${run.candidates} looked at, ${run.moved} moved, ${run.unchanged} unchanged, ${run.failed} failed, ${run.apiCalls} API calls`
      : 'still running';
  return `    ${when(run.startedAt)}  ${run.dryRun ? 'dry run' : 'run'} by ${run.startedBy ? person(run.startedBy, run.startedByName) : 'the schedule'}: ${what}`;
}

function pauseWords(job: NamedJob): string {
  if (!job.paused) return '';
  const change = job.pauseChange;
  return change?.changedBy
    ? `  (paused by ${person(change.changedBy, change.changedByName)} at ${when(change.changedAt)})`
    : '  (paused)';
}

function formatJobs(jobs: NamedJob[]): string {
  return jobs
    .map((job) =>
      [
        `${job.name}${pauseWords(job)}`,
        `  ${job.description}`,
        `  schedule: ${job.cron} (UTC); next run: ${job.paused ? 'none while paused' : when(job.nextRunAt)}`,
        ...(job.runs.length > 0 ? ['  last runs:', ...job.runs.map(runLine)] : ['  no runs yet']),
      ].join('\n'),
    )
    .join('\n\n');
}

export async function jobsCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...connectionOptions, 'dry-run': { type: 'boolean' } },
  });
  const [action, job] = positionals;
  if (values.help || !action) {
    console.log(JOBS_HELP);
    return values.help ? 0 : 2;
  }
  const c = connection(values, env);
  const print = (json: unknown, text: string) =>
    console.log(values.json ? JSON.stringify(json, null, 2) : text);
  if (action === 'list') {
    const { items } = (await (await get(c, '/v1/jobs')).json()) as { items: NamedJob[] };
    print(items, formatJobs(items));
    return 0;
  }
  if (!['run', 'pause', 'resume'].includes(action)) {
    throw new CliError(`Unknown jobs command '${action}'.\n\n${JOBS_HELP}`, 2);
  }
  if (!job) throw new CliError(`Name the job to ${action}: npm run cli -- jobs list shows them.`, 2);
  const path = `/v1/jobs/${encodeURIComponent(job)}/${action}`;
  if (action === 'run') {
    const dryRun = values['dry-run'] ?? false;
    const run = (await (await post(c, path, { dryRun })).json()) as JobRun & { dryRun: boolean };
    print(
      run,
      `${dryRun ? 'Dry run of' : 'Ran'} ${run.job} for ${run.day}: ${run.candidates} leads looked at, ` +
        `${run.moved} ${dryRun ? 'would move' : 'moved'}, ${run.unchanged} unchanged, ${run.failed} failed, ` +
        `${run.apiCalls} API calls.${dryRun ? ' Nothing was written.' : ''}`,
    );
    return 0;
  }
  const status = (await (await post(c, path, {})).json()) as NamedJob;
  print(status, formatJobs([status]));
  return 0;
}
