import type { ContactOwnerChange } from '../../engine/contacts.js';
import type {
  ContactPort,
  CrmPort,
  CustomNotification,
  CustomNotificationPort,
  KeptObject,
  KeptRecords,
  LeadContext,
  LeadStatusValue,
  LeadConversion,
  LeadFilter,
  LeadValueField,
  LeadUpdate,
  RecordChanges,
  WriteResult,
} from '../crm.port.js';
import type {
  AccountRecord,
  ContactRecord,
  CampaignMemberRecord,
  CampaignRecord,
  LeadRecord,
  Membership,
  OpportunityRecord,
  QueueRecord,
  UserRecord,
} from '../../engine/model.js';
import type { MemberStats } from '../../engine/distribution/distribution.types.js';
import { NOT_WORKED_STATUSES } from '../../engine/lead-status.js';
import {
  chunk,
  soqlIdList,
  soqlString,
  type SalesforceCallCounts,
  type SalesforceApi,
  type SalesforceHealth,
} from './salesforce-api.js';
import {
  ACCOUNT_FIELDS,
  CAMPAIGN_FIELDS,
  CAMPAIGN_MEMBER_FIELDS,
  CONTACT_FIELDS,
  LEAD_FIELDS,
  OPPORTUNITY_FIELDS,
  USER_FIELDS,
} from './salesforce-fields.js';
import { bulkQuery, type BulkQueryOptions } from './salesforce-bulk.js';
import {
  SalesforceApiError,
  SalesforceMalformedAnswerError,
  SalesforceNotificationPermissionError,
  SalesforceTimeoutError,
} from './salesforce.errors.js';
import { BASE_FIELDS, type FieldType } from '../../engine/flow/fields.js';

/** A day as a SOQL date literal; anything but YYYY-MM-DD is refused rather than put into the query. */
const soqlDate = (day: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`'${day}' is not a date (YYYY-MM-DD)`);
  return day;
};
/** An instant as a SOQL dateTime literal, to the second, in UTC. */
const soqlDateTime = (iso: string): string => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** What the org snapshot reads of each object it keeps, as the whole reads select it. */
const KEPT_FIELDS: Record<KeptObject, readonly string[]> = {
  Account: ACCOUNT_FIELDS,
  Opportunity: OPPORTUNITY_FIELDS,
  Lead: LEAD_FIELDS,
};

/** sObject Collections take at most 200 records per request. */
export const UPDATE_BATCH = 200;
/** The SOAP convertLead call takes at most 100 LeadConvert entries. */
export const CONVERT_BATCH = 100;
/** Ids per `WHERE Id IN (...)`: keeps the GET URL well under Salesforce's 16 KB limit. */
export const IDS_PER_QUERY = 200;

/**
 * The longest a query's GET URL (`/services/data/vXX.X/query?q=` and the encoded SOQL) may be. A REST
 * request's URI and headers together may be at most 16,384 bytes, else 414 URI Too Long (Salesforce
 * Help, "Maximum number of rows returned by SOQL queries over the REST API", article 000386264); the
 * headers (the bearer token, jsforce's own) get the 4 KB left. Far below the 100,000 characters a SOQL
 * statement may have (Salesforce Developer Limits and Allocations Quick Reference, "SOQL and SOSL Limits
 * for Search Queries").
 */
const MAX_QUERY_URL = 12_288;
const QUERY_PATH = '/services/data/v99.0/query?q=';

/** The LeadFilter's value lists, each with the Lead field it filters. */
const LEAD_FILTER_LISTS = [
  ['ownerIds', 'OwnerId'],
  ['statuses', 'Status'],
  ['countries', 'Country'],
  ['states', 'State'],
  ['leadSources', 'LeadSource'],
  ['industries', 'Industry'],
] as const;

