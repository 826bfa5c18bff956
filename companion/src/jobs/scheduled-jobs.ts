import PgBoss from 'pg-boss';
import type { CallMeter } from '../crm/call-meter.js';
import type { CrmPort, LeadFilter } from '../crm/crm.port.js';
import { RECYCLE_STATUSES } from '../engine/lead-status.js';
import { SchedulerNotStartedError, UnknownJobError } from './jobs.errors.js';
import type { Store } from '../store/store.js';
import { isRouteFailure, type Clock, type RoutingService } from '../routing/routing.service.js';

/** The clean-up jobs of the Traction handbook ("Schedule Routing Jobs"), run by the scheduled-clean-up flow. */
export interface ScheduledJob {
  name: string;
  /** Cron, in `timezone`. */
  cron: string;
  description: string;
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

const JOB_NAMES = SCHEDULED_JOBS.map((j) => j.name);

/** The job of this name; an unknown name is refused, naming the jobs that exist. */
export function scheduledJob(name: string): ScheduledJob {
  const found = SCHEDULED_JOBS.find((j) => j.name === name);
  if (!found) throw new UnknownJobError(name, JOB_NAMES);
  return found;
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
}

/**
 * Runs a job now: routes each candidate with `{ kind: 'scheduled', job }`. Request keys carry the job
 * and the day, so running it again the same day (another instance, a retry) decides nothing twice.
 */
export async function runJobNow(context: JobContext, job: string): Promise<JobRun> {
  scheduledJob(job); // an unknown job is refused before anything runs
  const { service, crm, clock = () => new Date(), meter } = context;
  const day = clock().toISOString().slice(0, 10);
  const work = async () => {
    const leadIds = await crm.findLeads(scheduledJob(job).candidates(day));
    const results = await service.routeMany(
      leadIds.map((leadId) => ({
        leadId,
        trigger: { kind: 'scheduled' as const, job },
        requestKey: `${job}:${day}:${leadId}`,
      })),
    );
    return { leadIds, results };
  };
  const { result, calls } = meter ? await meter.track(job, work) : { result: await work(), calls: 0 };
  const { leadIds, results } = result;
  const run: JobRun = {
    job,
    day,
    candidates: leadIds.length,
    moved: 0,
    unchanged: 0,
    failed: 0,
    apiCalls: calls,
  };
  for (const r of results) {
    if (isRouteFailure(r) || r.status === 'failed' || r.status === 'stale') run.failed += 1;
    else if (r.decision.outcome === 'unchanged' || r.decision.outcome === 'refused') run.unchanged += 1;
    else run.moved += 1;
  }
  return run;
}

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
 * The clean-up jobs on pg-boss: schedules live in the database, so with several instances on one
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
    for (const job of SCHEDULED_JOBS) {
      await boss.createQueue(job.name);
      await boss.schedule(job.name, job.cron, {}, { tz: this.options.timezone ?? 'UTC' });
      await boss.work(
        job.name,
        { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? 10 },
        async () => {
          const run = await runJobNow(this.options, job.name);
          this.options.onRun?.(run);
        },
      );
    }
    this.boss = boss;
  }

  /** Queues a job to run now on whichever instance takes it first. */
  async trigger(job: string): Promise<void> {
    scheduledJob(job); // an unknown job is refused before anything runs
    if (!this.boss) throw new SchedulerNotStartedError();
    await this.boss.send(job, {});
  }

  async stop(): Promise<void> {
    const boss = this.boss;
    this.boss = null;
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
