import type { ContactOwnerChange } from '../engine/contacts.js';
import type {
  AccountRecord,
  ContactRecord,
  LeadRecord,
  Membership,
  OpportunityRecord,
  QueueRecord,
  UserRecord,
} from '../engine/model.js';
import type { MemberStats } from '../engine/distribution/distribution.types.js';

/** What routing needs to know about one lead beyond the shared indexes. */
export interface LeadContext {
  lead: LeadRecord;
  /** Campaign memberships with their campaigns, newest first. */
  memberships: Membership[];
}

/** Owner and field changes for one lead, applied only if the lead still has `expectedOwnerId`. */
export interface LeadUpdate {
  id: string;
  fields: Record<string, unknown>;
  /** Refuse the write (code OWNER_CHANGED) when the lead's owner is no longer this. */
  expectedOwnerId?: string | null;
}

export interface LeadConversion {
  leadId: string;
  accountId: string;
  /** Owner of the resulting contact (and opportunity). */
  ownerId: string;
  createOpportunity: boolean;
  opportunityName?: string;
  convertedStatus: string;
  expectedOwnerId?: string | null;
}

export type WriteResult =
  | { id: string; ok: true; contactId?: string; opportunityId?: string }
  | {
      id: string;
      ok: false;
      /** Salesforce's status code, e.g. UNABLE_TO_LOCK_ROW, or OWNER_CHANGED from the guard. */
      code: string;
      /** The org's own words. */
      message: string;
      retryable: boolean;
    };

/**
 * The port to the records routing reads and writes. Adapters: `local/` (the embedded demo org) and
 * `salesforce/` (jsforce). Batch methods take any number of records; adapters chunk as their API needs.
 */
export interface CrmPort {
  getLeadContexts(leadIds: string[]): Promise<Map<string, LeadContext>>;
  /** Every account, in pages, for the match index snapshot. */
  streamAccounts(): AsyncIterable<AccountRecord[]>;
  /** Every open opportunity, in pages. */
  streamOpenOpportunities(): AsyncIterable<OpportunityRecord[]>;
  /** Every unconverted lead (Id, Company, Email, Website, OwnerId, Status at least), in pages. */
  streamLeads(): AsyncIterable<LeadRecord[]>;
  listUsers(): Promise<UserRecord[]>;
  listQueues(): Promise<QueueRecord[]>;
  userStats(userIds: string[]): Promise<Map<string, MemberStats>>;
  updateLeads(updates: LeadUpdate[]): Promise<WriteResult[]>;
  convertLeads(conversions: LeadConversion[]): Promise<WriteResult[]>;
}

/** The contacts of accounts, for contact ownership (handbook: contact routing). Same adapters. */
export interface ContactPort {
  contactsOfAccounts(accountIds: string[]): Promise<ContactRecord[]>;
  /** One result per change, in order; a contact whose owner is no longer `from` is not overwritten (OWNER_CHANGED). */
  updateContactOwners(changes: ContactOwnerChange[]): Promise<WriteResult[]>;
}
