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

/** One value of the Lead Status picklist (Salesforce: a LeadStatus record). */
export interface LeadStatusValue {
  status: string;
  /** A converted lead may take it (IsConverted). */
  converted: boolean;
}

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
  /** A converted lead status the flow names; without it (or when the org lacks it), the org's own. */
  convertedStatus?: string;
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
 * Which open (unconverted) leads to find; every condition given must hold. The background jobs
 * state what they look for this way (a clean-up job's candidates, a leaver's leads, the leads a
 * crash left unrouted) and each adapter turns it into its own query.
 */
/** The Lead fields whose values the org is asked for (`CrmPort.leadValues`). */
export type LeadValueField = 'Country' | 'State' | 'Industry' | 'LeadSource';

export interface LeadFilter {
  /** Owned by this user or queue. */
  ownerId?: string;
  /** Owned by one of these users or queues (the members of a pool). */
  ownerIds?: readonly string[];
  /**
   * In one of these statuses. This and the other value lists compare as SOQL does, without regard
   * to case; an empty list lets no lead through.
   */
  statuses?: readonly string[];
  /** With one of these Country values, as the field holds them. */
  countries?: readonly string[];
  /** With one of these State values, as the field holds them. */
  states?: readonly string[];
  /** With one of these LeadSource values. */
  leadSources?: readonly string[];
  /** With one of these Industry values. */
  industries?: readonly string[];
  /** With NumberOfEmployees within this band, both ends included; a lead with none is left out. */
  employees?: { min?: number; max?: number };
  /** Owned by a person: a lead a queue owns is left out. */
  personOwned?: boolean;
  /**
   * Matched to an account a BDR is actively working, and not owned by that BDR yet, or owned by them
   * while still in the Hopper (In_Hopper__c): a Hopper lead is taken in either form.
   */
  activelyWorkedByOtherBdr?: boolean;
  /** Matched to an account whose BDR Prospecting Status changed on this day (YYYY-MM-DD). */
  bdrStatusChangedOn?: string;
  /** Created at or after this instant (ISO 8601). */
  createdSince?: string;
  /** Created before this instant (ISO 8601). */
  createdBefore?: string;
}

/** Who changed a lead: routing's own writes, a person (or the API acting for one), or the inbound stream. */
export type ChangeOrigin = 'routing' | 'user' | 'inbound';

/** One lead change in an org that tells each change with its values (the local demo org). */
export interface LeadChange {
  leadId: string;
  kind: 'created' | 'updated' | 'converted';
  /** Fields whose values changed (all fields for a created lead). */
  changedFields: string[];
  /** The changed fields' values before the change; empty for a created lead. */
  previous: Partial<LeadRecord>;
  lead: LeadRecord;
  origin: ChangeOrigin;
}

export type LeadChangeListener = (change: LeadChange) => void;

/** Lead changes, told after they commit. */
export interface LeadChangeSource {
  /** Returns the function that unsubscribes. */
  subscribe(listener: LeadChangeListener): () => void;
}

export type ChangeObject = 'Lead' | 'Account' | 'User' | 'CampaignMember' | 'Opportunity';

/** A change in an org that tells changes as events naming records (Salesforce change data capture). */
export interface ChangeEvent {
  kind: 'created' | 'updated' | 'deleted';
  object: ChangeObject;
  ids: string[];
  /** Fields the change touched; null when unknown (polling, gap events, resyncs): re-read the records. */
  changedFields: string[] | null;
  /**
   * True when the companion's own login made the change (its writes, or automation they set off in
   * the same transaction); false for anyone else; absent when the source cannot tell (polling, gap
   * events, resyncs). Salesforce: the header's commitUser is the integration user.
   */
  byIntegrationUser?: boolean;
  /**
   * For each of `ids`, index for index, the change event that brought it (topic and replay id): the
   * same when the event is delivered again after a restart, so routing can refuse to act on it twice.
   * Alike events of one delivery come as one ChangeEvent, each record keeping its own event's key.
   * Absent when polling.
   */
  keys?: string[];
}

/** The objects of the org snapshot a restart catches up on, and their records. */
export interface KeptRecords {
  Account: AccountRecord;
  Opportunity: OpportunityRecord;
  Lead: LeadRecord;
}
export type KeptObject = keyof KeptRecords;

/** Records of one object that changed since an instant (see `CrmPort.changedSince`). */
export interface RecordChanges<T> {
  /** Created or changed, whatever they are now (closed opportunities and converted leads too). */
  records: T[];
  /** Deleted since. */
  removedIds: string[];
}

/**
 * The port to the records routing reads and writes. Adapters: `local/` (the embedded demo org) and
 * `salesforce/` (jsforce). Batch methods take any number of records; adapters chunk as their API needs.
 */
export interface CrmPort {
  getLeadContexts(leadIds: string[]): Promise<Map<string, LeadContext>>;
  /** Every account, in pages, for the match index snapshot. */
  streamAccounts(): AsyncIterable<AccountRecord[]>;
  /**
   * Records of `object` created or changed at or after `since` (ISO 8601, by SystemModstamp), and the
   * Ids of those deleted since: what a kept snapshot needs to catch up instead of reading them all.
   */
  changedSince<O extends KeptObject>(object: O, since: string): Promise<RecordChanges<KeptRecords[O]>>;
  /** Every open opportunity, in pages. */
  streamOpenOpportunities(): AsyncIterable<OpportunityRecord[]>;
  /** Every unconverted lead (Id, Company, Email, Website, OwnerId, Status at least), in pages. */
  streamLeads(): AsyncIterable<LeadRecord[]>;
  /** Ids of the open leads the filter lets through, ascending. */
  findLeads(filter: LeadFilter): Promise<string[]>;
  listUsers(): Promise<UserRecord[]>;
  listQueues(): Promise<QueueRecord[]>;
  /** The Lead Status picklist in its order, marking the values a converted lead takes. */
  leadStatuses(): Promise<LeadStatusValue[]>;
  /**
   * The values a field of unconverted leads holds (as the field holds them: every spelling the org
   * uses), with how many leads hold each, most first; blank values are left out.
   */
  leadValues(field: LeadValueField): Promise<Array<{ value: string; leads: number }>>;
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

/** A Salesforce custom notification: the bell in Lightning Experience and a push on the mobile app. */
export interface CustomNotification {
  /** The CustomNotificationType's DeveloperName (the package's `Switchyard_Lead_Clock`). */
  type: string;
  recipientIds: string[];
  title: string;
  body: string;
  /** The record a click opens. */
  targetId: string;
}

/**
 * Sends custom notifications to people; throws when the org refuses one, with `retryable: false` on the
 * error when trying again cannot help until someone changes the org. Same adapters.
 */
export interface CustomNotificationPort {
  sendCustomNotification(notification: CustomNotification): Promise<void>;
}
