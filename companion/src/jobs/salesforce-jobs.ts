import type { CallMeter } from '../crm/call-meter.js';
import type { OrgReadPort } from '../crm/org-read.port.js';
import { soqlString, type SalesforceApi } from '../crm/salesforce/salesforce-api.js';
import type { SalesforceCrm } from '../crm/salesforce/salesforce.crm.js';
import type { RoutingSet } from '../engine/flow/routing-set.js';
import { OutboxWorker } from '../routing/outbox.worker.js';
import type { Clock, RoutingService } from '../routing/routing.service.js';
import type { Store } from '../store/store.js';
import { InactiveOwnerSweep, type OpenLeadsOf } from './inactive-owner.sweep.js';
import { SalesforceChangeRouter } from './salesforce-change.router.js';
import { JobScheduler, scheduledJob, type CandidateSource, type JobRun } from './scheduled-jobs.js';

const isQueueId = (id: string | null | undefined): boolean => (id ?? '').startsWith('00G');

/** Candidates in a Salesforce org: the job's filter as SOQL; what SOQL cannot compare, compared here. */
export function salesforceCandidates(api: SalesforceApi): CandidateSource {
  return async (job) => {
    const filter = scheduledJob(job).candidates;
    const where = [
      'IsConverted = false',
      `Status IN (${filter.statuses.map(soqlString).join(', ')})`,
      ...(filter.activelyWorkedByOtherBdr
        ? [`Matched_Account__r.BDR_Prospecting_Status__c = 'Actively Working'`]
        : []),
    ];
    const rows = await api.queryAll<{
      Id: string;
      OwnerId: string | null;
      Matched_Account__r?: { BDR_Assigned__c: string | null } | null;
    }>(
      `SELECT Id, OwnerId${filter.activelyWorkedByOtherBdr ? ', Matched_Account__r.BDR_Assigned__c' : ''} ` +
        `FROM Lead WHERE ${where.join(' AND ')} ORDER BY Id`,
    );
    return rows
      .filter((r) => !filter.personOwned || !isQueueId(r.OwnerId))
      .filter((r) => {
        if (!filter.activelyWorkedByOtherBdr) return true;
        // SOQL cannot compare two fields: the BDR must be set and not own the lead already.
        const bdr = r.Matched_Account__r?.BDR_Assigned__c ?? null;
        return bdr !== null && bdr !== r.OwnerId;
      })
      .map((r) => r.Id);
  };
}

/** Open leads by owner in a Salesforce org. */
export function salesforceOpenLeadsOf(api: SalesforceApi): OpenLeadsOf {
  return async (userId) => {
    const rows = await api.queryAll<{ Id: string }>(
      `SELECT Id FROM Lead WHERE OwnerId = ${soqlString(userId)} AND IsConverted = false ORDER BY Id`,
    );
    return rows.map((r) => r.Id);
  };
}

export interface SalesforceJobsOptions {
  store: Store;
  api: SalesforceApi;
  crm: SalesforceCrm;
  org: OrgReadPort;
  service: RoutingService;
  routingSet: RoutingSet;
  meter?: CallMeter;
  clock?: Clock;
  /** Where a background failure is reported (a log); nothing stops because of one. */
  onError?: (error: unknown, where: string) => void;
  onJobRun?: (run: JobRun) => void;
}

export interface SalesforceJobs {
  router: SalesforceChangeRouter;
  outbox: OutboxWorker;
  inactiveOwners: InactiveOwnerSweep;
  scheduler: JobScheduler;
  stop(): Promise<void>;
}

/**
 * What routes without being asked, against a Salesforce org: the outbox worker retrying writes the
 * org refused for a while, the inactive-owner sweep and the scheduled clean-up jobs over SOQL. The
 * returned router turns the org's change events into routing (contact ownership included when an
 * account's owner or BDR changes); the caller connects it to the feed.
 */
export async function startSalesforceJobs(options: SalesforceJobsOptions): Promise<SalesforceJobs> {
  const { store, api, crm, org, service, routingSet, clock, meter } = options;
  const report = (where: string) => (error: unknown) => options.onError?.(error, where);
  const outbox = new OutboxWorker(service, { onError: report('outbox') });
  const inactiveOwners = new InactiveOwnerSweep({
    crm,
    service,
    openLeadsOf: salesforceOpenLeadsOf(api),
    ...(clock ? { clock } : {}),
    onError: report('inactive-owner'),
  });
  const router = new SalesforceChangeRouter({
    crm,
    org,
    service,
    routingSet,
    inactiveOwners,
    ...(service.contacts ? { contacts: service.contacts } : {}),
  });
  const scheduler = new JobScheduler({
    store,
    service,
    candidates: salesforceCandidates(api),
    ...(clock ? { clock } : {}),
    ...(meter ? { meter } : {}),
    onError: report('scheduler'),
    ...(options.onJobRun ? { onRun: options.onJobRun } : {}),
  });
  outbox.start();
  inactiveOwners.start();
  await scheduler.start();
  return {
    router,
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
