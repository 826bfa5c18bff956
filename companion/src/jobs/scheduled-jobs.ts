import { sql, type Kysely } from 'kysely';
import PgBoss from 'pg-boss';
import type { CallMeter } from '../crm/call-meter.js';
import type { Database } from '../store/schema.js';
import { SchedulerNotStartedError, UnknownJobError } from './jobs.errors.js';
import type { Store } from '../store/store.js';
import { isRouteFailure, type Clock, type RoutingService } from '../routing/routing.service.js';

/**
 * The leads a job looks at, as plain filters both org adapters turn into their query; the
 * scheduled-clean-up flow then decides, lead by lead, whether each one moves.
 */
export interface CandidateFilter {
  /** Open (unconverted) leads in one of these statuses. */
  statuses: readonly string[];
  /** Only leads a person owns: a lead a queue owns is already where the job would put it. */
  personOwned?: boolean;
  /** Only leads matched to an account a BDR is actively working, and not owned by that BDR yet. */
  activelyWorkedByOtherBdr?: boolean;
}

/** The clean-up jobs of the Traction handbook ("Schedule Routing Jobs"), run by the scheduled-clean-up flow. */
export interface ScheduledJob {
  name: string;
  /** Cron, in `timezone`. */
  cron: string;
  description: string;
  candidates: CandidateFilter;
}

export const SCHEDULED_JOBS: readonly ScheduledJob[] = [
  {
    name: 'daily-status-queues',
    cron: '0 2 * * *',
    description: 'Nightly: idle Inquiry, Ineligible and Disqualified leads move to their status queues',
    candidates: { statuses: ['Inquiry', 'Ineligible', 'Disqualified'], personOwned: true },
  },
  {
    name: 'weekly-status-queues',
    cron: '0 3 * * 6',
    description: 'Saturdays: idle Raw and Recycle leads older than a week move to their status queues',
    candidates: { statuses: ['Raw', 'Recycle'], personOwned: true },
  },
  {
    name: 'daily-mql-recycle',
    cron: '30 2 * * *',
    description: 'Nightly: MQLs nobody acted on for 30 days are recycled',
    candidates: { statuses: ['MQL'] },
  },
  {
    name: 'bdr-actively-working',
    cron: '0 4 * * *',
    description: 'Nightly: leads of accounts a BDR is actively working go to that BDR',
    candidates: { statuses: ['Recycle', 'Raw', 'Inquiry'], activelyWorkedByOtherBdr: true },
  },
];

const JOB_NAMES = SCHEDULED_JOBS.map((j) => j.name);

/** The leads a job looks at, by their ids. */
export type CandidateSource = (job: string) => Promise<string[]>;

/** The job of this name; an unknown name is refused, naming the jobs that exist. */
export function scheduledJob(name: string): ScheduledJob {
  const found = SCHEDULED_JOBS.find((j) => j.name === name);
  if (!found) throw new UnknownJobError(name, JOB_NAMES);
  return found;
}

/** Candidates in the embedded demo org. */
export function localCandidates(db: Kysely<Database>): CandidateSource {
  return async (job) => {
    const filter = scheduledJob(job).candidates;
    const { rows } = await sql<{ id: string }>`
      select id from crm_records
      where object = 'Lead' and coalesce((data->>'IsConverted')::boolean, false) = false
        and data->>'Status' in (${sql.join([...filter.statuses])})
        and (${!filter.personOwned} or coalesce(data->>'OwnerId', '') not like '00G%')
        and (${!filter.activelyWorkedByOtherBdr} or exists (
          select 1 from crm_records a
          where a.object = 'Account' and a.id = crm_records.data->>'Matched_Account__c'
            and a.data->>'BDR_Prospecting_Status__c' = 'Actively Working'
            and coalesce(a.data->>'BDR_Assigned__c', '') not in ('', coalesce(crm_records.data->>'OwnerId', ''))))
      order by id
    `.execute(db);
    return rows.map((r) => r.id);
  };
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
  candidates: CandidateSource;
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
  const { service, candidates, clock = () => new Date(), meter } = context;
  const day = clock().toISOString().slice(0, 10);
  const work = async () => {
    const leadIds = await candidates(job);
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