/** A whole number as a SOQL literal; anything else (NaN, 1e21) is refused rather than put into the query. */
function soqlInteger(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${n} is not a whole number a query can compare with.`);
  return String(n);
}

function leadQuery(filter: LeadFilter): string {
  const where = ['IsConverted = false'];
  if (filter.ownerId !== undefined) where.push(`OwnerId = ${soqlString(filter.ownerId)}`);
  for (const [key, field] of LEAD_FILTER_LISTS) {
    const values = filter[key];
    if (values) where.push(`${field} IN (${values.map(soqlString).join(', ')})`);
  }
  // NumberOfEmployees is an integer field: a band's ends round inwards to the whole numbers it holds.
  const { min, max } = filter.employees ?? {};
  if (min !== undefined) where.push(`NumberOfEmployees >= ${soqlInteger(Math.ceil(min))}`);
  if (max !== undefined) where.push(`NumberOfEmployees <= ${soqlInteger(Math.floor(max))}`);
  if (filter.createdSince !== undefined) where.push(`CreatedDate >= ${soqlDateTime(filter.createdSince)}`);
  if (filter.createdBefore !== undefined) where.push(`CreatedDate < ${soqlDateTime(filter.createdBefore)}`);
  if (filter.activelyWorkedByOtherBdr)
    where.push(`Matched_Account__r.BDR_Prospecting_Status__c = 'Actively Working'`);
  // Lead.Owner is polymorphic; Owner.Type is 'User' for a person and 'Queue' for a queue (SOQL and
  // SOSL Reference, "Understanding Relationship Fields and Polymorphic Fields").
  if (filter.personOwned) where.push(`Owner.Type = 'User'`);
  // A date field compares with an unquoted YYYY-MM-DD literal (SOQL and SOSL Reference, "Date
  // Formats and Date Literals").
  if (filter.bdrStatusChangedOn !== undefined)
    where.push(
      `Matched_Account__r.BDR_Prospecting_Status_Changed__c = ${soqlDate(filter.bdrStatusChangedOn)}`,
    );
  return (
    `SELECT Id, OwnerId${filter.activelyWorkedByOtherBdr ? ', In_Hopper__c, Matched_Account__r.BDR_Assigned__c' : ''} ` +
    `FROM Lead WHERE ${where.join(' AND ')} ORDER BY Id`
  );
}

/**
 * The queries that together find the filter's leads, each short enough for one GET (`MAX_QUERY_URL`):
 * while one is too long, its longest value list is halved into two queries, whose answers together are
 * the whole list's. A filter that is too long with one value in each list cannot be asked.
 */
function leadQueries(filter: LeadFilter): string[] {
  const soql = leadQuery(filter);
  if (QUERY_PATH.length + encodeURIComponent(soql).length <= MAX_QUERY_URL) return [soql];
  const longest = LEAD_FILTER_LISTS.map(([key]) => key)
    .filter((key) => (filter[key]?.length ?? 0) > 1)
    .sort((a, b) => filter[b]!.length - filter[a]!.length)[0];
  if (longest === undefined) {
    throw new RangeError(
      `The lead query is ${soql.length} characters even with one value per list, too long for one request: shorten the values.`,
    );
  }
  const values = filter[longest]!;
  const half = Math.ceil(values.length / 2);
  return [
    ...leadQueries({ ...filter, [longest]: values.slice(0, half) }),
    ...leadQueries({ ...filter, [longest]: values.slice(half) }),
  ];
}

/**
 * Sent with every record write through REST: without it Salesforce runs the org's active lead
 * assignment rules on each lead Switchyard updates and may give it another owner (REST API Developer
 * Guide, "Assignment Rule Header": the header defaults to TRUE).
 */
const NO_ASSIGNMENT_RULES = { 'Sforce-Auto-Assign': 'FALSE' };

/** Per-record errors worth trying again later; the others need a person to act. */
const RETRYABLE = new Set(['UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED', 'SERVER_UNAVAILABLE']);

export interface LockRetryPolicy {
  /** Tries for a record Salesforce could not lock (default 4). */
  attempts: number;
  /** Backoff before the n-th retry: base·2ⁿ⁻¹ with ±50% jitter (default 250 ms). */
  baseMs: number;
}

interface SfError {
  statusCode: string;
  message: string;
  fields?: string[];
}

/** One answer of an invocable action (Actions Developer Guide, "Invoking Actions"). */
interface ActionAnswer {
  actionName?: string;
  isSuccess?: boolean;
  errors?: Array<{ statusCode?: string; message: string }> | null;
}

/** The answers in a refused action call's body, or undefined when it holds none. */
function readActionAnswer(body: string): ActionAnswer[] | undefined {
  try {
    const answer: unknown = JSON.parse(body);
    return Array.isArray(answer) && answer.every((a) => typeof (a as ActionAnswer)?.isSuccess === 'boolean')
      ? (answer as ActionAnswer[])
      : undefined;
  } catch {
    return undefined;
  }
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: SfError[];
}

interface ConvertResult {
  leadId?: string | null;
  success: boolean;
  contactId?: string | null;
  opportunityId?: string | null;
  errors?: SfError[] | SfError | null;
}

interface ChildResult<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

type Raw = Record<string, unknown> & { attributes?: unknown };

/** Drops jsforce/REST `attributes` so records look as the engine expects. */
function clean<T>(raw: Raw): T {
  const { attributes: _attributes, ...rest } = raw;
  return rest as T;
}

function failure(id: string, code: string, message: string, retryable = RETRYABLE.has(code)): WriteResult {
  return { id, ok: false, code, message, retryable };
}

function fromErrors(id: string, errors: SfError[]): WriteResult {
  const first = errors[0] ?? { statusCode: 'UNKNOWN_EXCEPTION', message: 'Salesforce gave no reason' };
  const message = errors.map((e) => e.message).join('; ');
  return failure(id, first.statusCode, message);
}

/** A whole-request failure (limit, budget, auth, timeout) becomes a retryable result per record. */
function systemic(ids: string[], err: unknown): WriteResult[] {
  const e = err as { code?: string; message?: string };
  return ids.map((id) => failure(id, e.code ?? 'SF_API_ERROR', e.message ?? String(err), true));
}

export interface SalesforceCrmOptions {
  lockRetry?: Partial<LockRetryPolicy>;
  /** Records of an object above which the snapshot reads it through Bulk API 2.0 (default 10,000). */
  bulkFrom?: number;
  /** How Bulk API 2.0 query jobs are polled and paged. */
  bulk?: BulkQueryOptions;
}

/** Five REST pages: beyond this an object is read for the snapshot through Bulk API 2.0. */
const BULK_FROM = 10_000;

/** The CRM port over a customer's org, through jsforce. */
export class SalesforceCrm implements CrmPort, ContactPort, CustomNotificationPort {
  private readonly lockRetry: LockRetryPolicy;
  private converted: Promise<string[]> | null = null;
  /** CustomNotificationType Ids by DeveloperName, read once. */
  private readonly notificationTypes = new Map<string, Promise<string>>();
  private readonly bulkFrom: number;
  private readonly bulk: BulkQueryOptions;

  constructor(
    readonly api: SalesforceApi,
    options: SalesforceCrmOptions = {},
  ) {
    this.lockRetry = { attempts: 4, baseMs: 250, ...options.lockRetry };
    this.bulkFrom = options.bulkFrom ?? BULK_FROM;
    this.bulk = options.bulk ?? {};
  }

  health(): SalesforceHealth {
    return this.api.health();
  }

  apiCalls(): SalesforceCallCounts {
    return this.api.apiCalls();
  }

  async getLeadContexts(leadIds: string[]): Promise<Map<string, LeadContext>> {
    const out = new Map<string, LeadContext>();
    const memberFields = [
      ...CAMPAIGN_MEMBER_FIELDS,
      ...CAMPAIGN_FIELDS.filter((f) => f !== 'Id').map((f) => `Campaign.${f}`),
    ].join(', ');
    for (const ids of chunk([...new Set(leadIds)], IDS_PER_QUERY)) {
      // One relationship query per chunk: the lead and its campaign members with their campaigns.
      const soql =
        `SELECT ${LEAD_FIELDS.join(', ')}, (SELECT ${memberFields} FROM CampaignMembers ` +
        `ORDER BY CreatedDate DESC) FROM Lead WHERE Id IN ${soqlIdList(ids)}`;
      for await (const page of this.api.query<Raw>(soql)) {
        for (const raw of page) {
          const { CampaignMembers, ...leadRaw } = raw;
          const members = await this.allChildren(CampaignMembers as ChildResult<Raw> | null);
          const lead = clean<LeadRecord>(leadRaw);
          out.set(lead.Id, { lead, memberships: members.map(toMembership) });
        }
      }
    }
    return out;
  }

  streamAccounts(): AsyncIterable<AccountRecord[]> {
    return this.wholeObject<AccountRecord>(
      `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account`,
      BASE_FIELDS.account,
    );
  }

  /**
   * One queryAll (deleted records included, IsDeleted true) of the records whose SystemModstamp is at
   * or after `since`: REST API Developer Guide, "QueryAll"; deletion sets SystemModstamp
   * (Object Reference, "System Fields"). Deleted records are found only while in the Recycle Bin (15
   * days: SOAP API Developer Guide, "emptyRecycleBin()"); the snapshot reads whole when kept longer.
   */
  async changedSince<O extends KeptObject>(object: O, since: string): Promise<RecordChanges<KeptRecords[O]>> {
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${KEPT_FIELDS[object].join(', ')}, IsDeleted FROM ${object} ` +
        `WHERE SystemModstamp >= ${soqlDateTime(since)} ORDER BY Id`,
      true,
    );
    const changes: RecordChanges<KeptRecords[O]> = { records: [], removedIds: [] };
    for (const { IsDeleted, ...row } of rows) {
      const record = clean<KeptRecords[O]>(row);
      if (IsDeleted === true) changes.removedIds.push(record.Id);
      else changes.records.push(record);
    }
    return changes;
  }

  streamOpenOpportunities(): AsyncIterable<OpportunityRecord[]> {
    return this.wholeObject<OpportunityRecord>(
      `SELECT ${OPPORTUNITY_FIELDS.join(', ')} FROM Opportunity WHERE IsClosed = false`,
      { ...BASE_FIELDS.opportunity, AccountId: 'id', IsClosed: 'boolean' },
    );
  }

  streamLeads(): AsyncIterable<LeadRecord[]> {
    return this.wholeObject<LeadRecord>(
      `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE IsConverted = false`,
      BASE_FIELDS.lead,
    );
  }

  /**
   * The filter as SOQL; what SOQL cannot express is checked here. A dateTime literal is written
   * unquoted, as YYYY-MM-DDThh:mm:ssZ (SOQL and SOSL Reference, "Date Formats and Date Literals").
   * Sets become `IN (...)` lists; a filter whose query would not fit in one request is asked in
   * several, each with part of its longest list (`leadQueries`), and the answers joined.
   */
  async findLeads(filter: LeadFilter): Promise<string[]> {
    // SOQL has no empty IN list; an empty set lets no lead through.
    if (LEAD_FILTER_LISTS.some(([key]) => filter[key]?.length === 0)) return [];
    const found = new Set<string>();
    const queries = leadQueries(filter);
    for (const soql of queries) {
      const rows = await this.api.queryAll<{
        Id: string;
        OwnerId: string | null;
        In_Hopper__c?: boolean | null;
        Matched_Account__r?: { BDR_Assigned__c: string | null } | null;
      }>(soql);
      for (const r of rows) {
        if (filter.activelyWorkedByOtherBdr) {
          // SOQL cannot compare two fields: the BDR must be set and not own the lead already, unless
          // the lead is still in the Hopper with the BDR named.
          const bdr = r.Matched_Account__r?.BDR_Assigned__c ?? null;
          if (bdr === null || (bdr === r.OwnerId && r.In_Hopper__c !== true)) continue;
        }
        found.add(r.Id);
      }
    }
    const ids = [...found];
    return queries.length > 1 ? ids.sort() : ids;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${USER_FIELDS.join(', ')}, Profile.Name FROM User WHERE UserType = 'Standard'`,
    );
    return rows.map((raw) => {
      const { Profile, ...rest } = raw;
      const profile = Profile as { Name?: string } | null | undefined;
      return { ...clean<UserRecord>(rest), ProfileName: profile?.Name ?? null };
    });
  }

  async listQueues(): Promise<QueueRecord[]> {
    const rows = await this.api.queryAll<Raw>(
      "SELECT Id, Name, DeveloperName, (SELECT UserOrGroupId FROM GroupMembers) FROM Group WHERE Type = 'Queue'",
    );
    // Object Reference, "QueueSobject": a queue owns records of an object only when it lists it.
    const leadQueues = new Set(
      (await this.api.queryAll<Raw>("SELECT QueueId FROM QueueSobject WHERE SobjectType = 'Lead'")).map((r) =>
        String(r['QueueId']),
      ),
    );
    const queues: QueueRecord[] = [];
    for (const raw of rows) {
      const { GroupMembers, ...rest } = raw;
      const members = await this.allChildren(GroupMembers as ChildResult<Raw> | null);
      queues.push({
        ...clean<QueueRecord>(rest),
        TakesLeads: leadQueues.has(String(rest['Id'])),
        // Queue members may be users or nested groups; routing assigns to users only.
        MemberIds: members.map((m) => String(m['UserOrGroupId'])).filter((id) => id.startsWith('005')),
      });
    }
    return queues;
  }

  /** Object Reference, "LeadStatus": one record per picklist value; IsConverted marks converted ones. */
  async leadStatuses(): Promise<LeadStatusValue[]> {
    const rows = await this.api.queryAll<Raw>(
      'SELECT ApiName, IsConverted FROM LeadStatus ORDER BY SortOrder',
    );
    return rows.map((r) => ({ status: String(r['ApiName']), converted: r['IsConverted'] === true }));
  }

  /** One aggregate query (SOQL and SOSL Reference, "GROUP BY": a row per value, COUNT(Id) under its alias). */
  async leadValues(field: LeadValueField): Promise<Array<{ value: string; leads: number }>> {
    const rows = await this.api.queryAll<Raw>(
      `SELECT ${field}, COUNT(Id) n FROM Lead WHERE IsConverted = false AND ${field} != null GROUP BY ${field}`,
    );
    return rows
      .map((r) => ({ value: String(r[field]), leads: Number(r['n']) }))
      .sort((a, b) => b.leads - a.leads || a.value.localeCompare(b.value));
  }

  async userStats(userIds: string[]): Promise<Map<string, MemberStats>> {
    const stats = new Map<string, MemberStats>();
    for (const id of userIds) stats.set(id, { openLeads: 0, openOpportunities: 0, performance: 0 });
    const notWorked = NOT_WORKED_STATUSES.map(soqlString).join(', ');
    for (const ids of chunk([...new Set(userIds)], IDS_PER_QUERY)) {
      // Open leads as local mode counts them: unconverted and in a status someone works ("NOT IN",
      // SOQL and SOSL Reference, "Comparison Operators").
      const open = await this.api.queryAll<Raw>(
        `SELECT OwnerId, COUNT(Id) n FROM Lead WHERE IsConverted = false AND Status NOT IN (${notWorked}) ` +
          `AND OwnerId IN ${soqlIdList(ids)} GROUP BY OwnerId`,
      );
      for (const row of open) {
        const s = stats.get(String(row['OwnerId']));
        if (s) s.openLeads = Number(row['n']);
      }
      const opportunities = await this.api.queryAll<Raw>(
        `SELECT OwnerId, COUNT(Id) n FROM Opportunity WHERE IsClosed = false AND OwnerId IN ${soqlIdList(ids)} ` +
          'GROUP BY OwnerId',
      );
      for (const row of opportunities) {
        const s = stats.get(String(row['OwnerId']));
        if (s) s.openOpportunities = Number(row['n']);
      }
      // Performance: the share of leads created in the last 90 days that were converted.
      const recent = await this.api.queryAll<Raw>(
        `SELECT OwnerId, IsConverted, COUNT(Id) n FROM Lead WHERE CreatedDate = LAST_N_DAYS:90 ` +
          `AND OwnerId IN ${soqlIdList(ids)} GROUP BY OwnerId, IsConverted`,
      );
      const totals = new Map<string, { all: number; converted: number }>();
      for (const row of recent) {
        const owner = String(row['OwnerId']);
        const t = totals.get(owner) ?? { all: 0, converted: 0 };
        t.all += Number(row['n']);
        if (row['IsConverted'] === true) t.converted += Number(row['n']);
        totals.set(owner, t);
      }
      for (const [owner, t] of totals) {
        const s = stats.get(owner);
        if (s && t.all > 0) s.performance = t.converted / t.all;
      }
    }
    return stats;
  }

  /**
   * Owner and field updates in sObject Collections of at most 200 records, `allOrNone: false`.
   *
   * The owner guard reads the current OwnerId of the batch in one query and refuses (OWNER_CHANGED)
   * any record whose owner is no longer `expectedOwnerId`. A small race window remains: an owner
   * change saved in Salesforce between that read and the PATCH a few milliseconds later is
   * overwritten, because sObject Collections have no conditional update. The window is one round
   * trip, not the time since the decision.
   */
  async updateLeads(updates: LeadUpdate[]): Promise<WriteResult[]> {
    return this.updateRecords('Lead', updates);
  }

  async contactsOfAccounts(accountIds: string[]): Promise<ContactRecord[]> {
    const out: ContactRecord[] = [];
    for (const ids of chunk([...new Set(accountIds)], UPDATE_BATCH)) {
      out.push(
        ...(
          await this.api.queryAll<Raw>(
            `SELECT ${CONTACT_FIELDS.join(', ')} FROM Contact WHERE AccountId IN ${soqlIdList(ids)} ORDER BY Id`,
          )
        ).map((r) => clean<ContactRecord>(r)),
      );
    }
    return out;
  }

  async updateContactOwners(changes: ContactOwnerChange[]): Promise<WriteResult[]> {
    return this.updateRecords(
      'Contact',
      changes.map((c) => ({ id: c.contactId, fields: { OwnerId: c.to }, expectedOwnerId: c.from })),
    );
  }

  /**
   * Updates of one object in collections of 200, guarded by owner and retried on locked rows. A record
   * updated twice in one call is written in a later request the second time, in the order given:
   * Salesforce refuses an Id repeated within one request (see `inRounds`).
   */
  private async updateRecords(object: 'Lead' | 'Contact', updates: LeadUpdate[]): Promise<WriteResult[]> {
    const results = new Map<LeadUpdate, WriteResult>();
    for (const batch of inRounds(updates).flatMap((round) => chunk(round, UPDATE_BATCH))) {
      let writable: LeadUpdate[];
      try {
        writable = await this.guardOwners(object, batch, results);
      } catch (err) {
        for (const [i, r] of systemic(
          batch.map((u) => u.id),
          err,
        ).entries())
          results.set(batch[i]!, r);
        continue;
      }
      for (let attempt = 1; writable.length > 0; attempt++) {
        let saved: SaveResult[] | null;
        try {
          saved = saveResultsInOrder(writable, await this.patch(object, writable));
        } catch (err) {
          if (!(err instanceof SalesforceMalformedAnswerError)) {
            for (const [i, r] of systemic(
              writable.map((u) => u.id),
              err,
            ).entries())
              results.set(writable[i]!, r);
            break;
          }
          saved = null;
        }
        if (!saved) {
          await this.readBackUpdates(object, writable, results);
          break;
        }
        const locked: LeadUpdate[] = [];
        writable.forEach((update, i) => {
          const res = saved[i]!;
          if (res.success) results.set(update, { id: update.id, ok: true });
          else {
            const result = fromErrors(update.id, res.errors);
            results.set(update, result);
            if (!result.ok && result.code === 'UNABLE_TO_LOCK_ROW') locked.push(update);
          }
        });
        if (locked.length === 0 || attempt >= this.lockRetry.attempts) break;
        await this.api.policy.sleep(this.backoff(attempt));
        writable = locked;
      }
    }
    return updates.map((u) => results.get(u) ?? failure(u.id, 'UNKNOWN_EXCEPTION', 'not attempted', true));
  }

  /**
   * After an answer that could not be read, the truth is in the org: an update whose record now carries
   * every value written was applied; any other is reported not applied, to be tried again.
   */
  private async readBackUpdates(
    object: 'Lead' | 'Contact',
    updates: LeadUpdate[],
    results: Map<LeadUpdate, WriteResult>,
  ): Promise<void> {
    const fields = [...new Set(updates.flatMap((u) => Object.keys(u.fields)))].filter((f) => f !== 'Id');
    let rows: Raw[];
    try {
      rows = await this.api.queryAll<Raw>(
        `SELECT ${['Id', ...fields].join(', ')} FROM ${object} WHERE Id IN ${soqlIdList([...new Set(updates.map((u) => u.id))])}`,
      );
    } catch (err) {
      for (const [i, r] of systemic(
        updates.map((u) => u.id),
        err,
      ).entries())
        results.set(updates[i]!, r);
      return;
    }
    const byId = new Map(rows.map((r) => [String(r['Id']), r]));
    for (const u of updates) {
      const row = byId.get(u.id);
      const applied = !!row && Object.entries(u.fields).every(([f, v]) => sameValue(v, row[f]));
      results.set(
        u,
        applied
          ? { id: u.id, ok: true }
          : failure(
              u.id,
              'SF_MALFORMED_ANSWER',
              "Salesforce's answer to the update could not be read, and the record read back does not carry the values written; it will be tried again.",
              true,
            ),
      );
    }
  }

  /**
   * Lead conversion through the SOAP `convertLead` call, 100 leads per call. Conversion is not
   * idempotent, so after a timeout the leads are read back (IsConverted) before any retry.
   */
  async convertLeads(conversions: LeadConversion[]): Promise<WriteResult[]> {
    const results = new Map<LeadConversion, WriteResult>();
    let statuses: string[];
    try {
      statuses = await this.convertedStatuses();
    } catch (err) {
      return systemic(
        conversions.map((c) => c.leadId),
        err,
      );
    }
    if (statuses.length === 0) {
      return conversions.map((c) =>
        failure(
          c.leadId,
          'NO_CONVERTED_STATUS',
          'The org has no lead status marked Converted: add one in Setup → Object Manager → Lead → Fields → Lead Status.',
          false,
        ),
      );
    }
    for (const batch of chunk(conversions, CONVERT_BATCH)) {
      let pending: LeadConversion[];
      try {
        pending = await this.checkBeforeConvert(batch, results);
      } catch (err) {
        for (const [i, r] of systemic(
          batch.map((c) => c.leadId),
          err,
        ).entries())
          results.set(batch[i]!, r);
        continue;
      }
      let lockAttempt = 1;
      // Timeouts and unreadable answers share the budget of tries; both are settled by reading back.
      let unsure = 0;
      while (pending.length > 0) {
        let converted: ConvertResult[];
        try {
          const entries = pending.map((c) => toLeadConvert(c, statuses));
          converted = await this.api.call(
            'convertLead',
            () => this.api.conn.soap.convertLead(entries) as Promise<ConvertResult[]>,
            false,
          );
        } catch (err) {
          if (err instanceof SalesforceTimeoutError && ++unsure < this.api.policy.timeoutAttempts) {
            // The call may have converted some leads before its answer was lost: read them back first.
            pending = await this.checkBeforeConvert(pending, results).catch(() => pending);
            continue;
          }
          for (const [i, r] of systemic(
            pending.map((c) => c.leadId),
            err,
          ).entries())
            results.set(pending[i]!, r);
          break;
        }
        const { answered, unanswered } = matchConvertResults(
          pending,
          Array.isArray(converted) ? converted : [converted],
        );
        const again: LeadConversion[] = [];
        for (const [conv, res] of answered) {
          if (res.success) {
            results.set(conv, {
              id: conv.leadId,
              ok: true,
              ...(res.contactId ? { contactId: res.contactId } : {}),
              ...(res.opportunityId ? { opportunityId: res.opportunityId } : {}),
            });
          } else {
            const errors = res.errors ? (Array.isArray(res.errors) ? res.errors : [res.errors]) : [];
            const result = fromErrors(conv.leadId, errors);
            results.set(conv, result);
            if (!result.ok && result.code === 'UNABLE_TO_LOCK_ROW') again.push(conv);
          }
        }
        if (again.length > 0 && lockAttempt < this.lockRetry.attempts) {
          await this.api.policy.sleep(this.backoff(lockAttempt++));
        } else again.length = 0;
        if (unanswered.length > 0)
          again.push(...(await this.settleUnanswered(unanswered, results, ++unsure)));
        pending = again;
      }
    }
    return conversions.map(
      (c) => results.get(c) ?? failure(c.leadId, 'UNKNOWN_EXCEPTION', 'not attempted', true),
    );
  }

  /**
   * Conversions the answer did not account for are read back: converted ones are recorded with their
   * contact and opportunity; the rest are returned to send again while tries remain, else reported.
   */
  private async settleUnanswered(
    unanswered: LeadConversion[],
    results: Map<LeadConversion, WriteResult>,
    tries: number,
  ): Promise<LeadConversion[]> {
    let open: LeadConversion[];
    try {
      open = await this.checkBeforeConvert(unanswered, results);
    } catch (err) {
      for (const [i, r] of systemic(
        unanswered.map((c) => c.leadId),
        err,
      ).entries())
        results.set(unanswered[i]!, r);
      return [];
    }
    if (tries < this.api.policy.timeoutAttempts) return open;
    for (const c of open) {
      results.set(
        c,
        failure(
          c.leadId,
          'SF_MALFORMED_ANSWER',
          "Salesforce's answer to convertLead left this lead out, and it is not converted; it will be tried again.",
          true,
        ),
      );
    }
    return [];
  }

  /**
   * The org's converted lead statuses (LeadStatus with IsConverted = true), first in picklist order;
   * read once. A flow may name one of them; otherwise the first is used (SOAP API Developer Guide,
   * "convertLead()": convertedStatus must be a status marked converted).
   */
  private convertedStatuses(): Promise<string[]> {
    this.converted ??= this.api
      .queryAll<Raw>('SELECT ApiName FROM LeadStatus WHERE IsConverted = true ORDER BY SortOrder')
      .then((rows) => rows.map((r) => String(r['ApiName'])))
      .catch((err: unknown) => {
        this.converted = null;
        throw err;
      });
    return this.converted;
  }

  /** Jittered exponential backoff: base·2ⁿ⁻¹ scaled by a factor in [0.5, 1.5). */
  private backoff(attempt: number): number {
    return Math.round(this.lockRetry.baseMs * 2 ** (attempt - 1) * (0.5 + this.api.policy.random()));
  }

  /**
   * Sends a custom notification through the Custom Notification action (REST API, "Custom Notification
   * Actions": POST /actions/standard/customNotificationAction with `inputs`; each answer says isSuccess
   * and its errors). Not retried after a timeout: a second call would ring the bell twice.
   */
  async sendCustomNotification(notification: CustomNotification): Promise<void> {
    const customNotifTypeId = await this.notificationTypeId(notification.type);
    const answer = await this.api
      .rest<ActionAnswer[]>(
        'notification',
        {
          method: 'POST',
          url: '/actions/standard/customNotificationAction',
          body: JSON.stringify({
            inputs: [
              {
                customNotifTypeId,
                recipientIds: notification.recipientIds,
                // The action's limits: a title of 250 characters, a body of 750.
                title: notification.title.slice(0, 250),
                body: notification.body.slice(0, 750),
                targetId: notification.targetId,
              },
            ],
          }),
          headers: { 'content-type': 'application/json' },
        },
        false,
      )
      .catch((error: unknown) => {
        // A refused input makes the request a 400 whose body is the action's answer.
        if (error instanceof SalesforceApiError)
          return readActionAnswer(error.detail) ?? Promise.reject(error);
        throw error;
      });
    const result = Array.isArray(answer) ? answer[0] : undefined;
    if (!result?.isSuccess) {
      const why = (result?.errors ?? []).map((e) => e.message).join('; ') || 'no answer for the notification';
      // The guide documents the permission rule but not the words of the refusal, so the org is asked
      // whether its user holds the permission rather than the words read.
      if ((await this.lacksNotificationPermission()) === true)
        throw new SalesforceNotificationPermissionError(why);
      throw new Error(`Salesforce did not send the notification: ${why}`);
    }
  }

  /**
   * Whether the integration user lacks Send Custom Notifications (Object Reference,
   * "PermissionSetAssignment": a user holds a permission when any assigned set, the profile's included,
   * grants it); undefined when that cannot be read (no user, or reading it was refused).
   */
  private async lacksNotificationPermission(): Promise<boolean | undefined> {
    const userId = this.api.userId;
    if (!userId) return undefined;
    try {
      const grants = await this.api.queryAll<{
        PermissionSet: { PermissionsSendCustomNotifications?: boolean | null } | null;
      }>(
        'SELECT PermissionSet.PermissionsSendCustomNotifications FROM PermissionSetAssignment ' +
          `WHERE AssigneeId = ${soqlString(userId)}`,
      );
      return !grants.some((g) => g.PermissionSet?.PermissionsSendCustomNotifications === true);
    } catch {
      return undefined;
    }
  }

  private notificationTypeId(developerName: string): Promise<string> {
    let id = this.notificationTypes.get(developerName);
    if (!id) {
      id = this.api
        .queryAll<{ Id: string }>(
          `SELECT Id FROM CustomNotificationType WHERE DeveloperName = '${developerName.replace(/[^A-Za-z0-9_]/g, '')}'`,
        )
        .then((rows) => {
          if (!rows[0])
            throw new Error(
              `The org has no custom notification type ${developerName}: deploy the package (npm run deploy), which adds it.`,
            );
          return rows[0].Id;
        });
      // A failed look-up is tried again on the next notification.
      id.catch(() => this.notificationTypes.delete(developerName));
      this.notificationTypes.set(developerName, id);
    }
    return id;
  }

  private async patch(object: 'Lead' | 'Contact', updates: LeadUpdate[]): Promise<SaveResult[]> {
    const body = {
      allOrNone: false,
      records: updates.map((u) => ({ attributes: { type: object }, ...u.fields, Id: u.id })),
    };
    // A PATCH of the same values is idempotent, so a timed-out request may be sent again.
    return this.api.rest<SaveResult[]>('composite', {
      method: 'PATCH',
      url: '/composite/sobjects',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...NO_ASSIGNMENT_RULES },
    });
  }

  /** Refuses updates whose record changed owner since the decision; returns the ones to write. */
  private async guardOwners(
    object: 'Lead' | 'Contact',
    batch: LeadUpdate[],
    results: Map<LeadUpdate, WriteResult>,
  ): Promise<LeadUpdate[]> {
    const guarded = batch.filter((u) => u.expectedOwnerId !== undefined);
    if (guarded.length === 0) return batch;
    const rows = await this.api.queryAll<Raw>(
      `SELECT Id, OwnerId FROM ${object} WHERE Id IN ${soqlIdList([...new Set(guarded.map((u) => u.id))])}`,
    );
    const owners = new Map(rows.map((r) => [String(r['Id']), (r['OwnerId'] as string | null) ?? null]));
    return batch.filter((u) => {
      if (u.expectedOwnerId === undefined || !owners.has(u.id)) return true;
      const current = owners.get(u.id) ?? null;
      // Already carrying the new owner: an earlier attempt was applied; writing again is harmless.
      if (current === u.expectedOwnerId || current === u.fields['OwnerId']) return true;
      results.set(
        u,
        failure(
          u.id,
          'OWNER_CHANGED',
          `The ${object.toLowerCase()}'s owner changed in Salesforce to ${current} after routing decided (expected ${u.expectedOwnerId}); not overwritten.`,
          false,
        ),
      );
      return false;
    });
  }

  /** Settles already-converted leads and owner changes; returns the conversions still to send. */
  private async checkBeforeConvert(
    batch: LeadConversion[],
    results: Map<LeadConversion, WriteResult>,
  ): Promise<LeadConversion[]> {
    const rows = await this.api.queryAll<Raw>(
      'SELECT Id, OwnerId, IsConverted, ConvertedContactId, ConvertedOpportunityId FROM Lead ' +
        `WHERE Id IN ${soqlIdList([...new Set(batch.map((c) => c.leadId))])}`,
    );
    const byId = new Map(rows.map((r) => [String(r['Id']), r]));
    return batch.filter((c) => {
      const row = byId.get(c.leadId);
      if (!row) return true;
      if (row['IsConverted'] === true) {
        const contactId = row['ConvertedContactId'] as string | null;
        const opportunityId = row['ConvertedOpportunityId'] as string | null;
        results.set(c, {
          id: c.leadId,
          ok: true,
          ...(contactId ? { contactId } : {}),
          ...(opportunityId ? { opportunityId } : {}),
        });
        return false;
      }
      const current = (row['OwnerId'] as string | null) ?? null;
      if (c.expectedOwnerId !== undefined && current !== c.expectedOwnerId) {
        results.set(
          c,
          failure(
            c.leadId,
            'OWNER_CHANGED',
            `The lead's owner changed in Salesforce to ${current} after routing decided (expected ${c.expectedOwnerId}); not converted.`,
            false,
          ),
        );
        return false;
      }
      return true;
    });
  }

  /**
   * Every record a query matches, for the org snapshot. The first REST page says how many there are:
   * up to `bulkFrom` the rest follow in REST pages (2,000 records a call); beyond, the page is set aside
   * and a Bulk API 2.0 query job reads them all (a few calls for a million records).
   */
  private async *wholeObject<T>(
    soql: string,
    types: Readonly<Record<string, FieldType>>,
  ): AsyncGenerator<T[]> {
    const pages = this.api.pages<Raw>(soql);
    const first = await pages.next();
    if (first.done) return;
    if (first.value.totalSize <= this.bulkFrom) {
      yield first.value.records.map((r) => clean<T>(r));
      for await (const page of pages) yield page.records.map((r) => clean<T>(r));
      return;
    }
    await pages.return(undefined);
    yield* bulkQuery<T>(this.api, soql, types, this.bulk);
  }

  /** A child relationship's rows; big ones come in pages of their own. */
  private async allChildren(child: ChildResult<Raw> | null | undefined): Promise<Raw[]> {
    if (!child) return [];
    const rows = [...child.records];
    let page = child;
    while (!page.done && page.nextRecordsUrl) {
      page = await this.api.rest<ChildResult<Raw>>('queryMore', { method: 'GET', url: page.nextRecordsUrl });
      rows.push(...page.records);
    }
    return rows;
  }
}

