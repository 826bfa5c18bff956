import PgBoss from 'pg-boss';
import type { CallMeter } from '../crm/call-meter.js';
import type { CrmPort, LeadFilter } from '../crm/crm.port.js';
import { RECYCLE_STATUSES } from '../engine/lead-status.js';
import { nextCronRun } from './cron.js';
import { NoSlaSweepError, SchedulerNotStartedError, UnknownJobError } from './jobs.errors.js';
import {
  finishJobRun,
  jobPauses,
  jobRuns,
  pruneJobRuns,
  setJobPaused,
  startJobRun,
  type JobPause,
  type JobRunCounts,
  type StoredJobRun,
} from '../store/job-run.repository.js';
import type { Store } from '../store/store.js';
import { isRouteFailure, type Clock, type RoutingService } from '../routing/routing.service.js';

/** A job the scheduler runs on its cron, once across instances, and an admin sees, runs now and pauses. */
export interface JobDefinition {
  name: string;
  /** Cron, in `timezone`. */
  cron: string;
  description: string;
  /** Days its runs are kept (a job that runs every minute); every run when absent. */
  keepRunsDays?: number;
}

/** The clean-up jobs of the Traction handbook ("Schedule Routing Jobs"), run by the scheduled-clean-up flow. */
export interface ScheduledJob extends JobDefinition {
  /**
   * The leads the job looks at on a day (YYYY-MM-DD, UTC); the scheduled-clean-up flow then decides,
   * lead by lead, whether each moves.
   */
  candidates: (day: string) => LeadFilter;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    name: 'daily-status-queues',
    cron: '0 2 * * *',
    description: 'Nightly: idle Inquiry, Ineligible and Disqualified leads move to their status queues',
    candidates: () => ({ statuses: ['Inquiry', 'Ineligible', 'Disqualified'], personOwned: true }),
  },
  {
    name: 'weekly-status-queues',
    cron: '0 3 * * 6',
    description: 'Saturdays: idle Raw and Recycle leads older than a week move to their status queues',
    candidates: () => ({ statuses: ['Raw', ...RECYCLE_STATUSES], personOwned: true }),
  },
  {
    name: 'daily-mql-recycle',
    cron: '30 2 * * *',
    description: 'Nightly: MQLs nobody acted on for 30 days are recycled',
    candidates: () => ({ statuses: ['MQL'] }),
  },
  {
    name: 'bdr-actively-working',
    cron: '0 4 * * *',
    description:
      'Nightly: leads of accounts whose BDR started actively working them the previous day go to that BDR',
    // "The job is scheduled to look at BDR Prospecting Status changes that occurred the previous day."
    candidates: (day) => ({
      statuses: [...RECYCLE_STATUSES, 'Raw', 'Inquiry'],
      activelyWorkedByOtherBdr: true,
      bdrStatusChangedOn: previousDay(day),
    }),
  },
];

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) - 86_400_000).toISOString().slice(0, 10);
}

/**
 * The SLA sweep as a job: the clocks follow new owners, due steps fire (each once: the store lets one
 * instance take a step) and the notifications waiting go out. Steps count whole working minutes.
 */
export const SLA_SWEEP_JOB: JobDefinition = {
  name: 'sla-sweep',
  cron: '* * * * *',
  description:
    'Every minute: pickup clocks follow new owners, due SLA steps fire (remind, reassign, escalate) and notifications go out',
  keepRunsDays: 7,
};

/** Every job the scheduler runs: the clean-up jobs and the SLA sweep. */
export const JOBS: readonly JobDefinition[] = [...SCHEDULED_JOBS, SLA_SWEEP_JOB];

const JOB_NAMES = JOBS.map((j) => j.name);

/** The clean-up job of this name; an unknown name is refused, naming the jobs that exist. */
export function scheduledJob(name: string): ScheduledJob {
  const found = SCHEDULED_JOBS.find((j) => j.name === name);
  if (!found) throw new UnknownJobError(name, JOB_NAMES);
  return found;
}

