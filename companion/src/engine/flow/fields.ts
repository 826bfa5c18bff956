import type { Operator } from './flow.schema.js';

export type FieldType = 'string' | 'id' | 'boolean' | 'number' | 'date' | 'datetime';
export type Scope =
  'lead' | 'account' | 'campaign' | 'campaignMember' | 'owner' | 'opportunity' | 'trigger' | 'routing';
export type FieldCatalog = Record<Scope, Record<string, FieldType>>;

const s = 'string' as const;
const id = 'id' as const;
const b = 'boolean' as const;
const n = 'number' as const;
const d = 'date' as const;
const dt = 'datetime' as const;

/**
 * The fields conditions may read, per scope. Orgs add their own through the catalog passed to the
 * loader (from describe results in Salesforce mode).
 */
export const BASE_FIELDS: FieldCatalog = {
  lead: {
    Id: id,
    Name: s,
    FirstName: s,
    LastName: s,
    Title: s,
    Email: s,
    Company: s,
    Website: s,
    Country: s,
    State: s,
    City: s,
    PostalCode: s,
    NumberOfEmployees: n,
    Industry: s,
    LeadSource: s,
    Status: s,
    OwnerId: id,
    IsConverted: b,
    CreatedDate: dt,
    LastActivityDate: d,
    Lead_Acquisition_Source__c: s,
    Impartner_Partner_Account__c: s,
    Partner_Recalled__c: b,
    Partner_Recalled_Date__c: d,
    Partner_Share_Status__c: s,
    Partner_Lead_Status__c: s,
    Prospect_Share_Status__c: s,
    Partner_Prospect_Status__c: s,
    Actively_Being_Sequenced__c: b,
    AI_Email_In_Progress__c: b,
    High_Priority__c: b,
    Rerun_Routing__c: b,
    In_Hopper__c: b,
    Matched_Account__c: id,
    Last_Routing_Flow__c: s,
    Last_Routed_At__c: dt,
    Routing_Reason__c: s,
    Last_Interesting_Moment_Date__c: d,
    MQL_Date__c: d,
  },
  account: {
    Id: id,
    Name: s,
    Website: s,
    Type: s,
    OwnerId: id,
    BDR_Assigned__c: id,
    BDR_Prospecting_Status__c: s,
    BDR_Prospecting_Status_Changed__c: d,
    Segment__c: s,
    Customer_Success_Manager__c: id,
    BillingCountry: s,
    BillingState: s,
    BillingCity: s,
    Industry: s,
    NumberOfEmployees: n,
    LastActivityDate: d,
  },
  campaign: { Id: id, Name: s, Type: s, IsActive: b, MDF_Funding__c: s, Channel_Partner_Involved__c: s },
  campaignMember: { Id: id, CampaignId: id, Status: s, CreatedDate: dt },
  owner: {
    Id: id,
    Name: s,
    IsActive: b,
    IsQueue: b,
    Role__c: s,
    Region__c: s,
    ProfileName: s,
    TimeZoneSidKey: s,
  },
  opportunity: { Id: id, Name: s, StageName: s, OwnerId: id, Amount: n, CloseDate: d },
  trigger: { kind: s, reason: s, job: s, actorId: id },
  routing: {
    leadRegion: s,
    accountRegion: s,
    /** Role__c of the matched account's owner, e.g. SMB for regional SMB Sales. */
    accountOwnerRole: s,
    matchScore: n,
    matchMethod: s,
    sameCompanyLeads: n,
    openOpportunities: n,
  },
};

export const SCOPES = Object.keys(BASE_FIELDS) as Scope[];

/** Scopes whose conditions ask "is there one that…" over a list. */
export const LIST_SCOPES: ReadonlySet<Scope> = new Set(['opportunity']);

const COMMON: Operator[] = ['equals', 'notEquals', 'empty', 'notEmpty', 'changed'];
const ORDERED: Operator[] = ['greaterThan', 'lessThan', 'greaterOrEqual', 'lessOrEqual'];

export const OPERATORS_BY_TYPE: Record<FieldType, Operator[]> = {
  string: [...COMMON, 'in', 'notIn', 'startsWith', 'contains'],
  id: [...COMMON, 'in', 'notIn'],
  boolean: COMMON,
  number: [...COMMON, 'in', 'notIn', ...ORDERED],
  date: [...COMMON, ...ORDERED, 'olderThanDays', 'newerThanDays', 'daysAgo'],
  datetime: [...COMMON, ...ORDERED, 'olderThanDays', 'newerThanDays', 'daysAgo'],
};

export function mergeFields(extra?: Partial<Record<Scope, Record<string, FieldType>>>): FieldCatalog {
  if (!extra) return BASE_FIELDS;
  const merged = { ...BASE_FIELDS };
  for (const scope of SCOPES) merged[scope] = { ...BASE_FIELDS[scope], ...extra[scope] };
  return merged;
}

export function splitField(path: string): { scope: string; field: string } {
  const dot = path.indexOf('.');
  return dot < 0 ? { scope: path, field: '' } : { scope: path.slice(0, dot), field: path.slice(dot + 1) };
}