function toMembership(raw: Raw): Membership {
  const { Campaign, ...memberRaw } = raw;
  const member = clean<CampaignMemberRecord>(memberRaw);
  const campaignRaw = (Campaign ?? { Name: '' }) as Raw;
  const campaign = { ...clean<CampaignRecord>(campaignRaw), Id: member.CampaignId };
  return { member, campaign };
}

/**
 * A LeadConvert with its elements in the order of the partner WSDL's xsd:sequence: jsforce writes an
 * object's keys in insertion order, and Salesforce refuses elements out of sequence.
 */
function toLeadConvert(c: LeadConversion, convertedStatuses: string[]): Record<string, unknown> {
  const status =
    c.convertedStatus && convertedStatuses.includes(c.convertedStatus)
      ? c.convertedStatus
      : convertedStatuses[0];
  return {
    accountId: c.accountId,
    convertedStatus: status,
    doNotCreateOpportunity: !c.createOpportunity,
    leadId: c.leadId,
    ...(c.createOpportunity && c.opportunityName ? { opportunityName: c.opportunityName } : {}),
    overwriteLeadSource: false,
    ownerId: c.ownerId,
    sendNotificationEmail: false,
  };
}

/**
 * The updates split so that no record appears twice in one round, each record's updates in the order
 * given: the n-th update of a record goes in round n. Salesforce refuses an Id repeated within one
 * update call ("Attempt to update Id more than once in this API call", Apex Developer Guide, "Things You
 * Should Know about Data in Apex").
 */