/** The job of this name, of any kind; an unknown name is refused, naming the jobs that exist. */
export function jobDefinition(name: string): JobDefinition {
  const found = JOBS.find((j) => j.name === name);
  if (!found) throw new UnknownJobError(name, JOB_NAMES);
  return found;
}

/** The SLA sweep's body, run by the scheduler: a real pass, or what one would do now. */
export interface SlaSweepRunner {
  run(options: { dryRun: boolean }): Promise<Omit<JobRunCounts, 'apiCalls'>>;
}

export interface JobRun {
  job: string;
  /** The day the run counts for (UTC): a second run that day answers from the first. */
  day: string;
  candidates: number;
  /** Leads whose owner or fields the job changed. */
  moved: number;
  unchanged: number;
  failed: number;
  /** Calls the run made to the CRM: finding the candidates and routing them. */
  apiCalls: number;
}

/** What running a job needs. */
export interface JobContext {
  service: RoutingService;
  /** Where the candidates are found. */
  crm: Pick<CrmPort, 'findLeads'>;
  clock?: Clock;
  /** Counts the run's CRM calls under the job's name. */
  meter?: CallMeter;
  /** The SLA sweep; without it the sla-sweep job is refused (this instance keeps no clocks). */
  sla?: SlaSweepRunner;
}

/**
 * Runs a job now: routes each candidate with `{ kind: 'scheduled', job }`. Request keys carry the job
 * and the day, so running it again the same day (another instance, a retry) decides nothing twice.
 * A dry run decides the same candidates the same way against each lead as it is and writes nothing.
 */
export async function runJobNow(
  context: JobContext,
  job: string,
  options: { dryRun?: boolean } = {},
): Promise<JobRun> {
  jobDefinition(job); // an unknown job is refused before anything runs
  const { service, crm, clock = () => new Date(), meter } = context;
  const day = clock().toISOString().slice(0, 10);
  const run: JobRun = { job, day, candidates: 0, moved: 0, unchanged: 0, failed: 0, apiCalls: 0 };
  const work = async () => {
    if (job === SLA_SWEEP_JOB.name) {
      if (!context.sla) throw new NoSlaSweepError();
      Object.assign(run, await context.sla.run({ dryRun: options.dryRun ?? false }));
      return;
    }
    const leadIds = await crm.findLeads(scheduledJob(job).candidates(day));
    run.candidates = leadIds.length;
    if (options.dryRun) {
      if (leadIds.length === 0) return;
      const preview = await service.reassignmentPreview({ leadIds, trigger: 'scheduled', job });
      run.moved = preview.summary.ownerChanged;
      run.failed = preview.summary.errors.candidate + preview.missing.length;
      run.unchanged = preview.summary.leads - run.moved - preview.summary.errors.candidate;
      return;
    }
    const results = await service.routeMany(
      leadIds.map((leadId) => ({
        leadId,
        trigger: { kind: 'scheduled' as const, job },
        requestKey: `${job}:${day}:${leadId}`,
      })),
    );
    for (const r of results) {
      if (isRouteFailure(r) || r.status === 'failed' || r.status === 'stale') run.failed += 1;
      else if (r.decision.outcome === 'unchanged' || r.decision.outcome === 'refused') run.unchanged += 1;
      else run.moved += 1;
    }
  };
  if (meter) run.apiCalls = (await meter.track(job, work)).calls;
  else await work();
  return run;
}

/** A job as an admin sees it in the list: what it does, when it runs, how its runs went. */
export interface JobStatus {
  name: string;
  description: string;
  /** Five-field cron, UTC. */
  cron: string;
  paused: boolean;
  /** Who paused or resumed it last, and when. */
  pauseChange: JobPause | null;
  /** Null while paused. */
  nextRunAt: string | null;
  /** The newest runs, real and dry, newest first. */
  runs: StoredJobRun[];
}

/** How many runs of each job the list shows. */
const RUNS_SHOWN = 5;

