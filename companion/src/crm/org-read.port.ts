import type { AccountRecord, LeadRecord, QueueRecord, SfRecord, UserRecord } from '../engine/model.js';

/**
 * What the matched-leads list can be sorted by in the org itself, a page at a time. The API adds the
 * sorts only the companion can do (`MATCHED_LEAD_SORTS` in `http/routes/matched-leads.route.ts`).
 */
export const ORG_LEAD_SORTS = ['name', 'title', 'email', 'status', 'owner', 'lastActivity'] as const;
export type OrgLeadSortField = (typeof ORG_LEAD_SORTS)[number];

export interface OrgMatchedLeadsQuery {
  limit?: number;
  offset?: number;
  sort?: OrgLeadSortField;
  direction?: 'asc' | 'desc';
}

export interface OrgPage<T> {
  records: T[];
  /** How many records match, over all pages. */
  total: number;
  limit: number;
  offset: number;
}

/**
 * What one user may do with one record, as Salesforce's UserRecordAccess reports it (sharing, role
 * hierarchy, queues, View All / Modify All):
 * https://developer.salesforce.com/docs/platform/object-reference/references/standard-objects/object-userrecordaccess.html
 */
export interface RecordAccess {
  read: boolean;
  edit: boolean;
  transfer: boolean;
}

/** Objects whose records can be read in bulk by Id. */
export type OrgReadObject = 'User' | 'Queue' | 'Lead' | 'Account' | 'Opportunity' | 'CampaignMember';

/**
 * The reads the HTTP API needs beyond the CRM port (which serves routing): single records for the
 * pages, text search for pickers, and an account's matched leads. Ids may be 15 or 18 characters;
 * records come back with 18-character Ids. Owned by the API; the local demo org implements it.
 */
export interface OrgReadPort {
  getLead(id: string): Promise<LeadRecord | null>;
  getAccount(id: string): Promise<AccountRecord | null>;
  /** The user, HasReroutePermission included. */
  getUser(id: string): Promise<UserRecord | null>;
  /** The queue with its members (MemberIds). */
  getQueue(id: string): Promise<QueueRecord | null>;
  /** Records of one object keyed by 18-character Id; missing ones are left out. */
  getMany<T extends SfRecord>(object: OrgReadObject, ids: string[]): Promise<Map<string, T>>;
  /** Leads whose Matched_Account__c is the account, one page, sorted as asked (converted ones left out). */
  matchedLeads(accountId: string, query: OrgMatchedLeadsQuery): Promise<OrgPage<LeadRecord>>;
  /**
   * The user's access to each lead, keyed by 18-character Id; leads the org does not know are left
   * out (no access). Up to 200 Ids per call, as UserRecordAccess allows.
   */
  leadAccess(userId: string, leadIds: string[]): Promise<Map<string, RecordAccess>>;
  /** The Lead fields (API names) the user's field-level security lets them read. */
  readableLeadFields(userId: string): Promise<Set<string>>;
  /** Leads by name, email or company; an empty text lists the newest. */
  searchLeads(text: string, limit: number): Promise<LeadRecord[]>;
  /** Accounts by name or website. */
  searchAccounts(text: string, limit: number): Promise<AccountRecord[]>;
  /** Users by name, inactive ones included (IsActive false). */
  searchUsers(text: string, limit: number): Promise<UserRecord[]>;
}
