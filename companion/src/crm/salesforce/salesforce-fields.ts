import { BASE_FIELDS } from '../../engine/flow/fields.js';
import type { Flow } from '../../engine/flow/flow-loader.js';
import { DECISION_WRITTEN_FIELDS, leadFieldsWritten } from '../../engine/lead-fields-written.js';

// The fields the adapter reads and writes, by object, named as in `engine/model.ts`. The startup
// check (`salesforce-doctor.ts`) verifies exactly these, so a query never names a field the org lacks.

/**
 * The Lead fields flows may read (the engine's catalog), which are the fields every lead is read with;
 * Name is left out: the engine joins it from FirstName and LastName.
 */
export const LEAD_FIELDS: readonly string[] = Object.keys(BASE_FIELDS.lead).filter((f) => f !== 'Name');

/** The Account fields flows may read (the engine's catalog). */
export const ACCOUNT_FIELDS: readonly string[] = Object.keys(BASE_FIELDS.account);

export const OPPORTUNITY_FIELDS = [
  'Id',
  'AccountId',
  'Name',
  'StageName',
  'IsClosed',
  'OwnerId',
  'Amount',
  'CloseDate',
] as const;

export const CAMPAIGN_FIELDS = [
  'Id',
  'Name',
  'Type',
  'IsActive',
  'MDF_Funding__c',
  'Channel_Partner_Involved__c',
] as const;

export const CAMPAIGN_MEMBER_FIELDS = ['Id', 'CampaignId', 'LeadId', 'Status', 'CreatedDate'] as const;

export const CONTACT_FIELDS = ['Id', 'AccountId', 'OwnerId', 'FirstName', 'LastName', 'Email'] as const;

export const USER_FIELDS = [
  'Id',
  'Name',
  'Username',
  'Email',
  'IsActive',
  'TimeZoneSidKey',
  'Role__c',
  'Region__c',
  'Out_Of_Office_Until__c',
] as const;

/** An object and the fields routing reads from it and writes to it. */
export interface SchemaNeed {
  object: string;
  read: readonly string[];
  write: readonly string[];
}

/**
 * Every object the doctor describes, with the fields read and the fields written whatever the flows.
 * What the flows set on top is known once they are read: see `flowSchemaNeeds`.
 */
export const REQUIRED_SCHEMA: SchemaNeed[] = [
  { object: 'Lead', read: LEAD_FIELDS, write: DECISION_WRITTEN_FIELDS },
  { object: 'Account', read: ACCOUNT_FIELDS, write: [] },
  { object: 'Opportunity', read: OPPORTUNITY_FIELDS, write: [] },
  { object: 'Campaign', read: CAMPAIGN_FIELDS, write: [] },
  { object: 'CampaignMember', read: CAMPAIGN_MEMBER_FIELDS, write: [] },
  { object: 'Contact', read: CONTACT_FIELDS, write: ['OwnerId'] },
  { object: 'User', read: USER_FIELDS, write: [] },
];

/** The Lead fields these flows write (the fields they set, the converted status), checked as editable. */
export function flowSchemaNeeds(flows: Iterable<Flow>): SchemaNeed[] {
  return [{ object: 'Lead', read: [], write: leadFieldsWritten(flows) }];
}