export interface JobSchedulerOptions extends JobContext {
  store: Store;
  /** Where pg-boss keeps its tables. Default 'pgboss'. */
  schema?: string;
  /** The time zone the crons are read in. Default UTC. */
  timezone?: string;
  /** How often each instance looks for due jobs. Default 10 s. */
  pollingIntervalSeconds?: number;
  onRun?: (run: JobRun) => void;
  onError?: (error: unknown) => void;
}

/**
 * The clean-up jobs and the SLA sweep on pg-boss: schedules live in the database, so with several instances on one
 * PostgreSQL each run happens once; on the embedded store pg-boss runs through the same connection.
 */
export class JobScheduler {
  private boss: PgBoss | null = null;

  constructor(private readonly options: JobSchedulerOptions) {}

  async start(): Promise<void> {
    if (this.boss) return;
    const { store } = this.options;
    const boss = new PgBoss({
      db: {
        executeSql: (text, values) => store.executeSql(text, values) as ReturnType<PgBoss.Db['executeSql']>,
      },
      schema: this.options.schema ?? 'pgboss',
    });
    boss.on('error', (error) => this.options.onError?.(error));
    await boss.start();
    for (const job of JOBS) {
      await boss.createQueue(job.name);
      await boss.schedule(job.name, job.cron, {}, { tz: this.options.timezone ?? 'UTC' });
      await boss.work(
        job.name,
        { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 10 },
        async () => {
          if ((await jobPauses(this.options.store.db)).get(job.name)?.paused) return;
          const run = await this.recorded(job.name, { dryRun: false, startedBy: null });
          this.options.onRun?.(run);
        },
      );
    }
    this.boss = boss;
  }

  /** Every scheduled job with its schedule, whether it is paused, its next run and its newest runs. */
  async list(): Promise<JobStatus[]> {
    const { store, clock = () => new Date() } = this.options;
    const pauses = await jobPauses(store.db);
    const now = clock();
    return Promise.all(
      JOBS.map(async (job) => {
        const pause = pauses.get(job.name) ?? null;
        const paused = pause?.paused ?? false;
        return {
          name: job.name,
          description: job.description,
          cron: job.cron,
          paused,
          pauseChange: pause,
          nextRunAt: paused ? null : nextCronRun(job.cron, now).toISOString(),
          runs: await jobRuns(store.db, job.name, RUNS_SHOWN),
        };
      }),
    );
  }

  /** Runs a job here and now, for real or as a dry run, and records the run under the admin's name. */
  runNow(job: string, options: { dryRun: boolean; startedBy: string }): Promise<JobRun> {
    jobDefinition(job);
    return this.recorded(job, options);
  }

  /** Pauses or resumes a job: a paused job keeps its schedule but skips its runs until resumed. */
  async setPaused(job: string, paused: boolean, changedBy: string): Promise<void> {
    jobDefinition(job);
    const { store, clock = () => new Date() } = this.options;
    await setJobPaused(store.db, job, { paused, changedBy, changedAt: clock() });
  }

  /** A run with its record: started before it runs, finished with what it did or why it stopped. */
  private async recorded(
    job: string,
    options: { dryRun: boolean; startedBy: string | null },
  ): Promise<JobRun> {
    const { store, clock = () => new Date() } = this.options;
    const startedAt = clock();
    const id = await startJobRun(store.db, {
      job,
      day: startedAt.toISOString().slice(0, 10),
      dryRun: options.dryRun,
      startedBy: options.startedBy,
      startedAt,
    });
    try {
      const run = await runJobNow(this.options, job, { dryRun: options.dryRun });
      await finishJobRun(store.db, id, { finishedAt: clock(), counts: run });
      const keep = jobDefinition(job).keepRunsDays;
      if (keep !== undefined)
        await pruneJobRuns(store.db, job, new Date(startedAt.getTime() - keep * 86_400_000));
      return run;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await finishJobRun(store.db, id, { finishedAt: clock(), error: message });
      throw error;
    }
  }

  /** Queues a job to run now on whichever instance takes it first. */
  async trigger(job: string): Promise<void> {
    jobDefinition(job); // an unknown job is refused before anything runs
    if (!this.boss) throw new SchedulerNotStartedError();
    await this.boss.send(job, {});
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
