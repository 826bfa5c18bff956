import type { OrgReadPort } from '../crm/org-read.port.js';
import { soqlString, type SalesforceApi } from '../crm/salesforce/salesforce-api.js';
import type { SalesforceCrm } from '../crm/salesforce/salesforce.crm.js';
import type { OpenLeadsOf } from './inactive-owner.sweep.js';
import { startOrgJobs, type BackgroundJobsOptions, type OrgJobs } from './org-jobs.js';
import { SalesforceChangeRouter } from './salesforce-change.router.js';
import { scheduledJob, type CandidateSource } from './scheduled-jobs.js';

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

export interface SalesforceJobsOptions extends BackgroundJobsOptions {
  api: SalesforceApi;
  crm: SalesforceCrm;
  org: OrgReadPort;
}

export interface SalesforceJobs extends OrgJobs {
  router: SalesforceChangeRouter;
}

/**
 * What routes without being asked, against a Salesforce org: the jobs every org gets, over SOQL.
 * The returned router turns the org's change events into routing (contact ownership included when
 * an account's owner or BDR changes); the caller connects it to the feed.
 */
export async function startSalesforceJobs(options: SalesforceJobsOptions): Promise<SalesforceJobs> {
  const { api, crm, org, service, routingSet } = options;
  const jobs = await startOrgJobs({
    ...options,
    openLeadsOf: salesforceOpenLeadsOf(api),
    candidates: salesforceCandidates(api),
  });
  const router = new SalesforceChangeRouter({
    crm,
    org,
    service,
    routingSet,
    inactiveOwners: jobs.inactiveOwners,
    ...(service.contacts ? { contacts: service.contacts } : {}),
  });
  return { ...jobs, router };
}
