import type { Retention } from '../config.js';
import type { CallMeter } from '../crm/call-meter.js';
import type { CrmPort, LeadChangeSource } from '../crm/crm.port.js';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { OutboxWorker } from '../routing/outbox.worker.js';
import type { Clock, RoutingService } from '../routing/routing.service.js';
import type { Store } from '../store/store.js';
import { InactiveOwnerSweep } from './inactive-owner.sweep.js';
import { LeadChangeTrigger } from './lead-change.trigger.js';
import { SalesforceChangeTrigger } from './salesforce-change.trigger.js';
import { StoreCleanUp } from './store-clean-up.js';
import { JobScheduler, type JobRun } from './scheduled-jobs.js';
import { SlaClocks, type HandoffMeasure } from '../routing/sla-clocks.js';
import { SlaSweep } from './sla.sweep.js';
import { NotificationSender, type Notifier } from '../routing/notification-sender.js';

export interface BackgroundJobsOptions {
  store: Store;
  service: RoutingService;
  /** The org, as routing reaches it (the adapter the composition root chose). */
  crm: CrmPort;
  /** Records by Id, for turning change events into routing. */
  org: OrgReadPort;
  /**
   * An org that tells each lead change as it commits (the local demo org): its changes are routed
   * as they come, with a catch-up for what a crash lost. Without it, change events are handed to
   * `changeEvents` by the caller's feed.
   */
  leadChanges?: LeadChangeSource;
  clock?: Clock;
  /** How long the store keeps decisions, outbox rows and request keys (the store clean-up job). */
  retention: Retention;
  /** Counts each scheduled job run's CRM calls under the job's name. */
  meter?: CallMeter;
  /** Where a background failure is reported (a log); nothing stops because of one. */
  onError?: (error: unknown, where: string) => void;
  onJobRun?: (run: JobRun) => void;
  /** Each handoff measured (time to assign, to first touch), for the metrics. */
  onHandoff?: (measure: HandoffMeasure) => void;
  /** How SLA notifications reach people (one row per notifier's channel); none logs them. */
  notifiers?: readonly Notifier[];
  /** Where a notification goes when no notifier is given. */
  onNotify?: (message: string, recipientId: string) => void;
}

export interface BackgroundJobs {
  outbox: OutboxWorker;
  inactiveOwners: InactiveOwnerSweep;
  scheduler: JobScheduler;
  storeCleanUp: StoreCleanUp;
  /** Routes the lead changes `leadChanges` tells; null without one. */
  leadChangeTrigger: LeadChangeTrigger | null;
  /** Routes change events (Salesforce change data capture); the caller connects it to its feed. */
  changeEvents: SalesforceChangeTrigger;
  /** The leads' SLA clocks (Accept, Reject, the clock on the lead page, the handoff report). */
  slaClocks: SlaClocks;
  stop(): Promise<void>;
}

/**
 * Everything that routes without being asked, whichever adapter reaches the org: route-on-change,
 * the outbox worker retrying writes the org refused for a while, the inactive-owner sweep, the
 * scheduled clean-up jobs (their list is `SCHEDULED_JOBS`: a new job is one entry there) and the SLA
 * sweep, which the scheduler runs as the sla-sweep job. Started
 * by the composition root; reads the org only through the CRM port.
 */
export async function startBackgroundJobs(options: BackgroundJobsOptions): Promise<BackgroundJobs> {
  const { store, service, crm, clock, meter } = options;
  const report = (where: string) => (error: unknown) => options.onError?.(error, where);
  const outbox = new OutboxWorker(service, { onError: report('outbox') });
  const inactiveOwners = new InactiveOwnerSweep({
    crm,
    service,
    ...(clock ? { clock } : {}),
    onError: report('inactive-owner'),
  });
  const storeCleanUp = new StoreCleanUp({
    store,
    retention: options.retention,
    ...(clock ? { clock } : {}),
    onError: report('store-clean-up'),
  });
  const leadChangeTrigger = options.leadChanges
    ? new LeadChangeTrigger({
        feed: options.leadChanges,
        service,
        crm,
        resume: store.replayIds,
        ...(clock ? { clock } : {}),
        onError: report('route-on-change'),
      })
    : null;
  const changeEvents = new SalesforceChangeTrigger({
    crm,
    org: options.org,
    service,
    resume: store.replayIds,
    ...(clock ? { clock } : {}),
    inactiveOwners,
    ...(service.contacts ? { contacts: service.contacts } : {}),
  });
  const notifiers: readonly Notifier[] = options.notifiers?.length
    ? options.notifiers
    : [{ channel: 'log', send: async (n) => options.onNotify?.(n.message, n.recipientId) }];
  const slaClocks = new SlaClocks({
    store,
    crm,
    // The live set, read at each use: a published version's SLA policies apply from then on.
    get set() {
      return service.routingSet;
    },
    user: (id) => service.org.directory.user(id),
    queue: (id) => service.org.directory.queue(id),
    routeMany: (requests) => service.routeMany(requests),
    ...(clock ? { clock } : {}),
    channels: notifiers.map((n) => n.channel),
    ...(options.onHandoff ? { onHandoff: options.onHandoff } : {}),
  });
  const slaSweep = new SlaSweep({
    clocks: slaClocks,
    notifications: new NotificationSender({
      store,
      notifiers,
      user: (id) => service.org.directory.user(id),
      ...(clock ? { clock } : {}),
    }),
  });
  const scheduler = new JobScheduler({
    store,
    service,
    crm,
    ...(clock ? { clock } : {}),
    ...(meter ? { meter } : {}),
    // The SLA sweep is one of its jobs (sla-sweep): listed, run now and paused like the others.
    sla: slaSweep,
    onError: report('scheduler'),
    ...(options.onJobRun ? { onRun: options.onJobRun } : {}),
  });
  leadChangeTrigger?.start();
  outbox.start();
  inactiveOwners.start();
  storeCleanUp.start();
  await scheduler.start();
  return {
    outbox,
    inactiveOwners,
    scheduler,
    storeCleanUp,
    leadChangeTrigger,
    changeEvents,
    slaClocks,
    async stop() {
      await inactiveOwners.stop();
      await leadChangeTrigger?.stop();
      await outbox.stop();
      await storeCleanUp.stop();
      await scheduler.stop();
    },
  };
}