function inRounds(updates: LeadUpdate[]): LeadUpdate[][] {
  const rounds: LeadUpdate[][] = [];
  const seen = new Map<string, number>();
  for (const u of updates) {
    const key = u.id.slice(0, 15);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    (rounds[n] ??= []).push(u);
  }
  return rounds;
}

/** Salesforce Ids compare on their case-sensitive 15-character form. */
const sameId = (a: string, b: string): boolean => a.slice(0, 15) === b.slice(0, 15);

/**
 * sObject Collections answer with one SaveResult per record, in request order (REST API Developer
 * Guide, "Update Multiple Records"). An answer that is not that list, or whose successes name other
 * records, is not matched by guesswork: null, and the records are read back.
 */
function saveResultsInOrder(updates: LeadUpdate[], answer: unknown): SaveResult[] | null {
  if (!Array.isArray(answer) || answer.length !== updates.length) return null;
  const ok = answer.every((r: unknown, i) => {
    const res = r as Partial<SaveResult> | null;
    if (!res || typeof res.success !== 'boolean') return false;
    if (res.success) return !res.id || sameId(res.id, updates[i]!.id);
    return Array.isArray(res.errors);
  });
  return ok ? (answer as SaveResult[]) : null;
}

/**
 * Pairs convertLead results with the conversions sent: in order when the answer has one result per
 * lead and each names its lead (or none), otherwise by the lead each result names. Conversions no
 * result accounts for are `unanswered`.
 */
