import type { Config } from '../config.js';
import type { CallMeter } from '../crm/call-meter.js';
import type { LocalOrg } from '../crm/local/local-org.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { OutboxWorker } from '../routing/outbox.worker.js';
import type { Clock, RoutingService } from '../routing/routing.service.js';
import type { Store } from '../store/store.js';
import { InactiveOwnerSweep, localOpenLeadsOf } from './inactive-owner.sweep.js';
import { InboundGenerator } from './inbound-generator.js';
import { LeadChangeRouter } from './lead-change.router.js';
import { JobScheduler, localCandidates, type JobRun } from './scheduled-jobs.js';

export interface LocalJobsOptions {
  config: Pick<Config, 'inboundRatePerMinute'>;
  store: Store;
  org: LocalOrg;
  service: RoutingService;
  routingSet: RoutingSet;
  clock?: Clock;
  /** Counts each scheduled job run's CRM calls under the job's name. */
  meter?: CallMeter;
  /** Where a background failure is reported (a log); nothing stops because of one. */
  onError?: (error: unknown, where: string) => void;
  onJobRun?: (run: JobRun) => void;
}

export interface LocalJobs {
  router: LeadChangeRouter;
  inbound: InboundGenerator;
  outbox: OutboxWorker;
  inactiveOwners: InactiveOwnerSweep;
  scheduler: JobScheduler;
  stop(): Promise<void>;
}

/**
 * Everything that routes without being asked, in local mode: route-on-create and route-on-update
 * from the demo org's change feed, the inbound demo stream, the outbox worker, the inactive-owner
 * sweep and the scheduled clean-up jobs. Called by the composition root.
 */
export async function startLocalJobs(options: LocalJobsOptions): Promise<LocalJobs> {
  const { store, org, service, routingSet, clock } = options;
  const report = (where: string) => (error: unknown) => options.onError?.(error, where);
  const router = new LeadChangeRouter({
    feed: org.feed,
    service,
    routingSet,
    onError: report('route-on-change'),
  });
  const outbox = new OutboxWorker(service, { onError: report('outbox') });
  const inbound = new InboundGenerator({
    org,
    db: store.db,
    ratePerMinute: options.config.inboundRatePerMinute,
    ...(clock ? { clock } : {}),
    onError: report('inbound'),
  });
  const inactiveOwners = new InactiveOwnerSweep({
    crm: org,
    service,
    openLeadsOf: localOpenLeadsOf(store.db),
    ...(clock ? { clock } : {}),
    onError: report('inactive-owner'),
  });
  const scheduler = new JobScheduler({
    store,
    service,
    candidates: localCandidates(store.db),
    ...(clock ? { clock } : {}),
    ...(options.meter ? { meter: options.meter } : {}),
    onError: report('scheduler'),
    ...(options.onJobRun ? { onRun: options.onJobRun } : {}),
  });
  router.start();
  outbox.start();
  inactiveOwners.start();
  await scheduler.start();
  inbound.start();
  return {
    router,
    inbound,
    outbox,
    inactiveOwners,
    scheduler,
    async stop() {
      inbound.stop();
      inactiveOwners.stop();
      await router.stop();
      await outbox.stop();
      await scheduler.stop();
    },
  };
}
