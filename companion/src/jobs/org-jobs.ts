import type { CallMeter } from '../crm/call-meter.js';
import type { CrmPort } from '../crm/crm.port.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { OutboxWorker } from '../routing/outbox.worker.js';
import type { Clock, RoutingService } from '../routing/routing.service.js';
import type { Store } from '../store/store.js';
import { InactiveOwnerSweep, type OpenLeadsOf } from './inactive-owner.sweep.js';
import { JobScheduler, type CandidateSource, type JobRun } from './scheduled-jobs.js';

/** What each mode's background jobs start from. */
export interface BackgroundJobsOptions {
  store: Store;
  service: RoutingService;
  routingSet: RoutingSet;
  clock?: Clock;
  /** Counts each scheduled job run's CRM calls under the job's name. */
  meter?: CallMeter;
  /** Where a background failure is reported (a log); nothing stops because of one. */
  onError?: (error: unknown, where: string) => void;
  onJobRun?: (run: JobRun) => void;
}

export interface OrgJobs {
  outbox: OutboxWorker;
  inactiveOwners: InactiveOwnerSweep;
  scheduler: JobScheduler;
  stop(): Promise<void>;
}

/**
 * The jobs every org gets, whichever adapter reaches it: the outbox worker retrying writes the org
 * refused for a while, the inactive-owner sweep and the scheduled clean-up jobs. The adapter gives
 * the queries: the leads of an owner and each job's candidates.
 */
export async function startOrgJobs(
  options: BackgroundJobsOptions & { crm: CrmPort; openLeadsOf: OpenLeadsOf; candidates: CandidateSource },
): Promise<OrgJobs> {
  const { store, service, clock, meter } = options;
  const report = (where: string) => (error: unknown) => options.onError?.(error, where);
  const outbox = new OutboxWorker(service, { onError: report('outbox') });
  const inactiveOwners = new InactiveOwnerSweep({
    crm: options.crm,
    service,
    openLeadsOf: options.openLeadsOf,
    ...(clock ? { clock } : {}),
    onError: report('inactive-owner'),
  });
  const scheduler = new JobScheduler({
    store,
    service,
    candidates: options.candidates,
    ...(clock ? { clock } : {}),
    ...(meter ? { meter } : {}),
    onError: report('scheduler'),
    ...(options.onJobRun ? { onRun: options.onJobRun } : {}),
  });
  outbox.start();
  inactiveOwners.start();
  await scheduler.start();
  return {
    outbox,
    inactiveOwners,
    scheduler,
    async stop() {
      inactiveOwners.stop();
      await outbox.stop();
      await scheduler.stop();
    },
  };
}