function matchConvertResults(
  pending: LeadConversion[],
  list: Array<ConvertResult | null | undefined>,
): { answered: Array<[LeadConversion, ConvertResult]>; unanswered: LeadConversion[] } {
  const inOrder =
    list.length === pending.length &&
    list.every(
      (r, i) => !!r && typeof r.success === 'boolean' && (!r.leadId || sameId(r.leadId, pending[i]!.leadId)),
    );
  if (inOrder) return { answered: pending.map((c, i) => [c, list[i]!]), unanswered: [] };
  const answered: Array<[LeadConversion, ConvertResult]> = [];
  const unanswered: LeadConversion[] = [];
  for (const c of pending) {
    const res = list.find((r) => !!r?.leadId && typeof r.success === 'boolean' && sameId(r.leadId, c.leadId));
    if (res) answered.push([c, res]);
    else unanswered.push(c);
  }
  return { answered, unanswered };
}

/** Whether a value read back equals the one written, across Salesforce's renderings of it. */
function sameValue(written: unknown, read: unknown): boolean {
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  if (empty(written) || empty(read)) return empty(written) && empty(read);
  if (written === read) return true;
  if (typeof written === 'number' || typeof read === 'number') return Number(written) === Number(read);
  if (typeof written === 'string' && typeof read === 'string') {
    if (/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(written) && /^[a-zA-Z0-9]{18}$/.test(read)) {
      return sameId(written, read);
    }
    const a = Date.parse(written);
    const b = Date.parse(read);
    return /^\d{4}-\d{2}-\d{2}/.test(written) && !Number.isNaN(a) && a === b;
  }
  return false;
}
